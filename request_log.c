/* memprof: memprof.request_log, one line per request.
 *
 * Meant to stay on in production, profiling or not: per request it costs an
 * open(), two clock reads, two reads of /proc/self/statm (one pread() each,
 * on a descriptor kept open), one write() and a close(). The line is
 * written with a single write() on an O_APPEND descriptor, so lines from
 * concurrent workers never interleave.
 *
 * Format (see README, "Request log"): fields separated by one TAB, each
 * `key=value`, always in this order:
 *
 *   time=2024-05-01T12:34:56.789Z  pid=1234  method=GET  uri=/a.php?x=1
 *   mem_start=…  mem_end=…  mem_peak=…  rss_start=…  rss_end=…
 *   dur_ms=12.345  profiling=on|off
 *
 * Values never contain a TAB or a newline: bytes below 0x20, 0x7F and the
 * backslash are written as \xHH. The value of MEMPROF_SECRET in a query
 * string is replaced by `***`. */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include "php_memprof.h"
#include "request_log.h"
#include "SAPI.h"

#define RL_URI_MAX 2048   /* bytes of URI kept; longer ones end with "..." */
#define RL_LINE_MAX (RL_URI_MAX * 4 + 512)

static struct {
	bool active;
	int fd;
	struct timespec wall0, mono0;
	size_t mem0;
	uint64_t rss0;
} rl = {.fd = -1};

/* /proc/self/statm, kept open. Reopened after a fork: the descriptor names
 * the process that opened it, not whoever reads it. */
static int statm_fd = -1;
static pid_t statm_pid;
static long page_size;

/* The path we last warned about, so a broken path warns once per process
 * rather than on every request of a worker. */
static char warned_path[MAXPATHLEN];

static uint64_t rss_bytes(void)
{
	pid_t pid = getpid();
	if (statm_fd < 0 || statm_pid != pid) {
		if (statm_fd >= 0) {
			close(statm_fd);
		}
		statm_fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
		statm_pid = pid;
		if (page_size <= 0) {
			page_size = sysconf(_SC_PAGESIZE);
		}
		if (statm_fd < 0) {
			return 0;
		}
	}
	char buf[128];
	ssize_t n = pread(statm_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0) {
		return 0;
	}
	buf[n] = '\0';
	/* "size resident shared text lib data dt", in pages */
	const char *p = buf;
	while (*p && *p != ' ') {
		p++;
	}
	uint64_t pages = 0;
	while (*p == ' ') {
		p++;
	}
	while (*p >= '0' && *p <= '9') {
		pages = pages * 10 + (uint64_t)(*p++ - '0');
	}
	return pages * (uint64_t)(page_size > 0 ? page_size : 4096);
}

static void warn_once(const char *what, const char *path, int err)
{
	if (strncmp(warned_path, path, sizeof(warned_path) - 1) == 0) {
		return;
	}
	strncpy(warned_path, path, sizeof(warned_path) - 1);
	warned_path[sizeof(warned_path) - 1] = '\0';
	php_error_docref(NULL, E_WARNING, "memprof: cannot %s memprof.request_log '%s': %s",
		what, path, strerror(err));
}

void mp_request_log_begin(void)
{
	if (rl.active) {
		/* a request that never reached its end (cannot happen with a
		 * well-behaved SAPI): drop its line rather than the descriptor */
		close(rl.fd);
		rl.fd = -1;
	}
	rl.active = false;
	const char *path = MEMPROF_G(request_log);
	if (!path || !*path) {
		return;
	}
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0) {
		warn_once("open", path, errno);
		return;
	}
	rl.fd = fd;
	clock_gettime(CLOCK_REALTIME, &rl.wall0);
	clock_gettime(CLOCK_MONOTONIC, &rl.mono0);
	rl.mem0 = zend_memory_usage(0);
	rl.rss0 = rss_bytes();
	rl.active = true;
}

/* ---- line building, bounded: never more than RL_LINE_MAX bytes ---- */
typedef struct {
	char buf[RL_LINE_MAX];
	size_t len;
} rl_line;

static void put(rl_line *l, const char *s, size_t n)
{
	if (n > sizeof(l->buf) - l->len) {
		n = sizeof(l->buf) - l->len;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static void putf(rl_line *l, const char *fmt, ...) ZEND_ATTRIBUTE_FORMAT(printf, 2, 3);
static void putf(rl_line *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t room = sizeof(l->buf) - l->len;
	int n = vsnprintf(l->buf + l->len, room, fmt, ap);
	va_end(ap);
	if (n > 0) {
		l->len += (size_t)n < room ? (size_t)n : room - 1;
	}
}

/* value bytes, escaped so a value never holds a TAB, newline or control */
static void put_escaped(rl_line *l, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || c == '\\') {
			char e[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
			put(l, e, 4);
		} else {
			put(l, (const char *)&c, 1);
		}
	}
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/* Would PHP register the query-string name s[0..n) as MEMPROF_SECRET (or
 * an array of that name)? PHP url-decodes names, drops leading spaces and
 * turns ' ', '.' and '[' (when no ']' follows) into '_'. */
static bool is_secret_name(const char *s, size_t n)
{
	static const char want[] = "MEMPROF_SECRET";
	size_t w = 0;
	bool leading = true;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%' && i + 2 < n && hexval((unsigned char)s[i + 1]) >= 0
				&& hexval((unsigned char)s[i + 2]) >= 0) {
			c = hexval((unsigned char)s[i + 1]) * 16 + hexval((unsigned char)s[i + 2]);
			i += 2;
		}
		if (leading && c == ' ') {
			continue;
		}
		leading = false;
		if (w == sizeof(want) - 1) {
			return c == '[';   /* MEMPROF_SECRET[...] */
		}
		if (c == ' ' || c == '.' || c == '[') {
			c = '_';
		}
		if (c != want[w]) {
			return false;
		}
		w++;
	}
	return w == sizeof(want) - 1;
}

