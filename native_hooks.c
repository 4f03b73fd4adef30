/* memprof: the malloc hooks and the native tracking switch (see native.h).
 *
 * Each hook forwards to libc's function first, then, only if recording,
 * hands the block to a recorder out of line: when nothing records, a
 * patched slot costs a call, a load and a branch. A block is recorded
 * after the real allocation and forgotten before the real free (once free
 * returns, another thread may get the same address). The recorders run
 * under the per-thread guard, so that whatever they reach that allocates
 * passes through, and keep errno as the allocation left it.
 *
 * The caller's library: the hook's return address, looked up in the
 * loaded objects' address ranges (got_patch.c); only its number is kept,
 * its name is found at export. */
#include <errno.h>
#include "php_memprof.h"
#include "native.h"
#include "native_side.h"
#include "got_patch.h"
#include "alloc_tracker.h"
#include "callgraph.h"

__thread mp_native_tls mp_ntls __attribute__((tls_model("initial-exec")));

static struct {
	void *(*malloc)(size_t);
	void *(*calloc)(size_t, size_t);
	void *(*realloc)(void *, size_t);
	void (*free)(void *);
	int (*posix_memalign)(void **, size_t, size_t);
	void *(*aligned_alloc)(size_t, size_t);
	void *(*memalign)(size_t, size_t);
	void *(*valloc)(size_t);
	void *(*pvalloc)(size_t);
	void *(*reallocarray)(void *, size_t, size_t);
	void (*free_sized)(void *, size_t);
	void (*free_aligned_sized)(void *, size_t, size_t);
} real;

static bool recording;   /* the hooks record; read by every hook, on every thread */
static bool into_tree;   /* the PHP thread records into the profile (else [startup]) */
static bool startup_open; /* [startup] recorded since module start, not yet reset */
static bool have_real;

#define RECORDING() __atomic_load_n(&recording, __ATOMIC_RELAXED)
#define CALLER() ((uintptr_t)__builtin_return_address(0))

/* ---- recording ----------------------------------------------------------- */

/* A block of the PHP thread that another thread freed. Only a native one:
 * in the time it took to get here its address could have become a Zend
 * block's (mmap reuse), which is not ours to drop. */
static void forget_remote(uintptr_t p)
{
	mp_track_native_forget_remote((void *)p);
}

static zend_always_inline void drain(void)
{
	if (UNEXPECTED(mp_side_remote_pending())) {
		mp_side_drain(forget_remote);
	}
}

/* Records a new block: on the PHP thread at its current line, under a
 * leaf for the library that asked. With the guard held. */
static void record(void *p, size_t size, uintptr_t caller)
{
	uint32_t obj = mp_got_object_cached(caller, &mp_ntls.objc);
	if (!mp_ntls.php_thread) {
		mp_side_alloc(MP_SIDE_THREAD, (uintptr_t)p, size, obj);
	} else if (!into_tree) {
		mp_side_alloc(MP_SIDE_STARTUP, (uintptr_t)p, size, obj);
	} else {
		drain();
		if (!mp_busy) { /* our own export's: not counted, as on the Zend heap */
			mp_track_native_alloc(p, mp_graph_native_pos(mp_graph_current_pos(), obj), size);
		}
	}
}

/* Forgets a block about to be freed, wherever it is. With the guard held. */
static void forget(void *p)
{
	if (!mp_ntls.php_thread) {
		if (!mp_side_take((uintptr_t)p, NULL) && __atomic_load_n(&into_tree, __ATOMIC_RELAXED)) {
			mp_side_remote_free((uintptr_t)p); /* maybe the tree's */
		}
	} else if (!into_tree) {
		mp_side_take((uintptr_t)p, NULL);
	} else {
		drain();
		if (!mp_track_native_take(p, NULL, NULL) && mp_side_any()) {
			mp_side_take((uintptr_t)p, NULL);
		}
	}
}

static zend_never_inline void note_alloc(void *p, size_t size, uintptr_t caller)
{
	if (mp_ntls.guard) {
		return;
	}
	int e = errno;
	mp_ntls.guard = true;
	record(p, size, caller);
	mp_ntls.guard = false;
	errno = e;
}

static zend_never_inline void note_free(void *p)
{
	if (mp_ntls.guard) {
		return;
	}
	int e = errno;
	mp_ntls.guard = true;
	forget(p);
	mp_ntls.guard = false;
	errno = e;
}

/* realloc: the old block is forgotten before the real call (which frees
 * it), and put back if the call fails. Moved blocks go to the
 * reallocating line, as on the Zend heap. */
