/* SPDX-License-Identifier: Apache-2.0 */
/* Record assembly: header, tail strings, and delivery with per-type accounting.
 * Include after vmlinux.h, bpf helpers, vigil/events.h and maps.bpf.h. */
#ifndef VIGIL_EMIT_BPF_H
#define VIGIL_EMIT_BPF_H

/* Offsets inside a record are masked with this so the verifier can bound every write;
 * the logic keeps them below VG_RECORD_MAX anyway. */
#define VG_OFF_MASK (VG_RECORD_MAX - 1)

/* A tail offset the verifier can see is bounded: clang drops a plain mask it can prove
 * redundant, and the verifier then loses the bound, so mask in asm. */
static __always_inline __u32 vg_off(__u32 off)
{
	__u64 v = off;

	asm volatile("%0 &= 0x3fff" : "+r"(v));
	return v;
}

static __always_inline struct vg_kstats *vg_stats(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&kstats, &zero);
}

static __always_inline void *vg_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&scratch, &zero);
}

static __always_inline void vg_count_seen(__u16 type)
{
	struct vg_kstats *st = vg_stats();

	if (st && type < VG_EV_MAX)
		st->seen[type]++;
}

/* Fill the common header from `task` (the subject of the record, not always current; a BTF
 * pointer, see task.bpf.h). */
static __always_inline void vg_hdr_init(struct vg_hdr *h, __u16 type, struct task_struct *task)
{
	h->type = type;
	h->size = 0;
	h->cpu = bpf_get_smp_processor_id();
	h->abi = VG_ABI_VERSION;
	h->seq = 0; /* given by vg_submit: only records sent or lost use a number */
	h->ts_ns = bpf_ktime_get_boot_ns();
	h->pid = task->pid;
	h->tgid = task->tgid;
	h->cgroup_id = 0;
	h->cg_flags = 0;
	h->_pad0 = 0;
	h->cgroup = (struct vg_str){};
}

/* Waking the agent for every record costs a context switch each, which at exec-storm rates
 * is most of the agent's overhead. Wake it when VG_WAKEUP_NS (events.h) has passed since the
 * last wakeup, or when the ring is a quarter full while it sleeps; otherwise let records
 * batch: the agent looks again VG_WAKEUP_NS after each wakeup (run.c). */

/* Record types that wake the agent at once: those a rule decided in user space acts on, so
 * that its kill follows the syscall by microseconds, not by a batching interval. Set by user
 * space (enforce.c). */
__u64 vg_wake_types;

/* Nonzero while the agent's event thread is between two waits (run.c): it reads the ring
 * again without being woken. A forced wakeup is a self-IPI from inside the traced syscall,
 * which traps to the hypervisor on a VM; when the agent falls behind under a storm the ring
 * stays a quarter full, and without this check every record sent one, all of them wasted.
 * The flag can be stale by a few instructions as the agent goes to sleep; the next record
 * then wakes it, and the VG_WAKEUP_NS rule bounds the wait if none comes. */
__u32 vg_consumer_awake;

static __always_inline __u64 vg_wakeup_flag(__u64 now, __u16 type)
{
	__u32 zero = 0;
	__u64 *last = bpf_map_lookup_elem(&last_wakeup, &zero);

	if (!last)
		return 0;
	if (now - *last >= VG_WAKEUP_NS || (type < 64 && (vg_wake_types >> type) & 1) ||
	    (!vg_consumer_awake &&
	     bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= vg_ringbuf_size / 4)) {
		*last = now;
		return BPF_RB_FORCE_WAKEUP;
	}
	return BPF_RB_NO_WAKEUP;
}

/* Copy the record out with its real size; count it as emitted or dropped. */
static __always_inline int vg_submit(struct vg_hdr *h, __u32 size)
{
	struct vg_kstats *st = vg_stats();
	__u16 type = h->type;
	__u32 zero = 0;
	__u64 *seq = bpf_map_lookup_elem(&seqs, &zero);
	long err;

	if (size > VG_RECORD_MAX)
		size = VG_RECORD_MAX;
	/* clang folds the clamp above into the u32 range; restate the bound for the verifier */
	asm volatile("%0 &= 0x7fff" : "+r"(size));
	if (size > VG_RECORD_MAX)
		return -1;
	h->size = size;
	h->seq = seq ? ++*seq : 0;
	h->cpu = bpf_get_smp_processor_id(); /* the CPU whose sequence this is */
	err = bpf_ringbuf_output(&events, h, size, vg_wakeup_flag(h->ts_ns, type));
	if (st && type < VG_EV_MAX) {
		if (err)
			st->dropped[type]++;
		else
			st->emitted[type]++;
	}
	return err ? -1 : 0;
}

/* Tail string helpers. `rec` is the scratch record, `*off` the tail cursor. */
static __always_inline void vg_str_begin(struct vg_str *s, __u32 off)
{
	s->off = off;
	s->len = 0;
	s->flags = 0;
	s->count = 0;
}

/* Append one kernel string (NUL included) of at most VG_NAME_MAX bytes. */
static __always_inline int vg_tail_kstr(void *rec, __u32 *off, const void *src)
{
	long n;

	if (*off > VG_RECORD_MAX - VG_NAME_MAX)
		return -1;
	n = bpf_probe_read_kernel_str(rec + (*off & VG_OFF_MASK), VG_NAME_MAX, src);
	if (n <= 0) {
		*(char *)(rec + (*off & VG_OFF_MASK)) = 0;
		n = 1;
	}
	*off += n;
	return 0;
}

#endif /* VIGIL_EMIT_BPF_H */
