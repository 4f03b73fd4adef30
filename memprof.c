/* memprof: module entry, ini, request lifecycle, triggers and the PHP
 * functions. The engine-facing work lives in alloc_tracker.c (memory) and
 * callgraph.c (calls); exporters in export_*.c. */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "php.h"
#include "php_ini.h"
#include "ext/standard/info.h"
#include "zend_exceptions.h"
#include "SAPI.h"
#include "export.h"
#include "triggers.h"
#include "request_log.h"
#include "signal_dump.h"
#include "compile_hook.h"
#include "limit_dump.h"
#include "sampler.h"
#include "labels.h"
#include "php_compat.h"
#include "heap_dump.h"
#include "native.h"
#include "got_patch.h"
#include "native_side.h"

ZEND_DECLARE_MODULE_GLOBALS(memprof)

/* ---- ini ---------------------------------------------------------------- */

/* Stores a checked value, or refuses it with a warning naming the setting
 * and what it accepts (the previous value stays). */
static int ini_store_checked(bool valid, const char *accepted, zend_ini_entry *entry,
		zend_string *new_value, void *mh_arg1, void *mh_arg2, void *mh_arg3, int stage)
{
	if (!valid) {
		php_error_docref(NULL, E_WARNING, "Invalid %s '%s'; accepted values: %s",
			ZSTR_VAL(entry->name), ZSTR_VAL(new_value), accepted);
		return FAILURE;
	}
	return OnUpdateString(entry, new_value, mh_arg1, mh_arg2, mh_arg3, stage);
}

static ZEND_INI_MH(OnUpdateOutputFormat)
{
	return ini_store_checked(mp_format_parse(ZSTR_VAL(new_value)) != MP_FMT_INVALID,
		"callgrind, pprof, folded", entry, new_value, mh_arg1, mh_arg2, mh_arg3, stage);
}

static ZEND_INI_MH(OnUpdateDumpSignal)
{
	return ini_store_checked(mp_signal_parse(ZSTR_VAL(new_value)) >= 0,
		"empty, SIGUSR1, SIGUSR2, SIGHUP, SIGURG", entry, new_value, mh_arg1, mh_arg2, mh_arg3, stage);
}

/* memprof.observer: 1 on, 0 off, 2 auto; -1 if not one of those. The ini
 * parser hands on/off over as "1"/"". */
static int observer_mode_parse(const char *v)
{
	if (!strcasecmp(v, "on") || !strcmp(v, "1")) {
		return 1;
	}
	if (!strcasecmp(v, "off") || !strcmp(v, "0") || !*v) {
		return 0;
	}
	return !strcasecmp(v, "auto") ? 2 : -1;
}

static ZEND_INI_MH(OnUpdateObserver)
{
	return ini_store_checked(observer_mode_parse(ZSTR_VAL(new_value)) >= 0,
		"auto, on, off", entry, new_value, mh_arg1, mh_arg2, mh_arg3, stage);
}

/* A byte count: digits, then optionally K, M or G (powers of 1024), as
 * memory_limit takes it; -1 if it is not one. */
static zend_long quantity_parse(const char *v)
{
	char *end;
	if (!isdigit((unsigned char)*v)) {
		return -1;
	}
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	int shift = 0;
	switch (*end) {
		case 'k': case 'K': shift = 10; end++; break;
		case 'm': case 'M': shift = 20; end++; break;
		case 'g': case 'G': shift = 30; end++; break;
	}
	if (*end || errno || n > ((unsigned long long)ZEND_LONG_MAX >> shift)) {
		return -1;
	}
	return (zend_long)(n << shift);
}

/* Stores a checked number (the parser gives -1 for what it refuses). */
static int ini_store_number(zend_long n, const char *accepted, zend_ini_entry *entry,
		zend_string *new_value, void *mh_arg1, void *mh_arg2)
{
	if (n < 0) {
		php_error_docref(NULL, E_WARNING, "Invalid %s '%s'; accepted values: %s",
			ZSTR_VAL(entry->name), ZSTR_VAL(new_value), accepted);
		return FAILURE;
	}
	*(zend_long *)ZEND_INI_GET_ADDR() = n;
	return SUCCESS;
}

static ZEND_INI_MH(OnUpdateSampleRate)
{
	(void)mh_arg3; (void)stage;
	return ini_store_number(quantity_parse(ZSTR_VAL(new_value)),
		"0 (exact mode) or bytes between samples, e.g. 524288 or 512K", entry, new_value, mh_arg1, mh_arg2);
}

static ZEND_INI_MH(OnUpdateSampleSeed)
{
	(void)mh_arg3; (void)stage;
	return ini_store_number(quantity_parse(ZSTR_VAL(new_value)),
		"0 (random) or a positive integer", entry, new_value, mh_arg1, mh_arg2);
}

