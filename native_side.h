/* memprof: native blocks that cannot go into the call tree (native_side.c):
 * those of threads other than PHP's, and those of the PHP thread before
 * its first profile ([startup]). A locked map of their own and counters
 * per (root, library), which the PHP thread copies into the tree when it
 * exports; and the frees, made on other threads, of blocks the tree
 * holds, queued for the PHP thread. Every function here may be called
 * from any thread, with the native guard held. */
#ifndef MEMPROF_NATIVE_SIDE_H
#define MEMPROF_NATIVE_SIDE_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

enum { MP_SIDE_THREAD, MP_SIDE_STARTUP, MP_SIDE_ROOTS };

typedef struct mp_side_counts {
	uint64_t inuse_bytes, inuse_blocks, alloc_bytes, alloc_blocks;
	uint64_t peak_bytes, peak_blocks, peak_stamp; /* as mp_node's */
} mp_side_counts;

/* A block's record, for a realloc that may have to put it back. */
typedef struct mp_side_rec {
	size_t size;
	uint32_t root, obj;
} mp_side_rec;

/* Accepting blocks or not: closed, nothing new is recorded (a hook that
 * saw tracking on just before it stopped records nothing stale). */
void mp_side_open(bool open);
void mp_side_alloc(uint32_t root, uintptr_t p, size_t size, uint32_t obj);
/* Forgets p if it is a side block (true), its record in *rec if not NULL. */
bool mp_side_take(uintptr_t p, mp_side_rec *rec);
/* Puts back a block taken for a realloc that failed. */
void mp_side_put_back(uintptr_t p, const mp_side_rec *rec);
/* Whether any side block is recorded: the PHP thread asks the side map
 * about frees the tree does not know only then. */
bool mp_side_any(void);

/* Another thread freed p, which may be a block the tree holds. */
void mp_side_remote_free(uintptr_t p);
/* Whether remote frees wait for the PHP thread. */
bool mp_side_remote_pending(void);
/* The PHP thread: hands each waiting remote free to forget. */
void mp_side_drain(void (*forget)(uintptr_t p));
/* Remote frees dropped because the queue was full (their blocks stay
 * counted until their address is allocated again). */
uint64_t mp_side_remote_lost(void);

/* Calls put for every (root, library) that has counts, under the lock. */
void mp_side_each(void (*put)(uint32_t root, uint32_t obj, const mp_side_counts *c));
/* A new profile starts: the peak stamps of the counts kept from before
 * (startup) must not match its own. */
void mp_side_new_profile(void);
/* Forgets every block and count. */
void mp_side_reset(void);
/* Once per process: fork (php-fpm) must not copy the lock held. */
void mp_side_minit(void);

#endif