static zend_never_inline void *note_realloc(void *p, size_t size, uintptr_t caller)
{
	if (mp_ntls.guard) {
		return real.realloc(p, size);
	}
	mp_ntls.guard = true;
	bool in_tree = false, in_side = false;
	uint32_t pos = 0;
	size_t old_size = 0;
	mp_side_rec rec;
	if (p) {
		if (mp_ntls.php_thread && into_tree) {
			drain();
			in_tree = mp_track_native_take(p, &pos, &old_size);
		}
		if (!in_tree && (!mp_ntls.php_thread || !into_tree || mp_side_any())) {
			in_side = mp_side_take((uintptr_t)p, &rec);
		}
		if (!in_tree && !in_side && !mp_ntls.php_thread && __atomic_load_n(&into_tree, __ATOMIC_RELAXED)) {
			mp_side_remote_free((uintptr_t)p);
		}
	}
	void *np = real.realloc(p, size);
	int e = errno;
	if (np) {
		record(np, size, caller);
	} else if (p && size) {
		/* failed: the old block is still there (realloc(p, 0) freed it) */
		if (in_tree) {
			mp_track_native_alloc(p, pos, old_size);
		} else if (in_side) {
			mp_side_put_back((uintptr_t)p, &rec);
		}
	}
	mp_ntls.guard = false;
	errno = e;
	return np;
}

/* ---- the hooks -------------------------------------------------------------- */

static void *hk_malloc(size_t size)
{
	void *p = real.malloc(size);
	if (UNEXPECTED(RECORDING()) && p) {
		note_alloc(p, size, CALLER());
	}
	return p;
}

static void *hk_calloc(size_t n, size_t m)
{
	void *p = real.calloc(n, m);
	if (UNEXPECTED(RECORDING()) && p) {
		note_alloc(p, n * m, CALLER()); /* no overflow: it succeeded */
	}
	return p;
}

static void *hk_realloc(void *p, size_t size)
{
	if (EXPECTED(!RECORDING())) {
		return real.realloc(p, size);
	}
	return note_realloc(p, size, CALLER());
}

static void *hk_reallocarray(void *p, size_t n, size_t m)
{
	size_t size;
	if (EXPECTED(!RECORDING()) || __builtin_mul_overflow(n, m, &size)) {
		return real.reallocarray(p, n, m);
	}
	return note_realloc(p, size, CALLER());
}

static void hk_free(void *p)
{
	if (UNEXPECTED(RECORDING()) && p) {
		note_free(p);
	}
	real.free(p);
}

static void hk_free_sized(void *p, size_t size)
{
	if (UNEXPECTED(RECORDING()) && p) {
		note_free(p);
	}
	real.free_sized(p, size);
}

static void hk_free_aligned_sized(void *p, size_t align, size_t size)
{
	if (UNEXPECTED(RECORDING()) && p) {
		note_free(p);
	}
	real.free_aligned_sized(p, align, size);
}

static int hk_posix_memalign(void **out, size_t align, size_t size)
{
	int rc = real.posix_memalign(out, align, size);
	if (UNEXPECTED(RECORDING()) && rc == 0) {
		note_alloc(*out, size, CALLER());
	}
	return rc;
}

static void *hk_aligned_alloc(size_t align, size_t size)
{
	void *p = real.aligned_alloc(align, size);
	if (UNEXPECTED(RECORDING()) && p) {
		note_alloc(p, size, CALLER());
	}
	return p;
}

static void *hk_memalign(size_t align, size_t size)
{
	void *p = real.memalign(align, size);
	if (UNEXPECTED(RECORDING()) && p) {
		note_alloc(p, size, CALLER());
	}
	return p;
}

static void *hk_valloc(size_t size)
{
	void *p = real.valloc(size);
	if (UNEXPECTED(RECORDING()) && p) {
		note_alloc(p, size, CALLER());
	}
	return p;
}

static void *hk_pvalloc(size_t size)
{
	void *p = real.pvalloc(size);
	if (UNEXPECTED(RECORDING()) && p) {
		note_alloc(p, size, CALLER());
	}
	return p;
}

/* by mp_sym */
static void *const hooks[MP_NSYMS] = {
	(void *)hk_malloc, (void *)hk_calloc, (void *)hk_realloc, (void *)hk_reallocarray,
	(void *)hk_free, (void *)hk_posix_memalign, (void *)hk_aligned_alloc, (void *)hk_memalign,
	(void *)hk_valloc, (void *)hk_pvalloc, (void *)hk_free_sized, (void *)hk_free_aligned_sized,
};

/* ---- the switch ------------------------------------------------------------ */

