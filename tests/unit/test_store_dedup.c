/* SPDX-License-Identifier: Apache-2.0 */
/* store_dedup: which event bodies the store skips as repeats, the window, the table's bound
 * and its eviction count. */
#include <stdio.h>
#include <string.h>

#define UNIT_MAIN
#include "unit.h"
#include "store_dedup.h"

#define S 1000000000ull
#define BODY(s) s, sizeof(s) - 1

static bool repeat(struct store_dedup *d, const char *body, size_t len, uint64_t now)
{
	return store_dedup__check(d, body, len, now) == STORE_DEDUP_REPEAT;
}

UNIT_TEST(off_stores_everything)
{
	struct store_dedup d;

	CHECK_INT(store_dedup__init(&d, 64, 0), 0);
	CHECK(d.slot == NULL);
	CHECK(!repeat(&d, BODY("x"), 1 * S));
	CHECK(!repeat(&d, BODY("x"), 1 * S));
	CHECK_INT(d.repeats, 0);
	store_dedup__free(&d);
}

UNIT_TEST(repeat_inside_the_window_only)
{
	struct store_dedup d;

	CHECK_INT(store_dedup__init(&d, 64, 60 * S), 0);
	CHECK(!repeat(&d, BODY(",\"process\":{\"pid\":1}"), 100 * S));
	CHECK(repeat(&d, BODY(",\"process\":{\"pid\":1}"), 100 * S + 1));
	CHECK(repeat(&d, BODY(",\"process\":{\"pid\":1}"), 159 * S));
	/* the window counts from when it was stored, not from the last repeat */
	CHECK(!repeat(&d, BODY(",\"process\":{\"pid\":1}"), 160 * S));
	CHECK(repeat(&d, BODY(",\"process\":{\"pid\":1}"), 161 * S));
	CHECK_INT(d.repeats, 3);
	/* a clock that went back never makes a repeat */
	CHECK(!repeat(&d, BODY(",\"process\":{\"pid\":1}"), 10 * S));
	CHECK_INT(d.evictions, 0);
	store_dedup__free(&d);
}

UNIT_TEST(one_byte_apart_is_not_a_repeat)
{
	static const char a[] = "{\"path\":\"/etc/hostname\",\"fd\":3,\"ret\":3}";
	char b[sizeof(a)];
	struct store_dedup d;

	CHECK_INT(store_dedup__init(&d, 1024, 60 * S), 0);
	CHECK(!repeat(&d, a, sizeof(a) - 1, 1 * S));
	/* every position, including the tail past the last whole 8-byte word */
	for (size_t i = 0; i < sizeof(a) - 1; i++) {
		memcpy(b, a, sizeof(a));
		b[i] ^= 1;
		CHECK(!repeat(&d, b, sizeof(a) - 1, 2 * S));
	}
	/* a prefix of the same bytes */
	CHECK(!repeat(&d, a, sizeof(a) - 2, 2 * S));
	CHECK(repeat(&d, a, sizeof(a) - 1, 3 * S));
	store_dedup__free(&d);
}

UNIT_TEST(bounded_table_counts_evictions)
{
	struct store_dedup d;
	char body[32];
	unsigned again = 0;

	CHECK_INT(store_dedup__init(&d, 5, 60 * S), 0); /* rounded up to 8 slots */
	CHECK_INT((int)d.mask, 7);
	for (int i = 0; i < 100; i++) {
		int n = snprintf(body, sizeof(body), "event %d", i);

		CHECK(!repeat(&d, body, n, 1 * S));
	}
	/* 100 distinct bodies in 8 slots: at least 92 were pushed out inside their window */
	CHECK(d.evictions >= 92);
	/* what was pushed out is stored again, never silently lost */
	for (int i = 0; i < 100; i++) {
		int n = snprintf(body, sizeof(body), "event %d", i);

		again += !repeat(&d, body, n, 2 * S);
	}
	CHECK(again >= 92);
	CHECK_INT(d.repeats + again, 100);
	store_dedup__free(&d);
}

UNIT_TEST(forgotten_when_the_store_did_not_take_it)
{
	struct store_dedup d;
	uint64_t fp;

	CHECK_INT(store_dedup__init(&d, 64, 60 * S), 0);
	CHECK(store_dedup__check(&d, BODY("open a"), 1 * S) ==
	      store_dedup__fp_seeded(d.seed, BODY("open a")));
	fp = store_dedup__check(&d, BODY("open b"), 1 * S);
	CHECK(fp != STORE_DEDUP_OFF && fp != STORE_DEDUP_REPEAT);
	/* the store's queue was full: the next copy is offered again, and then remembered */
	store_dedup__forget(&d, fp);
	CHECK(!repeat(&d, BODY("open b"), 2 * S));
	CHECK(repeat(&d, BODY("open b"), 3 * S));
	/* forgetting a repeat, "off", or a fingerprint the slot no longer holds changes nothing */
	store_dedup__forget(&d, STORE_DEDUP_REPEAT);
	store_dedup__forget(&d, STORE_DEDUP_OFF);
	store_dedup__forget(&d, fp ^ ((d.mask + 1) << 1));
	CHECK(repeat(&d, BODY("open a"), 3 * S));
	CHECK(repeat(&d, BODY("open b"), 3 * S));
	store_dedup__free(&d);
}

UNIT_TEST(seeded_fingerprints_differ_and_are_never_zero)
{
	CHECK(store_dedup__fp_seeded(1, BODY("same")) != store_dedup__fp_seeded(2, BODY("same")));
	CHECK(store_dedup__fp_seeded(1, BODY("same")) == store_dedup__fp_seeded(1, BODY("same")));
	CHECK(store_dedup__fp_seeded(0, "", 0) != STORE_DEDUP_OFF);
	CHECK(store_dedup__fp_seeded(0, "", 0) != STORE_DEDUP_REPEAT);
}

int main(void)
{
	return unit_run();
}
