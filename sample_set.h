/* memprof: the live sampled blocks of sampled mode (sample_set.c): address
 * -> (position node, size, weights). A sampled block is one in ~R/size, so
 * the set stays small; what costs is the question every free asks, "was
 * this block sampled?", answered for almost all blocks by a filter of
 * counters indexed by a hash of the address, without touching the set. */
#ifndef MEMPROF_SAMPLE_SET_H
#define MEMPROF_SAMPLE_SET_H

#include <stdint.h>
#include <stdbool.h>
#include "zend_portability.h"

#define MP_SS_FILTER_BITS 12

typedef struct mp_sampled {
	uintptr_t addr;         /* 0 = empty */
	uint32_t pos;
	uint32_t size;          /* up to 4 GiB; bigger blocks keep UINT32_MAX, see wbytes */
	uint64_t wbytes;        /* what the block counts for, as recorded: subtracted as is */
	uint64_t wcount;
} mp_sampled;

typedef struct mp_sample_set {
	mp_sampled *slots;
	uint32_t mask, count;
	uint16_t filter[1u << MP_SS_FILTER_BITS]; /* sampled blocks per address hash */
} mp_sample_set;

extern mp_sample_set mp_ss;

static zend_always_inline uint32_t mp_ss_filter_of(uintptr_t addr)
{
	return (uint32_t)(((uint64_t)addr * 0x9E3779B97F4A7C15ULL) >> (64 - MP_SS_FILTER_BITS));
}

/* False when addr is surely not a sampled block: the hot question of frees. */
static zend_always_inline bool mp_ss_maybe(const void *addr)
{
	return mp_ss.filter[mp_ss_filter_of((uintptr_t)addr)] != 0;
}

int  mp_ss_init(void);
void mp_ss_free(void);
/* Adds a sampled block; false when out of memory (then it is not counted). */
bool mp_ss_add(const mp_sampled *s);
/* Takes the record of addr out into *out; false if addr was not sampled. */
bool mp_ss_take(const void *addr, mp_sampled *out);

#endif
