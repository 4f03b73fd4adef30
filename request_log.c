/* memprof: request log (stub, to be completed) */
#include "php_memprof.h"
void mp_request_log_begin(void) {}
void mp_request_log_end(void) {}
