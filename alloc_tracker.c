/* memprof: the Zend MM hooks. Every block allocated while profiling is on is
 * recorded in a Judy array: address -> (position node, size), packed in one
 * word so the map costs a Judy leaf entry per live block and nothing more. */
#include <Judy.h>
#include "php_memprof.h"

mp_totals mp_t;
bool mp_busy;

static Pvoid_t mp_blocks;       /* JudyL: block address -> packed site|size */
static Pvoid_t mp_big_sizes;    /* JudyL: address -> size, for blocks >= 4 GiB */
static zend_mm_heap *mp_heap;
static bool mp_installed;

/* What was there before us: another extension's hooks, USE_ZEND_ALLOC=0's
 * system malloc, or (when NULL) the Zend heap itself. */
static void *(*prev_malloc)(size_t);
static void (*prev_free)(void *);
static void *(*prev_realloc)(void *, size_t);

#define MP_BIG_SIZE UINT32_MAX

/* The nursery: a direct-mapped table of recently allocated blocks. Most
 * blocks die young; those are allocated and freed here without touching the
 * Judy array. A block whose slot is taken by a newer one moves to Judy. */
#define MP_NURSERY_BITS 16
#define MP_NURSERY_MASK ((1u << MP_NURSERY_BITS) - 1)
typedef struct mp_slot {
	uintptr_t addr;   /* 0 = empty */
	Word_t val;
} mp_slot;
static mp_slot *mp_nursery;

/* Two-way sets: the newer record in [0], the older in [1]. */
static zend_always_inline mp_slot *nursery_set(const void *p)
{
	uintptr_t a = (uintptr_t)p;
	return &mp_nursery[((a >> 3) ^ (a >> (2 + MP_NURSERY_BITS))) & (MP_NURSERY_MASK & ~1u)];
}

static zend_always_inline Word_t pack(uint32_t pos, size_t size)
{
	uint32_t s = size >= MP_BIG_SIZE ? MP_BIG_SIZE : (uint32_t)size;
	return ((Word_t)pos << 32) | s;
}

static void *heap_malloc(size_t size)
{
	return zend_mm_alloc(mp_heap, size);
}

static void heap_free(void *p)
{
	zend_mm_free(mp_heap, p);
}

static void *heap_realloc(void *p, size_t size)
{
	return zend_mm_realloc(mp_heap, p, size);
}

/* Peak bookkeeping, O(1) per event: a node's value at the last high-water
 * mark is saved the first time the node changes after that mark
 * (peak_stamp tells whether it already was). */
