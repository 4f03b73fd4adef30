/* memprof: the live-block map's slow paths (see block_map.h): the region
 * directory, page slot arrays, growing and shrinking the hash tables, the
 * Judy side maps for sizes of 16 KiB and more and for unaligned addresses,
 * and the check that our idea of the Zend heap's size classes is right. */
#include <stdlib.h>
#include <Judy.h>
#include "zend_alloc_sizes.h"
#include "block_map.h"
#include "native.h"

mp_block_map mp_bm;
mp_page mp_bm_no_pages[MP_PAGES];
uint32_t mp_bm_no_slot;
mp_region mp_bm_no_region = { .key = UINTPTR_MAX, .pages = mp_bm_no_pages };
static void (*stale_cb)(uint32_t pos, size_t size);

#define BIN_SIZE(num, size, elements, pages, x, y) size,
static const uint32_t bin_size[] = { ZEND_MM_BINS_INFO(BIN_SIZE, x, y) };
#define NBINS (sizeof(bin_size) / sizeof(bin_size[0]))

/* Judy allocates its nodes with malloc through its own slots, which native
 * tracking patches: the hooks must let those through, or they would
 * record into this map while Judy is changing it. */
#define JUDY(call) do { \
		bool was_ = mp_native_guard_begin(); \
		call; \
		mp_native_guard_end(was_); \
	} while (0)

static Pvoid_t side_sizes;  /* JudyL: address -> size, for escaped sizes and odd addresses */
static Pvoid_t odd_pos;     /* JudyL: unaligned address -> position node */

#define MIN_CAP 16

static zend_always_inline uint32_t dir_hash(uintptr_t key, uint32_t mask)
{
	return (uint32_t)(((uint64_t)key * 0x9E3779B97F4A7C15ULL) >> 40) & mask;
}

/* Load factor between about 0.5 and 0.8: 8-byte records cost 10 to 16
 * bytes per live block, and a probe rarely leaves its cache line. */
static void region_limits(mp_region *r)
{
	r->grow_at = r->cap - r->cap / 5;
	r->shrink_at = r->cap > MIN_CAP ? r->cap / 4 : 0;
}

static bool region_resize(mp_region *r, uint32_t cap)
{
	uint64_t *s = calloc(cap, sizeof(uint64_t));
	if (!s) {
		return false;
	}
	for (uint32_t j = 0; j < r->cap; j++) {
		uint64_t e = r->slots[j];
		if (e) {
			uint32_t i = mp_bm_home((uint32_t)e >> MP_SIZE_BITS, cap);
			while (s[i]) {
				if (++i == cap) {
					i = 0;
				}
			}
			s[i] = e;
		}
	}
	free(r->slots);
	r->slots = s;
	r->cap = cap;
	region_limits(r);
	return true;
}

static bool dir_grow(void)
{
	uint32_t size = (mp_bm.dir_mask + 1) * 2;
	mp_region **d = calloc(size, sizeof(*d));
	if (!d) {
		return false;
	}
	for (uint32_t j = 0; j <= mp_bm.dir_mask; j++) {
		mp_region *r = mp_bm.dir[j];
		if (r) {
			uint32_t i = dir_hash(r->key, size - 1);
			while (d[i]) {
				i = (i + 1) & (size - 1);
			}
			d[i] = r;
		}
	}
	free(mp_bm.dir);
	mp_bm.dir = d;
	mp_bm.dir_mask = size - 1;
	return true;
}

mp_region *mp_bm_region_slow(uintptr_t key, bool create)
{
	uint32_t i = dir_hash(key, mp_bm.dir_mask);
	mp_region *r;
	while ((r = mp_bm.dir[i]) != NULL) {
		if (r->key == key) {
			mp_bm.cache[key & 63] = r;
			return r;
		}
		i = (i + 1) & mp_bm.dir_mask;
	}
	if (!create) {
		return NULL;
	}
	if ((mp_bm.nregions + 1) * 2 > mp_bm.dir_mask + 1) {
		if (!dir_grow()) {
			return NULL;
		}
		i = dir_hash(key, mp_bm.dir_mask);
		while (mp_bm.dir[i]) {
			i = (i + 1) & mp_bm.dir_mask;
		}
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		return NULL;
	}
	r->key = key;
	r->pages = mp_bm_no_pages;
	/* cap 0 and grow_at 0: the first insert takes the slow path and sizes it */
	mp_bm.dir[i] = r;
	mp_bm.nregions++;
	mp_bm.cache[key & 63] = r;
	return r;
}

