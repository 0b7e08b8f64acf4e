/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A very small unit test harness: no privileges, no kernel, one binary per test file.
 *
 *   UNIT_TEST(name) { CHECK(cond); CHECK_STR(a, b); CHECK_INT(a, b); }
 *   int main(void) { return unit_run(); }
 *
 * Each file prints one line per failure and closes with "N passed, N failed".
 */
#ifndef VIGIL_UNIT_H
#define VIGIL_UNIT_H

#include <stdio.h>
#include <string.h>

struct unit_case {
	const char *name;
	void (*fn)(void);
};

#define UNIT_MAX_CASES 512
extern struct unit_case unit_cases[UNIT_MAX_CASES];
extern int unit_ncases;
extern int unit_case_failed;

#define UNIT_TEST(name)                                                                            \
	static void name(void);                                                                    \
	__attribute__((constructor)) static void unit_register_##name(void)                        \
	{                                                                                          \
		if (unit_ncases < UNIT_MAX_CASES)                                                  \
			unit_cases[unit_ncases++] = (struct unit_case){ #name, name };             \
	}                                                                                          \
	static void name(void)

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("  FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                   \
			unit_case_failed = 1;                                                      \
		}                                                                                  \
	} while (0)

#define CHECK_STR(a, b)                                                                            \
	do {                                                                                       \
		const char *a_ = (a), *b_ = (b);                                                   \
		if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                           \
			printf("  FAIL %s:%d: %s == %s: \"%s\" != \"%s\"\n", __FILE__, __LINE__,   \
			       #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)");                     \
			unit_case_failed = 1;                                                      \
		}                                                                                  \
	} while (0)

#define CHECK_INT(a, b)                                                                            \
	do {                                                                                       \
		long long a_ = (long long)(a), b_ = (long long)(b);                                \
		if (a_ != b_) {                                                                    \
			printf("  FAIL %s:%d: %s == %s: %lld != %lld\n", __FILE__, __LINE__, #a,   \
			       #b, a_, b_);                                                        \
			unit_case_failed = 1;                                                      \
		}                                                                                  \
	} while (0)

int unit_run(void);

#ifdef UNIT_MAIN
struct unit_case unit_cases[UNIT_MAX_CASES];
int unit_ncases;
int unit_case_failed;

int unit_run(void)
{
	int passed = 0, failed = 0;

	for (int i = 0; i < unit_ncases; i++) {
		unit_case_failed = 0;
		unit_cases[i].fn();
		if (unit_case_failed) {
			printf("FAIL %s\n", unit_cases[i].name);
			failed++;
		} else {
			passed++;
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
#endif

#endif /* VIGIL_UNIT_H */
