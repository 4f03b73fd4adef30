/* memprof: dump on signal (stub, to be completed) */
#include "php_memprof.h"
int mp_signal_parse(const char *name) { return (name && *name) ? -1 : 0; }
void mp_signal_minit(void) {}
void mp_signal_mshutdown(void) {}
void mp_signal_rinit(void) {}