static ZEND_INI_MH(OnUpdateSampleGaps)
{
	(void)mh_arg3; (void)stage;
	return ini_store_number(mp_sampler_gaps_parse(ZSTR_VAL(new_value)),
		"exponential, poisson (biased: for tests only)", entry, new_value, mh_arg1, mh_arg2);
}

static ZEND_INI_MH(OnUpdateSampleRequests)
{
	(void)mh_arg3; (void)stage;
	zend_long n = quantity_parse(ZSTR_VAL(new_value));
	return ini_store_number(n == 0 ? -1 : n, "1 (every request) or more", entry, new_value, mh_arg1, mh_arg2);
}

static ZEND_INI_MH(OnUpdateLabels)
{
	return ini_store_checked(mp_labels_valid(ZSTR_VAL(new_value)),
		"empty, or key=value pairs separated by commas (keys of letters, digits, _ . -)",
		entry, new_value, mh_arg1, mh_arg2, mh_arg3, stage);
}

/* memprof.dump_signal_writes: what a dump signal writes. */
int mp_signal_writes_parse(const char *v)
{
	if (!v || !*v || !strcmp(v, "profile")) {
		return MP_SIGNAL_WRITES_PROFILE;
	}
	if (!strcmp(v, "heap")) {
		return MP_SIGNAL_WRITES_HEAP;
	}
	return !strcmp(v, "both") ? MP_SIGNAL_WRITES_PROFILE | MP_SIGNAL_WRITES_HEAP : -1;
}

static ZEND_INI_MH(OnUpdateSignalWrites)
{
	return ini_store_checked(mp_signal_writes_parse(ZSTR_VAL(new_value)) >= 0,
		"profile, heap, both", entry, new_value, mh_arg1, mh_arg2, mh_arg3, stage);
}

static ZEND_INI_MH(OnUpdateHeapFormat)
{
	return ini_store_checked(mp_heap_format_parse(ZSTR_VAL(new_value)) != MP_HFMT_INVALID,
		MP_HFMT_ACCEPTED, entry, new_value, mh_arg1, mh_arg2, mh_arg3, stage);
}

static ZEND_INI_MH(OnUpdateLimitHeap)
{
	const char *v = ZSTR_VAL(new_value);
	bool valid = !*v || !strcmp(v, "1") || !strcmp(v, "0") || !strcasecmp(v, "on") || !strcasecmp(v, "off");
	if (!valid) {
		php_error_docref(NULL, E_WARNING, "Invalid %s '%s'; accepted values: on, off", ZSTR_VAL(entry->name), v);
		return FAILURE;
	}
	return OnUpdateBool(entry, new_value, mh_arg1, mh_arg2, mh_arg3, stage);
}

PHP_INI_BEGIN()
	STD_PHP_INI_ENTRY("memprof.output_dir", "", PHP_INI_ALL, OnUpdateString,
		output_dir, zend_memprof_globals, memprof_globals)
	STD_PHP_INI_ENTRY("memprof.output_format", "callgrind", PHP_INI_ALL, OnUpdateOutputFormat,
		output_format, zend_memprof_globals, memprof_globals)
	STD_PHP_INI_ENTRY("memprof.trigger_secret", "", PHP_INI_SYSTEM | PHP_INI_PERDIR, OnUpdateString,
		trigger_secret, zend_memprof_globals, memprof_globals)
	STD_PHP_INI_ENTRY("memprof.dump_signal", "", PHP_INI_SYSTEM, OnUpdateDumpSignal,
		dump_signal, zend_memprof_globals, memprof_globals)
	STD_PHP_INI_ENTRY("memprof.request_log", "", PHP_INI_SYSTEM | PHP_INI_PERDIR, OnUpdateString,
		request_log, zend_memprof_globals, memprof_globals)
	STD_PHP_INI_ENTRY("memprof.observer", "auto", PHP_INI_SYSTEM, OnUpdateObserver,
		observer, zend_memprof_globals, memprof_globals)
	STD_PHP_INI_ENTRY("memprof.sample_rate", "0", PHP_INI_ALL, OnUpdateSampleRate,
		sample_rate, zend_memprof_globals, memprof_globals)
	STD_PHP_INI_ENTRY("memprof.sample_seed", "0", PHP_INI_ALL, OnUpdateSampleSeed,
		sample_seed, zend_memprof_globals, memprof_globals)
	STD_PHP_INI_ENTRY("memprof.sample_gaps", "exponential", PHP_INI_ALL, OnUpdateSampleGaps,
		sample_gaps, zend_memprof_globals, memprof_globals)
	STD_PHP_INI_ENTRY("memprof.sample_requests", "1", PHP_INI_SYSTEM | PHP_INI_PERDIR, OnUpdateSampleRequests,
		sample_requests, zend_memprof_globals, memprof_globals)
	STD_PHP_INI_ENTRY("memprof.labels", "", PHP_INI_ALL, OnUpdateLabels,
		labels, zend_memprof_globals, memprof_globals)
	STD_PHP_INI_ENTRY("memprof.dump_signal_writes", "profile", PHP_INI_ALL, OnUpdateSignalWrites,
		dump_signal_writes, zend_memprof_globals, memprof_globals)
	STD_PHP_INI_ENTRY("memprof.heap_format", "native", PHP_INI_ALL, OnUpdateHeapFormat,
		heap_format, zend_memprof_globals, memprof_globals)
	STD_PHP_INI_ENTRY("memprof.dump_on_limit_heap", "0", PHP_INI_ALL, OnUpdateLimitHeap,
		dump_on_limit_heap, zend_memprof_globals, memprof_globals)
