/* memprof: memprof.dump_signal (signal_dump.c). */
#ifndef MEMPROF_SIGNAL_DUMP_H
#define MEMPROF_SIGNAL_DUMP_H

#include <stdbool.h>

int  mp_signal_parse(const char *name);   /* signal number, 0 for "", -1 if invalid */
/* memprof.dump_signal_writes (parsed in memprof.c): a set of these, -1 if invalid */
#define MP_SIGNAL_WRITES_PROFILE 1
#define MP_SIGNAL_WRITES_HEAP    2
int  mp_signal_writes_parse(const char *v);
void mp_signal_minit(void);
void mp_signal_mshutdown(void);
void mp_signal_rinit(void);               /* (re)installs the handler if configured */
void mp_signal_export_done(void);         /* a dump deferred during an export may run now */

#endif
