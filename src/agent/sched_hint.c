/* SPDX-License-Identifier: Apache-2.0 */
/* sched_hint.h: the event thread's slice request (sched_setattr; glibc has no wrapper). */
#include <errno.h>
#include <linux/sched.h>
#include <linux/sched/types.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sched_hint.h"

static int get_attr(struct sched_attr *now)
{
	memset(now, 0, sizeof(*now));
	return syscall(SYS_sched_getattr, 0, now, sizeof(*now), 0) ? -errno : 0;
}

/* sched_runtime 0 asks for the kernel's default slice */
static int set_slice(unsigned long long ns, const struct sched_attr *cur)
{
	struct sched_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.sched_policy = cur->sched_policy;
	attr.sched_nice = cur->sched_nice;
	attr.sched_runtime = ns;
	return syscall(SYS_sched_setattr, 0, &attr, 0) ? -errno : 0;
}

void sched_hint_default_slice(void)
{
	struct sched_attr now;

	if (get_attr(&now) == 0 && now.sched_runtime &&
	    (now.sched_policy == SCHED_NORMAL || now.sched_policy == SCHED_BATCH))
		set_slice(0, &now);
}

unsigned sched_hint_slice_us(void)
{
	struct sched_attr now;

	if (get_attr(&now))
		return 0;
	return (unsigned)(now.sched_runtime / 1000);
}

int sched_hint_short_slice(unsigned slice_us, unsigned *got_us)
{
	struct sched_attr now;
	int err;

	*got_us = 0;
	if (slice_us < 100 || slice_us > 100000)
		return -EINVAL;
	if ((err = get_attr(&now)))
		return err;
	/* only the normal policies have a slice; a thread someone made real-time stays so */
	if (now.sched_policy != SCHED_NORMAL && now.sched_policy != SCHED_BATCH)
		return -EPERM;
	/* the value is in range: a kernel that refuses it has no per-thread slice */
	if ((err = set_slice((unsigned long long)slice_us * 1000, &now)))
		return err == -EINVAL ? -ENOTSUP : err;
	if ((err = get_attr(&now)))
		return err;
	if (!now.sched_runtime)
		return -ENOTSUP;
	*got_us = (unsigned)(now.sched_runtime / 1000);
	return 0;
}