PHP_INI_END()

/* ---- on / off ------------------------------------------------------------ */

/* memprof stays hooked under another extension's heap handlers (see
 * mp_tracker_stop): then our code must never be unloaded, and profiling
 * cannot start again in this process. */
static bool stuck_under_foreign_hooks;

const char *mp_profile_start_refused(void)
{
	if (stuck_under_foreign_hooks) {
		return "another extension's memory handlers sit on top of memprof's from an earlier "
			"profile of this process";
	}
	if (MEMPROF_G(sample_rate) > 0 && mp_jit_stack_walks_unsafe()) {
		return "sampled mode walks the stack, which the JIT of this PHP version can crash on "
			"(8.2.0-8.2.7, 8.4.0-8.4.6); turn the JIT off or upgrade PHP";
	}
	return NULL;
}

int mp_profile_start(void)
{
	if (MEMPROF_G(enabled)) {
		return SUCCESS;
	}
	uint64_t rate = (uint64_t)MEMPROF_G(sample_rate);
	if (mp_graph_init(rate > 0) == FAILURE) {
		return FAILURE;
	}
	/* mirror the engine's stack first, so the first allocation is placed right */
	mp_graph_sync_now();
	if (rate > 0) {
		mp_sampler_init(rate, (uint64_t)MEMPROF_G(sample_seed), (mp_gaps)MEMPROF_G(sample_gaps));
	}
	if (mp_tracker_start(rate) == FAILURE) {
		mp_graph_free();
		return FAILURE;
	}
	MEMPROF_G(enabled) = true;
	return SUCCESS;
}

static void pin_module(void)
{
	zend_module_entry *m = zend_hash_str_find_ptr(&module_registry, "memprof", sizeof("memprof") - 1);
	if (m) {
		m->handle = NULL; /* module shutdown then skips dlclose() */
	}
}

static void profile_stop(bool keep_startup)
{
	if (!MEMPROF_G(enabled)) {
		return;
	}
	/* unhook before freeing: nothing may reach the map once it is gone;
	 * the malloc hooks first, they record into what the Zend hooks set up */
	if (keep_startup) {
		mp_native_detach();
	} else {
		mp_native_stop();
	}
	if (!mp_tracker_stop()) {
		if (!stuck_under_foreign_hooks) {
			stuck_under_foreign_hooks = true;
			pin_module();
			php_error_docref(NULL, E_WARNING, "memprof: another extension installed its memory "
				"handlers over memprof's; memprof stays hooked under them (not profiling) for the "
				"rest of this process");
		}
		MEMPROF_G(enabled) = false;
		MEMPROF_G(flag_native) = false;
		MEMPROF_G(flag_dump_on_limit) = false;
		MEMPROF_G(autodump) = false;
		return;
	}
	mp_graph_free();
	MEMPROF_G(enabled) = false;
	MEMPROF_G(flag_native) = false;
	MEMPROF_G(flag_dump_on_limit) = false;
	MEMPROF_G(autodump) = false;
}

void mp_profile_stop(void)
{
	profile_stop(false);
}

void mp_profile_stop_preload(void)
{
	profile_stop(true);
}

int mp_export(mp_format fmt, mp_writer *w)
{
	bool was_busy = mp_set_busy(true);
	mp_view v;
	if (mp_view_build(&v) == SUCCESS) {
		switch (fmt) {
			case MP_FMT_CALLGRIND: mp_export_callgrind(&v, w); break;
			case MP_FMT_PPROF:     mp_export_pprof(&v, w); break;
			case MP_FMT_FOLDED:    mp_export_folded(&v, w); break;
			default:               w->failed = true; break;
		}
		mp_view_free(&v);
	} else {
		w->failed = true;
	}
	int rc = mp_writer_finish(w);
	mp_set_busy(was_busy);
	mp_signal_export_done();
	return rc;
}

/* ---- MEMPROF_PROFILE --------------------------------------------------- */

enum { FLAG_NATIVE = 1, FLAG_ON_LIMIT = 2 };
#define KNOWN_FLAGS "dump_on_limit, native"

