/* memprof: buffered output to a PHP stream or a file descriptor, optionally
 * through gzip. Remembers the first failure so a dump is never reported
 * written when it was not. Buffers are malloc'd: they must not show up in the
 * profile being written, and must work past the memory limit. */
#include <errno.h>
#include <unistd.h>
#include <zlib.h>
#include "export.h"

#define MP_WRITER_CHUNK (64 * 1024)

/* One buffer and one gzip stream kept for the process's next dump: a worker
 * writing a profile per request otherwise mallocs and frees ~330 KiB each
 * time, which glibc hands back to the kernel and takes again (brk, zeroed
 * pages): measured in php-fpm, that cost more than the sampling itself. A
 * dump while another is being written (a stream's PHP code dumping) gets
 * its own. */
static char *cached_buf;
static bool cached_buf_busy;
/* Two kinds of gzip stream, each cached: one that stores (small dumps, see
 * MP_GZIP_STORE_BELOW), with the smallest hash table, so that its reset does
 * not clear the 64 KiB one of the other (which compresses: level 6). */
enum { GZ_STORE, GZ_COMPRESS, GZ_KINDS };
static z_stream *cached_gz[GZ_KINDS];
static bool cached_gz_busy[GZ_KINDS];

static void writer_init(mp_writer *w)
{
	memset(w, 0, sizeof(*w));
	w->fd = -1;
	w->cap = MP_WRITER_CHUNK;
	if (!cached_buf_busy) {
		if (!cached_buf) {
			cached_buf = malloc(w->cap);
		}
		cached_buf_busy = cached_buf != NULL;
		w->buf = cached_buf;
	} else {
		w->buf = malloc(w->cap);
	}
	if (!w->buf) {
		w->failed = true;
		w->err = ENOMEM;
	}
}

void mp_writer_mshutdown(void)
{
	for (int k = 0; k < GZ_KINDS; k++) {
		if (cached_gz[k] && !cached_gz_busy[k]) {
			deflateEnd(cached_gz[k]);
			free(cached_gz[k]);
			cached_gz[k] = NULL;
		}
	}
	if (!cached_buf_busy) {
		free(cached_buf);
		cached_buf = NULL;
	}
}

void mp_writer_init_stream(mp_writer *w, php_stream *stream)
{
	writer_init(w);
	w->stream = stream;
}

void mp_writer_init_fd(mp_writer *w, int fd)
{
	writer_init(w);
	w->fd = fd;
}

static void sink(mp_writer *w, const char *data, size_t len)
{
	while (len > 0 && !w->failed) {
		ssize_t n;
		if (w->stream) {
			/* the failure becomes our exception: no extra notice from the stream */
			int reporting = EG(error_reporting);
			EG(error_reporting) &= ~E_NOTICE;
			n = php_stream_write(w->stream, data, len);
			EG(error_reporting) = reporting;
			if (n <= 0) {
				w->failed = true;
				w->err = errno;
				return;
			}
		} else {
			n = write(w->fd, data, len);
			if (n < 0) {
				if (errno == EINTR) {
					continue;
				}
				w->failed = true;
				w->err = errno;
				return;
			}
		}
		data += n;
		len -= (size_t)n;
	}
}

static void gz_pump(mp_writer *w, const char *data, size_t len, int flush)
{
	z_stream *z = w->gz;
	char out[MP_WRITER_CHUNK];
	z->next_in = (Bytef *)data;
	z->avail_in = (uInt)len;
	do {
		z->next_out = (Bytef *)out;
		z->avail_out = sizeof(out);
		int rc = deflate(z, flush);
		if (rc == Z_STREAM_ERROR) {
			w->failed = true;
			return;
		}
		sink(w, out, sizeof(out) - z->avail_out);
		if (flush == Z_FINISH && rc == Z_STREAM_END) {
			break;
		}
	} while (z->avail_out == 0 || (flush == Z_FINISH && !w->failed));
}

static void flush_buf(mp_writer *w)
{
	if (w->len == 0) {
		return;
	}
	if (w->gz) {
		gz_pump(w, w->buf, w->len, Z_NO_FLUSH);
	} else {
		sink(w, w->buf, w->len);
	}
	w->len = 0;
}

static z_stream *gz_new(int kind)
{
	z_stream *z = calloc(1, sizeof(z_stream));
	/* windowBits 15 + 16: gzip header and trailer, as pprof expects */
	int level = kind == GZ_STORE ? Z_NO_COMPRESSION : Z_DEFAULT_COMPRESSION;
	int mem_level = kind == GZ_STORE ? 1 : 8;
	if (!z || deflateInit2(z, level, Z_DEFLATED, 15 + 16, mem_level, Z_DEFAULT_STRATEGY) != Z_OK) {
		free(z);
		return NULL;
	}
	return z;
}

/* Under one file-system block, compressing saves no disk space, and costs
 * most of a small dump's time (~10 us for a 1 KiB profile, of a per-request
 * pprof's): such a profile is stored, gzip format all the same. */
#define MP_GZIP_STORE_BELOW 4096

bool mp_writer_gzip(mp_writer *w, size_t size_hint)
{
	int kind = size_hint < MP_GZIP_STORE_BELOW ? GZ_STORE : GZ_COMPRESS;
	z_stream *z;
	if (cached_gz_busy[kind]) {
		z = gz_new(kind); /* a dump while another is being written */
	} else if (cached_gz[kind] && deflateReset(cached_gz[kind]) == Z_OK) {
		z = cached_gz[kind];
		cached_gz_busy[kind] = true;
	} else {
		if (cached_gz[kind]) { /* a reset that failed: start over */
			deflateEnd(cached_gz[kind]);
			free(cached_gz[kind]);
		}
		z = cached_gz[kind] = gz_new(kind);
		cached_gz_busy[kind] = z != NULL;
	}
	if (!z) {
		w->failed = true;
		return false;
	}
	w->gz = z;
	return true;
}

void mp_write(mp_writer *w, const void *data, size_t len)
{
	if (w->failed) {
		return;
	}
	if (w->len + len > w->cap) {
		flush_buf(w);
		if (len > w->cap) {
			if (w->gz) {
				gz_pump(w, data, len, Z_NO_FLUSH);
			} else {
				sink(w, data, len);
			}
			return;
		}
	}
	memcpy(w->buf + w->len, data, len);
	w->len += len;
}

void mp_writef(mp_writer *w, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		w->failed = true;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		mp_write(w, small, (size_t)n);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (!big) {
		w->failed = true;
		w->err = ENOMEM;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	mp_write(w, big, (size_t)n);
	free(big);
}

int mp_writer_finish(mp_writer *w)
{
	flush_buf(w);
	if (w->gz) {
		if (!w->failed) {
			gz_pump(w, NULL, 0, Z_FINISH);
		}
		int kind = w->gz == cached_gz[GZ_STORE] ? GZ_STORE : w->gz == cached_gz[GZ_COMPRESS] ? GZ_COMPRESS : -1;
		if (kind >= 0) {
			cached_gz_busy[kind] = false;
		} else {
			deflateEnd(w->gz);
			free(w->gz);
		}
		w->gz = NULL;
	}
	if (w->stream && !w->failed && php_stream_flush(w->stream) != 0) {
		w->failed = true;
	}
	if (w->buf && w->buf == cached_buf) {
		cached_buf_busy = false;
	} else {
		free(w->buf);
	}
	w->buf = NULL;
	return w->failed ? FAILURE : SUCCESS;
}
