// SPDX-License-Identifier: Apache-2.0
/*
 * Bit set decoders (see flagnames.h). Values are written out here rather than taken from libc
 * headers: glibc defines O_LARGEFILE as 0 on 64-bit targets and older headers lack newer
 * flags, but vigil sees the raw values the kernel sees. The unit tests check the tables
 * against the system headers wherever those define a name.
 */
#include <errno.h>
#include <stdio.h>

#include "flagnames.h"
#include "json.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define N(name, v)    [v] = #name

/* A name and the bits it stands for; a mask of several bits matches only when all are set. */
struct flag_name {
	uint64_t mask;
	const char *name;
};

/* clang-format off */
#define FLAG(name, mask) { (mask), #name }
/* clang-format on */

/*
 * Write the names whose bits are all set in v, in table order; each match consumes its bits,
 * so a multi-bit name listed before its parts (O_SYNC before O_DSYNC) wins. Returns the bits
 * nothing matched.
 */
static uint64_t flags_put(struct json_w *w, const struct flag_name *tab, size_t n, uint64_t v)
{
	for (size_t i = 0; i < n; i++) {
		if ((v & tab[i].mask) == tab[i].mask) {
			json_str(w, tab[i].name);
			v &= ~tab[i].mask;
		}
	}
	return v;
}

/* Leftover bits as one hex string, so an unknown flag is visible rather than lost. */
static void rest_put(struct json_w *w, uint64_t rest)
{
	char hex[24];

	if (!rest)
		return;
	snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)rest);
	json_str(w, hex);
}

static void flags_json(struct json_w *w, const struct flag_name *tab, size_t n, uint64_t v)
{
	json_arr_begin(w);
	rest_put(w, flags_put(w, tab, n, v));
	json_arr_end(w);
}

void enum_json(struct json_w *w, const char *name, long long v)
{
	char num[24];

	if (name) {
		json_str(w, name);
		return;
	}
	snprintf(num, sizeof(num), "%lld", v);
	json_str(w, num);
}

/* --- files --- */

/* asm-generic/fcntl.h; arm64 moves four bits (arch/arm64/include/uapi/asm/fcntl.h). */
#if defined(__aarch64__)
#define VG_O_DIRECTORY 0040000
#define VG_O_NOFOLLOW  0100000
#define VG_O_DIRECT    0200000
#define VG_O_LARGEFILE 0400000
#else
#define VG_O_DIRECTORY 0200000
#define VG_O_NOFOLLOW  0400000
#define VG_O_DIRECT    0040000
#define VG_O_LARGEFILE 0100000
#endif
#define VG_O_ACCMODE   03
#define VG_O_CREAT     0100
#define VG_O_TRUNC     01000
#define VG_O_DSYNC     010000
#define VG___O_SYNC    04000000
#define VG_O_PATH      010000000
#define VG___O_TMPFILE 020000000

static const struct flag_name open_tab[] = {
    FLAG(O_CREAT, VG_O_CREAT),
    FLAG(O_EXCL, 0200),
    FLAG(O_NOCTTY, 0400),
    FLAG(O_TRUNC, VG_O_TRUNC),
    FLAG(O_APPEND, 02000),
    FLAG(O_NONBLOCK, 04000),
    FLAG(O_SYNC, VG___O_SYNC | VG_O_DSYNC),
    FLAG(__O_SYNC, VG___O_SYNC),
    FLAG(O_DSYNC, VG_O_DSYNC),
    FLAG(FASYNC, 020000),
    FLAG(O_DIRECT, VG_O_DIRECT),
    FLAG(O_LARGEFILE, VG_O_LARGEFILE),
    FLAG(O_TMPFILE, VG___O_TMPFILE | VG_O_DIRECTORY),
    FLAG(__O_TMPFILE, VG___O_TMPFILE),
    FLAG(O_DIRECTORY, VG_O_DIRECTORY),
    FLAG(O_NOFOLLOW, VG_O_NOFOLLOW),
    FLAG(O_NOATIME, 01000000),
    FLAG(O_CLOEXEC, 02000000),
    FLAG(O_PATH, VG_O_PATH),
};

void open_flags_json(struct json_w *w, uint32_t flags)
{
	static const char *const modes[] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"};

	json_arr_begin(w);
	json_str(w, modes[flags & VG_O_ACCMODE]);
	rest_put(w, flags_put(w, open_tab, ARRAY_SIZE(open_tab), flags & ~VG_O_ACCMODE));
	json_arr_end(w);
}

