/* memprof: the Zend MM hooks. Every block allocated while profiling is on is
 * recorded in the live-block map (block_map.h) with its position node and
 * size; the counters of that node move on every allocation and free. */
#include "alloc_tracker.h"
#include "block_map.h"
#include "sampler.h"
#include "sample_set.h"
#include "native.h"

mp_totals mp_t;
bool mp_busy;

static zend_mm_heap *mp_heap;
static bool mp_installed;
static bool mp_on_heap;   /* nothing between us and the Zend heap: call it directly */
static bool mp_sampling;  /* sampled mode (sampler.h): no live-block map, no per-block record */

/* What was there before us: another extension's hooks or USE_ZEND_ALLOC=0's
 * system malloc; all NULL (and mp_on_heap) for the Zend heap itself. */
static void *(*prev_malloc)(size_t);
static void (*prev_free)(void *);
static void *(*prev_realloc)(void *, size_t);

/* Peak bookkeeping, O(1) per event: a node's value at the last high-water
 * mark is saved the first time the node changes after that mark
 * (peak_stamp tells whether it already was). */
static zend_never_inline void node_snapshot(mp_node *n)
{
	n->peak_bytes = n->inuse_bytes;
	n->peak_blocks = n->inuse_blocks;
	n->peak_stamp = mp_t.peak_stamp;
}

/* The copy out of line, so that the hot paths add to the counters in
 * memory instead of loading them for it. */
static zend_always_inline void node_touch(mp_node *n)
{
	if (UNEXPECTED(n->peak_stamp != mp_t.peak_stamp)) {
		node_snapshot(n);
	}
}

static zend_always_inline void account_alloc(uint32_t pos, size_t size)
{
	mp_node *n = &mp_g.nodes[pos];
	node_touch(n);
	n->inuse_bytes += size;
	n->inuse_blocks++;
	n->alloc_bytes += size;
	n->alloc_blocks++;
	mp_t.inuse_bytes += size;
	if (mp_t.inuse_bytes > mp_t.peak_bytes) {
		mp_t.peak_bytes = mp_t.inuse_bytes;
		mp_t.peak_stamp++;
	}
}

static zend_always_inline void account_free(uint32_t pos, size_t size)
{
	mp_node *n = &mp_g.nodes[pos];
	node_touch(n);
	n->inuse_bytes -= size;
	n->inuse_blocks--;
	mp_t.inuse_bytes -= size;
}

static void account_stale(uint32_t pos, size_t size)
{
	account_free(pos, size);
}

/* Counts a block just put in the map (rc: what the map did). */
static void account_recorded(mp_bm_result rc, uint32_t pos, size_t size, uint32_t old_pos, size_t old_size)
{
	switch (rc) {
		case MP_BM_OK:
			break;
		case MP_BM_REPLACED:
			/* same address still recorded: its free escaped us */
			account_free(old_pos, old_size);
			break;
		case MP_BM_OOM:
			mp_g.oom = true; /* not recorded: not counted either */
			return;
	}
	account_alloc(pos, size);
}

/* Records a block for position pos, whatever layer of the map it needs. */
static void track_alloc(void *p, uint32_t pos, size_t size)
{
	uint32_t old_pos = 0;
	size_t old_size = 0;
	mp_bm_result rc = mp_bm_insert((uintptr_t)p, pos, size, &old_pos, &old_size);
	account_recorded(rc, pos, size, old_pos, old_size);
}

/* Forget a block; false if it was not ours (allocated before profiling). */
static bool track_free(void *p)
{
	uint32_t pos;
	size_t size;
	if (!mp_bm_remove((uintptr_t)p, &pos, &size)) {
		return false;
	}
	account_free(pos, size);
	return true;
}

/* The heap can refuse a block by returning NULL and raise its memory-limit
 * error afterwards (Debian's PHP 8.2.36 does, for a huge block): nothing was
 * allocated, nothing is recorded. */
static zend_never_inline void *track_alloc_ret(void *p, uint32_t pos, size_t size)
{
	if (EXPECTED(p != NULL)) {
		track_alloc(p, pos, size);
	}
	return p;
}

/* The allocator under us when it is not the Zend heap: USE_ZEND_ALLOC=0's
 * malloc, whose blocks we count here, as Zend blocks, and must not count
 * again as native ones (native_hooks.c), or another extension's hooks. */
