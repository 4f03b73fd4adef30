/* memprof: automatic dumps to files. A profile appears under its final name
 * only when complete (written under a temporary name, then linked), is never
 * overwritten, and is readable by its owner only. */
#include <errno.h>
#include <fcntl.h>
#include <sys/time.h>
#include <unistd.h>
#include "export.h"
#include "main/php_open_temporary_file.h"

const char *const mp_format_names[] = {"callgrind", "pprof", "folded"};
static const char *const format_ext[] = {"", ".pb.gz", ".folded"};

mp_format mp_format_parse(const char *name)
{
	for (int i = 0; i < MP_FMT_INVALID; i++) {
		if (name && !strcmp(name, mp_format_names[i])) {
			return (mp_format)i;
		}
	}
	return MP_FMT_INVALID;
}

static const char *output_dir(void)
{
	const char *dir = MEMPROF_G(output_dir);
	if (dir && *dir) {
		return dir;
	}
	return php_get_temporary_directory();
}

/* Records a failure in r: what failed, where, and errno (0 if unknown). */
static int dump_failed(mp_dump_result *r, const char *what, const char *path, int err)
{
	r->what = what;
	r->err = err;
	snprintf(r->path, sizeof(r->path), "%s", path);
	return FAILURE;
}

/* Nothing here allocates on the Zend heap (see export_mem.c): this runs at
 * the memory limit and at request end, and warns only through its callers. */
int mp_dump_to_file(mp_format fmt, mp_dump_result *r)
{
	if (fmt == MP_FMT_INVALID) {
		fmt = MP_FMT_CALLGRIND;
	}
	const char *dir = output_dir();
	char tmp[MAXPATHLEN];
	struct timeval tv;
	gettimeofday(&tv, NULL);
	uint64_t us = (uint64_t)tv.tv_sec * 1000000 + (uint64_t)tv.tv_usec;
	long pid = (long)getpid();

	snprintf(tmp, sizeof(tmp), "%s/.memprof.%s.%ld.%" PRIu64 ".tmp", dir, mp_format_names[fmt], pid, us);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		return dump_failed(r, "cannot write a profile in", dir, errno);
	}
	mp_writer w;
	mp_writer_init_fd(&w, fd);
	int rc = mp_export(fmt, &w);
	int err = w.err;
	if (rc == SUCCESS && fsync(fd) != 0) {
		rc = FAILURE;
		err = errno;
	}
	if (close(fd) != 0 && rc == SUCCESS) {
		rc = FAILURE;
		err = errno;
	}
	if (rc == FAILURE) {
		unlink(tmp);
		return dump_failed(r, "writing a profile failed in", dir, err);
	}
	/* link() fails rather than replace an existing file; retry with a later
	 * timestamp in the unlikely case of a clash. */
	for (int attempt = 0; attempt < 100; attempt++, us++) {
		snprintf(r->path, sizeof(r->path), "%s/memprof.%s.%ld.%" PRIu64 "%s", dir, mp_format_names[fmt], pid, us, format_ext[fmt]);
		if (link(tmp, r->path) == 0) {
			unlink(tmp);
			r->what = NULL;
			r->err = 0;
			return SUCCESS;
		}
		if (errno != EEXIST) {
			break;
		}
	}
	err = errno;
	unlink(tmp);
	return dump_failed(r, "cannot create", r->path, err);
}

const char *mp_dump_reason(const mp_dump_result *r)
{
	return r->err ? strerror(r->err) : "export failed";
}

void mp_dump_warn(const mp_dump_result *r)
{
	php_error_docref(NULL, E_WARNING, "memprof: %s '%s': %s", r->what, r->path, mp_dump_reason(r));
}