/* Mode 3 is not a write: the kernel opens it with neither FMODE_READ nor FMODE_WRITE. */
bool open_flags_write(uint32_t flags)
{
	uint32_t mode = flags & VG_O_ACCMODE;

	if (flags & VG_O_PATH)
		return false;
	return mode == 1 || mode == 2 || (flags & (VG_O_CREAT | VG_O_TRUNC | VG___O_TMPFILE));
}

static const struct flag_name at_tab[] = {
    FLAG(AT_SYMLINK_NOFOLLOW, 0x100), FLAG(AT_REMOVEDIR, 0x200),
    FLAG(AT_SYMLINK_FOLLOW, 0x400),   FLAG(AT_NO_AUTOMOUNT, 0x800),
    FLAG(AT_EMPTY_PATH, 0x1000),      FLAG(AT_STATX_FORCE_SYNC, 0x2000),
    FLAG(AT_STATX_DONT_SYNC, 0x4000), FLAG(AT_RECURSIVE, 0x8000),
};

void at_flags_json(struct json_w *w, uint32_t flags)
{
	flags_json(w, at_tab, ARRAY_SIZE(at_tab), flags);
}

static const struct flag_name rename_tab[] = {
    FLAG(RENAME_NOREPLACE, 1),
    FLAG(RENAME_EXCHANGE, 2),
    FLAG(RENAME_WHITEOUT, 4),
};

void rename_flags_json(struct json_w *w, uint32_t flags)
{
	flags_json(w, rename_tab, ARRAY_SIZE(rename_tab), flags);
}

int file_mode_format(uint32_t mode, char *out, size_t outsz)
{
	if (!out || outsz < 5)
		return -ENOSPC;
	return snprintf(out, outsz, "%04o", mode & 07777);
}

int flags_text(struct json_w *w, void (*fn)(struct json_w *, uint64_t), uint64_t flags,
	       char *out, size_t size)
{
	size_t n = 0;

	json_reset(w);
	fn(w, flags);
	if (w->err || w->len >= size)
		return -ENOSPC;
	for (size_t i = 0; i < w->len; i++) {
		char c = w->buf[i];

		if (c == ',')
			out[n++] = '|';
		else if (c != '[' && c != ']' && c != '"')
			out[n++] = c;
	}
	out[n] = '\0';
	return (int)n;
}

void open_flags_json64(struct json_w *w, uint64_t flags)
{
	open_flags_json(w, (uint32_t)flags);
}

int file_mode_names(uint32_t mode, char *out, size_t outsz)
{
	static const char *const names[12] = { "S_IXOTH", "S_IWOTH", "S_IROTH", "S_IXGRP",
					       "S_IWGRP", "S_IRGRP", "S_IXUSR", "S_IWUSR",
					       "S_IRUSR", "S_ISVTX", "S_ISGID", "S_ISUID" };
	size_t len = 0;

	if (!out || !outsz)
		return -ENOSPC;
	out[0] = 0;
	for (int b = 0; b < 12; b++) {
		if (!(mode & (1u << b)))
			continue;
		len += snprintf(out + len, len < outsz ? outsz - len : 0, "%s%s", len ? "|" : "",
				names[b]);
		if (len >= outsz)
			return -ENOSPC;
	}
	return (int)len;
}

const char *file_type_name(uint32_t mode)
{
	switch (mode & 0170000) {
	case 0100000:
		return "file";
	case 0040000:
		return "dir";
	case 0120000:
		return "symlink";
	case 0020000:
		return "chardev";
	case 0060000:
		return "blockdev";
	case 0010000:
		return "fifo";
	case 0140000:
		return "socket";
	default:
		return NULL;
	}
}

#define VG_MFD_HUGETLB	  0x4u
#define VG_MFD_HUGE_SHIFT 26
#define VG_MFD_HUGE_MASK  (0x3fu << VG_MFD_HUGE_SHIFT)

static const struct flag_name memfd_tab[] = {
    FLAG(MFD_CLOEXEC, 0x1),	FLAG(MFD_ALLOW_SEALING, 0x2), FLAG(MFD_HUGETLB, VG_MFD_HUGETLB),
    FLAG(MFD_NOEXEC_SEAL, 0x8), FLAG(MFD_EXEC, 0x10),
};

