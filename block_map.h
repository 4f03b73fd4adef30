/* memprof: the live-block map, address -> (position node, size).
 *
 * Address space is cut into 2 MiB regions (a Zend MM chunk is exactly one),
 * found through a small directory keyed by address >> 21. Two layers:
 *
 * - Page slots, for small blocks (<= 3072 bytes) when we sit directly on the
 *   Zend heap: every 4 KiB page of a chunk serves one size class (bin), so a
 *   block's offset in its page divided by the bin size is a unique slot. One
 *   32-bit slot per block: position node (20 bits) and size (12 bits). No
 *   hashing, no probing, and the slots of neighbouring blocks are neighbours.
 * - A hash table per region for everything else (large blocks, positions
 *   beyond 20 bits, or another allocator under us such as USE_ZEND_ALLOC=0):
 *   one 64-bit record, position node (32 bits), 8-byte granule in the region
 *   (18 bits), size (14 bits). Sizes that do not fit, and addresses that are
 *   not 8-byte aligned, keep their extra data in Judy side maps.
 *
 * The fast paths are inline here because every allocation and free runs
 * them; the rest lives in block_map.c. */
#ifndef MEMPROF_BLOCK_MAP_H
#define MEMPROF_BLOCK_MAP_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include "zend.h"

#define MP_REGION_SHIFT 21
#define MP_REGION_MASK  (((uintptr_t)1 << MP_REGION_SHIFT) - 1)
#define MP_SIZE_BITS    14
#define MP_SIZE_ESC     ((1u << MP_SIZE_BITS) - 1) /* real size is in the side map */

#define MP_PAGE_SHIFT   12
#define MP_PAGE_MASK    ((1u << MP_PAGE_SHIFT) - 1)
#define MP_PAGES        (1u << (MP_REGION_SHIFT - MP_PAGE_SHIFT))
#define MP_SMALL_MAX    3072u                 /* ZEND_MM_MAX_SMALL_SIZE */
#define MP_SLOT_SIZE_BITS 12                  /* holds 0..3072 */
#define MP_SLOT_POS_MAX ((1u << (32 - MP_SLOT_SIZE_BITS)) - 1)

/* A page's entry in its region's directory: the page's size class and its
 * slots. Kept in the directory (not with the slots) so that finding a slot
 * is one dependent load less. */
typedef struct mp_page {
	uint32_t *slot;     /* pos << 12 | size; 0 = empty (pos is never 0). No slots yet:
	                       &mp_bm_no_slot, recip 0 and bin MP_NO_BIN, so that the
	                       hot paths need no NULL tests */
	uint32_t recip;     /* slot = offset in page * recip >> 32 (= offset / bin size) */
	uint8_t bin;        /* no record count: the hot paths would pay for it on every event,
	                       and only a page changing size class (rare) needs to scan */
	uint8_t pad[3];
} mp_page;

#define MP_NO_BIN 0xff  /* a page without slots: no size maps to it */

typedef struct mp_region {
	uintptr_t key;      /* address >> MP_REGION_SHIFT */
	mp_page *pages;     /* MP_PAGES entries; mp_bm_no_pages until a small block is recorded here */
	uint64_t *slots;    /* pos << 32 | granule << 14 | size; 0 = empty (pos is never 0) */
	uint32_t cap;       /* slots; any count, homes are found by multiply-shift */
	uint32_t count;
	uint32_t grow_at;   /* count at which the table grows */
	uint32_t shrink_at; /* count below which it shrinks */
} mp_region;

typedef struct mp_block_map {
	mp_region **dir;    /* open addressing by key; NULL = empty */
	uint32_t dir_mask, nregions;
	mp_region *cache[64]; /* direct-mapped by key: chunks in use alternate; never NULL
	                         while the map is up (an empty entry is mp_bm_no_region) */
	bool pages_on;      /* directly on the Zend heap: the page layer is usable */
	uint8_t bin_of[MP_SMALL_MAX / 8 + 1];  /* ceil(size / 8) -> bin */
	uint32_t bin_recip[32];
} mp_block_map;

extern mp_block_map mp_bm;
extern mp_region mp_bm_no_region; /* key matches no address, no pages */
extern mp_page mp_bm_no_pages[MP_PAGES]; /* the pages of a region that has none yet */
extern uint32_t mp_bm_no_slot;           /* the one slot of pages without slots: always 0 */

typedef enum { MP_BM_OK, MP_BM_REPLACED, MP_BM_OOM } mp_bm_result;

mp_region *mp_bm_region_slow(uintptr_t key, bool create);
mp_bm_result mp_bm_small_slow(uintptr_t addr, uint32_t pos, size_t size);
mp_bm_result mp_bm_insert_slow(uintptr_t addr, uint32_t pos, size_t size, uint32_t *old_pos, size_t *old_size);
bool mp_bm_remove_slow(uintptr_t addr, uint32_t *pos, size_t *size);
void mp_bm_delete_at(mp_region *r, uint32_t i);
size_t mp_bm_side_size(uintptr_t addr, bool remove);
/* zend_heap: blocks come straight from the Zend heap (page layer usable,
 * bin table checked with it); stale: told about records dropped because
 * their frees escaped us. */