/* The URI, with the value of any MEMPROF_SECRET in its query replaced. */
static void put_uri(rl_line *l, const char *uri)
{
	size_t n = strlen(uri);
	bool cut = n > RL_URI_MAX;
	if (cut) {
		n = RL_URI_MAX;
	}
	const char *q = memchr(uri, '?', n);
	if (!q) {
		put_escaped(l, uri, n);
	} else {
		const char *end = uri + n;
		const char *frag = memchr(q, '#', (size_t)(end - q));
		const char *qend = frag ? frag : end;
		put_escaped(l, uri, (size_t)(q + 1 - uri));
		const char *p = q + 1;
		while (p < qend) {
			const char *amp = memchr(p, '&', (size_t)(qend - p));
			const char *pend = amp ? amp : qend;
			const char *eq = memchr(p, '=', (size_t)(pend - p));
			if (eq && is_secret_name(p, (size_t)(eq - p))) {
				put_escaped(l, p, (size_t)(eq + 1 - p));
				put(l, "***", 3);
			} else {
				put_escaped(l, p, (size_t)(pend - p));
			}
			if (amp) {
				put(l, "&", 1);
			}
			p = pend + (amp ? 1 : 0);
		}
		put_escaped(l, qend, (size_t)(end - qend));
	}
	if (cut) {
		put(l, "...", 3);
	}
}

/* The URI as the client sent it: REQUEST_URI from the web server (FPM,
 * CGI: after rewrites SG(request_info).request_uri is only the script),
 * else the SAPI's path and query (the built-in server), else the script
 * (CLI), else "-". */
static void put_request_uri(rl_line *l)
{
	char *env = SG(request_info).request_method
		? sapi_getenv("REQUEST_URI", sizeof("REQUEST_URI") - 1) : NULL;
	if (env) {
		if (*env) {
			put_uri(l, env);
			efree(env);
			return;
		}
		efree(env);
	}
	const char *uri = SG(request_info).request_uri;
	if (uri && *uri) {
		const char *qs = SG(request_info).query_string;
		if (qs && *qs && !strchr(uri, '?')) {
			char buf[RL_URI_MAX + 2];
			snprintf(buf, sizeof(buf), "%s?%s", uri, qs);
			/* a URI cut here still ends with "..." in put_uri when over the limit */
			put_uri(l, buf);
		} else {
			put_uri(l, uri);
		}
		return;
	}
	const char *script = SG(request_info).path_translated;
	if (script && *script) {
		size_t n = strnlen(script, RL_URI_MAX + 1);
		put_escaped(l, script, n > RL_URI_MAX ? RL_URI_MAX : n);
		if (n > RL_URI_MAX) {
			put(l, "...", 3);
		}
		return;
	}
	put(l, "-", 1);
}

void mp_request_log_end(void)
{
	if (!rl.active) {
		return;
	}
	rl.active = false;

	size_t mem1 = zend_memory_usage(0);
	size_t peak = zend_memory_peak_usage(0);
	uint64_t rss1 = rss_bytes();
	struct timespec mono1;
	clock_gettime(CLOCK_MONOTONIC, &mono1);
	int64_t dur_us = (int64_t)(mono1.tv_sec - rl.mono0.tv_sec) * 1000000
		+ (mono1.tv_nsec - rl.mono0.tv_nsec) / 1000;
	if (dur_us < 0) {
		dur_us = 0;
	}

	struct tm tm;
	gmtime_r(&rl.wall0.tv_sec, &tm);

	/* static: a few KiB we would rather not put on the stack of a request
	 * that is ending; one line at a time per process */
	static rl_line l;
	l.len = 0;
	putf(&l, "time=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ\tpid=%ld\tmethod=",
		tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		(long)(rl.wall0.tv_nsec / 1000000), (long)getpid());
	const char *method = SG(request_info).request_method;
	if (method && *method) {
		put_escaped(&l, method, strnlen(method, 32));
	} else {
		put(&l, "CLI", 3);
	}
	put(&l, "\turi=", 5);
	put_request_uri(&l);
	putf(&l, "\tmem_start=%zu\tmem_end=%zu\tmem_peak=%zu\trss_start=%" PRIu64 "\trss_end=%" PRIu64
		"\tdur_ms=%" PRId64 ".%03d\tprofiling=%s\n",
		rl.mem0, mem1, peak, rl.rss0, rss1,
		dur_us / 1000, (int)(dur_us % 1000), MEMPROF_G(enabled) ? "on" : "off");
	if (l.len == sizeof(l.buf)) {
		l.buf[l.len - 1] = '\n';   /* cannot happen: the URI is bounded */
	}

	ssize_t n;
	do {
		n = write(rl.fd, l.buf, l.len);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		warn_once("write to", MEMPROF_G(request_log), errno);
	}
	close(rl.fd);
	rl.fd = -1;
}
