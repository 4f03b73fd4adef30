/* memprof: the engine's compile entry points (zend_compile_file for scripts
 * and includes, zend_compile_string for eval), wrapped so that each compile
 * is a frame of its own in the call tree (mp_graph_compile_begin).
 *
 * Installed at the first request, not at startup: opcache installs its own
 * at post-startup, after every module's startup, and we must sit outside it,
 * so that its cache lookups and its optimizer (which runs internal functions
 * under stand-in frames) happen inside the compile. */
#include "php_memprof.h"
#include "callgraph.h"
#include "compile_hook.h"
#include "limit_dump.h"

static zend_op_array *(*prev_compile_file)(zend_file_handle *fh, int type);
static zend_op_array *(*prev_compile_string)(zend_string *source, const char *filename,
		zend_compile_position position);
static bool installed;

/* Runs compile() between begin and end; end also runs if it bails out (a
 * fatal error), so the compile's frame never outlives it. */
#define MP_COMPILE_FRAMED(key, key_len, call) do { \
		mp_compile_state st_; \
		mp_graph_compile_begin(&st_, (key), (key_len)); \
		zend_try { \
			op = (call); \
		} zend_catch { \
			mp_graph_compile_end(&st_, NULL); \
			zend_bailout(); \
		} zend_end_try(); \
		mp_graph_compile_end(&st_, op ? op->filename : NULL); \
	} while (0)

static zend_op_array *mp_compile_file(zend_file_handle *fh, int type)
{
	/* the main script is compiled after every module's RINIT: the first
	 * moment our error callback can be put back over Xdebug's */
	mp_limit_keep_on_top();
	if (!MEMPROF_G(enabled)) {
		return prev_compile_file(fh, type);
	}
	if (UNEXPECTED(CG(compiler_options) & ZEND_COMPILE_PRELOAD)) {
		/* opcache.preload runs its script in a request of its own at startup;
		 * nobody asked for a profile of that */
		mp_profile_stop_preload();
		return prev_compile_file(fh, type);
	}
	zend_string *name = fh->opened_path ? fh->opened_path : fh->filename;
	zend_op_array *op = NULL;
	MP_COMPILE_FRAMED(name ? ZSTR_VAL(name) : "-", name ? ZSTR_LEN(name) : 1, prev_compile_file(fh, type));
	return op;
}

static zend_op_array *mp_compile_string(zend_string *source, const char *filename,
		zend_compile_position position)
{
	mp_limit_keep_on_top();
	if (!MEMPROF_G(enabled)) {
		return prev_compile_string(source, filename, position);
	}
	zend_op_array *op = NULL;
	MP_COMPILE_FRAMED(filename, strlen(filename), prev_compile_string(source, filename, position));
	return op;
}

void mp_compile_hook_rinit(void)
{
	if (installed) {
		return;
	}
	prev_compile_file = zend_compile_file;
	zend_compile_file = mp_compile_file;
	prev_compile_string = zend_compile_string;
	zend_compile_string = mp_compile_string;
	installed = true;
}

void mp_compile_hook_mshutdown(void)
{
	if (!installed) {
		return;
	}
	/* if someone wrapped ours since, they hold it and call it until they
	 * go, which they do first (modules shut down in reverse order) */
	if (zend_compile_file == mp_compile_file) {
		zend_compile_file = prev_compile_file;
	}
	if (zend_compile_string == mp_compile_string) {
		zend_compile_string = prev_compile_string;
	}
	installed = false;
}