static zend_never_inline void *other_malloc(size_t size)
{
	bool was = mp_native_guard_begin();
	void *p = prev_malloc(size);
	mp_native_guard_end(was);
	return p;
}

static zend_never_inline void other_free_call(void *p)
{
	bool was = mp_native_guard_begin();
	prev_free(p);
	mp_native_guard_end(was);
}

static zend_never_inline void *other_realloc(void *p, size_t size)
{
	bool was = mp_native_guard_begin();
	void *np = prev_realloc(p, size);
	mp_native_guard_end(was);
	return np;
}

/* Another allocator under us, or our own work in progress. */
static zend_never_inline void *malloc_slow(size_t size)
{
	void *p = mp_on_heap ? zend_mm_alloc(mp_heap, size) : other_malloc(size);
	if (p != NULL && !mp_busy) {
		track_alloc(p, mp_graph_current_pos(), size);
	}
	return p;
}

/* The hot paths below keep to what needs no call of ours, so that little
 * lives across a call and few registers are saved: this runs for every
 * allocation and free of the script. Everything else is a tail call. */

/* Puts a block's record in its page slot, counting out what was there. */
static zend_always_inline void slot_store(uint32_t *slot, uint32_t pos, size_t size)
{
	uint32_t old = *slot;
	*slot = mp_bm_slot_rec(pos, size);
	if (UNEXPECTED(old != 0)) {
		/* a block reallocated in place; else the same address still
		 * recorded: its free escaped us */
		account_free(mp_bm_slot_pos(old), mp_bm_slot_size(old));
	}
	account_alloc(pos, size);
}

/* Records a block just allocated at the heap's fast path: its page slot when
 * the page has slots for its size class, otherwise the general map. */
static zend_always_inline void *record_new(void *p, uint32_t pos, size_t size)
{
	uint32_t *slot;
	if (UNEXPECTED(!mp_bm_small_slot_for((uintptr_t)p, pos, size, &slot))) {
		return track_alloc_ret(p, pos, size);
	}
	slot_store(slot, pos, size);
	return p;
}

/* Forgets a block about to be freed (or just reallocated away), if ours. */
static zend_always_inline void forget(void *p)
{
	uint32_t *slot = mp_bm_small_slot_of((uintptr_t)p);
	uint32_t v = *slot;
	if (EXPECTED(v != 0)) {
		*slot = 0;
		account_free(mp_bm_slot_pos(v), mp_bm_slot_size(v));
	} else {
		track_free(p);
	}
}

/* The frame or line is new to the mirror, or there is no observer (stack
 * walks): the position takes a search, the block still the fast record.
 * mp_busy: our own block while hooks installed over ours kept us from
 * swapping in the busy ones (mp_set_busy); the search would add to the tree
 * during an export. */
static zend_never_inline void *malloc_pos_slow(size_t size)
{
	if (UNEXPECTED(mp_busy)) {
		return malloc_slow(size);
	}
	uint32_t pos = mp_graph_pos_slow(mp_g.top, EG(current_execute_data));
	return record_new(zend_mm_alloc(mp_heap, size), pos, size);
}

/* mp_malloc, mp_free and mp_realloc are the hooks when we sit directly on
 * the Zend heap and are not busy; otherwise the general paths (malloc_slow,
 * free_other, realloc_slow) are installed instead (install_hooks). */
static void *mp_malloc(size_t size)
{
	uint32_t pos;
	if (UNEXPECTED(!mp_graph_pos_fast(&pos))) {
		return malloc_pos_slow(size);
	}
	/* before the heap call, so that only pos and size live across it */
	return record_new(zend_mm_alloc(mp_heap, size), pos, size);
}

static void mp_free(void *p)
{
	/* Frees are always recorded, even during our own work (mp_busy): a
	 * tracked block freed unseen would leave its bytes counted forever. */
	forget(p); /* NULL is in no page: the slow path, which finds nothing */
	zend_mm_free(mp_heap, p);
}

static void free_other(void *p)
{
	forget(p);
	other_free_call(p);
}

static zend_never_inline void *realloc_slow(void *p, size_t size)
{
	/* Call the allocator first: on memory-limit errors it does not return,
	 * and our map must still describe the old block then. */
	void *np = EXPECTED(mp_on_heap) ? zend_mm_realloc(mp_heap, p, size) : other_realloc(p, size);
	if (UNEXPECTED(np == NULL) && size != 0) {
		return np; /* refused (see track_alloc_ret): p is still there */
	}
	if (p) {
		track_free(p);
	}
	if (np && EXPECTED(!mp_busy)) {
		/* the block and its bytes move to the reallocating site */
		track_alloc(np, mp_graph_current_pos(), size);
	}
	return np;
}

