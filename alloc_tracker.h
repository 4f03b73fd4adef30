/* memprof: the allocation tracker (alloc_tracker.c): the Zend MM hooks,
 * the running total and its peak. */
#ifndef MEMPROF_ALLOC_TRACKER_H
#define MEMPROF_ALLOC_TRACKER_H

#include "callgraph.h"

/* Only what the peak needs: per-node counters add up to the rest at export. */
typedef struct mp_totals {
	uint64_t inuse_bytes;
	uint64_t peak_bytes;
	uint64_t peak_stamp;
} mp_totals;

extern mp_totals mp_t;
extern bool mp_busy;      /* our own work in progress: do not track (set with mp_set_busy) */
/* Sets mp_busy and returns its previous value. */
bool mp_set_busy(bool busy);

/* sample_rate 0: exact mode; otherwise sampled mode at that rate (sampler.h) */
int  mp_tracker_start(uint64_t sample_rate);
bool mp_tracker_sampled(void);
/* False when another extension's handlers sit on top of ours: then we stay
 * hooked (and our state alive) for good. */
bool mp_tracker_stop(void);

/* Native blocks of the PHP thread (native_hooks.c, with the native guard
 * held): the same map and counters as the Zend heap's blocks, in the map's
 * hash layer (malloc's addresses are never in Zend heap pages); pos is a
 * "[native] <library>" leaf. */
void mp_track_native_alloc(void *p, uint32_t pos, size_t size);
/* Forgets p if recorded (true), its position and size in *pos, *size if
 * not NULL. */
bool mp_track_native_take(void *p, uint32_t *pos, size_t *size);
/* Forgets p if it is recorded as a native block: another thread freed it. */
void mp_track_native_forget_remote(void *p);

static zend_always_inline uint64_t mp_node_peak_bytes(const mp_node *n)
{
	return n->peak_stamp == mp_t.peak_stamp ? n->peak_bytes : n->inuse_bytes;
}
static zend_always_inline uint64_t mp_node_peak_blocks(const mp_node *n)
{
	return n->peak_stamp == mp_t.peak_stamp ? n->peak_blocks : n->inuse_blocks;
}

#endif