int  mp_bm_init(zend_mm_heap *zend_heap, void (*stale)(uint32_t pos, size_t size));
void mp_bm_free(void);

/* For heap snapshots, never on the hot paths; changes nothing (not even
 * the region cache). The record of the block that starts at addr, if it is
 * live and was recorded. addr must be a block's first byte: a page slot
 * covers its whole block. */
bool mp_bm_lookup(uintptr_t addr, uint32_t *pos, size_t *size);

static zend_always_inline uint32_t mp_bm_gran(uintptr_t addr)
{
	return (uint32_t)((addr & MP_REGION_MASK) >> 3);
}

/* Home slot of a granule: Fibonacci hashing scaled to cap (no power of two
 * needed, so tables can grow by half instead of doubling). */
static zend_always_inline uint32_t mp_bm_home(uint32_t gran, uint32_t cap)
{
	return (uint32_t)(((uint64_t)(uint32_t)(gran * 0x9E3779B1u) * cap) >> 32);
}

static zend_always_inline mp_region *mp_bm_region(uintptr_t addr, bool create)
{
	uintptr_t key = addr >> MP_REGION_SHIFT;
	mp_region *r = mp_bm.cache[key & 63];
	if (EXPECTED(r->key == key)) {
		return r;
	}
	return mp_bm_region_slow(key, create);
}

/* Stores rec for granule g in r (which has room); true if it replaced a
 * record for the same granule, returned in *old. */
static zend_always_inline bool mp_bm_put(mp_region *r, uint32_t g, uint64_t rec, uint64_t *old)
{
	uint64_t *s = r->slots;
	uint32_t i = mp_bm_home(g, r->cap);
	for (;;) {
		uint64_t e = s[i];
		if (e == 0) {
			s[i] = rec;
			r->count++;
			return false;
		}
		if ((uint32_t)e >> MP_SIZE_BITS == g) {
			*old = e;
			s[i] = rec;
			return true;
		}
		if (++i == r->cap) {
			i = 0;
		}
	}
}

/* The hash layer's part of mp_bm_insert(). MP_BM_REPLACED: a record for the same address was still
 * there (its free escaped us); it is replaced and returned in old_*. */
static zend_always_inline mp_bm_result mp_bm_hash_insert(uintptr_t addr, uint32_t pos, size_t size,
		uint32_t *old_pos, size_t *old_size)
{
	mp_region *r;
	if (UNEXPECTED((addr & 7) != 0) || UNEXPECTED(size >= MP_SIZE_ESC)
			|| UNEXPECTED((r = mp_bm_region(addr, true)) == NULL)
			|| UNEXPECTED(r->count >= r->grow_at)) {
		return mp_bm_insert_slow(addr, pos, size, old_pos, old_size);
	}
	uint32_t g = mp_bm_gran(addr);
	uint64_t old;
	if (EXPECTED(!mp_bm_put(r, g, (uint64_t)pos << 32 | g << MP_SIZE_BITS | (uint32_t)size, &old))) {
		return MP_BM_OK;
	}
	uint32_t sz = (uint32_t)old & MP_SIZE_ESC;
	*old_pos = (uint32_t)(old >> 32);
	*old_size = sz == MP_SIZE_ESC ? mp_bm_side_size(addr, true) : sz;
	return MP_BM_REPLACED;
}

/* The hash layer's part of mp_bm_remove(). */
static zend_always_inline bool mp_bm_hash_remove(uintptr_t addr, uint32_t *pos, size_t *size)
{
	if (UNEXPECTED((addr & 7) != 0)) {
		return mp_bm_remove_slow(addr, pos, size);
	}
	mp_region *r = mp_bm_region(addr, false);
	if (r == NULL || r->count == 0) {
		return false;
	}
	uint32_t g = mp_bm_gran(addr);
	const uint64_t *s = r->slots;
	uint32_t i = mp_bm_home(g, r->cap);
	for (;;) {
		uint64_t e = s[i];
		if (e == 0) {
			return false;
		}
		if ((uint32_t)e >> MP_SIZE_BITS == g) {
			uint32_t sz = (uint32_t)e & MP_SIZE_ESC;
			*pos = (uint32_t)(e >> 32);
			*size = sz == MP_SIZE_ESC ? mp_bm_side_size(addr, true) : sz;
			mp_bm_delete_at(r, i);
			return true;
		}
		if (++i == r->cap) {
			i = 0;
		}
	}
}

static zend_always_inline mp_page *mp_bm_page_of(const mp_region *r, uintptr_t addr)
{
	return &r->pages[(addr >> MP_PAGE_SHIFT) & (MP_PAGES - 1)];
}

static zend_always_inline uint32_t mp_bm_slot(const mp_page *pg, uintptr_t addr)
{
	return (uint32_t)(((uint64_t)(addr & MP_PAGE_MASK) * pg->recip) >> 32);
}

