/* memprof: dump_on_limit. When a request that asked for it hits the memory
 * limit, the profile is written there and then, and the fatal error says
 * so: "(memprof dumped to FILE)", or "(memprof failed dumping to PATH:
 * reason)".
 *
 * Why zend_error_cb and not the engine's error observer: an observer sees
 * the error but cannot change its message, and cannot be unregistered: the
 * engine would keep calling it after our module is unloaded (an error in
 * the shutdown of a module loaded before us would run unmapped code). A
 * zend_error_cb wrapper can do both and be taken out again.
 *
 * Why two of them. Xdebug replaces zend_error_cb at each request start
 * (develop and debug modes), after our RINIT (its module is registered after
 * ours), and in develop mode its callback prints the error itself without
 * calling the one it replaced. So:
 *  - "below" is installed at startup, under Xdebug (which saves it as the
 *    callback it falls back to) and under anyone else who starts after us;
 *    alone, it does everything.
 *  - "above" is put over whatever sits on top of "below", for requests that
 *    asked for dump_on_limit: at RINIT and again at every compile (the main
 *    script is compiled after every module's RINIT, so after Xdebug's), and
 *    taken off at request end.
 * Whichever sees the error first dumps and appends; the other finds it done.
 * No loops: "above" calls what it covers, "below" what was there at
 * startup, and neither calls "above". A callback that saved "above" and is
 * called by it calls "above" again: that second call acts as "below".
 * ZTS: zend_error_cb is shared by all threads, so "above" (set per
 * request) is not used there; "below" is. */
#include "php_memprof.h"
#include "export.h"
#include "limit_dump.h"
#include "php_compat.h"

typedef void (*error_cb_t)(int type, zend_string *file, const uint32_t line, zend_string *message);

static error_cb_t below_prev;    /* what "below" covers, from startup */
static bool below_installed;
#ifndef ZTS
static error_cb_t above_next;    /* what "above" covers this request */
static bool in_above;
#endif

/* The fatal error's message with what became of the dump appended; NULL
 * when this error is not the memory limit of a request that asked for a
 * dump (or the dump was already made). The limit is lifted while the error
 * is reported (the heap's overflow flag), so the new message can be made;
 * the dump itself needs nothing from the Zend heap. */
static zend_string *limit_message(int type, zend_string *message)
{
	if (!MEMPROF_G(enabled) || !MEMPROF_G(flag_dump_on_limit) || MEMPROF_G(dumped_on_limit)
			|| !(type & E_FATAL_ERRORS)
			|| !zend_string_starts_with_literal(message, "Allowed memory size of ")) {
		return NULL;
	}
	MEMPROF_G(dumped_on_limit) = true;
	mp_dump_result r;
	if (mp_dump_to_file(mp_format_parse(MEMPROF_G(output_format)), &r) == SUCCESS) {
		return zend_strpprintf(0, "%s (memprof dumped to %s)", ZSTR_VAL(message), r.path);
	}
	return zend_strpprintf(0, "%s (memprof failed dumping to %s: %s)",
		ZSTR_VAL(message), r.path, mp_dump_reason(&r));
}

/* Passes the error on to cb with msg; frees msg even when cb bails out, as
 * it does for fatal errors. */
static void pass_on(error_cb_t cb, int type, zend_string *file, const uint32_t line, zend_string *msg)
{
	zend_try {
		cb(type, file, line, msg);
	} zend_catch {
		zend_string_release(msg);
		zend_bailout();
	} zend_end_try();
	zend_string_release(msg);
}

static void below_cb(int type, zend_string *file, const uint32_t line, zend_string *message)
{
	zend_string *msg = limit_message(type, message);
	if (msg) {
		pass_on(below_prev, type, file, line, msg);
	} else {
		below_prev(type, file, line, message);
	}
}

#ifndef ZTS
static void above_cb(int type, zend_string *file, const uint32_t line, zend_string *message)
{
	if (in_above) {
		/* called back through a callback that saved us: we are done here */
		below_cb(type, file, line, message);
		return;
	}
	in_above = true;
	zend_string *msg = limit_message(type, message);
	zend_try {
		if (msg) {
			pass_on(above_next, type, file, line, msg);
		} else {
			above_next(type, file, line, message);
		}
	} zend_catch {
		in_above = false;
		zend_bailout();
	} zend_end_try();
	in_above = false;
}
#endif

void mp_limit_minit(void)
{
	below_prev = zend_error_cb;
	zend_error_cb = below_cb;
	below_installed = true;
}

void mp_limit_keep_on_top(void)
{
#ifndef ZTS
	if (zend_error_cb == below_cb || zend_error_cb == above_cb || !below_installed
			|| !MEMPROF_G(enabled) || !MEMPROF_G(flag_dump_on_limit) || MEMPROF_G(dumped_on_limit)) {
		return;
	}
	/* if "above" was already set this request, whoever replaced it either
	 * calls it (and in_above stops the loop) or dropped it: cover them */
	above_next = zend_error_cb;
	zend_error_cb = above_cb;
#endif
}

void mp_limit_request_end(void)
{
#ifndef ZTS
	if (zend_error_cb == above_cb) {
		zend_error_cb = above_next;
	}
	/* above_next stays: a callback that saved "above" may still call it */
	in_above = false;
#endif
}

void mp_limit_mshutdown(void)
{
	mp_limit_request_end();
	if (below_installed && zend_error_cb == below_cb) {
		zend_error_cb = below_prev;
	}
	/* otherwise whoever started after us holds "below" and puts it back as
	 * they shut down, which they do first (modules shut down in reverse) */
	below_installed = false;
}