static bool side_put(Pvoid_t *map, uintptr_t addr, Word_t v)
{
	PWord_t slot;
	JUDY(JLI(slot, *map, (Word_t)addr));
	if (slot == PJERR) {
		return false;
	}
	*slot = v;
	return true;
}

size_t mp_bm_side_size(uintptr_t addr, bool remove)
{
	PWord_t slot;
	JLG(slot, side_sizes, (Word_t)addr);
	if (!slot) {
		return 0;
	}
	size_t size = *slot;
	if (remove) {
		int rc;
		JUDY(JLD(rc, side_sizes, (Word_t)addr));
		(void)rc;
	}
	return size;
}

/* Unaligned blocks: both halves of the record in the side maps. */
static mp_bm_result odd_insert(uintptr_t addr, uint32_t pos, size_t size, uint32_t *old_pos, size_t *old_size)
{
	PWord_t slot;
	JUDY(JLI(slot, odd_pos, (Word_t)addr));
	if (slot == PJERR) {
		return MP_BM_OOM;
	}
	mp_bm_result res = MP_BM_OK;
	if (*slot) {
		*old_pos = (uint32_t)*slot;
		*old_size = mp_bm_side_size(addr, false);
		res = MP_BM_REPLACED;
	}
	if (!side_put(&side_sizes, addr, size)) {
		int rc;
		JUDY(JLD(rc, odd_pos, (Word_t)addr));
		(void)rc;
		return MP_BM_OOM; /* the replaced record, if any, is gone too */
	}
	*slot = pos;
	return res;
}

mp_bm_result mp_bm_insert_slow(uintptr_t addr, uint32_t pos, size_t size, uint32_t *old_pos, size_t *old_size)
{
	if (addr & 7) {
		return odd_insert(addr, pos, size, old_pos, old_size);
	}
	mp_region *r = mp_bm_region(addr, true);
	if (!r) {
		return MP_BM_OOM;
	}
	if (r->count >= r->grow_at) {
		uint32_t cap = r->cap < MIN_CAP ? MIN_CAP : r->cap + r->cap / 2;
		if (!region_resize(r, cap)) {
			return MP_BM_OOM;
		}
	}
	if (size < MP_SIZE_ESC) {
		return mp_bm_hash_insert(addr, pos, size, old_pos, old_size);
	}
	/* A large size goes to the side map, whose entry for this address (if
	 * any) belongs to a record being replaced: read it before overwriting. */
	size_t prev = mp_bm_side_size(addr, false);
	if (!side_put(&side_sizes, addr, size)) {
		return MP_BM_OOM;
	}
	uint32_t g = mp_bm_gran(addr);
	uint64_t old;
	if (!mp_bm_put(r, g, (uint64_t)pos << 32 | g << MP_SIZE_BITS | MP_SIZE_ESC, &old)) {
		return MP_BM_OK;
	}
	uint32_t sz = (uint32_t)old & MP_SIZE_ESC;
	*old_pos = (uint32_t)(old >> 32);
	*old_size = sz == MP_SIZE_ESC ? prev : sz;
	return MP_BM_REPLACED;
}

/* ---- page layer ---------------------------------------------------------- */

/* Back to a page without slots. */
static void page_drop(mp_page *pg)
{
	if (pg->slot != &mp_bm_no_slot) {
		free(pg->slot);
	}
	*pg = (mp_page){.slot = &mp_bm_no_slot, .recip = 0, .bin = MP_NO_BIN};
}

/* (Re)sizes a page's slots for size class bin, all empty. */
static bool page_init(mp_page *pg, uint8_t bin)
{
	uint32_t nslots = MP_PAGE_MASK / bin_size[bin] + 1;
	uint32_t *slot = realloc(pg->slot == &mp_bm_no_slot ? NULL : pg->slot, nslots * sizeof(uint32_t));
	if (!slot) {
		return false;
	}
	memset(slot, 0, nslots * sizeof(uint32_t));
	pg->slot = slot;
	pg->recip = mp_bm.bin_recip[bin];
	pg->bin = bin;
	return true;
}

