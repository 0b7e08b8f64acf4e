/* SPDX-License-Identifier: Apache-2.0 */
/* Repeats the evidence store need not keep again; see store_dedup.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>

#include "store_dedup.h"

int store_dedup__init(struct store_dedup *d, size_t slots, uint64_t window_ns)
{
	size_t n = 2;

	memset(d, 0, sizeof(*d));
	d->window_ns = window_ns;
	if (!window_ns)
		return 0;
	if (getrandom(&d->seed, sizeof(d->seed), GRND_NONBLOCK) != sizeof(d->seed))
		d->seed = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ULL ^ (uintptr_t)d;
	while (n < slots && n < ((size_t)1 << 30))
		n <<= 1;
	d->slot = calloc(n, sizeof(*d->slot));
	if (!d->slot) {
		d->window_ns = 0;
		return -ENOMEM;
	}
	d->mask = n - 1;
	return 0;
}

void store_dedup__free(struct store_dedup *d)
{
	free(d->slot);
	memset(d, 0, sizeof(*d));
}

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static uint64_t step(uint64_t h, const char *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	return (h << 31) | (h >> 33);
}

/* Eight bytes a step with one multiply, in two independent lanes so that the multiplies
 * overlap (a line is ~1 KiB, and this runs for every event the store would take), a full mix
 * at the end. Keyed with a random seed, so that a process cannot shape a path to collide with
 * an earlier event and keep its own out of the store. */
uint64_t store_dedup__fp_seeded(uint64_t seed, const char *body, size_t len)
{
	uint64_t a = seed ^ (len * 0x9e3779b97f4a7c15ULL), b = mix(seed + 1), w = 0;
	size_t i = 0;

	for (; i + 16 <= len; i += 16) {
		a = step(a, body + i);
		b = step(b, body + i + 8);
	}
	if (i + 8 <= len) {
		a = step(a, body + i);
		i += 8;
	}
	memcpy(&w, body + i, len - i);
	a = mix(mix(a ^ w) ^ mix(b) ^ seed);
	if (a == STORE_DEDUP_OFF || a == STORE_DEDUP_REPEAT)
		a = 1;
	return a;
}

/* Was the slot's fingerprint stored less than a window before now (a clock gone back: no)? */
static bool in_window(const struct store_dedup *d, const struct store_dedup_slot *s,
		      uint64_t now_ns)
{
	return s->fp && now_ns >= s->at_ns && now_ns - s->at_ns < d->window_ns;
}

uint64_t store_dedup__check(struct store_dedup *d, const char *body, size_t len, uint64_t now_ns)
{
	struct store_dedup_slot *s;
	uint64_t fp;

	if (!d->window_ns || !d->slot)
		return STORE_DEDUP_OFF;
	fp = store_dedup__fp_seeded(d->seed, body, len);
	s = &d->slot[fp & d->mask];
	if (in_window(d, s, now_ns)) {
		if (s->fp == fp) {
			d->repeats++;
			return STORE_DEDUP_REPEAT;
		}
		d->evictions++;
	}
	s->fp = fp;
	s->at_ns = now_ns;
	return fp;
}

void store_dedup__forget(struct store_dedup *d, uint64_t fp)
{
	struct store_dedup_slot *s;

	if (!d->slot || fp == STORE_DEDUP_OFF || fp == STORE_DEDUP_REPEAT)
		return;
	s = &d->slot[fp & d->mask];
	if (s->fp == fp)
		s->fp = 0;
}
