/* SPDX-License-Identifier: Apache-2.0 */
/* A latency hint to the scheduler for the thread that reads the ring buffer and acts on it. */
#ifndef VIGIL_SCHED_HINT_H
#define VIGIL_SCHED_HINT_H

/* Ask for a time slice of slice_us (100 .. 100000) for the calling thread, keeping its policy
 * and nice value. Under EEVDF (Linux 6.12 and later) a thread with a short slice gets an early
 * virtual deadline, so when it wakes the kernel switches to it at once instead of letting the
 * running task finish its slice, which can take up to a scheduler tick (4 ms at HZ=250). The
 * thread gets no more CPU than before, only in shorter turns.
 *
 * Returns 0 and sets *got_us to the slice the kernel reports, -ENOTSUP when the kernel took
 * the call but has no per-thread slice (it reports none back: kernels before 6.12), or
 * another negative errno when the call failed. */
int sched_hint_short_slice(unsigned slice_us, unsigned *got_us);

/* Back to the kernel's default slice for the calling thread. Threads inherit their creator's
 * slice, so those the event thread starts later (outputs added by a reload) call this first.
 * Does nothing where the kernel has no per-thread slice. */
void sched_hint_default_slice(void);

/* The calling thread's slice in microseconds; 0 where the kernel has no per-thread slice. */
unsigned sched_hint_slice_us(void);

#endif /* VIGIL_SCHED_HINT_H */
