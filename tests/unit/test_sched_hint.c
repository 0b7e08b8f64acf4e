/* SPDX-License-Identifier: Apache-2.0 */
/* sched_hint: the event thread's slice, against this kernel (an unprivileged request). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/utsname.h>

#define UNIT_MAIN
#include "unit.h"
#include "sched_hint.h"

/* Linux 6.12 brought the per-thread slice; before it the request must say -ENOTSUP */
static int kernel_has_slice(void)
{
	struct utsname u;
	int maj = 0, min = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &maj, &min) != 2)
		return -1;
	return maj > 6 || (maj == 6 && min >= 12);
}

/* what a thread started by a thread with a short slice has, before and after it resets */
static void *child(void *arg)
{
	unsigned *out = arg;

	out[0] = sched_hint_slice_us();
	sched_hint_default_slice();
	out[1] = sched_hint_slice_us();
	return NULL;
}

UNIT_TEST(out_of_range_is_refused)
{
	unsigned got = 7;

	CHECK_INT(sched_hint_short_slice(0, &got), -EINVAL);
	CHECK_INT(got, 0);
	CHECK_INT(sched_hint_short_slice(99, &got), -EINVAL);
	CHECK_INT(sched_hint_short_slice(100001, &got), -EINVAL);
}

UNIT_TEST(short_slice_is_taken_where_the_kernel_has_one)
{
	unsigned got = 0, th[2] = { 0, 0 }, dflt;
	pthread_t t;
	int has = kernel_has_slice(), err;

	CHECK(has >= 0);
	dflt = sched_hint_slice_us();
	err = sched_hint_short_slice(100, &got);
	if (has == 1) {
		CHECK(dflt > 100); /* the kernel's base slice: 0.75 ms times a CPU-count factor */
		CHECK_INT(err, 0);
		CHECK_INT(got, 100);
		CHECK_INT(sched_hint_slice_us(), 100);
		/* threads inherit it, which is why those started later reset it */
		CHECK_INT(pthread_create(&t, NULL, child, th), 0);
		pthread_join(t, NULL);
		CHECK_INT(th[0], 100);
		CHECK_INT(th[1], dflt);
		CHECK_INT(sched_hint_slice_us(), 100); /* the creator keeps its own */
		CHECK_INT(sched_hint_short_slice(5000, &got), 0);
		CHECK_INT(got, 5000);
		sched_hint_default_slice();
		CHECK_INT(sched_hint_slice_us(), dflt);
	} else {
		CHECK_INT(err, -ENOTSUP);
		CHECK_INT(got, 0);
		CHECK_INT(dflt, 0);
	}
}

int main(void)
{
	return unit_run();
}