/* A block reallocated in place that was not in its page's slots (allocated
 * before profiling, or kept in the general map): the general map's hash
 * layer, never the page layer (see realloc_in_place). */
static zend_never_inline void *realloc_in_place_slow(void *p, uint32_t pos, size_t size)
{
	forget(p);
	uint32_t old_pos = 0;
	size_t old_size = 0;
	mp_bm_result rc = mp_bm_hash_insert((uintptr_t)p, pos, size, &old_pos, &old_size);
	account_recorded(rc, pos, size, old_pos, old_size);
	return p;
}

/* The heap reallocated p in place, so it stays in its size class, which is
 * not always the class of its new size: a block that shrinks to exactly the
 * size of the class below stays where it is. So its page is never looked up
 * by the new size (that would take the page for one that changed class and
 * drop the records of its other blocks): the block keeps its slot. */
static zend_always_inline void *realloc_in_place(void *p, uint32_t pos, size_t size)
{
	uint32_t *slot = mp_bm_small_slot_of((uintptr_t)p);
	if (EXPECTED(*slot != 0) && EXPECTED(size <= MP_SMALL_MAX) && EXPECTED(pos <= MP_SLOT_POS_MAX)) {
		slot_store(slot, pos, size);
		return p;
	}
	return realloc_in_place_slow(p, pos, size);
}

static zend_always_inline void *realloc_at(void *p, uint32_t pos, size_t size)
{
	/* the heap first: on memory-limit errors it does not return, and the
	 * map must still describe the old block then */
	void *np = zend_mm_realloc(mp_heap, p, size);
	if (EXPECTED(np == p)) {
		return realloc_in_place(p, pos, size);
	}
	if (UNEXPECTED(np == NULL)) {
		return np; /* refused (see track_alloc_ret): p is still there */
	}
	forget(p);
	return record_new(np, pos, size);
}

/* As malloc_pos_slow. */
static zend_never_inline void *realloc_pos_slow(void *p, size_t size)
{
	if (UNEXPECTED(mp_busy)) {
		return realloc_slow(p, size);
	}
	return realloc_at(p, mp_graph_pos_slow(mp_g.top, EG(current_execute_data)), size);
}

/* String building grows blocks with realloc: the same fast paths as
 * malloc and free. The block and its bytes move to the reallocating site. */
static void *mp_realloc(void *p, size_t size)
{
	uint32_t pos;
	if (UNEXPECTED(p == NULL)) {
		return realloc_slow(p, size);
	}
	if (UNEXPECTED(!mp_graph_pos_fast(&pos))) {
		return realloc_pos_slow(p, size);
	}
	return realloc_at(p, pos, size);
}

/* ---- sampled mode ------------------------------------------------------
 * One subtraction per allocation and one filter load per free: everything
 * else happens at a sample, in ~1 of R/size allocations. */

static int64_t s_until;  /* bytes to the next sample point */

/* A sampled block's estimates go to its node and the total, as recorded
 * (sign +1) or as forgotten (-1), so that frees subtract what was added. */
static void account_sample(uint32_t pos, uint64_t wbytes, uint64_t wcount, bool add)
{
	mp_node *n = &mp_g.nodes[pos];
	node_touch(n);
	if (add) {
		n->inuse_bytes += wbytes;
		n->inuse_blocks += wcount;
		n->alloc_bytes += wbytes;
		n->alloc_blocks += wcount;
		n->alloc_samples++;
		n->inuse_samples++;
		mp_t.inuse_bytes += wbytes;
		if (mp_t.inuse_bytes > mp_t.peak_bytes) {
			mp_t.peak_bytes = mp_t.inuse_bytes;
			mp_t.peak_stamp++;
		}
	} else {
		n->inuse_bytes -= wbytes;
		n->inuse_blocks -= wcount;
		n->inuse_samples--;
		mp_t.inuse_bytes -= wbytes;
	}
}

/* A sample point fell inside block p (or the one our caller could not
 * allocate): find the next point past its end, and record p. */