/* The size field is log2 of the page size; the kernel's names are MFD_HUGE_64KB .. _16GB. */
static void memfd_huge_put(struct json_w *w, unsigned shift)
{
	static const char *const units[] = {"B", "KB", "MB", "GB", "TB", "PB", "EB"};
	char name[32];

	snprintf(name, sizeof(name), "MFD_HUGE_%u%s", 1u << (shift % 10), units[shift / 10]);
	json_str(w, name);
}

void memfd_flags_json(struct json_w *w, uint32_t flags)
{
	unsigned shift = (flags & VG_MFD_HUGE_MASK) >> VG_MFD_HUGE_SHIFT;
	bool huge = (flags & VG_MFD_HUGETLB) && shift;
	uint64_t rest;

	json_arr_begin(w);
	rest = flags_put(w, memfd_tab, ARRAY_SIZE(memfd_tab), flags & ~VG_MFD_HUGE_MASK);
	if (huge)
		memfd_huge_put(w, shift);
	else
		rest |= flags & VG_MFD_HUGE_MASK;
	rest_put(w, rest);
	json_arr_end(w);
}

/* --- processes, namespaces, mounts --- */

#define CSIGNAL 0xffu

/* CLONE_NEWTIME sits in the exit signal byte of clone(2); only unshare/clone3/setns have it. */
static const struct flag_name clone_tab[] = {
    FLAG(CLONE_NEWTIME, 0x80),
    FLAG(CLONE_VM, 0x100),
    FLAG(CLONE_FS, 0x200),
    FLAG(CLONE_FILES, 0x400),
    FLAG(CLONE_SIGHAND, 0x800),
    FLAG(CLONE_PIDFD, 0x1000),
    FLAG(CLONE_PTRACE, 0x2000),
    FLAG(CLONE_VFORK, 0x4000),
    FLAG(CLONE_PARENT, 0x8000),
    FLAG(CLONE_THREAD, 0x10000),
    FLAG(CLONE_NEWNS, 0x20000),
    FLAG(CLONE_SYSVSEM, 0x40000),
    FLAG(CLONE_SETTLS, 0x80000),
    FLAG(CLONE_PARENT_SETTID, 0x100000),
    FLAG(CLONE_CHILD_CLEARTID, 0x200000),
    FLAG(CLONE_DETACHED, 0x400000),
    FLAG(CLONE_UNTRACED, 0x800000),
    FLAG(CLONE_CHILD_SETTID, 0x1000000),
    FLAG(CLONE_NEWCGROUP, 0x2000000),
    FLAG(CLONE_NEWUTS, 0x4000000),
    FLAG(CLONE_NEWIPC, 0x8000000),
    FLAG(CLONE_NEWUSER, 0x10000000),
    FLAG(CLONE_NEWPID, 0x20000000),
    FLAG(CLONE_NEWNET, 0x40000000),
    FLAG(CLONE_IO, 0x80000000),
    FLAG(CLONE_CLEAR_SIGHAND, 0x100000000ULL),
    FLAG(CLONE_INTO_CGROUP, 0x200000000ULL),
};

void clone_flags_json(struct json_w *w, uint64_t flags)
{
	const char *sig = signal_name(flags & CSIGNAL);
	uint64_t rest;

	json_arr_begin(w);
	rest = flags_put(w, clone_tab, ARRAY_SIZE(clone_tab), flags & ~(uint64_t)CSIGNAL);
	if (sig)
		json_str(w, sig);
	else
		rest |= flags & CSIGNAL;
	rest_put(w, rest);
	json_arr_end(w);
}

void unshare_flags_json(struct json_w *w, uint64_t flags)
{
	flags_json(w, clone_tab, ARRAY_SIZE(clone_tab), flags);
}

static const struct flag_name ns_tab[] = {
    FLAG(CLONE_NEWTIME, 0x80),	      FLAG(CLONE_NEWNS, 0x20000),
    FLAG(CLONE_NEWCGROUP, 0x2000000), FLAG(CLONE_NEWUTS, 0x4000000),
    FLAG(CLONE_NEWIPC, 0x8000000),    FLAG(CLONE_NEWUSER, 0x10000000),
    FLAG(CLONE_NEWPID, 0x20000000),   FLAG(CLONE_NEWNET, 0x40000000),
};

