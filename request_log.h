/* memprof: one line per request in memprof.request_log (request_log.c). */
#ifndef MEMPROF_REQUEST_LOG_H
#define MEMPROF_REQUEST_LOG_H

#include <stdbool.h>

void mp_request_log_begin(void);
void mp_request_log_end(void);

#endif
