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

/* A new file in dir, created exclusively and readable by its owner only. */
static int open_new(const char *path)
{
	return open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
}

/* Runs fn into fd and closes it: SUCCESS only if every write and the close
 * succeeded. No fsync: the rename that follows is what makes a file appear
 * whole, and a sync per file (about 2 ms on ext4) cost a php-fpm pool that
 * writes a profile per request more than profiling did; only a crash of the
 * machine itself can lose a profile. */
static int write_and_close(int fd, mp_dump_fn fn, void *ctx, int *err)
{
	mp_writer w;
	mp_writer_init_fd(&w, fd);
	int rc = fn(ctx, &w);
	*err = w.err;
	if (close(fd) != 0 && rc == SUCCESS) {
		rc = FAILURE;
		*err = errno;
	}
	return rc;
}

/* Renames from to to, failing with EEXIST rather than replace a file:
 * RENAME_NOREPLACE (one system call), or link() then unlink() on file
 * systems without it. */
static int move_noreplace(const char *from, const char *to)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0) {
		return 0;
	}
	if ((errno != EINVAL && errno != ENOSYS) || link(from, to) != 0) {
		return -1;
	}
	unlink(from);
	return 0;
}

/* Nothing here allocates on the Zend heap (see export_mem.c): this runs at
 * the memory limit and at request end, and warns only through its callers. */
int mp_dump_new_file(const char *kind, const char *ext, mp_dump_fn fn, void *ctx, mp_dump_result *r)
{
	const char *dir = output_dir();
	char tmp[MAXPATHLEN];
	struct timeval tv;
	gettimeofday(&tv, NULL);
	uint64_t us = (uint64_t)tv.tv_sec * 1000000 + (uint64_t)tv.tv_usec;
	long pid = (long)getpid();

	snprintf(tmp, sizeof(tmp), "%s/.memprof.%s.%ld.%" PRIu64 ".tmp", dir, kind, pid, us);
	int fd = open_new(tmp);
	if (fd < 0) {
		return dump_failed(r, "cannot write a profile in", dir, errno);
	}
	int err;
	if (write_and_close(fd, fn, ctx, &err) == FAILURE) {
		unlink(tmp);
		return dump_failed(r, "writing a profile failed in", dir, err);
	}
	/* retry with a later timestamp in the unlikely case of a clash */
	for (int attempt = 0; attempt < 100; attempt++, us++) {
		snprintf(r->path, sizeof(r->path), "%s/memprof.%s.%ld.%" PRIu64 "%s", dir, kind, pid, us, ext);
		if (move_noreplace(tmp, r->path) == 0) {
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

int mp_dump_at_path(const char *path, mp_dump_fn fn, void *ctx, mp_dump_result *r)
{
	char tmp[MAXPATHLEN];
	struct timeval tv;
	gettimeofday(&tv, NULL);
	/* beside the file, so that the rename stays in one file system */
	int n = snprintf(tmp, sizeof(tmp), "%s.%ld.%ld%06ld.tmp", path, (long)getpid(), (long)tv.tv_sec, (long)tv.tv_usec);
	if (n < 0 || n >= (int)sizeof(tmp)) {
		return dump_failed(r, "cannot create", path, ENAMETOOLONG);
	}
	int fd = open_new(tmp);
	if (fd < 0) {
		return dump_failed(r, "cannot create", path, errno);
	}
	int err;
	if (write_and_close(fd, fn, ctx, &err) == FAILURE) {
		unlink(tmp);
		return dump_failed(r, "writing failed to", path, err);
	}
	if (rename(tmp, path) != 0) {
		err = errno;
		unlink(tmp);
		return dump_failed(r, "cannot create", path, err);
	}
	snprintf(r->path, sizeof(r->path), "%s", path);
	r->what = NULL;
	r->err = 0;
	return SUCCESS;
}

static int export_profile(void *ctx, mp_writer *w)
{
	return mp_export(*(mp_format *)ctx, w);
}

int mp_dump_to_file(mp_format fmt, mp_dump_result *r)
{
	if (fmt == MP_FMT_INVALID) {
		fmt = MP_FMT_CALLGRIND;
	}
	return mp_dump_new_file(mp_format_names[fmt], format_ext[fmt], export_profile, &fmt, r);
}

const char *mp_dump_reason(const mp_dump_result *r)
{
	return r->err ? strerror(r->err) : "export failed";
}

void mp_dump_warn(const mp_dump_result *r)
{
	php_error_docref(NULL, E_WARNING, "memprof: %s '%s': %s", r->what, r->path, mp_dump_reason(r));
}