/* A page seen for the first time, or serving another size class now; its
 * stale records (frees that escaped us) go to stale_cb. */
mp_bm_result mp_bm_small_slow(uintptr_t addr, uint32_t pos, size_t size)
{
	mp_region *r = mp_bm_region(addr, true);
	if (!r) {
		return MP_BM_OOM;
	}
	if (r->pages == mp_bm_no_pages) {
		mp_page *pages = malloc(MP_PAGES * sizeof(mp_page));
		if (!pages) {
			return MP_BM_OOM;
		}
		memcpy(pages, mp_bm_no_pages, sizeof(mp_bm_no_pages));
		r->pages = pages;
	}
	mp_page *pg = &r->pages[(addr >> MP_PAGE_SHIFT) & (MP_PAGES - 1)];
	uint8_t bin = mp_bm.bin_of[(size + 7) >> 3];
	if (pg->slot != &mp_bm_no_slot) {
		/* The page serves another size class now (the fast path takes a
		 * page whose class did not change), so the blocks recorded for the
		 * old one are gone: their frees escaped us. */
		uint32_t nslots = MP_PAGE_MASK / bin_size[pg->bin] + 1;
		for (uint32_t i = 0; i < nslots; i++) {
			if (pg->slot[i]) {
				stale_cb(mp_bm_slot_pos(pg->slot[i]), mp_bm_slot_size(pg->slot[i]));
			}
		}
	}
	if (!page_init(pg, bin)) {
		page_drop(pg);
		return MP_BM_OOM;
	}
	pg->slot[mp_bm_slot(pg, addr)] = mp_bm_slot_rec(pos, size);
	return MP_BM_OK;
}

/* Our size classes must be the heap's: once per process, ask it for the
 * block size of the smallest and largest request of every class, then give
 * the pages this took back (zend_mm_gc) so the script sees no difference. */
static bool bins_match(zend_mm_heap *heap)
{
	static int verdict = -1;
	if (verdict < 0) {
		verdict = 1;
		for (uint32_t b = 0; b < NBINS; b++) {
			size_t lo = b ? bin_size[b - 1] + 1 : 0;
			size_t sizes[2] = {lo, bin_size[b]};
			for (int k = 0; k < 2; k++) {
				void *p = zend_mm_alloc(heap, sizes[k]);
				if (zend_mm_block_size(heap, p) != bin_size[mp_bm.bin_of[(sizes[k] + 7) >> 3]]) {
					verdict = 0;
				}
				zend_mm_free(heap, p);
			}
		}
		zend_mm_gc(heap);
	}
	return verdict == 1;
}

/* ---- hash layer ---------------------------------------------------------- */

bool mp_bm_remove_slow(uintptr_t addr, uint32_t *pos, size_t *size)
{
	PWord_t slot;
	JLG(slot, odd_pos, (Word_t)addr);
	if (!slot) {
		return false;
	}
	*pos = (uint32_t)*slot;
	int rc;
	JUDY(JLD(rc, odd_pos, (Word_t)addr));
	(void)rc;
	*size = mp_bm_side_size(addr, true);
	return true;
}

/* Linear probing without tombstones: later records of the cluster that
 * would no longer be reachable from their home move back into the hole. */
void mp_bm_delete_at(mp_region *r, uint32_t i)
{
	uint64_t *s = r->slots;
	uint32_t cap = r->cap;
	uint32_t j = i;
	for (;;) {
		if (++j == cap) {
			j = 0;
		}
		uint64_t e = s[j];
		if (e == 0) {
			break;
		}
		uint32_t h = mp_bm_home((uint32_t)e >> MP_SIZE_BITS, cap);
		/* e may fill the hole at i unless its home lies cyclically in (i, j] */
		bool stays = i <= j ? (i < h && h <= j) : (i < h || h <= j);
		if (!stays) {
			s[i] = e;
			i = j;
		}
	}
	s[i] = 0;
	r->count--;
	if (UNEXPECTED(r->count < r->shrink_at)) {
		if (r->count == 0) {
			/* an emptied chunk: give the table back */
			free(r->slots);
			r->slots = NULL;
			r->cap = 0;
			region_limits(r);
		} else {
			uint32_t cap2 = r->cap / 2;
			region_resize(r, cap2 < MIN_CAP ? MIN_CAP : cap2); /* on failure keep the big one */
		}
	}
}