/* The flags of "1", "dump_on_limit", "native", comma separated (spaces
 * around them allowed); unknown(flag, len, ctx) is told of any other. */
static unsigned parse_flags(const char *value, void (*unknown)(const char *, size_t, void *), void *ctx)
{
	unsigned flags = 0;
	const char *p = value;
	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		while (len && (*p == ' ' || *p == '\t')) { p++; len--; }
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t')) { len--; }
		if (len == 0 || (len == 1 && *p == '1')) {
			/* plain "1": whole-script profile */
		} else if (len == 13 && !strncmp(p, "dump_on_limit", len)) {
			flags |= FLAG_ON_LIMIT;
		} else if (len == 6 && !strncmp(p, "native", len)) {
			flags |= FLAG_NATIVE;
		} else if (unknown) {
			unknown(p, len, ctx);
		}
		p = end ? end + 1 : NULL;
	}
	return flags;
}

static void warn_unknown(const char *flag, size_t len, void *origin)
{
	php_error_docref(NULL, E_WARNING, "%s: unknown flag '%.*s' ignored; known flags: 1, " KNOWN_FLAGS,
		(const char *)origin, (int)len, flag);
}

/* Native tracking for the profile just started; a warning (prefixed with
 * origin) if it cannot. */
static void start_native(const char *origin)
{
	/* native blocks go into the live-block map, which sampled mode has not */
	const char *why = mp_tracker_sampled()
		? "not in sampled mode (memprof.sample_rate > 0): native tracking is exact only"
		: mp_native_start();
	if (why) {
		/* origin NULL: the function called, which the docref already names */
		php_error_docref(NULL, E_WARNING, "%s%snative tracking unavailable: %s; profiling Zend MM allocations only",
			origin ? origin : "", origin ? ": " : "", why);
	}
	MEMPROF_G(flag_native) = why == NULL;
}

/* Starts the whole-script profile that MEMPROF_PROFILE asks for. Unknown
 * flags are warned about; the known ones still apply. */
static void apply_profile_flags(const char *value, const char *origin)
{
	if (!value || !*value) {
		return;
	}
	unsigned flags = parse_flags(value, warn_unknown, (void *)origin);
	if (MEMPROF_G(requests_asked)++ % MEMPROF_G(sample_requests) != 0) {
		return; /* memprof.sample_requests: the first and every Nth after it */
	}
	const char *refused = mp_profile_start_refused();
	if (refused) {
		php_error_docref(NULL, E_WARNING, "%s: profiling not started: %s", origin, refused);
		return;
	}
	if (mp_profile_start() == FAILURE) {
		php_error_docref(NULL, E_WARNING, "%s: could not start profiling (out of memory)", origin);
		return;
	}
	if (flags & FLAG_NATIVE) {
		start_native(origin);
	}
	MEMPROF_G(flag_dump_on_limit) = (flags & FLAG_ON_LIMIT) != 0;
	MEMPROF_G(autodump) = true;
}

static const char *profile_env(void)
{
	char *v = sapi_getenv("MEMPROF_PROFILE", sizeof("MEMPROF_PROFILE") - 1);
	if (v) {
		/* sapi_getenv's result is ours to free; keep a static copy */
		static char buf[256];
		strncpy(buf, v, sizeof(buf) - 1);
		buf[sizeof(buf) - 1] = '\0';
		efree(v);
		return buf;
	}
	return getenv("MEMPROF_PROFILE");
}

/* ---- lifecycle --------------------------------------------------------- */

static PHP_GINIT_FUNCTION(memprof)
{
#if defined(COMPILE_DL_MEMPROF) && defined(ZTS)
	ZEND_TSRMLS_CACHE_UPDATE();
#endif
	memset(memprof_globals, 0, sizeof(*memprof_globals));
}

static PHP_MINIT_FUNCTION(memprof)
{
	(void)type;
	(void)module_number;
	REGISTER_INI_ENTRIES();
	/* The engine's observer costs every call of every request, profiled or
	 * not, so "auto" takes it only where profiling is planned at startup:
	 * MEMPROF_PROFILE in the environment, or request triggers configured.
	 * Elsewhere memprof_enable() still works, from stack walks (README). */
	int mode = observer_mode_parse(MEMPROF_G(observer) ? MEMPROF_G(observer) : "auto");
	if (mode == 2) {
		/* sampled mode takes the stack at its samples: no per-call work */
		const char *env = getenv("MEMPROF_PROFILE");
		const char *secret = MEMPROF_G(trigger_secret);
		mode = ((env && *env) || (secret && *secret)) && MEMPROF_G(sample_rate) == 0;
	}
	if (mode == 1) {
		mp_graph_observer_register();
	}
	/* MEMPROF_PROFILE=native at startup: malloc is tracked from here on,
	 * what comes before the first request under [startup] */
	const char *env = getenv("MEMPROF_PROFILE");
	mp_native_minit(env && (parse_flags(env, NULL, NULL) & FLAG_NATIVE));
	mp_limit_minit();
	mp_signal_minit();
	return SUCCESS;
}

