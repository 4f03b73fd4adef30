/* memprof: the labels of a profile (see labels.h). Read when a profile is
 * written; nothing here allocates on the Zend heap (an export may run at
 * the memory limit). */
#include <unistd.h>
#include "php.h"
#include "SAPI.h"
#include "php_memprof.h"
#include "labels.h"

static void add_cstr(mp_label_cb cb, void *ctx, const char *key, const char *val, size_t len)
{
	if (val && len) {
		cb(ctx, key, strlen(key), val, len);
	}
}

/* The path the client asked for, without its query string: REQUEST_URI
 * from the web server where the SAPI has one (read in place: sapi_getenv()
 * would copy it onto the heap), else the SAPI's own request URI. */
static void add_uri_path(mp_label_cb cb, void *ctx)
{
	const char *uri = NULL;
	if (SG(request_info).request_method && sapi_module.getenv) {
		uri = sapi_module.getenv("REQUEST_URI", sizeof("REQUEST_URI") - 1);
	}
	if (!uri || !*uri) {
		uri = SG(request_info).request_uri;
	}
	if (uri) {
		add_cstr(cb, ctx, "uri", uri, strcspn(uri, "?#"));
	}
}

/* key=value, or key:value, which php.ini takes without quotes */
static const char *label_sep(const char *v, size_t len)
{
	size_t k = strcspn(v, "=:");
	return k < len ? v + k : NULL;
}

static void add_fixed(mp_label_cb cb, void *ctx, const char *v)
{
	while (v && *v) {
		size_t len = strcspn(v, ",");
		const char *eq = label_sep(v, len);
		if (eq && eq > v && (size_t)(eq - v) + 1 < len) {
			cb(ctx, v, (size_t)(eq - v), eq + 1, len - (size_t)(eq - v) - 1);
		}
		v += len;
		if (*v == ',') {
			v++;
		}
	}
}

void mp_labels_each(mp_label_cb cb, void *ctx)
{
	char pid[24];
	int n = snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	cb(ctx, "pid", 3, pid, (size_t)n);
	add_cstr(cb, ctx, "sapi", sapi_module.name, sapi_module.name ? strlen(sapi_module.name) : 0);
	const char *method = SG(request_info).request_method;
	add_cstr(cb, ctx, "method", method, method ? strlen(method) : 0);
	add_uri_path(cb, ctx);
	/* FPM has freed path_translated by the time a request's profile is
	 * written at its end: SCRIPT_FILENAME from the web server first */
	const char *script = SG(request_info).request_method && sapi_module.getenv
		? sapi_module.getenv("SCRIPT_FILENAME", sizeof("SCRIPT_FILENAME") - 1) : NULL;
	if (!script || !*script) {
		script = SG(request_info).path_translated;
	}
	add_cstr(cb, ctx, "script", script, script ? strlen(script) : 0);
	add_fixed(cb, ctx, MEMPROF_G(labels));
}

bool mp_labels_valid(const char *v)
{
	/* key=value pairs, comma separated; keys of letters, digits and _.- */
	while (*v) {
		size_t len = strcspn(v, ",");
		const char *eq = label_sep(v, len);
		if (!eq || eq == v || eq == v + len - 1) {
			return false;
		}
		for (const char *k = v; k < eq; k++) {
			if (!isalnum((unsigned char)*k) && *k != '_' && *k != '.' && *k != '-') {
				return false;
			}
		}
		v += len;
		if (*v == ',' && !*++v) {
			return false;
		}
	}
	return true;
}