int mp_bm_init(zend_mm_heap *zend_heap, void (*stale)(uint32_t pos, size_t size))
{
	memset(&mp_bm, 0, sizeof(mp_bm));
	stale_cb = stale;
	uint32_t b = 0;
	for (uint32_t i = 0; i <= MP_SMALL_MAX / 8; i++) {
		while (bin_size[b] < i * 8) {
			b++;
		}
		mp_bm.bin_of[i] = (uint8_t)b;
	}
	for (b = 0; b < NBINS; b++) {
		/* rounded up: exact for every offset below a page */
		mp_bm.bin_recip[b] = (uint32_t)((((uint64_t)1 << 32) + bin_size[b] - 1) / bin_size[b]);
	}
	mp_bm.pages_on = zend_heap != NULL && bins_match(zend_heap);
	for (uint32_t i = 0; i < 64; i++) {
		mp_bm.cache[i] = &mp_bm_no_region;
	}
	for (uint32_t i = 0; i < MP_PAGES; i++) {
		mp_bm_no_pages[i] = (mp_page){.slot = &mp_bm_no_slot, .recip = 0, .bin = MP_NO_BIN};
	}
	mp_bm.dir_mask = 63;
	mp_bm.dir = calloc(mp_bm.dir_mask + 1, sizeof(*mp_bm.dir));
	side_sizes = NULL;
	odd_pos = NULL;
	return mp_bm.dir ? 0 : -1;
}

void mp_bm_free(void)
{
	for (uint32_t i = 0; mp_bm.dir && i <= mp_bm.dir_mask; i++) {
		mp_region *r = mp_bm.dir[i];
		if (r) {
			if (r->pages != mp_bm_no_pages) {
				for (uint32_t j = 0; j < MP_PAGES; j++) {
					page_drop(&r->pages[j]);
				}
				free(r->pages);
			}
			free(r->slots);
			free(r);
		}
	}
	free(mp_bm.dir);
	memset(&mp_bm, 0, sizeof(mp_bm));
	Word_t freed;
	JUDY(JLFA(freed, side_sizes));
	JUDY(JLFA(freed, odd_pos));
	(void)freed;
}

/* ---- readers (heap snapshots) ------------------------------------------- */

static const mp_region *region_find(uintptr_t key)
{
	if (!mp_bm.dir) {
		return NULL;
	}
	for (uint32_t i = dir_hash(key, mp_bm.dir_mask); mp_bm.dir[i]; i = (i + 1) & mp_bm.dir_mask) {
		if (mp_bm.dir[i]->key == key) {
			return mp_bm.dir[i];
		}
	}
	return NULL;
}

static bool hash_find(const mp_region *r, uintptr_t addr, uint32_t *pos, size_t *size)
{
	if (r->count == 0) {
		return false;
	}
	uint32_t g = mp_bm_gran(addr);
	for (uint32_t i = mp_bm_home(g, r->cap);; i = i + 1 == r->cap ? 0 : i + 1) {
		uint64_t e = r->slots[i];
		if (e == 0) {
			return false;
		}
		if ((uint32_t)e >> MP_SIZE_BITS == g) {
			uint32_t sz = (uint32_t)e & MP_SIZE_ESC;
			*pos = (uint32_t)(e >> 32);
			*size = sz == MP_SIZE_ESC ? mp_bm_side_size(addr, false) : sz;
			return true;
		}
	}
}

bool mp_bm_lookup(uintptr_t addr, uint32_t *pos, size_t *size)
{
	if (addr & 7) {
		PWord_t slot;
		JLG(slot, odd_pos, (Word_t)addr);
		if (!slot) {
			return false;
		}
		*pos = (uint32_t)*slot;
		*size = mp_bm_side_size(addr, false);
		return true;
	}
	const mp_region *r = region_find(addr >> MP_REGION_SHIFT);
	if (!r) {
		return false;
	}
	const mp_page *pg = mp_bm_page_of(r, addr);
	if (pg->slot != &mp_bm_no_slot) {
		uint32_t i = mp_bm_slot(pg, addr);
		uint32_t v = pg->slot[i];
		if (v) {
			*pos = mp_bm_slot_pos(v);
			*size = mp_bm_slot_size(v);
			return true;
		}
	}
	return hash_find(r, addr, pos, size);
}
