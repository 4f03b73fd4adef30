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

char *mp_dump_to_file(mp_format fmt)
{
	if (fmt == MP_FMT_INVALID) {
		fmt = MP_FMT_CALLGRIND;
	}
	const char *dir = output_dir();
	char tmp[MAXPATHLEN], final[MAXPATHLEN];
	struct timeval tv;
	gettimeofday(&tv, NULL);
	uint64_t us = (uint64_t)tv.tv_sec * 1000000 + (uint64_t)tv.tv_usec;
	long pid = (long)getpid();

	snprintf(tmp, sizeof(tmp), "%s/.memprof.%s.%ld.%" PRIu64 ".tmp", dir, mp_format_names[fmt], pid, us);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		php_error_docref(NULL, E_WARNING, "memprof: cannot write a profile in '%s': %s", dir, strerror(errno));
		return NULL;
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
		php_error_docref(NULL, E_WARNING, "memprof: writing a profile in '%s' failed: %s",
			dir, err ? strerror(err) : "export error");
		return NULL;
	}
	/* link() fails rather than replace an existing file; retry with a later
	 * timestamp in the unlikely case of a clash. */
	for (int attempt = 0; attempt < 100; attempt++, us++) {
		snprintf(final, sizeof(final), "%s/memprof.%s.%ld.%" PRIu64 "%s", dir, mp_format_names[fmt], pid, us, format_ext[fmt]);
		if (link(tmp, final) == 0) {
			unlink(tmp);
			return estrdup(final);
		}
		if (errno != EEXIST) {
			break;
		}
	}
	err = errno;
	unlink(tmp);
	php_error_docref(NULL, E_WARNING, "memprof: cannot create '%s': %s", final, strerror(err));
	return NULL;
}
