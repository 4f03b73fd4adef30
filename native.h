/* memprof: native (libc malloc) tracking (native_hooks.c): the hooks that
 * the relocation slots of every loaded object are pointed at
 * (got_patch.c), the switch that makes them record, and the per-thread
 * re-entrancy guard.
 *
 * On the PHP thread, while a profile runs, a native block goes into the
 * same live-block map and call tree as Zend's, under a "[native] <library>"
 * leaf at the current line (alloc_tracker.c, callgraph.c). Blocks of other
 * threads and those from before the first request go to native_side.c. */
#ifndef MEMPROF_NATIVE_H
#define MEMPROF_NATIVE_H

#include <stdint.h>
#include <stdbool.h>
#include "got_patch.h"

typedef struct mp_native_tls {
	bool guard;        /* inside a hook or our own work: calls pass through */
	bool php_thread;   /* this thread runs PHP (the call tree is its alone) */
	mp_got_cache objc; /* the library of this thread's last allocation */
} mp_native_tls;

/* initial-exec: a hook must not reach __tls_get_addr, which may allocate */
extern __thread mp_native_tls mp_ntls __attribute__((tls_model("initial-exec")));

/* Our own work that can reach malloc through a patched slot while our
 * structures are half changed (Judy's nodes, persistent strings, the
 * allocator under the Zend hooks with USE_ZEND_ALLOC=0): the hooks pass
 * those calls through. end() takes what begin() returned. */
static inline bool mp_native_guard_begin(void)
{
	bool was = mp_ntls.guard;
	mp_ntls.guard = true;
	return was;
}
static inline void mp_native_guard_end(bool was)
{
	mp_ntls.guard = was;
}

/* MINIT with MEMPROF_PROFILE=native: patch now and record the PHP
 * thread's blocks under [startup] until a profile starts. */
void mp_native_minit(bool startup);
/* A profile with native tracking starts (after mp_tracker_start): patch
 * the objects loaded since the last walk, record into the profile. NULL on
 * success, else why not. */
const char *mp_native_start(void);
/* Stops recording at once, forgets the blocks outside the tree. */
void mp_native_stop(void);
/* The profile ends but [startup] stays open if it still is (the preload
 * pseudo-request's profile: nobody asked for it); otherwise mp_native_stop(). */
void mp_native_detach(void);
/* Puts the slots back; the module stays pinned if any was patched. */
void mp_native_mshutdown(void);
/* Recording into the current profile. */
bool mp_native_active(void);
/* The hooks record (a profile, or [startup]). */
bool mp_native_recording(void);
/* Before an export: remote frees applied, [thread] and [startup] counts
 * copied into the tree. */
void mp_native_export_sync(void);

#endif