static PHP_MSHUTDOWN_FUNCTION(memprof)
{
	(void)type;
	(void)module_number;
	/* whatever happened to the last request, no hook of ours outlives us */
	mp_profile_stop();
	mp_native_mshutdown();
	mp_signal_mshutdown();
	mp_compile_hook_mshutdown();
	mp_limit_mshutdown();
	mp_writer_mshutdown();
	UNREGISTER_INI_ENTRIES();
	return SUCCESS;
}

static PHP_RINIT_FUNCTION(memprof)
{
	(void)type;
	(void)module_number;
#if defined(COMPILE_DL_MEMPROF) && defined(ZTS)
	ZEND_TSRMLS_CACHE_UPDATE();
#endif
	MEMPROF_G(dumped_on_limit) = false;
	mp_compile_hook_rinit();
	mp_request_log_begin();
	const char *env = profile_env();
	if (env && *env) {
		/* whoever sets the environment owns the server: no secret needed */
		apply_profile_flags(env, "MEMPROF_PROFILE");
	} else {
		apply_profile_flags(mp_request_trigger(), "MEMPROF_PROFILE (request)");
	}
	if (!MEMPROF_G(flag_native)) {
		mp_native_stop(); /* [startup] ends with the first request that does not want it */
	}
	mp_limit_keep_on_top();
	mp_signal_rinit();
	return SUCCESS;
}

/* The whole-script profile, at request end. */
static void autodump(void)
{
	mp_dump_result r;
	if (mp_dump_to_file(mp_format_parse(MEMPROF_G(output_format)), &r) == FAILURE) {
		mp_dump_warn(&r);
	}
}

static PHP_RSHUTDOWN_FUNCTION(memprof)
{
	(void)type;
	(void)module_number;
	/* A warning (a failed dump, an unwritable request log) can run a user
	 * error handler, which can bail out (a fatal error): profiling must stop
	 * all the same, or our heap hooks would be called after the module is
	 * unloaded. The bailout's fatal error has been reported by then. */
	if (MEMPROF_G(enabled) && MEMPROF_G(autodump) && !MEMPROF_G(dumped_on_limit)) {
		zend_try {
			autodump();
		} zend_catch {
			mp_set_busy(false);
		} zend_end_try();
	}
	zend_try {
		mp_request_log_end(); /* before stop: it reports whether profiling was on */
	} zend_end_try();
	mp_profile_stop();
	mp_limit_request_end();
	return SUCCESS;
}

/* After every RSHUTDOWN, before the request's heap is torn down. A bailout
 * in the RSHUTDOWN of a module that runs before ours skips ours: stop here
 * then, so that our hooks never see the heap's shutdown. */
static ZEND_MODULE_POST_ZEND_DEACTIVATE_D(memprof)
{
	mp_profile_stop();
	mp_limit_request_end();
	return SUCCESS;
}

static PHP_MINFO_FUNCTION(memprof)
{
	(void)zend_module;
	php_info_print_table_start();
	php_info_print_table_row(2, "memprof support", "enabled");
	php_info_print_table_row(2, "Version", PHP_MEMPROF_VERSION);
	php_info_print_table_row(2, "Call observer", mp_graph_observer_registered()
		? "registered (calls counted)" : "not registered (stack walks; calls not counted)");
	php_info_print_table_end();
	DISPLAY_INI_ENTRIES();
}

/* ---- PHP functions ------------------------------------------------------ */

static bool require_enabled(const char *fn)
{
	if (!MEMPROF_G(enabled)) {
		zend_throw_exception_ex(NULL, 0, "%s(): memprof is not enabled; call memprof_enable() first", fn);
		return false;
	}
	return true;
}

/* The flags of memprof_enable()'s argument: a string as MEMPROF_PROFILE
 * ("native,dump_on_limit"), or an array as memprof_enabled_flags() returns
 * (['native' => true]). false with an exception thrown if not valid. */
typedef struct { const char *p; size_t len; } bad_flag;

static void note_unknown(const char *flag, size_t len, void *ctx)
{
	bad_flag *b = ctx;
	if (!b->p) {
		b->p = flag;
		b->len = len;
	}
}

