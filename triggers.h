/* memprof: MEMPROF_PROFILE from GET/POST/COOKIE, secret-checked (triggers.c). */
#ifndef MEMPROF_TRIGGERS_H
#define MEMPROF_TRIGGERS_H

#include <stdbool.h>

/* The request's MEMPROF_PROFILE value if memprof.trigger_secret is set and
 * the request carries the same MEMPROF_SECRET; NULL otherwise. */
const char *mp_request_trigger(void);

#endif