void setns_nstype_json(struct json_w *w, uint32_t nstype)
{
	flags_json(w, ns_tab, ARRAY_SIZE(ns_tab), nstype);
}

/* linux/mount.h; bits 22 and up are kernel-internal but still worth naming when seen. */
static const struct flag_name mount_tab[] = {
    FLAG(MS_RDONLY, 1),
    FLAG(MS_NOSUID, 2),
    FLAG(MS_NODEV, 4),
    FLAG(MS_NOEXEC, 8),
    FLAG(MS_SYNCHRONOUS, 16),
    FLAG(MS_REMOUNT, 32),
    FLAG(MS_MANDLOCK, 64),
    FLAG(MS_DIRSYNC, 128),
    FLAG(MS_NOSYMFOLLOW, 256),
    FLAG(MS_NOATIME, 1024),
    FLAG(MS_NODIRATIME, 2048),
    FLAG(MS_BIND, 4096),
    FLAG(MS_MOVE, 8192),
    FLAG(MS_REC, 16384),
    FLAG(MS_SILENT, 32768),
    FLAG(MS_POSIXACL, 1u << 16),
    FLAG(MS_UNBINDABLE, 1u << 17),
    FLAG(MS_PRIVATE, 1u << 18),
    FLAG(MS_SLAVE, 1u << 19),
    FLAG(MS_SHARED, 1u << 20),
    FLAG(MS_RELATIME, 1u << 21),
    FLAG(MS_KERNMOUNT, 1u << 22),
    FLAG(MS_I_VERSION, 1u << 23),
    FLAG(MS_STRICTATIME, 1u << 24),
    FLAG(MS_LAZYTIME, 1u << 25),
    FLAG(MS_SUBMOUNT, 1u << 26),
    FLAG(MS_NOREMOTELOCK, 1u << 27),
    FLAG(MS_NOSEC, 1u << 28),
    FLAG(MS_BORN, 1u << 29),
    FLAG(MS_ACTIVE, 1u << 30),
    FLAG(MS_NOUSER, 1u << 31),
};

#define VG_MS_MGC_VAL 0xc0ed0000u
#define VG_MS_MGC_MSK 0xffff0000u

void mount_flags_json(struct json_w *w, uint64_t flags)
{
	json_arr_begin(w);
	if ((flags & VG_MS_MGC_MSK) == VG_MS_MGC_VAL) {
		json_str(w, "MS_MGC_VAL");
		flags &= ~(uint64_t)VG_MS_MGC_MSK;
	}
	rest_put(w, flags_put(w, mount_tab, ARRAY_SIZE(mount_tab), flags));
	json_arr_end(w);
}

static const struct flag_name umount_tab[] = {
    FLAG(MNT_FORCE, 1),
    FLAG(MNT_DETACH, 2),
    FLAG(MNT_EXPIRE, 4),
    FLAG(UMOUNT_NOFOLLOW, 8),
};

void umount_flags_json(struct json_w *w, uint32_t flags)
{
	flags_json(w, umount_tab, ARRAY_SIZE(umount_tab), flags);
}

/* linux/personality.h: the low byte is the persona, the bits above it modify it. */
#define PER_MASK 0xffu

static const char *const persona_names[] = {
    "PER_LINUX",  "PER_SVR4",	 "PER_SVR3",	"PER_SCOSVR3", "PER_WYSEV386", "PER_ISCR4",
    "PER_BSD",	  "PER_XENIX",	 "PER_LINUX32", "PER_IRIX32",  "PER_IRIXN32",  "PER_IRIX64",
    "PER_RISCOS", "PER_SOLARIS", "PER_UW7",	"PER_OSF4",    "PER_HPUX",
};

static const struct flag_name persona_tab[] = {
    FLAG(UNAME26, 0x0020000),
    FLAG(ADDR_NO_RANDOMIZE, 0x0040000),
    FLAG(FDPIC_FUNCPTRS, 0x0080000),
    FLAG(MMAP_PAGE_ZERO, 0x0100000),
    FLAG(ADDR_COMPAT_LAYOUT, 0x0200000),
    FLAG(READ_IMPLIES_EXEC, 0x0400000),
    FLAG(ADDR_LIMIT_32BIT, 0x0800000),
    FLAG(SHORT_INODE, 0x1000000),
    FLAG(WHOLE_SECONDS, 0x2000000),
    FLAG(STICKY_TIMEOUTS, 0x4000000),
    FLAG(ADDR_LIMIT_3GB, 0x8000000),
};

