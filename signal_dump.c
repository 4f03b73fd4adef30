/* memprof: memprof.dump_signal. On the configured signal a running process
 * writes its current profile and keeps running.
 *
 * Nothing happens inside the signal handler but setting two flags: ours and
 * the engine's EG(vm_interrupt). The VM checks the latter at its safe points
 * (function entry, backward jumps) and calls zend_interrupt_function there,
 * which we chain like ext/pcntl does for its async signals. The profile is
 * written from that hook, in ordinary PHP context.
 *
 * PHP built with zend signals (the default on Unix) resets its own table of
 * handlers at the start of every request and keeps the kernel-level handler
 * pointing at its deferring trampoline; FPM also resets SIGUSR1/SIGUSR2 in
 * every new worker. So the handler is installed at MINIT with sigaction()
 * and re-registered at each request start (zend_sigaction() when zend
 * signals are on, so critical sections still defer it). */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include <signal.h>
#include <strings.h>
#include "export.h"
#include "signal_dump.h"
#include "zend_signal.h"
#include "php_compat.h"

typedef struct mp_sig_entry {
	const char *name;
	int signo;
	bool touched;               /* we installed a handler for it at least once */
	struct sigaction old;       /* kernel disposition before our first install */
#ifdef ZEND_SIGNALS
	bool zend_touched;
	zend_signal_entry_t zend_old; /* zend signal table entry before ours */
#endif
} mp_sig_entry;

/* SIGPROF is left out on purpose: PHP's max_execution_time timer uses it.
 * SIGURG is ignored by default, so a process that has not installed our
 * handler yet (an FPM worker before its first request) is not killed by it. */
static mp_sig_entry mp_sigs[] = {
	{ .name = "SIGUSR1", .signo = SIGUSR1 },
	{ .name = "SIGUSR2", .signo = SIGUSR2 },
	{ .name = "SIGHUP",  .signo = SIGHUP },
	{ .name = "SIGURG",  .signo = SIGURG },
};
#define MP_NSIGS (sizeof(mp_sigs) / sizeof(mp_sigs[0]))

/* Signal number waiting for the next safe point, 0 if none. Written by the
 * handler, read and cleared by the interrupt hook. */
static volatile sig_atomic_t mp_sig_pending;
static void (*prev_interrupt_function)(zend_execute_data *execute_data);
static bool mp_interrupt_hooked;

static mp_sig_entry *entry_for(int signo)
{
	for (size_t i = 0; i < MP_NSIGS; i++) {
		if (mp_sigs[i].signo == signo) {
			return &mp_sigs[i];
		}
	}
	return NULL;
}

int mp_signal_parse(const char *name)
{
	if (!name || !*name) {
		return 0;
	}
	/* "SIGUSR2", "sigusr2", "USR2" */
	const char *bare = strncasecmp(name, "SIG", 3) == 0 ? name + 3 : name;
	for (size_t i = 0; i < MP_NSIGS; i++) {
		if (strcasecmp(bare, mp_sigs[i].name + 3) == 0) {
			return mp_sigs[i].signo;
		}
	}
	return -1;
}

/* Async-signal-safe: two stores, nothing else. */
static void mp_signal_handler(int signo)
{
	mp_sig_pending = signo;
	mp_request_vm_interrupt();
}

static void log_line(const char *fmt, ...) ZEND_ATTRIBUTE_FORMAT(printf, 1, 2);
static void log_line(const char *fmt, ...)
{
	char msg[MAXPATHLEN + 256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* the error log (stderr on the CLI), never the script's output */
	php_log_err(msg);
}

static void dump_now(int signo)
{
	const mp_sig_entry *e = entry_for(signo);
	const char *name = e ? e->name : "signal";
	if (!MEMPROF_G(enabled)) {
		log_line("memprof: %s received but profiling is off; no profile written "
			"(start with MEMPROF_PROFILE=1 or call memprof_enable())", name);
		return;
	}
	mp_dump_result r;
	if (mp_dump_to_file(mp_format_parse(MEMPROF_G(output_format)), &r) == SUCCESS) {
		log_line("memprof: %s: profile written to %s", name, r.path);
	} else {
		mp_dump_warn(&r);
	}
}

/* Called by the VM at a safe point whenever EG(vm_interrupt) was set, by us
 * or by anyone else (pcntl's async signals, timeouts are handled before). */
static void mp_interrupt_function(zend_execute_data *execute_data)
{
	int signo = mp_sig_pending;
	if (UNEXPECTED(signo != 0)) {
		if (mp_busy) {
			/* PHP code running under one of our own exports (a userspace
			 * stream being written to): a nested export is not safe. The
			 * signal stays pending for the next safe point after it (see
			 * mp_signal_export_done). Re-arming here would spin: the VM
			 * checks the flag again right after this hook returns. */
		} else {
			/* cleared first: a signal during the dump asks for another */
			mp_sig_pending = 0;
			dump_now(signo);
		}
	}
	if (prev_interrupt_function) {
		prev_interrupt_function(execute_data);
	}
}

/* To be called when an export has finished (mp_busy back to false): a
 * signal that came in during it is served at the next safe point. */
void mp_signal_export_done(void)
{
	if (mp_sig_pending && !mp_busy) {
		mp_request_vm_interrupt();
	}
}

static bool install_kernel(mp_sig_entry *e)
{
	struct sigaction sa, old;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = mp_signal_handler;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(e->signo, &sa, &old) != 0) {
		return false;
	}
	if (!e->touched) {
		e->old = old;
		e->touched = true;
	}
	return true;
}

