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

static zend_always_inline uint64_t mp_node_peak_bytes(const mp_node *n)
{
	return n->peak_stamp == mp_t.peak_stamp ? n->peak_bytes : n->inuse_bytes;
}
static zend_always_inline uint64_t mp_node_peak_blocks(const mp_node *n)
{
	return n->peak_stamp == mp_t.peak_stamp ? n->peak_blocks : n->inuse_blocks;
}

#endif