static zend_never_inline void *sample_block(void *p, size_t size)
{
	if (EXPECTED(mp_smp.gaps == MP_GAPS_EXPONENTIAL)) {
		/* exponential gaps are memoryless: from the block's end, the next
		 * point is one gap away whatever fell before it. Not a walk through
		 * the block in gaps: one refused 64 PiB would take hours. */
		s_until = mp_sampler_gap();
	} else {
		do {
			s_until += mp_sampler_gap();
		} while (s_until <= 0);
	}
	if (p == NULL || mp_busy) {
		return p;
	}
	mp_sampled s = {.addr = (uintptr_t)p, .pos = mp_graph_current_pos(),
		.size = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size};
	mp_sampler_weights(size, &s.wbytes, &s.wcount);
	if (mp_ss_add(&s)) {
		account_sample(s.pos, s.wbytes, s.wcount, true);
	} else {
		mp_g.oom = true;
	}
	return p;
}

static zend_never_inline void sample_forget(void *p)
{
	mp_sampled s;
	if (p != NULL && mp_ss_take(p, &s)) {
		account_sample(s.pos, s.wbytes, s.wcount, false);
	}
}

static zend_always_inline void *sample_maybe(void *p, size_t size)
{
	if (UNEXPECTED(p == NULL)) {
		return p; /* refused: nothing was allocated, nothing counts */
	}
	if (EXPECTED((s_until -= (int64_t)size) > 0)) {
		return p;
	}
	return sample_block(p, size);
}

/* The point is counted down before the heap is asked, so that the common
 * case ends in a tail call to the heap. A size the heap then refuses (the
 * memory limit) has been counted: it can only take a sample point, with
 * nothing recorded (sample_block). */
static void *mp_malloc_sampled(size_t size)
{
	if (EXPECTED((s_until -= (int64_t)size) > 0)) {
		return zend_mm_alloc(mp_heap, size);
	}
	return sample_block(zend_mm_alloc(mp_heap, size), size);
}

static void mp_free_sampled(void *p)
{
	if (UNEXPECTED(mp_ss_maybe(p))) {
		sample_forget(p);
	}
	zend_mm_free(mp_heap, p);
}

/* realloc is a free and an allocation: the old block's sample (if any) goes
 * once the heap has answered (on memory-limit errors it does not return,
 * and the old block is still there then) */
static void *mp_realloc_sampled(void *p, size_t size)
{
	void *np = zend_mm_realloc(mp_heap, p, size);
	if (UNEXPECTED(np == NULL)) {
		return np; /* refused (see track_alloc_ret): p is still there */
	}
	if (UNEXPECTED(mp_ss_maybe(p))) {
		sample_forget(p);
	}
	return sample_maybe(np, size);
}

/* Another allocator under us, or our own work in progress (mp_busy: our
 * blocks are not sampled, but a sampled block freed then is forgotten). */
static void *sampled_malloc_slow(size_t size)
{
	void *p = mp_on_heap ? zend_mm_alloc(mp_heap, size) : prev_malloc(size);
	return sample_maybe(p, size);
}

static void sampled_free_slow(void *p)
{
	if (UNEXPECTED(mp_ss_maybe(p))) {
		sample_forget(p);
	}
	if (mp_on_heap) {
		zend_mm_free(mp_heap, p);
	} else {
		prev_free(p);
	}
}

static void *sampled_realloc_slow(void *p, size_t size)
{
	void *np = mp_on_heap ? zend_mm_realloc(mp_heap, p, size) : prev_realloc(p, size);
	if (UNEXPECTED(np == NULL) && size != 0) {
		return np; /* refused (see track_alloc_ret): p is still there */
	}
	if (UNEXPECTED(mp_ss_maybe(p))) {
		sample_forget(p);
	}
	return sample_maybe(np, size);
}

static void install_hooks(void)
{
	if (mp_sampling) {
		if (mp_on_heap && !mp_busy) {
			zend_mm_set_custom_handlers(mp_heap, mp_malloc_sampled, mp_free_sampled, mp_realloc_sampled);
		} else {
			zend_mm_set_custom_handlers(mp_heap, sampled_malloc_slow, sampled_free_slow, sampled_realloc_slow);
		}
		return;
	}
	if (!mp_on_heap) {
		zend_mm_set_custom_handlers(mp_heap, malloc_slow, free_other, realloc_slow);
	} else if (mp_busy) {
		/* frees are still recorded (see mp_free); the others take the general
		 * paths, which leave our own blocks out */
		zend_mm_set_custom_handlers(mp_heap, malloc_slow, mp_free, realloc_slow);
	} else {
		zend_mm_set_custom_handlers(mp_heap, mp_malloc, mp_free, mp_realloc);
	}
}

