/* memprof: the side map of native blocks outside the call tree (see
 * native_side.h).
 *
 * One spin lock guards it all. It is only ever taken with the native
 * guard held, so a signal handler that allocates on a thread holding it
 * passes through the hooks instead of spinning on it; sched_yield() while
 * waiting, as the holder may be descheduled. Whoever holds it calls
 * nothing that could take it again. Its memory comes straight from libc
 * (our own module's calls are never patched). */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include "native_side.h"
#include "got_patch.h"
#include "alloc_tracker.h"

static int lock_word;

static void side_lock(void)
{
	while (__atomic_exchange_n(&lock_word, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&lock_word, __ATOMIC_RELAXED)) {
			sched_yield();
		}
	}
}

static void side_unlock(void)
{
	__atomic_store_n(&lock_word, 0, __ATOMIC_RELEASE);
}

/* ---- the map: open addressing, address -> size and counter ------------- */

typedef struct entry {
	uintptr_t addr;         /* 0 = empty */
	uint64_t val;           /* size << 16 | root << 12 | obj */
} entry;

#define VAL(size, root, obj) ((uint64_t)(size) << 16 | (uint64_t)(root) << 12 | (obj))
#define VAL_SIZE(v) ((size_t)((v) >> 16))
#define VAL_ROOT(v) ((uint32_t)((v) >> 12) & 0xf)
#define VAL_OBJ(v)  ((uint32_t)(v) & 0xfff)

static entry *map;
static uint32_t map_mask;   /* capacity - 1; 0 with no map */
static uint32_t map_count;  /* read without the lock by mp_side_any() */
static bool accepting;

static mp_side_counts counts[MP_SIDE_ROOTS][MP_OBJ_MAX];

static uint32_t home(uintptr_t a)
{
	return (uint32_t)(((uint64_t)(a >> 4) * 0x9E3779B97F4A7C15ULL) >> 32) & map_mask;
}

static bool map_grow(void)
{
	uint32_t cap = map_mask ? (map_mask + 1) * 2 : 1024;
	entry *m = calloc(cap, sizeof(entry));
	if (!m) {
		return false;
	}
	entry *old = map;
	uint32_t old_cap = map_mask ? map_mask + 1 : 0;
	map = m;
	map_mask = cap - 1;
	for (uint32_t i = 0; i < old_cap; i++) {
		if (old[i].addr) {
			uint32_t h = home(old[i].addr);
			while (map[h].addr) {
				h = (h + 1) & map_mask;
			}
			map[h] = old[i];
		}
	}
	free(old);
	return true;
}

static entry *map_find(uintptr_t a)
{
	if (!map_mask) {
		return NULL;
	}
	for (uint32_t h = home(a); map[h].addr; h = (h + 1) & map_mask) {
		if (map[h].addr == a) {
			return &map[h];
		}
	}
	return NULL;
}

/* Linear probing without tombstones: later entries of the cluster that
 * could no longer be reached from their home move back into the hole. */
static void map_delete(entry *e)
{
	uint32_t i = (uint32_t)(e - map);
	for (uint32_t j = (i + 1) & map_mask; map[j].addr; j = (j + 1) & map_mask) {
		uint32_t h = home(map[j].addr);
		bool stays = i <= j ? (i < h && h <= j) : (i < h || h <= j);
		if (!stays) {
			map[i] = map[j];
			i = j;
		}
	}
	map[i].addr = 0;
	__atomic_store_n(&map_count, map_count - 1, __ATOMIC_RELAXED);
}

/* ---- counts ----------------------------------------------------------- */

/* As the tree's peak bookkeeping (alloc_tracker.c): the value at the last
 * high-water mark of the PHP thread's total is kept the first time it
 * changes after it. The stamp is read without synchronising with the PHP
 * thread: an aligned 64-bit load is never torn, and one stale by a few
 * allocations only moves which of two close moments counts as the peak. */
static void touch(mp_side_counts *c)
{
	uint64_t stamp = __atomic_load_n(&mp_t.peak_stamp, __ATOMIC_RELAXED);
	if (c->peak_stamp != stamp) {
		c->peak_bytes = c->inuse_bytes;
		c->peak_blocks = c->inuse_blocks;
		c->peak_stamp = stamp;
	}
}

static void count_alloc(uint64_t v, bool fresh)
{
	mp_side_counts *c = &counts[VAL_ROOT(v)][VAL_OBJ(v)];
	touch(c);
	c->inuse_bytes += VAL_SIZE(v);
	c->inuse_blocks++;
	if (fresh) {
		c->alloc_bytes += VAL_SIZE(v);
		c->alloc_blocks++;
	}
}

static void count_free(uint64_t v)
{
	mp_side_counts *c = &counts[VAL_ROOT(v)][VAL_OBJ(v)];
	touch(c);
	c->inuse_bytes -= VAL_SIZE(v);
	c->inuse_blocks--;
}

