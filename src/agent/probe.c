/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "log.h"
#include "probe.h"

/* r0 = 0; exit */
static const struct bpf_insn ret0[] = {
	{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
	{ .code = BPF_JMP | BPF_EXIT },
};

static struct feature load_probe(enum bpf_prog_type type, enum bpf_attach_type attach,
				 int btf_id)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = attach,
		    .attach_btf_id = btf_id);
	struct feature ft = { 0 };
	int fd;

	fd = bpf_prog_load(type, NULL, "GPL", ret0, 2, &opts);
	if (fd < 0) {
		ft.err = -errno;
		return ft;
	}
	close(fd);
	ft.ok = true;
	return ft;
}

/* Probe a BTF-attached program type against a kernel function or type named `name`. */
static struct feature btf_probe(struct btf *vmlinux, enum bpf_prog_type type,
				enum bpf_attach_type attach, const char *name, int kind)
{
	struct feature ft = { .err = -ENOENT };
	int id;

	if (!vmlinux)
		return ft;
	id = btf__find_by_name_kind(vmlinux, name, kind);
	if (id < 0)
		return ft;
	return load_probe(type, attach, id);
}

/* A kprobe program can load yet fail to attach (lockdown, perf_event_paranoid, a sandbox):
 * probe the attach through the kprobe PMU too. */
static struct feature kprobe_probe(void)
{
	struct feature ft = load_probe(BPF_PROG_TYPE_KPROBE, 0, 0);
	struct perf_event_attr attr = { .size = sizeof(attr) };
	char buf[32] = "";
	FILE *f;
	int pfd, prog;

	if (!ft.ok)
		return ft;
	f = fopen("/sys/bus/event_source/devices/kprobe/type", "re");
	if (!f || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		return (struct feature){ .err = -ENOENT };
	}
	fclose(f);
	attr.type = (unsigned)atoi(buf);
	attr.config1 = (unsigned long)"do_unlinkat"; /* kprobe_func */
	pfd = syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0)
		return (struct feature){ .err = -errno };
	prog = bpf_prog_load(BPF_PROG_TYPE_KPROBE, NULL, "GPL", ret0, 2, NULL);
	ft = (struct feature){ .ok = true };
	if (prog < 0 || ioctl(pfd, PERF_EVENT_IOC_SET_BPF, prog) < 0)
		ft = (struct feature){ .err = -errno };
	if (prog >= 0)
		close(prog);
	close(pfd);
	return ft;
}

static bool lsm_active(void)
{
	char buf[512] = "";
	FILE *f = fopen("/sys/kernel/security/lsm", "re");

	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	for (char *tok = strtok(buf, ",\n"); tok; tok = strtok(NULL, ",\n"))
		if (strcmp(tok, "bpf") == 0)
			return true;
	return false;
}

static struct feature libbpf_answer(int r)
{
	struct feature ft = { .ok = r == 1, .err = r == 1 ? 0 : (r < 0 ? r : -EOPNOTSUPP) };

	return ft;
}

void features_probe(struct features *f)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();

	if (libbpf_get_error(vmlinux))
		vmlinux = NULL;
	memset(f, 0, sizeof(*f));
	f->ringbuf = libbpf_answer(libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL));
	f->tp_btf = btf_probe(vmlinux, BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP,
			      "btf_trace_sched_process_exec", BTF_KIND_TYPEDEF);
	f->kprobe = kprobe_probe();
	f->fentry = btf_probe(vmlinux, BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, "do_unlinkat",
			      BTF_KIND_FUNC);
	f->lsm = btf_probe(vmlinux, BPF_PROG_TYPE_LSM, BPF_LSM_MAC, "bpf_lsm_file_open",
			   BTF_KIND_FUNC);
	if (f->lsm.ok && !lsm_active()) {
		f->lsm.ok = false;
		f->lsm.err = -ENOTSUP; /* loads, but "bpf" is not in the boot's lsm= list */
	}
	f->send_signal = libbpf_answer(
		libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_send_signal, NULL));
	f->cgroup_sock_addr =
		libbpf_answer(libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, NULL));
	btf__free(vmlinux);
}

const char *feature_str(const struct feature *ft, char *buf, int bufsz)
{
	const char *name;

	if (ft->ok)
		return "yes";
	switch (-ft->err) {
	case EPERM: name = "EPERM"; break;
	case EINVAL: name = "EINVAL"; break;
	case ENOENT: name = "not available"; break;
	case ENOTSUP: name = "not enabled"; break;
	default: name = NULL;
	}
	if (name)
		snprintf(buf, bufsz, "no (%s)", name);
	else
		snprintf(buf, bufsz, "no (errno %d)", -ft->err);
	return buf;
}

void features_log(const struct features *f)
{
	char b[7][32];

	log_info("kernel features: ringbuf=%s tp_btf=%s kprobe=%s fentry=%s lsm=%s "
		 "send_signal=%s cgroup_sock_addr=%s",
		 feature_str(&f->ringbuf, b[0], 32), feature_str(&f->tp_btf, b[1], 32),
		 feature_str(&f->kprobe, b[2], 32), feature_str(&f->fentry, b[3], 32),
		 feature_str(&f->lsm, b[4], 32), feature_str(&f->send_signal, b[5], 32),
		 feature_str(&f->cgroup_sock_addr, b[6], 32));
	if (!f->kprobe.ok || !f->fentry.ok || !f->lsm.ok)
		log_info("degraded: without kprobe/fentry/LSM, vigil uses tracepoints only "
			 "(process lifecycle is unaffected)");
}
