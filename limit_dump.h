/* memprof: dump_on_limit (limit_dump.c): the profile written when the
 * memory limit is hit, and the fatal error saying where. */
#ifndef MEMPROF_LIMIT_DUMP_H
#define MEMPROF_LIMIT_DUMP_H

void mp_limit_minit(void);
/* Puts our error callback back on top if another replaced it since (Xdebug
 * does at each request start); for requests with dump_on_limit. Cheap: call
 * it at request start and at every compile. */
void mp_limit_keep_on_top(void);
/* Takes off what mp_limit_keep_on_top() put on; safe to call twice. */
void mp_limit_request_end(void);
void mp_limit_mshutdown(void);

#endif