static void insert(uintptr_t p, uint64_t v, bool fresh)
{
	if (!accepting) {
		return;
	}
	entry *e = map_find(p);
	if (e) {
		/* the same address still recorded: its free escaped us */
		count_free(e->val);
		e->val = v;
		count_alloc(v, fresh);
		return;
	}
	if ((map_count + 1) * 4 > (map_mask + 1) * 3 && !map_grow()) {
		return; /* out of memory: not recorded, not counted */
	}
	uint32_t h = home(p);
	while (map[h].addr) {
		h = (h + 1) & map_mask;
	}
	map[h] = (entry){p, v};
	__atomic_store_n(&map_count, map_count + 1, __ATOMIC_RELAXED);
	count_alloc(v, fresh);
}

void mp_side_alloc(uint32_t root, uintptr_t p, size_t size, uint32_t obj)
{
	side_lock();
	insert(p, VAL(size, root, obj), true);
	side_unlock();
}

bool mp_side_take(uintptr_t p, mp_side_rec *rec)
{
	side_lock();
	entry *e = map_find(p);
	if (e) {
		uint64_t v = e->val;
		count_free(v);
		map_delete(e);
		if (rec) {
			*rec = (mp_side_rec){VAL_SIZE(v), VAL_ROOT(v), VAL_OBJ(v)};
		}
	}
	side_unlock();
	return e != NULL;
}

void mp_side_put_back(uintptr_t p, const mp_side_rec *rec)
{
	side_lock();
	insert(p, VAL(rec->size, rec->root, rec->obj), false);
	side_unlock();
}

bool mp_side_any(void)
{
	return __atomic_load_n(&map_count, __ATOMIC_RELAXED) != 0;
}

/* ---- remote frees ------------------------------------------------------- */

#define REMOTE_MAX 4096
static uintptr_t remote[REMOTE_MAX];
static uint32_t remote_n;   /* read without the lock by mp_side_remote_pending() */
static uint64_t remote_lost;

/* Queued before the real free: until the PHP thread has dropped the
 * record, the address cannot come back from malloc to anyone (its thread
 * drains before it records anything). */
void mp_side_remote_free(uintptr_t p)
{
	side_lock();
	if (accepting) {
		if (remote_n < REMOTE_MAX) {
			remote[remote_n] = p;
			__atomic_store_n(&remote_n, remote_n + 1, __ATOMIC_RELEASE);
		} else {
			remote_lost++;
		}
	}
	side_unlock();
}

bool mp_side_remote_pending(void)
{
	return __atomic_load_n(&remote_n, __ATOMIC_ACQUIRE) != 0;
}

void mp_side_drain(void (*forget)(uintptr_t p))
{
	static uintptr_t batch[REMOTE_MAX];
	/* copied out, so that forget() runs without the lock */
	side_lock();
	uint32_t n = remote_n;
	memcpy(batch, remote, n * sizeof(uintptr_t));
	__atomic_store_n(&remote_n, 0, __ATOMIC_RELEASE);
	side_unlock();
	for (uint32_t i = 0; i < n; i++) {
		forget(batch[i]);
	}
}

uint64_t mp_side_remote_lost(void)
{
	return __atomic_load_n(&remote_lost, __ATOMIC_RELAXED);
}

/* ---- the PHP thread's side -------------------------------------------------- */

void mp_side_open(bool open)
{
	side_lock();
	accepting = open;
	side_unlock();
}

void mp_side_each(void (*put)(uint32_t root, uint32_t obj, const mp_side_counts *c))
{
	side_lock();
	for (uint32_t r = 0; r < MP_SIDE_ROOTS; r++) {
		for (uint32_t o = 0; o < MP_OBJ_MAX; o++) {
			const mp_side_counts *c = &counts[r][o];
			if (c->alloc_blocks || c->inuse_blocks) {
				put(r, o, c);
			}
		}
	}
	side_unlock();
}

void mp_side_new_profile(void)
{
	side_lock();
	for (uint32_t r = 0; r < MP_SIDE_ROOTS; r++) {
		for (uint32_t o = 0; o < MP_OBJ_MAX; o++) {
			counts[r][o].peak_stamp = UINT64_MAX;
		}
	}
	side_unlock();
}

void mp_side_reset(void)
{
	side_lock();
	free(map);
	map = NULL;
	map_mask = 0;
	__atomic_store_n(&map_count, 0, __ATOMIC_RELAXED);
	memset(counts, 0, sizeof(counts));
	__atomic_store_n(&remote_n, 0, __ATOMIC_RELEASE);
	remote_lost = 0;
	side_unlock();
}

void mp_side_minit(void)
{
	static bool registered;
	if (!registered) {
		/* unregistered by libc if the module is ever unloaded */
		pthread_atfork(side_lock, side_unlock, side_unlock);
		registered = true;
	}
}
