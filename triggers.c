/* memprof: MEMPROF_PROFILE from a web request ($_GET, $_POST, $_COOKIE).
 *
 * Anyone can put a query string in a URL, so a request trigger is honored
 * only when memprof.trigger_secret is set and the request carries the same
 * value as MEMPROF_SECRET. Without a configured secret, or with a wrong one,
 * the trigger is ignored without a word: telling a stranger why would only
 * help them guess. */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "php_memprof.h"
#include "triggers.h"
#include "php_globals.h"
#include "php_variables.h"

/* The first string value of `name` in GET, then POST, then COOKIE. The
 * superglobals are filled before any extension's RINIT runs (they are not
 * JIT globals), so they can be read here. */
static zend_string *request_var(const char *name, size_t len)
{
	static const int tracks[] = {TRACK_VARS_GET, TRACK_VARS_POST, TRACK_VARS_COOKIE};
	for (size_t i = 0; i < sizeof(tracks) / sizeof(tracks[0]); i++) {
		zval *arr = &PG(http_globals)[tracks[i]];
		if (Z_TYPE_P(arr) != IS_ARRAY) {
			continue;
		}
		zval *v = zend_hash_str_find(Z_ARRVAL_P(arr), name, len);
		if (v) {
			ZVAL_DEREF(v);
			/* MEMPROF_SECRET[]=x and friends are not a value */
			return Z_TYPE_P(v) == IS_STRING ? Z_STR_P(v) : NULL;
		}
	}
	return NULL;
}

/* true when `given` equals `secret`. The time taken depends on the length
 * of the secret only: every byte of the secret is read whatever the input,
 * with no branch on content and no early exit on a length mismatch. (The
 * secret's length is the one thing timing may tell, as with any comparison
 * that must read the whole secret.) `given` must be NUL-terminated, as a
 * zend_string is, so that index 0 is readable even when it is empty. */
static bool secret_equals(const char *secret, size_t slen, const char *given, size_t glen)
{
	const volatile unsigned char *s = (const volatile unsigned char *)secret;
	const volatile unsigned char *g = (const volatile unsigned char *)given;
	size_t lendiff = slen ^ glen;
	unsigned int diff = 0;
	for (size_t k = 0; k < sizeof(size_t); k++) {
		diff |= (unsigned int)((lendiff >> (8 * k)) & 0xff);
	}
	for (size_t i = 0; i < slen; i++) {
		/* past the end of `given`: read index 0 and compare with a byte
		 * that always differs, so the work stays the same */
		size_t in = (size_t)0 - (size_t)(i < glen);   /* all ones while in range */
		unsigned char m = (unsigned char)in;
		unsigned char sb = s[i];
		unsigned char gb = g[i & in];
		gb = (unsigned char)((gb & m) | ((sb ^ 1) & (unsigned char)~m));
		diff |= (unsigned int)(sb ^ gb);
	}
	return slen != 0 && diff == 0;
}

const char *mp_request_trigger(void)
{
	const char *secret = MEMPROF_G(trigger_secret);
	if (!secret || !*secret) {
		return NULL;
	}
	zend_string *profile = request_var("MEMPROF_PROFILE", sizeof("MEMPROF_PROFILE") - 1);
	if (!profile || ZSTR_LEN(profile) == 0) {
		return NULL;
	}
	zend_string *given = request_var("MEMPROF_SECRET", sizeof("MEMPROF_SECRET") - 1);
	if (!given) {
		return NULL;
	}
	if (!secret_equals(secret, strlen(secret), ZSTR_VAL(given), ZSTR_LEN(given))) {
		return NULL;
	}
	return ZSTR_VAL(profile);
}
