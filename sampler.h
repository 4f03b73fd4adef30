/* memprof: the sampler of sampled mode (sampler.c): where the next sample
 * falls and what a sampled block stands for. Sample points form a Poisson
 * process over the bytes allocated, so the gaps between them are
 * exponential with mean R (never Poisson-distributed gaps: nearly constant,
 * they over-count blocks near R in size). A block is sampled when a point
 * falls inside it, with probability p = 1 - e^(-size/R); it then counts for
 * size/p bytes and 1/p blocks, which is unbiased whatever the sizes. */
#ifndef MEMPROF_SAMPLER_H
#define MEMPROF_SAMPLER_H

#include <stdint.h>
#include <stdbool.h>

typedef enum { MP_GAPS_EXPONENTIAL, MP_GAPS_POISSON } mp_gaps;

typedef struct mp_sampler {
	uint64_t rate;          /* R, bytes */
	uint64_t rng;           /* splitmix64 state */
	mp_gaps gaps;
} mp_sampler;

extern mp_sampler mp_smp;

/* seed 0: from the clock and the pid */
void mp_sampler_init(uint64_t rate, uint64_t seed, mp_gaps gaps);
/* Bytes to the next sample point. */
int64_t mp_sampler_gap(void);
/* What a sampled block of size bytes stands for. */
void mp_sampler_weights(uint64_t size, uint64_t *wbytes, uint64_t *wcount);
/* "exponential", "poisson": the gaps setting's values; -1 if neither */
int mp_sampler_gaps_parse(const char *v);

#endif