static bool load_real(void)
{
	void *f[MP_NSYMS];
	if (have_real) {
		return true;
	}
	if (!mp_got_originals(f)) {
		return false;
	}
	real.malloc = (void *(*)(size_t))f[MP_SYM_MALLOC];
	real.calloc = (void *(*)(size_t, size_t))f[MP_SYM_CALLOC];
	real.realloc = (void *(*)(void *, size_t))f[MP_SYM_REALLOC];
	real.free = (void (*)(void *))f[MP_SYM_FREE];
	real.posix_memalign = (int (*)(void **, size_t, size_t))f[MP_SYM_POSIX_MEMALIGN];
	real.aligned_alloc = (void *(*)(size_t, size_t))f[MP_SYM_ALIGNED_ALLOC];
	real.memalign = (void *(*)(size_t, size_t))f[MP_SYM_MEMALIGN];
	real.valloc = (void *(*)(size_t))f[MP_SYM_VALLOC];
	real.pvalloc = (void *(*)(size_t))f[MP_SYM_PVALLOC];
	real.reallocarray = (void *(*)(void *, size_t, size_t))f[MP_SYM_REALLOCARRAY];
	real.free_sized = (void (*)(void *, size_t))f[MP_SYM_FREE_SIZED];
	real.free_aligned_sized = (void (*)(void *, size_t, size_t))f[MP_SYM_FREE_ALIGNED_SIZED];
	have_real = true;
	return true;
}

/* Patches what was loaded since the last walk. The walk allocates with
 * slots half patched: guarded. */
static const char *patch(void)
{
	if (!mp_got_supported()) {
		return "not supported on this platform (Linux with glibc on x86-64 or AArch64 only)";
	}
	if (!load_real()) {
		return "libc's allocation functions were not found";
	}
	bool was = mp_native_guard_begin();
	int rc = mp_got_patch(hooks);
	mp_native_guard_end(was);
	return rc == 0 ? NULL : "the loaded objects could not be read";
}

void mp_native_minit(bool startup)
{
	mp_side_minit();
	mp_ntls.php_thread = true;
	if (startup && patch() == NULL) {
		startup_open = true;
		mp_side_open(true);
		__atomic_store_n(&recording, true, __ATOMIC_RELEASE);
	}
}

const char *mp_native_start(void)
{
	const char *why = patch();
	if (why) {
		return why;
	}
	/* the thread that profiles is the one whose blocks go into the tree */
	mp_ntls.php_thread = true;
	mp_side_new_profile();
	mp_side_open(true);
	__atomic_store_n(&into_tree, true, __ATOMIC_RELEASE);
	__atomic_store_n(&recording, true, __ATOMIC_RELEASE);
	return NULL;
}

void mp_native_detach(void)
{
	if (startup_open) {
		/* back to recording [startup] only, as before the profile */
		__atomic_store_n(&into_tree, false, __ATOMIC_RELEASE);
		return;
	}
	mp_native_stop();
}

void mp_native_stop(void)
{
	startup_open = false;
	if (!RECORDING() && !into_tree) {
		return;
	}
	__atomic_store_n(&recording, false, __ATOMIC_RELEASE);
	__atomic_store_n(&into_tree, false, __ATOMIC_RELEASE);
	/* a hook that saw recording on just before finds the side closed */
	bool was = mp_native_guard_begin();
	mp_side_open(false);
	mp_side_reset();
	mp_native_guard_end(was);
}

void mp_native_mshutdown(void)
{
	mp_native_stop();
	bool was = mp_native_guard_begin();
	mp_got_restore();
	mp_native_guard_end(was);
}

bool mp_native_active(void)
{
	return into_tree;
}

bool mp_native_recording(void)
{
	return RECORDING();
}

/* ---- export --------------------------------------------------------------- */

static void put_side(uint32_t root, uint32_t obj, const mp_side_counts *c)
{
	uint32_t leaf = mp_graph_side_pos(root, obj);
	if (leaf == MP_NO_NODE) {
		return;
	}
	/* these nodes get their counts from here only: assigned, not added */
	mp_node *n = &mp_g.nodes[leaf];
	n->inuse_bytes = c->inuse_bytes;
	n->inuse_blocks = c->inuse_blocks;
	n->alloc_bytes = c->alloc_bytes;
	n->alloc_blocks = c->alloc_blocks;
	n->peak_bytes = c->peak_bytes;
	n->peak_blocks = c->peak_blocks;
	n->peak_stamp = c->peak_stamp;
}

void mp_native_export_sync(void)
{
	if (!into_tree) {
		return;
	}
	bool was = mp_native_guard_begin();
	drain();
	mp_side_each(put_side);
	mp_native_guard_end(was);
}