/* Busy hooks while we work, so the hot ones need not test mp_busy. Only
 * if ours are still the heap's: hooks someone installed over ours stay. Then
 * an export's blocks on lines the mirror already has are counted like the
 * script's, and the rest are not: the slow paths test mp_busy, so that
 * nothing adds to the tree. */
bool mp_set_busy(bool busy)
{
	bool was = mp_busy;
	mp_busy = busy;
	if (mp_installed && busy != was && mp_on_heap) {
		void *(*m)(size_t);
		void (*f)(void *);
		void *(*r)(void *, size_t);
		zend_mm_get_custom_handlers(mp_heap, &m, &f, &r);
		if (f == mp_free || f == mp_free_sampled || f == sampled_free_slow) {
			install_hooks();
		}
	}
	return was;
}

/* ---- native blocks of the PHP thread (native_hooks.c) ---------------- */

void mp_track_native_alloc(void *p, uint32_t pos, size_t size)
{
	uint32_t old_pos = 0;
	size_t old_size = 0;
	mp_bm_result rc = mp_bm_hash_insert((uintptr_t)p, pos, size, &old_pos, &old_size);
	account_recorded(rc, pos, size, old_pos, old_size);
}

bool mp_track_native_take(void *p, uint32_t *pos, size_t *size)
{
	uint32_t at;
	size_t sz;
	if (!mp_bm_remove((uintptr_t)p, &at, &sz)) {
		return false;
	}
	account_free(at, sz);
	if (pos) {
		*pos = at;
		*size = sz;
	}
	return true;
}

void mp_track_native_forget_remote(void *p)
{
	uint32_t pos;
	size_t size;
	if (!mp_bm_remove((uintptr_t)p, &pos, &size)) {
		return;
	}
	if (mp_g.funcs[mp_g.nodes[pos].fn].kind == MP_FN_NATIVE) {
		account_free(pos, size);
	} else {
		uint32_t op = 0;
		size_t os = 0;
		mp_bm_insert((uintptr_t)p, pos, size, &op, &os); /* not ours to drop: back as it was */
	}
}

int mp_tracker_start(uint64_t sample_rate)
{
	if (mp_installed) {
		return SUCCESS;
	}
	memset(&mp_t, 0, sizeof(mp_t));
	mp_heap = zend_mm_get_heap();
	zend_mm_get_custom_handlers(mp_heap, &prev_malloc, &prev_free, &prev_realloc);
	mp_on_heap = !prev_malloc || !prev_free || !prev_realloc;
	mp_sampling = sample_rate > 0;
	if (mp_sampling) {
		/* the sampler was set up with its rate, seed and gaps (memprof.c) */
		if (mp_ss_init() != 0) {
			return FAILURE;
		}
		s_until = mp_sampler_gap();
	} else if (mp_bm_init(mp_on_heap ? mp_heap : NULL, account_stale) != 0) {
		return FAILURE;
	}
	mp_installed = true;
	install_hooks();
	return SUCCESS;
}

bool mp_tracker_sampled(void)
{
	return mp_installed && mp_sampling;
}

/* Whether the heap's handlers are still ours. An extension that installed
 * its own over ours calls ours (chaining, as we chain to what was there),
 * and may put ours back when it leaves. */
static bool hooks_on_top(void)
{
	void *(*m)(size_t);
	void (*f)(void *);
	void *(*r)(void *, size_t);
	zend_mm_get_custom_handlers(mp_heap, &m, &f, &r);
	return f == mp_free || f == free_other || f == mp_free_sampled || f == sampled_free_slow;
}

bool mp_tracker_stop(void)
{
	if (!mp_installed) {
		return true;
	}
	if (!hooks_on_top()) {
		/* Taking ours out from under someone else's would leave them calling
		 * into freed state: stay hooked, tracking into data nobody reads,
		 * for the rest of the process (memprof.c keeps the module loaded). */
		return false;
	}
	if (mp_on_heap) {
		zend_mm_set_custom_handlers(mp_heap, NULL, NULL, NULL);
	} else {
		zend_mm_set_custom_handlers(mp_heap, prev_malloc, prev_free, prev_realloc);
	}
	mp_installed = false;
	if (mp_sampling) {
		mp_ss_free();
	} else {
		mp_bm_free();
	}
	return true;
}