void personality_json(struct json_w *w, uint32_t persona)
{
	uint32_t base = persona & PER_MASK;
	uint64_t rest = 0;

	json_arr_begin(w);
	if (persona == 0xffffffffu) {
		rest_put(w, persona);
		json_arr_end(w);
		return;
	}
	if (base < ARRAY_SIZE(persona_names))
		json_str(w, persona_names[base]);
	else
		rest = base;
	rest |= flags_put(w, persona_tab, ARRAY_SIZE(persona_tab), persona & ~PER_MASK);
	rest_put(w, rest);
	json_arr_end(w);
}

/* linux/capability.h, indexed by capability number. */
static const char *const cap_names[] = {
    N(CAP_CHOWN, 0),
    N(CAP_DAC_OVERRIDE, 1),
    N(CAP_DAC_READ_SEARCH, 2),
    N(CAP_FOWNER, 3),
    N(CAP_FSETID, 4),
    N(CAP_KILL, 5),
    N(CAP_SETGID, 6),
    N(CAP_SETUID, 7),
    N(CAP_SETPCAP, 8),
    N(CAP_LINUX_IMMUTABLE, 9),
    N(CAP_NET_BIND_SERVICE, 10),
    N(CAP_NET_BROADCAST, 11),
    N(CAP_NET_ADMIN, 12),
    N(CAP_NET_RAW, 13),
    N(CAP_IPC_LOCK, 14),
    N(CAP_IPC_OWNER, 15),
    N(CAP_SYS_MODULE, 16),
    N(CAP_SYS_RAWIO, 17),
    N(CAP_SYS_CHROOT, 18),
    N(CAP_SYS_PTRACE, 19),
    N(CAP_SYS_PACCT, 20),
    N(CAP_SYS_ADMIN, 21),
    N(CAP_SYS_BOOT, 22),
    N(CAP_SYS_NICE, 23),
    N(CAP_SYS_RESOURCE, 24),
    N(CAP_SYS_TIME, 25),
    N(CAP_SYS_TTY_CONFIG, 26),
    N(CAP_MKNOD, 27),
    N(CAP_LEASE, 28),
    N(CAP_AUDIT_WRITE, 29),
    N(CAP_AUDIT_CONTROL, 30),
    N(CAP_SETFCAP, 31),
    N(CAP_MAC_OVERRIDE, 32),
    N(CAP_MAC_ADMIN, 33),
    N(CAP_SYSLOG, 34),
    N(CAP_WAKE_ALARM, 35),
    N(CAP_BLOCK_SUSPEND, 36),
    N(CAP_AUDIT_READ, 37),
    N(CAP_PERFMON, 38),
    N(CAP_BPF, 39),
    N(CAP_CHECKPOINT_RESTORE, 40),
};

_Static_assert(ARRAY_SIZE(cap_names) == 41, "capabilities 0..40");

const char *cap_name(unsigned cap)
{
	return cap < ARRAY_SIZE(cap_names) ? cap_names[cap] : NULL;
}

void caps_json(struct json_w *w, uint64_t caps)
{
	json_arr_begin(w);
	for (unsigned i = 0; i < ARRAY_SIZE(cap_names); i++) {
		if (caps & (1ULL << i)) {
			json_str(w, cap_names[i]);
			caps &= ~(1ULL << i);
		}
	}
	rest_put(w, caps);
	json_arr_end(w);
}

/* --- sockets --- */

#define VG_SOCK_TYPE_MASK 0xfu

static const struct flag_name sock_flag_tab[] = {
    FLAG(SOCK_NONBLOCK, 04000),
    FLAG(SOCK_CLOEXEC, 02000000),
};

void sock_type_json(struct json_w *w, uint32_t type)
{
	const char *name = sock_type_name(type);
	uint64_t rest = 0;

	json_arr_begin(w);
	if (name)
		json_str(w, name);
	else
		rest = type & VG_SOCK_TYPE_MASK;
	rest |= flags_put(w, sock_flag_tab, ARRAY_SIZE(sock_flag_tab), type & ~VG_SOCK_TYPE_MASK);
	rest_put(w, rest);
	json_arr_end(w);
}