/* A page slot's record: position node and size. */
static zend_always_inline uint32_t mp_bm_slot_rec(uint32_t pos, size_t size)
{
	return pos << MP_SLOT_SIZE_BITS | (uint32_t)size;
}
static zend_always_inline uint32_t mp_bm_slot_pos(uint32_t rec)
{
	return rec >> MP_SLOT_SIZE_BITS;
}
static zend_always_inline uint32_t mp_bm_slot_size(uint32_t rec)
{
	return rec & ((1u << MP_SLOT_SIZE_BITS) - 1);
}

/* r's slot for a small block of this size at addr, in *slot, if its page is
 * set up for that size class (false: a new page, or its class changed). A
 * page without slots has MP_NO_BIN, which no size maps to. (A flag, not a
 * NULL slot: the compiler cannot tell that &slot[i] is never NULL.) */
static zend_always_inline bool mp_bm_page_slot_for(const mp_region *r, uintptr_t addr, size_t size, uint32_t **slot)
{
	const mp_page *pg = mp_bm_page_of(r, addr);
	if (UNEXPECTED(pg->bin != mp_bm.bin_of[(size + 7) >> 3])) {
		return false;
	}
	*slot = &pg->slot[mp_bm_slot(pg, addr)];
	return true;
}

/* r's slot that would hold a small block at addr; the empty mp_bm_no_slot
 * if its page has no slots (recip 0 leads there). Never written: only a
 * non-empty slot is cleared. */
static zend_always_inline uint32_t *mp_bm_page_slot_of(const mp_region *r, uintptr_t addr)
{
	const mp_page *pg = mp_bm_page_of(r, addr);
	return &pg->slot[mp_bm_slot(pg, addr)];
}

/* The allocation hook's fast path: mp_bm_page_slot_for() in the region the
 * cache holds, false when anything is missing (mp_bm_insert() does the rest).
 * Regions have pages with slots only when mp_bm.pages_on. */
static zend_always_inline bool mp_bm_small_slot_for(uintptr_t addr, uint32_t pos, size_t size, uint32_t **slot)
{
	if (UNEXPECTED(size > MP_SMALL_MAX) || UNEXPECTED(pos > MP_SLOT_POS_MAX)) {
		return false;
	}
	uintptr_t key = addr >> MP_REGION_SHIFT;
	const mp_region *r = mp_bm.cache[key & 63];
	return EXPECTED(r->key == key) && mp_bm_page_slot_for(r, addr, size, slot);
}

/* The free hook's fast path: mp_bm_page_slot_of() in the region the cache
 * holds, else the empty mp_bm_no_slot (then ask mp_bm_remove()). */
static zend_always_inline uint32_t *mp_bm_small_slot_of(uintptr_t addr)
{
	uintptr_t key = addr >> MP_REGION_SHIFT;
	const mp_region *r = mp_bm.cache[key & 63];
	return EXPECTED(r->key == key) ? mp_bm_page_slot_of(r, addr) : &mp_bm_no_slot;
}

/* Records a block. MP_BM_REPLACED: a record for the same address was still
 * there (its free escaped us); it is replaced and returned in old_*. */
static zend_always_inline mp_bm_result mp_bm_insert(uintptr_t addr, uint32_t pos, size_t size,
		uint32_t *old_pos, size_t *old_size)
{
	if (EXPECTED(mp_bm.pages_on) && EXPECTED(size <= MP_SMALL_MAX) && EXPECTED(pos <= MP_SLOT_POS_MAX)) {
		mp_region *r = mp_bm_region(addr, true);
		uint32_t *slot;
		if (EXPECTED(r != NULL) && EXPECTED(mp_bm_page_slot_for(r, addr, size, &slot))) {
			uint32_t old = *slot;
			*slot = mp_bm_slot_rec(pos, size);
			if (EXPECTED(old == 0)) {
				return MP_BM_OK;
			}
			*old_pos = mp_bm_slot_pos(old);
			*old_size = mp_bm_slot_size(old);
			return MP_BM_REPLACED;
		}
		return mp_bm_small_slow(addr, pos, size);
	}
	return mp_bm_hash_insert(addr, pos, size, old_pos, old_size);
}

/* Forgets a block; false if it was never recorded (allocated before
 * profiling started). */
static zend_always_inline bool mp_bm_remove(uintptr_t addr, uint32_t *pos, size_t *size)
{
	mp_region *r = mp_bm_region(addr, false);
	if (UNEXPECTED(r == NULL)) {
		return (addr & 7) && mp_bm_remove_slow(addr, pos, size);
	}
	uint32_t *slot = mp_bm_page_slot_of(r, addr);
	uint32_t v;
	if (EXPECTED((v = *slot) != 0)) {
		*slot = 0;
		*pos = mp_bm_slot_pos(v);
		*size = mp_bm_slot_size(v);
		return true;
	}
	return mp_bm_hash_remove(addr, pos, size);
}

#endif
