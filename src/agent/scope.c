/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "agent.h"
#include "log.h"
#include "pathutil.h"
#include "scope.h"
#include "vigil.skel.h"

#define POD_SCAN_DEPTH 5 /* kubepods.slice/kubepods-besteffort.slice/...-pod<uid>.slice */

static int add_cgroup_id(struct agent *a, uint64_t id)
{
	__u8 one = 1;

	if (bpf_map_update_elem(bpf_map__fd(a->skel->maps.scope_cgroups), &id, &one, BPF_ANY))
		return -errno;
	return 0;
}

/* kubelet names a pod's cgroup "pod<uid>" (cgroupfs) or "...-pod<uid_with_underscores>.slice"
 * (systemd); compare with dashes and underscores as equal. */
static bool names_pod(const char *dir, const char *uid)
{
	const char *p = strstr(dir, "pod");

	for (; p; p = strstr(p + 1, "pod")) {
		const char *d = p + 3, *u = uid;

		while (*u && (*d == *u || (*d == '_' && *u == '-') || (*d == '-' && *u == '_')))
			d++, u++;
		if (!*u && (!*d || !strcmp(d, ".slice")))
			return true;
	}
	return false;
}

static int scan_pods(struct agent *a, const char *dir, int depth, int *found)
{
	struct dirent *de;
	DIR *d;

	if (depth > POD_SCAN_DEPTH || !(d = opendir(dir)))
		return 0;
	while ((de = readdir(d))) {
		char path[4096];
		struct stat st;
		bool match = false;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		for (unsigned i = 0; i < a->cfg.scope.npods && !match; i++)
			match = names_pod(de->d_name, a->cfg.scope.pods[i]);
		if (match && stat(path, &st) == 0 && add_cgroup_id(a, st.st_ino) == 0)
			(*found)++;
		else if (!match)
			scan_pods(a, path, depth + 1, found);
	}
	closedir(d);
	return 0;
}

int scope_refresh(struct agent *a)
{
	int found = 0;

	if (a->cfg.scope.mode != VG_SCOPE_CGROUPS || !a->cfg.scope.npods || !a->env.cgroup2[0])
		return 0;
	scan_pods(a, a->env.cgroup2, 0, &found);
	return found;
}

static int apply_cgroups(struct agent *a)
{
	int n = 0;

	if (!a->env.cgroup2[0]) {
		log_error("--scope pod:/cgroup: needs cgroup v2, which this host does not mount");
		return -ENOENT;
	}
	for (unsigned i = 0; i < a->cfg.scope.ncgroups; i++) {
		char path[4096];
		struct stat st;

		snprintf(path, sizeof(path), "%s%s", a->env.cgroup2, a->cfg.scope.cgroups[i]);
		if (stat(path, &st) < 0) {
			log_warn("--scope cgroup:%s: %s (not in scope until it exists; vigil does "
				 "not watch for it)", a->cfg.scope.cgroups[i], strerror(errno));
			continue;
		}
		if (add_cgroup_id(a, st.st_ino) == 0)
			n++;
	}
	n += scope_refresh(a);
	log_info("scope: %d cgroups in scope now (%u pods, %u cgroup paths configured)", n,
		 a->cfg.scope.npods, a->cfg.scope.ncgroups);
	return 0;
}

static int apply_path_filters(struct agent *a)
{
	int fd = bpf_map__fd(a->skel->maps.path_filter);

	for (unsigned i = 0; i < a->cfg.npath_filters; i++) {
		const struct vg_path_filter *pf = &a->cfg.path_filters[i];
		struct vg_path_key k = { 0 };
		__u32 v = pf->report ? VG_PATH_REPORT : VG_PATH_IGNORE;
		size_t n = strlen(pf->path);

		if (pf->path[n - 1] == '*')
			n--; /* a prefix: the bytes before the '*' */
		else if (pf->path[n - 1] != '/')
			n++; /* exact: include the NUL */
		memcpy(k.path, pf->path, n < sizeof(k.path) ? n : sizeof(k.path));
		k.prefixlen = n * 8;
		if (bpf_map_update_elem(fd, &k, &v, BPF_ANY)) {
			log_error("path filter %s: %s", pf->path, strerror(errno));
			return -errno;
		}
	}
	a->skel->bss->vg_path_filters = a->cfg.npath_filters;
	return 0;
}

int scope_host_mnt_ns(struct agent *a, const char *who)
{
	struct stat st;

	/* init's namespace is the host's; when it is hidden from us (a sandbox without
	 * CAP_SYS_PTRACE over pid 1), vigil's own is the best guess: say so */
	if (stat("/proc/1/ns/mnt", &st) < 0) {
		log_warn("%s: cannot read /proc/1/ns/mnt (%s); taking vigil's own mount namespace "
			 "as the host's", who, strerror(errno));
		if (stat("/proc/self/ns/mnt", &st) < 0) {
			log_error("%s: cannot read /proc/self/ns/mnt: %s", who, strerror(errno));
			return -errno;
		}
	}
	a->skel->bss->vg_host_mnt_ns = st.st_ino;
	return 0;
}

int scope_apply(struct agent *a)
{
	int err;

	a->skel->bss->vg_self_tgid = getpid();
	for (int t = 0; t < VG_EV_MAX; t++)
		a->skel->bss->vg_sample[t] = a->cfg.sample[t];
	if (a->cfg.scope.mode == VG_SCOPE_CONTAINERS &&
	    (err = scope_host_mnt_ns(a, "--scope containers")))
		return err;
	if (a->cfg.scope.mode == VG_SCOPE_CGROUPS && (err = apply_cgroups(a)))
		return err;
	if ((err = apply_path_filters(a)))
		return err;
	/* the mode last: the kernel starts filtering once the sets it consults are filled */
	a->skel->bss->vg_scope_mode = a->cfg.scope.mode;
	return 0;
}

bool scope_path_ignored(const struct agent *a, const char *path)
{
	size_t best = 0;
	bool ignored = false;

	for (unsigned i = 0; i < a->cfg.npath_filters; i++) {
		const struct vg_path_filter *pf = &a->cfg.path_filters[i];
		size_t n = strlen(pf->path);

		if (n > best && path_filter_match(pf->path, path)) {
			best = n;
			ignored = !pf->report;
		}
	}
	return ignored;
}
