/* memprof: the module (memprof.c): its entry, globals and the switch that
 * turns profiling on and off. */
#ifndef PHP_MEMPROF_H
#define PHP_MEMPROF_H

#include <stdint.h>
#include <stdbool.h>
#include "php.h"

#define PHP_MEMPROF_VERSION "4.0.0"

extern zend_module_entry memprof_module_entry;
#define phpext_memprof_ptr &memprof_module_entry

/* ---- module globals ---------------------------------------------------- */
ZEND_BEGIN_MODULE_GLOBALS(memprof)
	bool enabled;
	bool flag_native;
	bool flag_dump_on_limit;
	bool autodump;          /* whole-script mode: write a profile at request end */
	bool dumped_on_limit;
	char *output_dir;
	char *output_format;
	char *trigger_secret;
	char *dump_signal;
	char *request_log;
	char *observer;         /* memprof.observer, read once at startup */
	zend_long sample_rate;  /* memprof.sample_rate: bytes, 0 = exact mode */
	zend_long sample_seed;
	zend_long sample_gaps;  /* mp_gaps */
	zend_long sample_requests; /* profile every Nth request profiling is asked for */
	zend_long requests_asked;  /* of this process, so far */
	char *labels;           /* memprof.labels */
	char *dump_signal_writes; /* profile, heap or both */
	char *heap_format;      /* of automatic heap snapshots */
	bool dump_on_limit_heap;
ZEND_END_MODULE_GLOBALS(memprof)

ZEND_EXTERN_MODULE_GLOBALS(memprof)
#define MEMPROF_G(v) ZEND_MODULE_GLOBALS_ACCESSOR(memprof, v)

#if defined(ZTS) && defined(COMPILE_DL_MEMPROF)
ZEND_TSRMLS_CACHE_EXTERN()
#endif

/* profiling on/off, shared by the observer and the PHP functions */
/* Why profiling cannot start in this process now (sampled mode under a JIT
 * known to crash stack walks), or NULL. */
const char *mp_profile_start_refused(void);
int  mp_profile_start(void);
void mp_profile_stop(void);
/* The same for the opcache.preload pseudo-request, whose profile nobody
 * asked for: native [startup] recording, if still open, goes on. */
void mp_profile_stop_preload(void);

#endif
