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
#include "evsel.h"
#include "scope.h"
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

/* Load only the programs the enabled event types need, and whose hooks this kernel has. */
static void select_programs(struct agent *a)
{
	struct bpf_object_skeleton *s = a->skel->skeleton;
	uint64_t attached = evsel_attached(a->kernel_events);

	for (int i = 0; i < s->prog_cnt; i++) {
		struct bpf_program *p = *s->progs[i].prog;
		uint64_t types = evsel_prog_types(s->progs[i].name);
		bool want = types & attached;

		if (!strncmp(s->progs[i].name, "vg_enf_", 7)) { /* enforcement: enforce.c says */
			want = agent_enforce_wants_prog(a, s->progs[i].name);
			if (want && !evsel_section_present(a->env.tracefs,
							   bpf_program__section_name(p))) {
				log_warn("hook %s is missing on this kernel: enforcement on it is "
					 "decided in user space", bpf_program__section_name(p));
				want = false;
			}
			bpf_program__set_autoload(p, want);
			continue;
		}

		if (want && !evsel_section_present(a->env.tracefs, bpf_program__section_name(p))) {
			log_warn("hook %s is missing on this kernel: %s events from it are not "
				 "available", bpf_program__section_name(p), s->progs[i].name + 3);
			want = false;
		}
		if (!types)
			log_warn("program %s maps to no event type; not loaded", s->progs[i].name);
		bpf_program__set_autoload(p, want);
	}
}

/* Attach each loaded program on its own: one missing hook degrades, it does not stop vigil.
 * Links go into the skeleton so vigil_bpf__detach() releases them. */
static int attach_programs(struct agent *a)
{
	struct bpf_object_skeleton *s = a->skel->skeleton;
	int failed = 0;

	a->nprogs = 0;
	for (int i = 0; i < s->prog_cnt; i++) {
		struct bpf_program *p = *s->progs[i].prog;
		struct bpf_link *l;

		if (!bpf_program__autoload(p))
			continue;
		if (bpf_program__type(p) == BPF_PROG_TYPE_CGROUP_SOCK_ADDR ||
		    bpf_program__type(p) == BPF_PROG_TYPE_CGROUP_DEVICE)
			continue; /* on a cgroup: agent_enforce_attach */
		l = bpf_program__attach(p);
		if (!l) {
			log_warn("cannot attach %s (%s): %s", s->progs[i].name,
				 bpf_program__section_name(p), strerror(errno));
			failed++;
			continue;
		}
		*s->progs[i].link = l;
		a->nprogs++;
	}
	if (!a->nprogs)
		return -ENOENT;
	if (failed)
		log_warn("%d programs could not be attached; their events are missing", failed);
	return 0;
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
	if ((err = agent_enforce_prepare(a)))
		return err;
	select_programs(a);
	err = vigil_bpf__load(a->skel);
	if (err) {
		log_error("cannot load BPF programs: %s (run with --log-level debug for the "
			  "verifier log)", strerror(-err));
		return err;
	}
	err = scope_apply(a);
	if (!err)
		err = agent_rules_kernel(a);
	if (!err)
		err = agent_enforce_apply(a);
	if (err)
		return err;
	err = attach_programs(a);
	if (err) {
		log_error("no BPF program could be attached");
		return err;
	}
	if ((err = agent_enforce_attach(a)))
		return err;
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
	agent_enforce_detach(a);
	if (a->skel)
		vigil_bpf__detach(a->skel);
}

void agent_bpf_stop(struct agent *a)
{
	agent_enforce_stop(a);
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
			for (int r = 0; r < VG_FILTER_MAX; r++)
				out->filtered[r][t] += per[c].filtered[r][t];
		}
		out->stash_miss += per[c].stash_miss;
		out->threads_skipped += per[c].threads_skipped;
		out->table_full += per[c].table_full;
	}
out:
	free(per);
	return err;
}
