/* SPDX-License-Identifier: Apache-2.0 */
/* Repeats the evidence store need not keep again (docs/store.md, "Repeats").
 *
 * An event line whose body (everything after the header's time, node, cpu and seq) is
 * identical to one offered to the store less than a window ago is a repeat: the same process
 * (same exec id and thread) doing the same thing to the same object with the same result. An
 * open storm on one file is one row per thread per window instead of hundreds of thousands.
 * stdout and the forwarders still get every event; only the store skips repeats.
 *
 * Fingerprints (64-bit hashes of the body) live in a direct-mapped table: memory is fixed, and
 * a fingerprint that another pushes out while still inside the window is counted as an
 * eviction (its next repeat is stored again, so an eviction costs a row, never evidence). An
 * event the store did not take (queue full) is forgotten, so its next repeat is offered again.
 * A 64-bit collision would drop a distinct event; the hash is keyed with a random seed, and
 * the odds are ~2^-64 per pair. */
#ifndef VIGIL_STORE_DEDUP_H
#define VIGIL_STORE_DEDUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store_dedup_slot {
	uint64_t fp; /* 0: empty */
	uint64_t at_ns; /* when that body was last stored */
};

struct store_dedup {
	uint64_t window_ns; /* 0: off, every event is stored */
	uint64_t seed; /* random, per agent: fingerprints are not predictable */
	size_t mask; /* slots - 1 */
	struct store_dedup_slot *slot;
	uint64_t repeats; /* events not offered to the store */
	uint64_t evictions; /* fingerprints pushed out inside their window */
};

/* `slots` is rounded up to a power of two (at least 2). window_ns 0 makes it a no-op that
 * allocates nothing. Returns 0 or -ENOMEM. */
int store_dedup__init(struct store_dedup *d, size_t slots, uint64_t window_ns);
void store_dedup__free(struct store_dedup *d);

/* What store_dedup__check says of an event: STORE_DEDUP_OFF (nothing to do),
 * STORE_DEDUP_REPEAT (do not offer it to the store), or the fingerprint it was recorded
 * under, to hand to store_dedup__forget if the store then does not take it. */
#define STORE_DEDUP_OFF 0ULL
#define STORE_DEDUP_REPEAT UINT64_MAX

/* Is this body a repeat at time now_ns (the event's wall-clock time)? If not, it is recorded
 * as stored now. A time that went backwards is never a repeat. */
uint64_t store_dedup__check(struct store_dedup *d, const char *body, size_t len, uint64_t now_ns);

/* The store did not take the event recorded under fp (its queue was full): forget it, so that
 * its next repeat is offered again instead of the evidence missing for a whole window. */
void store_dedup__forget(struct store_dedup *d, uint64_t fp);

/* The fingerprint itself (exposed for tests): never STORE_DEDUP_OFF or STORE_DEDUP_REPEAT. */
uint64_t store_dedup__fp_seeded(uint64_t seed, const char *body, size_t len);

#endif /* VIGIL_STORE_DEDUP_H */
