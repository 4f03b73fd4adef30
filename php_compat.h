/* memprof: the differences between the PHP versions we build on (8.2 to
 * 8.5; 8.3 from its headers), each behind one small helper, so that the
 * logic elsewhere reads the same on every version. */
#ifndef MEMPROF_PHP_COMPAT_H
#define MEMPROF_PHP_COMPAT_H

#include "php.h"
#include "zend_observer.h"
#if PHP_VERSION_ID >= 80400
# include "zend_lazy_objects.h"
#endif

/* Removes handler h from f's begin handlers, if it is there. PHP 8.4 added
 * an out-parameter for the handler that followed it, which we do not need. */
static inline void mp_observer_remove_begin(zend_function *f, zend_observer_fcall_begin_handler h)
{
#if PHP_VERSION_ID >= 80400
	zend_observer_fcall_begin_handler next;
	zend_observer_remove_begin_handler(f, h, &next);
#else
	zend_observer_remove_begin_handler(f, h);
#endif
}

/* Asks the engine to call its interrupt hook at the next opcode boundary
 * (async-signal-safe). */
static inline void mp_request_vm_interrupt(void)
{
#if PHP_VERSION_ID >= 80200
	zend_atomic_bool_store_ex(&EG(vm_interrupt), true);
#else
	EG(vm_interrupt) = 1;
#endif
}

/* Whether walking the engine's frames at an arbitrary allocation can crash
 * with the JIT on: PHP 8.2.0-8.2.7 (a frame without its opline during
 * ZEND_GENERATOR_RETURN) and 8.4.0-8.4.6 (a dangling EX(opline) from the
 * hot-function counter path, php-src PR 18289). Decided on the process's
 * settings: the JIT is on when it has a buffer and a mode other than off. */
static inline bool mp_jit_stack_walks_unsafe(void)
{
	bool bad = (PHP_VERSION_ID >= 80200 && PHP_VERSION_ID <= 80207)
		|| (PHP_VERSION_ID >= 80400 && PHP_VERSION_ID <= 80406);
	if (!bad) {
		return false;
	}
	const char *jit = zend_ini_string("opcache.jit", sizeof("opcache.jit") - 1, 0);
	zend_long buffer = zend_ini_long("opcache.jit_buffer_size", sizeof("opcache.jit_buffer_size") - 1, 0);
	return jit && buffer > 0 && strcmp(jit, "disable") && strcmp(jit, "off") && strcmp(jit, "0");
}

/* Whether obj is a lazy object (PHP 8.4+) whose GC view the engine must
 * give: its properties are not all where a plain object keeps them. */
static inline bool mp_object_is_lazy(const zend_object *obj)
{
#if PHP_VERSION_ID >= 80400
	return zend_object_is_lazy((zend_object *)obj);
#else
	(void)obj;
	return false;
#endif
}

#endif
