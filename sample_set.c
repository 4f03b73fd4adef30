/* memprof: the live sampled blocks (see sample_set.h). Open addressing with
 * linear probing and backward-shift deletion, so no tombstones build up
 * over a long request. malloc'd: the set must not show in the profile. */
#include <stdlib.h>
#include <string.h>
#include "sample_set.h"

mp_sample_set mp_ss;

static zend_always_inline uint32_t home(uintptr_t addr, uint32_t mask)
{
	return (uint32_t)(((uint64_t)addr * 0xC2B2AE3D27D4EB4FULL) >> 32) & mask;
}

int mp_ss_init(void)
{
	memset(&mp_ss, 0, sizeof(mp_ss));
	mp_ss.mask = 255;
	mp_ss.slots = calloc(mp_ss.mask + 1, sizeof(mp_sampled));
	return mp_ss.slots ? 0 : -1;
}

void mp_ss_free(void)
{
	free(mp_ss.slots);
	memset(&mp_ss, 0, sizeof(mp_ss));
}

static void put(mp_sampled *slots, uint32_t mask, const mp_sampled *s)
{
	uint32_t i = home(s->addr, mask);
	while (slots[i].addr) {
		i = (i + 1) & mask;
	}
	slots[i] = *s;
}

static bool grow(void)
{
	uint32_t mask = mp_ss.mask * 2 + 1;
	mp_sampled *slots = calloc((size_t)mask + 1, sizeof(mp_sampled));
	if (!slots) {
		return false;
	}
	for (uint32_t i = 0; i <= mp_ss.mask; i++) {
		if (mp_ss.slots[i].addr) {
			put(slots, mask, &mp_ss.slots[i]);
		}
	}
	free(mp_ss.slots);
	mp_ss.slots = slots;
	mp_ss.mask = mask;
	return true;
}

bool mp_ss_add(const mp_sampled *s)
{
	/* load at most 1/2: probes stay short */
	if ((mp_ss.count + 1) * 2 > mp_ss.mask + 1 && !grow()) {
		return false;
	}
	uint16_t *f = &mp_ss.filter[mp_ss_filter_of(s->addr)];
	if (*f == UINT16_MAX) {
		return false; /* 65535 live samples on one hash: keep the filter exact */
	}
	put(mp_ss.slots, mp_ss.mask, s);
	mp_ss.count++;
	(*f)++;
	return true;
}

bool mp_ss_take(const void *addr, mp_sampled *out)
{
	uintptr_t a = (uintptr_t)addr;
	uint32_t mask = mp_ss.mask;
	uint32_t i = home(a, mask);
	while (mp_ss.slots[i].addr != a) {
		if (!mp_ss.slots[i].addr) {
			return false;
		}
		i = (i + 1) & mask;
	}
	*out = mp_ss.slots[i];
	mp_ss.filter[mp_ss_filter_of(a)]--;
	mp_ss.count--;
	/* backward shift: move later entries of the cluster into the hole when
	 * their home is not between the hole and them */
	uint32_t hole = i;
	for (uint32_t j = (i + 1) & mask; mp_ss.slots[j].addr; j = (j + 1) & mask) {
		uint32_t h = home(mp_ss.slots[j].addr, mask);
		if (((j - h) & mask) >= ((j - hole) & mask)) {
			mp_ss.slots[hole] = mp_ss.slots[j];
			hole = j;
		}
	}
	mp_ss.slots[hole].addr = 0;
	return true;
}