static void install(mp_sig_entry *e)
{
#ifdef ZEND_SIGNALS
	if (SIGG(active)) {
		/* during a request: register in zend's table; the kernel-level
		 * handler stays zend's deferring one */
		if (SIGG(handlers)[e->signo - 1].handler == (void *)mp_signal_handler) {
			return;
		}
		if (!e->zend_touched) {
			e->zend_old = SIGG(handlers)[e->signo - 1];
			e->zend_touched = true;
		}
		if (!e->touched) {
			sigaction(e->signo, NULL, &e->old);
			e->touched = true;
		}
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = mp_signal_handler;
		sa.sa_flags = SA_RESTART;
		sigemptyset(&sa.sa_mask);
		zend_sigaction(e->signo, &sa, NULL);
		return;
	}
#endif
	struct sigaction cur;
	if (sigaction(e->signo, NULL, &cur) == 0 && !(cur.sa_flags & SA_SIGINFO)
			&& cur.sa_handler == mp_signal_handler) {
		return;
	}
	if (!install_kernel(e)) {
		php_error_docref(NULL, E_WARNING, "memprof: cannot install a handler for %s: %s",
			e->name, strerror(errno));
	}
}

void mp_signal_minit(void)
{
	/* Hooked unconditionally: php_admin_value can set the signal after
	 * MINIT (FPM pools). Costs nothing until EG(vm_interrupt) is set. */
	prev_interrupt_function = zend_interrupt_function;
	zend_interrupt_function = mp_interrupt_function;
	mp_interrupt_hooked = true;

	int signo = mp_signal_parse(MEMPROF_G(dump_signal));
	mp_sig_entry *e = signo > 0 ? entry_for(signo) : NULL;
	if (e) {
		install(e);
	}
}

void mp_signal_rinit(void)
{
	/* a signal received between requests concerns no request */
	mp_sig_pending = 0;
	int signo = mp_signal_parse(MEMPROF_G(dump_signal));
	mp_sig_entry *e = signo > 0 ? entry_for(signo) : NULL;
	if (e) {
		install(e);
	}
}

void mp_signal_mshutdown(void)
{
	/* Nothing may point into this library once it is unloaded. */
	for (size_t i = 0; i < MP_NSIGS; i++) {
		mp_sig_entry *e = &mp_sigs[i];
#ifdef ZEND_SIGNALS
		/* zend's table can hold our handler even if we never wrote to it:
		 * at request start it adopts whatever the kernel had (ours, from
		 * MINIT) and puts its trampoline in the kernel instead */
		zend_signal_entry_t *z = &SIGG(handlers)[e->signo - 1];
		if (z->handler == (void *)mp_signal_handler) {
			if (e->zend_touched) {
				*z = e->zend_old;
			} else if (e->touched) {
				z->flags = e->old.sa_flags;
				z->handler = (e->old.sa_flags & SA_SIGINFO)
					? (void *)e->old.sa_sigaction : (void *)e->old.sa_handler;
			} else {
				z->flags = 0;
				z->handler = (void *)SIG_DFL;
			}
		}
#endif
		if (e->touched) {
			struct sigaction cur;
			if (sigaction(e->signo, NULL, &cur) == 0 && !(cur.sa_flags & SA_SIGINFO)
					&& cur.sa_handler == mp_signal_handler) {
				sigaction(e->signo, &e->old, NULL);
			}
		}
	}
	if (mp_interrupt_hooked && zend_interrupt_function == mp_interrupt_function) {
		zend_interrupt_function = prev_interrupt_function;
	}
	mp_interrupt_hooked = false;
	mp_sig_pending = 0;
}