static bool enable_flags(zend_string *str, HashTable *arr, unsigned *flags)
{
	*flags = 0;
	if (str) {
		bad_flag bad = {NULL, 0};
		*flags = parse_flags(ZSTR_VAL(str), note_unknown, &bad);
		if (bad.p) {
			zend_argument_value_error(1, "has an unknown flag '%.*s'; known flags: " KNOWN_FLAGS, (int)bad.len, bad.p);
			return false;
		}
		return true;
	}
	zend_string *key;
	zval *v;
	ZEND_HASH_FOREACH_STR_KEY_VAL(arr, key, v) {
		if (!key) {
			zend_argument_value_error(1, "must have string keys (flag names)");
			return false;
		}
		unsigned f = zend_string_equals_literal(key, "native") ? FLAG_NATIVE
			: zend_string_equals_literal(key, "dump_on_limit") ? FLAG_ON_LIMIT : 0;
		if (!f) {
			zend_argument_value_error(1, "has an unknown flag '%s'; known flags: " KNOWN_FLAGS, ZSTR_VAL(key));
			return false;
		}
		if (Z_TYPE_P(v) != IS_TRUE && Z_TYPE_P(v) != IS_FALSE) {
			zend_argument_type_error(1, "flag '%s' must be of type bool, %s given", ZSTR_VAL(key), zend_zval_type_name(v));
			return false;
		}
		*flags |= Z_TYPE_P(v) == IS_TRUE ? f : 0;
	} ZEND_HASH_FOREACH_END();
	return true;
}

PHP_FUNCTION(memprof_enable)
{
	zend_string *str = NULL;
	HashTable *arr = NULL;
	ZEND_PARSE_PARAMETERS_START(0, 1)
		Z_PARAM_OPTIONAL
		Z_PARAM_ARRAY_HT_OR_STR(arr, str)
	ZEND_PARSE_PARAMETERS_END();
	unsigned flags = 0;
	if ((str || arr) && !enable_flags(str, arr, &flags)) {
		RETURN_THROWS();
	}
	if (MEMPROF_G(enabled)) {
		zend_throw_exception(NULL, "memprof_enable(): memprof is already enabled", 0);
		RETURN_THROWS();
	}
	const char *refused = mp_profile_start_refused();
	if (refused) {
		zend_throw_exception_ex(NULL, 0, "memprof_enable(): %s", refused);
		RETURN_THROWS();
	}
	if (mp_profile_start() == FAILURE) {
		zend_throw_exception(NULL, "memprof_enable(): out of memory", 0);
		RETURN_THROWS();
	}
	if (flags & FLAG_NATIVE) {
		start_native(NULL);
	}
	MEMPROF_G(flag_dump_on_limit) = (flags & FLAG_ON_LIMIT) != 0;
	RETURN_TRUE;
}

PHP_FUNCTION(memprof_disable)
{
	ZEND_PARSE_PARAMETERS_NONE();
	if (!MEMPROF_G(enabled)) {
		zend_throw_exception(NULL, "memprof_disable(): memprof is not enabled", 0);
		RETURN_THROWS();
	}
	mp_profile_stop();
	RETURN_TRUE;
}

PHP_FUNCTION(memprof_enabled)
{
	ZEND_PARSE_PARAMETERS_NONE();
	RETURN_BOOL(MEMPROF_G(enabled));
}

PHP_FUNCTION(memprof_enabled_flags)
{
	ZEND_PARSE_PARAMETERS_NONE();
	array_init(return_value);
	add_assoc_bool(return_value, "enabled", MEMPROF_G(enabled));
	/* true only while malloc really is tracked */
	add_assoc_bool(return_value, "native", MEMPROF_G(flag_native) && mp_native_active());
	add_assoc_bool(return_value, "dump_on_limit", MEMPROF_G(flag_dump_on_limit));
	add_assoc_bool(return_value, "autodump", MEMPROF_G(autodump));
	add_assoc_bool(return_value, "calls", mp_graph_counts_calls());
	/* 0 in exact mode (and while off) */
	add_assoc_long(return_value, "sample_rate", mp_tracker_sampled() ? (zend_long)mp_smp.rate : 0);
}

PHP_FUNCTION(memprof_dump_array)
{
	ZEND_PARSE_PARAMETERS_NONE();
	if (!require_enabled("memprof_dump_array")) {
		RETURN_THROWS();
	}
	bool was_busy = mp_set_busy(true);
	mp_view v;
	if (mp_view_build(&v) == FAILURE) {
		mp_set_busy(was_busy);
		zend_throw_exception(NULL, "memprof_dump_array(): out of memory", 0);
		RETURN_THROWS();
	}
	mp_export_array(&v, return_value);
	mp_view_free(&v);
	mp_set_busy(was_busy);
}

static bool stream_writable(php_stream *stream)
{
	return strpbrk(stream->mode, "waxc+") != NULL;
}