static zend_always_inline void node_touch(mp_node *n)
{
	if (n->peak_stamp != mp_t.peak_stamp) {
		n->peak_bytes = n->inuse_bytes;
		n->peak_blocks = n->inuse_blocks;
		n->peak_stamp = mp_t.peak_stamp;
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
	mp_t.inuse_blocks++;
	mp_t.alloc_bytes += size;
	mp_t.alloc_blocks++;
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
	mp_t.inuse_blocks--;
}

/* Moves a block's record to the Judy array; false if out of memory. */
static bool judy_store(uintptr_t addr, Word_t val)
{
	PWord_t slot;
	JLI(slot, mp_blocks, (Word_t)addr);
	if (UNEXPECTED(slot == PJERR)) {
		mp_g.oom = true;
		return false;
	}
	if (UNEXPECTED(*slot != 0)) {
		/* an address we still thought live: its free escaped us */
		account_free((uint32_t)(*slot >> 32), (uint32_t)*slot);
	}
	*slot = val;
	return true;
}

static void track_big_alloc(void *p, size_t size, uint32_t pos)
{
	PWord_t big;
	JLI(big, mp_big_sizes, (Word_t)p);
	if (big == PJERR || !judy_store((uintptr_t)p, pack(pos, size))) {
		mp_g.oom = true;
		return;
	}
	*big = size;
	account_alloc(pos, size);
}

static zend_always_inline void track_alloc(void *p, size_t size)
{
	uint32_t pos = mp_graph_current_pos();
	if (UNEXPECTED(size >= MP_BIG_SIZE)) {
		track_big_alloc(p, size, pos);
		return;
	}
	mp_slot *set = nursery_set(p);
	if (UNEXPECTED(set[0].addr == (uintptr_t)p || set[1].addr == (uintptr_t)p)) {
		/* same address still recorded: its free escaped us */
		mp_slot *s = &set[set[0].addr == (uintptr_t)p ? 0 : 1];
		account_free((uint32_t)(s->val >> 32), (uint32_t)s->val);
		s->addr = 0;
	}
	if (set[0].addr != 0) {
		if (set[1].addr != 0 && !judy_store(set[1].addr, set[1].val)) {
			/* cannot keep the evicted record: forget that block entirely */
			account_free((uint32_t)(set[1].val >> 32), (uint32_t)set[1].val);
		}
		set[1] = set[0];
	}
	set[0].addr = (uintptr_t)p;
	set[0].val = pack(pos, size);
	account_alloc(pos, size);
}

/* Forget a block; false if it was not ours (allocated before profiling). */
static bool track_free(void *p)
{
	mp_slot *set = nursery_set(p);
	for (int i = 0; i < 2; i++) {
		if (set[i].addr == (uintptr_t)p) {
			set[i].addr = 0;
			account_free((uint32_t)(set[i].val >> 32), (uint32_t)set[i].val);
			return true;
		}
	}
	PWord_t slot;
	JLG(slot, mp_blocks, (Word_t)p);
	if (!slot) {
		return false; /* allocated before profiling: not ours */
	}
	Word_t v = *slot;
	size_t size = (uint32_t)v;
	int rc;
	if (UNEXPECTED(size == MP_BIG_SIZE)) {
		PWord_t big;
		JLG(big, mp_big_sizes, (Word_t)p);
		if (big) {
			size = *big;
			JLD(rc, mp_big_sizes, (Word_t)p);
		}
	}
	JLD(rc, mp_blocks, (Word_t)p);
	(void)rc;
	account_free((uint32_t)(v >> 32), size);
	return true;
}

static void *mp_malloc(size_t size)
{
	void *p = prev_malloc(size);
	if (EXPECTED(p != NULL) && EXPECTED(!mp_busy)) {
		track_alloc(p, size);
	}
	return p;
}

static void mp_free(void *p)
{
	/* Frees are always recorded, even during our own work (mp_busy): a
	 * tracked block freed unseen would leave its bytes counted forever. */
	if (EXPECTED(p != NULL)) {
		track_free(p);
	}
	prev_free(p);
}

static void *mp_realloc(void *p, size_t size)
{
	/* Call the allocator first: on memory-limit errors it does not return,
	 * and our map must still describe the old block then. */
	void *np = prev_realloc(p, size);
	if (p) {
		track_free(p);
	}
	if (np && EXPECTED(!mp_busy)) {
		/* the block and its bytes move to the reallocating site */
		track_alloc(np, size);
	}
	return np;
}

int mp_tracker_start(void)
{
	if (mp_installed) {
		return SUCCESS;
	}
	memset(&mp_t, 0, sizeof(mp_t));
	mp_nursery = calloc(MP_NURSERY_MASK + 1, sizeof(mp_slot));
	if (!mp_nursery) {
		return FAILURE;
	}
	mp_blocks = NULL;
	mp_big_sizes = NULL;
	mp_heap = zend_mm_get_heap();
	zend_mm_get_custom_handlers(mp_heap, &prev_malloc, &prev_free, &prev_realloc);
	if (!prev_malloc || !prev_free || !prev_realloc) {
		prev_malloc = heap_malloc;
		prev_free = heap_free;
		prev_realloc = heap_realloc;
	}
	zend_mm_set_custom_handlers(mp_heap, mp_malloc, mp_free, mp_realloc);
	mp_installed = true;
	return SUCCESS;
}

void mp_tracker_stop(void)
{
	if (!mp_installed) {
		return;
	}
	if (prev_malloc == heap_malloc) {
		zend_mm_set_custom_handlers(mp_heap, NULL, NULL, NULL);
	} else {
		zend_mm_set_custom_handlers(mp_heap, prev_malloc, prev_free, prev_realloc);
	}
	mp_installed = false;
	Word_t freed;
	JLFA(freed, mp_blocks);
	JLFA(freed, mp_big_sizes);
	(void)freed;
	free(mp_nursery);
	mp_nursery = NULL;
}
