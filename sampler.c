/* memprof: the sampler (see sampler.h). */
#include <math.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "sampler.h"

mp_sampler mp_smp;

static uint64_t next_u64(void)
{
	/* splitmix64: one state word, passes BigCrush, plenty for sampling */
	uint64_t z = (mp_smp.rng += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Uniform in (0, 1]: never 0, whose log is -inf. */
static double next_unit(void)
{
	return (double)((next_u64() >> 11) + 1) * (1.0 / 9007199254740992.0);
}

void mp_sampler_init(uint64_t rate, uint64_t seed, mp_gaps gaps)
{
	if (seed == 0) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ ((uint64_t)getpid() << 16);
	}
	mp_smp.rate = rate;
	mp_smp.rng = seed;
	mp_smp.gaps = gaps;
}

int64_t mp_sampler_gap(void)
{
	double r = (double)mp_smp.rate;
	double g;
	if (mp_smp.gaps == MP_GAPS_POISSON) {
		/* Poisson(R) by its normal approximation (R is large): the
		 * nearly constant gaps of the known-biased samplers, kept so that
		 * the tests can show they would catch that bias */
		double u1 = next_unit(), u2 = next_unit();
		g = r + sqrt(r) * sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
	} else {
		g = -log(next_unit()) * r;
	}
	return g < 1.0 ? 1 : (int64_t)g;
}

/* x as an integer, rounded up with the probability of its fraction: the
 * counters are integers, and rounding 1/p = 1.58 (a block of R bytes) to 2
 * every time would over-count such blocks by a quarter */
static uint64_t round_unbiased(double x)
{
	double f = floor(x);
	return (uint64_t)f + (next_unit() <= x - f ? 1 : 0);
}

void mp_sampler_weights(uint64_t size, uint64_t *wbytes, uint64_t *wcount)
{
	/* p = 1 - e^(-size/R), by expm1 for small ratios */
	double p = -expm1(-(double)size / (double)mp_smp.rate);
	*wbytes = round_unbiased((double)size / p);
	*wcount = round_unbiased(1.0 / p);
}

int mp_sampler_gaps_parse(const char *v)
{
	if (!strcmp(v, "exponential") || !*v) {
		return MP_GAPS_EXPONENTIAL;
	}
	return !strcmp(v, "poisson") ? MP_GAPS_POISSON : -1;
}
