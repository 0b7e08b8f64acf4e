/* SPDX-License-Identifier: Apache-2.0 */
/* BPF lifecycle: open the skeleton, size maps from configuration, check the ABI, load,
 * attach, and tear down. Every step is checked and names what failed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "agent.h"
#include "log.h"
#include "vigil.skel.h"

static bool is_pow2(size_t v)
{
	return v && !(v & (v - 1));
}

static int size_maps(struct agent *a)
{
	long page = sysconf(_SC_PAGESIZE);
	int err;

	if (!is_pow2(a->cfg.ringbuf_bytes) || a->cfg.ringbuf_bytes < (size_t)page) {
		log_error("--ringbuf-size %zu: must be a power of two and at least %ld bytes",
			  a->cfg.ringbuf_bytes, page);
		return -EINVAL;
	}
	a->skel->rodata->vg_ringbuf_size = a->cfg.ringbuf_bytes;
	err = bpf_map__set_max_entries(a->skel->maps.events, a->cfg.ringbuf_bytes);
	if (!err)
		err = bpf_map__set_max_entries(a->skel->maps.proc_table,
					       a->cfg.proc_table_entries);
	if (err)
		log_error("cannot size BPF maps: %s", strerror(-err));
	return err;
}

static int check_abi(struct agent *a)
{
	if (a->skel->rodata->vg_abi_version == VG_ABI_VERSION)
		return 0;
	log_error("BPF object ABI %u does not match the agent's %u: rebuild vigil",
		  a->skel->rodata->vg_abi_version, VG_ABI_VERSION);
	return -EPROTO;
}

int agent_bpf_start(struct agent *a)
{
	int err;

	LIBBPF_OPTS(bpf_object_open_opts, opts);

	if (strcmp(a->cfg.btf_path, "/sys/kernel/btf/vmlinux") != 0)
		opts.btf_custom_path = a->cfg.btf_path;
	a->skel = vigil_bpf__open_opts(&opts);
	if (!a->skel) {
		err = -errno;
		log_error("cannot open the BPF object: %s", strerror(errno));
		return err;
	}
	err = size_maps(a);
	if (!err)
		err = check_abi(a);
	if (err)
		return err;
	err = vigil_bpf__load(a->skel);
	if (err) {
		log_error("cannot load BPF programs: %s (run with --log-level debug for the "
			  "verifier log)", strerror(-err));
		return err;
	}
	err = vigil_bpf__attach(a->skel);
	if (err) {
		log_error("cannot attach BPF programs: %s", strerror(-err));
		return err;
	}
	a->nprogs = a->skel->skeleton->prog_cnt;
	a->rb = ring_buffer__new(bpf_map__fd(a->skel->maps.events), agent_handle_record, a,
				 NULL);
	if (!a->rb) {
		err = -errno;
		log_error("cannot open the ring buffer: %s", strerror(errno));
		return err;
	}
	return 0;
}

void agent_bpf_detach(struct agent *a)
{
	if (a->skel)
		vigil_bpf__detach(a->skel);
}

void agent_bpf_stop(struct agent *a)
{
	ring_buffer__free(a->rb);
	a->rb = NULL;
	vigil_bpf__destroy(a->skel);
	a->skel = NULL;
}

int agent_bpf_kstats(struct agent *a, struct vg_kstats *out)
{
	struct vg_kstats *per;
	__u32 zero = 0;
	int err;

	memset(out, 0, sizeof(*out));
	if (!a->skel)
		return -ENOENT;
	per = calloc(a->ncpus, sizeof(*per));
	if (!per)
		return -ENOMEM;
	err = bpf_map_lookup_elem(bpf_map__fd(a->skel->maps.kstats), &zero, per);
	if (err) {
		err = -errno;
		goto out;
	}
	for (int c = 0; c < a->ncpus; c++) {
		for (int t = 0; t < VG_EV_MAX; t++) {
			out->emitted[t] += per[c].emitted[t];
			out->dropped[t] += per[c].dropped[t];
			out->seen[t] += per[c].seen[t];
		}
		out->threads_skipped += per[c].threads_skipped;
		out->table_full += per[c].table_full;
	}
out:
	free(per);
	return err;
}
