/* memprof: request triggers (stub, to be completed) */
#include "php_memprof.h"
const char *mp_request_trigger(void) { return NULL; }