static void dump_to_stream(INTERNAL_FUNCTION_PARAMETERS, const char *fn, mp_format fmt)
{
	zval *zstream;
	php_stream *stream;
	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_RESOURCE(zstream)
	ZEND_PARSE_PARAMETERS_END();
	(void)return_value;
	php_stream_from_zval(stream, zstream);
	if (!stream_writable(stream)) {
		zend_argument_value_error(1, "must be a writable stream, opened with mode '%s'", stream->mode);
		RETURN_THROWS();
	}
	if (!require_enabled(fn)) {
		RETURN_THROWS();
	}
	mp_writer w;
	mp_writer_init_stream(&w, stream);
	if (mp_export(fmt, &w) == FAILURE) {
		zend_throw_exception_ex(NULL, 0, "%s(): writing the profile failed%s%s", fn,
			w.err ? ": " : "", w.err ? strerror(w.err) : "");
		RETURN_THROWS();
	}
}

PHP_FUNCTION(memprof_dump_callgrind)
{
	dump_to_stream(INTERNAL_FUNCTION_PARAM_PASSTHRU, "memprof_dump_callgrind", MP_FMT_CALLGRIND);
}

PHP_FUNCTION(memprof_dump_pprof)
{
	dump_to_stream(INTERNAL_FUNCTION_PARAM_PASSTHRU, "memprof_dump_pprof", MP_FMT_PPROF);
}

PHP_FUNCTION(memprof_dump_folded)
{
	dump_to_stream(INTERNAL_FUNCTION_PARAM_PASSTHRU, "memprof_dump_folded", MP_FMT_FOLDED);
}

/* memprof_dump_heap()'s options: the format; anything else is refused. */
static bool heap_options(HashTable *opts, mp_heap_req *q)
{
	q->fmt = MP_HFMT_NATIVE;
	if (!opts) {
		return true;
	}
	zend_string *key;
	zval *v;
	ZEND_HASH_FOREACH_STR_KEY_VAL(opts, key, v) {
		if (!key || !zend_string_equals_literal(key, "format")) {
			zend_argument_value_error(2, "has an unknown option '%s'; known options: format",
				key ? ZSTR_VAL(key) : "(integer key)");
			return false;
		}
		ZVAL_DEREF(v);
		q->fmt = Z_TYPE_P(v) == IS_STRING ? mp_heap_format_parse(Z_STRVAL_P(v)) : MP_HFMT_INVALID;
		if (q->fmt == MP_HFMT_INVALID) {
			zend_argument_value_error(2, "option 'format' must be one of " MP_HFMT_ACCEPTED);
			return false;
		}
	} ZEND_HASH_FOREACH_END();
	return true;
}

PHP_FUNCTION(memprof_dump_heap)
{
	zval *out;
	HashTable *opts = NULL;
	ZEND_PARSE_PARAMETERS_START(1, 2)
		Z_PARAM_ZVAL(out)
		Z_PARAM_OPTIONAL
		Z_PARAM_ARRAY_HT(opts)
	ZEND_PARSE_PARAMETERS_END();
	mp_heap_req q = {0};
	if (!heap_options(opts, &q)) {
		RETURN_THROWS();
	}
	int rc;
	int err = 0;
	if (Z_TYPE_P(out) == IS_RESOURCE) {
		php_stream *stream;
		php_stream_from_zval(stream, out);
		if (!stream_writable(stream)) {
			zend_argument_value_error(1, "must be a writable stream, opened with mode '%s'", stream->mode);
			RETURN_THROWS();
		}
		mp_writer w;
		mp_writer_init_stream(&w, stream);
		rc = mp_heap_dump(&q, &w);
		err = w.err;
	} else if (Z_TYPE_P(out) == IS_STRING) {
		if (Z_STRLEN_P(out) == 0 || memchr(Z_STRVAL_P(out), '\0', Z_STRLEN_P(out))) {
			zend_argument_value_error(1, "must be a non-empty path without NUL bytes");
			RETURN_THROWS();
		}
		mp_dump_result r;
		rc = mp_heap_dump_at_path(&q, Z_STRVAL_P(out), &r);
		if (rc == FAILURE) {
			zend_throw_exception_ex(NULL, 0, "memprof_dump_heap(): %s '%s': %s", r.what, r.path, mp_dump_reason(&r));
			RETURN_THROWS();
		}
	} else {
		zend_argument_type_error(1, "must be of type resource|string, %s given", zend_zval_type_name(out));
		RETURN_THROWS();
	}
	if (rc == FAILURE) {
		zend_throw_exception_ex(NULL, 0, "memprof_dump_heap(): writing the snapshot failed%s%s",
			err ? ": " : "", err ? strerror(err) : "");
		RETURN_THROWS();
	}
	array_init(return_value);
	add_assoc_long(return_value, "nodes", (zend_long)q.stats.nodes);
	add_assoc_long(return_value, "edges", (zend_long)q.stats.edges);
	add_assoc_long(return_value, "bytes", (zend_long)q.stats.bytes);
	add_assoc_double(return_value, "seconds", q.stats.seconds);
	add_assoc_long(return_value, "unreached_objects", (zend_long)q.stats.unreached_objects);
	add_assoc_long(return_value, "unattributed_bytes", (zend_long)q.stats.unattributed_bytes);
	add_assoc_bool(return_value, "sites", q.stats.sites);
}

