/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include "log.h"
#include "sysenv.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static int cap_effective(unsigned long long *caps)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data) < 0)
		return -errno;
	*caps = ((unsigned long long)data[1].effective << 32) | data[0].effective;
	return 0;
}

static bool has_cap(unsigned long long caps, int cap)
{
	return caps & (1ULL << cap);
}

int sysenv_check_privileges(void)
{
	unsigned long long caps = 0;
	bool bpf, perfmon, admin;

	if (cap_effective(&caps) < 0) {
		log_error("cannot read capabilities: %s", strerror(errno));
		return -EPERM;
	}
	admin = has_cap(caps, CAP_SYS_ADMIN);
	bpf = has_cap(caps, CAP_BPF) || admin;
	perfmon = has_cap(caps, CAP_PERFMON) || admin;
	if (bpf && perfmon)
		return 0;
	log_error("vigil needs to load and attach BPF programs: run it as root, or grant "
		  "CAP_BPF and CAP_PERFMON (plus CAP_SYS_RESOURCE on kernels before 5.11); "
		  "missing:%s%s (euid %u)",
		  bpf ? "" : " CAP_BPF", perfmon ? "" : " CAP_PERFMON", geteuid());
	return -EPERM;
}

int sysenv_check_btf(const char *path)
{
	if (access(path, R_OK) == 0)
		return 0;
	log_error("no kernel BTF at %s (%s): vigil's CO-RE programs need a kernel built with "
		  "CONFIG_DEBUG_INFO_BTF=y (Linux >= 5.8; most distributions ship it)",
		  path, strerror(errno));
	return -ENOENT;
}

int sysenv_find_mount(const char *mounts_file, const char *fstype, char *out, int outsz)
{
	char line[4096], dev[256], dir[PATH_MAX], type[64];
	FILE *f = fopen(mounts_file, "re");
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%255s %4095s %63s", dev, dir, type) != 3)
			continue;
		if (strcmp(type, fstype) == 0) {
			snprintf(out, outsz, "%s", dir);
			err = 0;
			break;
		}
	}
	fclose(f);
	return err;
}

/* Find or mount a pseudo file system at its conventional place. */
static int ensure_fs(const char *mounts_file, const char *fstype, const char *where, char *out,
		     bool mount_missing, bool *mounted)
{
	if (sysenv_find_mount(mounts_file, fstype, out, PATH_MAX) == 0)
		return 0;
	out[0] = 0;
	if (!mount_missing)
		return -ENOENT;
	if (mkdir(where, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (mount(fstype, where, fstype, 0, NULL) < 0)
		return -errno;
	snprintf(out, PATH_MAX, "%s", where);
	*mounted = true;
	log_info("mounted %s at %s", fstype, where);
	return 0;
}

int sysenv_discover(struct sysenv *env, const char *mounts_file, bool mount_missing)
{
	int err;

	memset(env, 0, sizeof(*env));
	if (sysenv_find_mount(mounts_file, "cgroup2", env->cgroup2, sizeof(env->cgroup2)) < 0)
		log_warn("no cgroup v2 mount in %s: processes from before start-up get no cgroup "
			 "id (their container id still comes from /proc/PID/cgroup)", mounts_file);
	err = ensure_fs(mounts_file, "bpf", "/sys/fs/bpf", env->bpffs, mount_missing,
			&env->mounted_bpffs);
	if (err)
		log_warn("bpffs is not mounted and mounting it failed: %s", strerror(-err));
	err = ensure_fs(mounts_file, "tracefs", "/sys/kernel/tracing", env->tracefs,
			mount_missing, &env->mounted_tracefs);
	if (err)
		log_warn("tracefs is not mounted and mounting it failed: %s (syscall tracepoints "
			 "will be unavailable)", strerror(-err));
	return 0;
}

void sysenv_raise_memlock(void)
{
	struct rlimit r = { RLIM_INFINITY, RLIM_INFINITY };

	if (setrlimit(RLIMIT_MEMLOCK, &r) < 0)
		log_debug("cannot raise RLIMIT_MEMLOCK (%s); fine on kernels >= 5.11, which "
			  "charge BPF memory to the memory cgroup", strerror(errno));
}