/* What native tracking patched, left alone and why, for diagnosis. */
PHP_FUNCTION(memprof_native_status)
{
	ZEND_PARSE_PARAMETERS_NONE();
	array_init(return_value);
	add_assoc_bool(return_value, "supported", mp_got_supported());
	add_assoc_bool(return_value, "active", mp_native_recording());
	add_assoc_bool(return_value, "pinned", mp_got_pinned());
	zval objects, slots;
	array_init(&objects);
	uint64_t sum[4] = {0};
	for (uint32_t i = 1; i < mp_got_nobjects(); i++) {
		const mp_got_object *o = mp_got_object_get(i);
		zval z;
		array_init(&z);
		add_assoc_string(&z, "path", o->path ? o->path : "");
		add_assoc_long(&z, "base", (zend_long)o->base);
		if (*o->skip) {
			add_assoc_string(&z, "skip", o->skip);
		} else {
			add_assoc_null(&z, "skip");
		}
		add_assoc_bool(&z, "loaded", o->loaded);
		add_assoc_long(&z, "patched", o->patched);
		add_assoc_long(&z, "lazy", o->lazy);
		add_assoc_long(&z, "foreign", o->foreign);
		add_assoc_long(&z, "skipped", o->skipped);
		add_next_index_zval(&objects, &z);
		sum[0] += o->patched;
		sum[1] += o->lazy;
		sum[2] += o->foreign;
		sum[3] += o->skipped;
	}
	add_assoc_zval(return_value, "objects", &objects);
	array_init(&slots);
	add_assoc_long(&slots, "patched", (zend_long)sum[0]);
	add_assoc_long(&slots, "lazy", (zend_long)sum[1]);
	add_assoc_long(&slots, "foreign", (zend_long)sum[2]);
	add_assoc_long(&slots, "skipped", (zend_long)sum[3]);
	add_assoc_zval(return_value, "slots", &slots);
	add_assoc_long(return_value, "remote_frees_lost", (zend_long)mp_side_remote_lost());
}

PHP_FUNCTION(memprof_version)
{
	ZEND_PARSE_PARAMETERS_NONE();
	RETURN_STRING(PHP_MEMPROF_VERSION);
}

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_memprof_bool, 0, 0, _IS_BOOL, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_memprof_array, 0, 0, IS_ARRAY, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_memprof_dump_stream, 0, 1, IS_VOID, 0)
	ZEND_ARG_INFO(0, stream)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_memprof_dump_heap, 0, 1, IS_ARRAY, 0)
	ZEND_ARG_INFO(0, out)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, options, IS_ARRAY, 0, "[]")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_memprof_string, 0, 0, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_memprof_enable, 0, 0, _IS_BOOL, 0)
	ZEND_ARG_TYPE_MASK(0, flags, MAY_BE_ARRAY | MAY_BE_STRING, "[]")
ZEND_END_ARG_INFO()

static const zend_function_entry memprof_functions[] = {
	PHP_FE(memprof_enable, arginfo_memprof_enable)
	PHP_FE(memprof_disable, arginfo_memprof_bool)
	PHP_FE(memprof_enabled, arginfo_memprof_bool)
	PHP_FE(memprof_enabled_flags, arginfo_memprof_array)
	PHP_FE(memprof_dump_array, arginfo_memprof_array)
	PHP_FE(memprof_dump_callgrind, arginfo_memprof_dump_stream)
	PHP_FE(memprof_dump_pprof, arginfo_memprof_dump_stream)
	PHP_FE(memprof_dump_folded, arginfo_memprof_dump_stream)
	PHP_FE(memprof_dump_heap, arginfo_memprof_dump_heap)
	PHP_FE(memprof_native_status, arginfo_memprof_array)
	PHP_FE(memprof_version, arginfo_memprof_string)
	PHP_FE_END
};

zend_module_entry memprof_module_entry = {
	STANDARD_MODULE_HEADER,
	"memprof",
	memprof_functions,
	PHP_MINIT(memprof),
	PHP_MSHUTDOWN(memprof),
	PHP_RINIT(memprof),
	PHP_RSHUTDOWN(memprof),
	PHP_MINFO(memprof),
	PHP_MEMPROF_VERSION,
	PHP_MODULE_GLOBALS(memprof),
	PHP_GINIT(memprof),
	NULL,
	ZEND_MODULE_POST_ZEND_DEACTIVATE_N(memprof),
	STANDARD_MODULE_PROPERTIES_EX
};

#ifdef COMPILE_DL_MEMPROF
# ifdef ZTS
ZEND_TSRMLS_CACHE_DEFINE()
# endif
ZEND_GET_MODULE(memprof)
#endif
