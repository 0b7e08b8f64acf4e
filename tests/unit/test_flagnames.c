// SPDX-License-Identifier: Apache-2.0
/*
 * Unit tests of the flag and enum decoders. Where the system headers define a name, the test
 * takes the value from them (ONE(), NAME()), so a typo in vigil's tables shows up as a mismatch
 * with libc/UAPI; newer names the build machine's headers lack are tested with literals.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/bpf.h>
#include <linux/capability.h>

#define UNIT_MAIN
#include "unit.h"
#include "flagnames.h"
#include "json.h"

static struct json_w W;

/* Run a decoder on the shared writer and return the JSON it wrote. */
#define JSON(call) (json_reset(&W), (call), W.err ? "(writer error)" : W.buf)

/* A flag alone decodes to exactly its own header name. */
#define ONE(fn, flag) CHECK_STR(JSON(fn(&W, flag)), "[\"" #flag "\"]")
/* An open flag with O_RDONLY decodes to the access mode and its own header name. */
#define OPEN1(flag) CHECK_STR(JSON(open_flags_json(&W, flag)), "[\"O_RDONLY\",\"" #flag "\"]")
/* An enum value decodes to its own header name. */
#define NAME(fn, c) CHECK_STR(fn(c), #c)

__attribute__((constructor)) static void writer_init(void)
{
	if (json_init(&W, 4096))
		abort();
}

UNIT_TEST(enum_json_name_or_number)
{
	CHECK_STR(JSON(enum_json(&W, "SIGKILL", 9)), "\"SIGKILL\"");
	CHECK_STR(JSON(enum_json(&W, NULL, 12345)), "\"12345\"");
	CHECK_STR(JSON(enum_json(&W, NULL, -1)), "\"-1\"");
}

UNIT_TEST(open_flags_access_mode_first)
{
	CHECK_STR(JSON(open_flags_json(&W, 0)), "[\"O_RDONLY\"]");
	CHECK_STR(JSON(open_flags_json(&W, O_WRONLY)), "[\"O_WRONLY\"]");
	CHECK_STR(JSON(open_flags_json(&W, O_RDWR)), "[\"O_RDWR\"]");
	CHECK_STR(JSON(open_flags_json(&W, 3)), "[\"O_ACCMODE\"]");
	CHECK_STR(JSON(open_flags_json(&W, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC)),
		  "[\"O_WRONLY\",\"O_CREAT\",\"O_TRUNC\",\"O_CLOEXEC\"]");
}

UNIT_TEST(open_flags_each_matches_libc)
{
	OPEN1(O_CREAT);
	OPEN1(O_EXCL);
	OPEN1(O_NOCTTY);
	OPEN1(O_TRUNC);
	OPEN1(O_APPEND);
	OPEN1(O_NONBLOCK);
	OPEN1(O_DSYNC);
	OPEN1(FASYNC);
	OPEN1(O_DIRECT);
	OPEN1(O_DIRECTORY);
	OPEN1(O_NOFOLLOW);
	OPEN1(O_NOATIME);
	OPEN1(O_CLOEXEC);
	OPEN1(O_PATH);
	CHECK_STR(JSON(open_flags_json(&W, O_RDWR | O_EXCL)), "[\"O_RDWR\",\"O_EXCL\"]");
}

UNIT_TEST(open_flags_composites)
{
	/* glibc's O_SYNC and O_TMPFILE already include O_DSYNC and O_DIRECTORY */
	CHECK_STR(JSON(open_flags_json(&W, O_WRONLY | O_SYNC)), "[\"O_WRONLY\",\"O_SYNC\"]");
	CHECK_STR(JSON(open_flags_json(&W, O_RDWR | O_TMPFILE)), "[\"O_RDWR\",\"O_TMPFILE\"]");
	CHECK_STR(JSON(open_flags_json(&W, 04000000)), "[\"O_RDONLY\",\"__O_SYNC\"]");
	CHECK_STR(JSON(open_flags_json(&W, 020000000)), "[\"O_RDONLY\",\"__O_TMPFILE\"]");
}

UNIT_TEST(open_flags_largefile_and_unknown)
{
#if defined(__x86_64__)
	/* glibc defines O_LARGEFILE as 0 here; the kernel's bit is 0100000 */
	CHECK_STR(JSON(open_flags_json(&W, 0100000)), "[\"O_RDONLY\",\"O_LARGEFILE\"]");
#endif
	CHECK_STR(JSON(open_flags_json(&W, O_WRONLY | 0x40000000)),
		  "[\"O_WRONLY\",\"0x40000000\"]");
	CHECK_STR(JSON(open_flags_json(&W, 0xc0000000 | O_CREAT)),
		  "[\"O_RDONLY\",\"O_CREAT\",\"0xc0000000\"]");
}

UNIT_TEST(open_flags_write_check)
{
	CHECK(!open_flags_write(O_RDONLY));
	CHECK(!open_flags_write(O_RDONLY | O_CLOEXEC | O_DIRECTORY));
	CHECK(open_flags_write(O_WRONLY));
	CHECK(open_flags_write(O_RDWR));
	CHECK(open_flags_write(O_RDONLY | O_CREAT));
	CHECK(open_flags_write(O_RDONLY | O_TRUNC));
	CHECK(open_flags_write(O_WRONLY | O_TMPFILE));
	CHECK(!open_flags_write(3));
	CHECK(!open_flags_write(O_PATH | O_WRONLY));
	CHECK(!open_flags_write(O_PATH | O_CREAT));
}

UNIT_TEST(at_flags)
{
	CHECK_STR(JSON(at_flags_json(&W, 0)), "[]");
	ONE(at_flags_json, AT_SYMLINK_NOFOLLOW);
	ONE(at_flags_json, AT_REMOVEDIR);
	ONE(at_flags_json, AT_SYMLINK_FOLLOW);
	ONE(at_flags_json, AT_NO_AUTOMOUNT);
	ONE(at_flags_json, AT_EMPTY_PATH);
	ONE(at_flags_json, AT_STATX_FORCE_SYNC);
	ONE(at_flags_json, AT_STATX_DONT_SYNC);
	CHECK_STR(JSON(at_flags_json(&W, 0x8000)), "[\"AT_RECURSIVE\"]");
	CHECK_STR(JSON(at_flags_json(&W, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | 0x1)),
		  "[\"AT_SYMLINK_NOFOLLOW\",\"AT_EMPTY_PATH\",\"0x1\"]");
}

UNIT_TEST(rename_flags)
{
	CHECK_STR(JSON(rename_flags_json(&W, 0)), "[]");
	ONE(rename_flags_json, RENAME_NOREPLACE);
	ONE(rename_flags_json, RENAME_EXCHANGE);
	ONE(rename_flags_json, RENAME_WHITEOUT);
	CHECK_STR(JSON(rename_flags_json(&W, 0x9)), "[\"RENAME_NOREPLACE\",\"0x8\"]");
}

UNIT_TEST(file_mode_and_type)
{
	char buf[8];

	CHECK_INT(file_mode_format(S_IFREG | 0755, buf, sizeof(buf)), 4);
	CHECK_STR(buf, "0755");
	CHECK_INT(file_mode_format(S_IFDIR | S_ISVTX | 0777, buf, sizeof(buf)), 4);
	CHECK_STR(buf, "1777");
	CHECK_INT(file_mode_format(S_ISUID | 0755, buf, sizeof(buf)), 4);
	CHECK_STR(buf, "4755");
	CHECK_INT(file_mode_format(0, buf, sizeof(buf)), 4);
	CHECK_STR(buf, "0000");
	CHECK_INT(file_mode_format(0644, buf, 4), -ENOSPC);
	CHECK_INT(file_mode_format(0644, buf, 5), 4);

	CHECK_STR(file_type_name(S_IFREG | 0644), "file");
	CHECK_STR(file_type_name(S_IFDIR), "dir");
	CHECK_STR(file_type_name(S_IFLNK | 0777), "symlink");
	CHECK_STR(file_type_name(S_IFCHR), "chardev");
	CHECK_STR(file_type_name(S_IFBLK), "blockdev");
	CHECK_STR(file_type_name(S_IFIFO), "fifo");
	CHECK_STR(file_type_name(S_IFSOCK), "socket");
	CHECK(file_type_name(0644) == NULL);
	CHECK(file_type_name(0030000) == NULL);
}

UNIT_TEST(memfd_flags)
{
	CHECK_STR(JSON(memfd_flags_json(&W, 0)), "[]");
	ONE(memfd_flags_json, MFD_CLOEXEC);
	ONE(memfd_flags_json, MFD_ALLOW_SEALING);
	ONE(memfd_flags_json, MFD_HUGETLB);
	CHECK_STR(JSON(memfd_flags_json(&W, 0x8)), "[\"MFD_NOEXEC_SEAL\"]");
	CHECK_STR(JSON(memfd_flags_json(&W, 0x10)), "[\"MFD_EXEC\"]");
	CHECK_STR(JSON(memfd_flags_json(&W, MFD_HUGETLB | (21u << 26))),
		  "[\"MFD_HUGETLB\",\"MFD_HUGE_2MB\"]");
	CHECK_STR(JSON(memfd_flags_json(&W, MFD_HUGETLB | MFD_CLOEXEC | (30u << 26))),
		  "[\"MFD_CLOEXEC\",\"MFD_HUGETLB\",\"MFD_HUGE_1GB\"]");
	CHECK_STR(JSON(memfd_flags_json(&W, MFD_HUGETLB | (16u << 26))),
		  "[\"MFD_HUGETLB\",\"MFD_HUGE_64KB\"]");
	CHECK_STR(JSON(memfd_flags_json(&W, MFD_HUGETLB | (34u << 26))),
		  "[\"MFD_HUGETLB\",\"MFD_HUGE_16GB\"]");
	/* a size without MFD_HUGETLB is invalid to the kernel: keep it as bits */
	CHECK_STR(JSON(memfd_flags_json(&W, MFD_CLOEXEC | (21u << 26))),
		  "[\"MFD_CLOEXEC\",\"0x54000000\"]");
	CHECK_STR(JSON(memfd_flags_json(&W, 0x20)), "[\"0x20\"]");
}

UNIT_TEST(clone_flags)
{
	CHECK_STR(JSON(clone_flags_json(&W, 0)), "[]");
	CHECK_STR(JSON(clone_flags_json(&W, SIGCHLD)), "[\"SIGCHLD\"]");
	/* what glibc's fork() passes */
	CHECK_STR(JSON(clone_flags_json(&W, CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD)),
		  "[\"CLONE_CHILD_CLEARTID\",\"CLONE_CHILD_SETTID\",\"SIGCHLD\"]");
	CHECK_STR(JSON(clone_flags_json(&W, CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
						CLONE_THREAD | CLONE_SYSVSEM)),
		  "[\"CLONE_VM\",\"CLONE_FS\",\"CLONE_FILES\",\"CLONE_SIGHAND\",\"CLONE_THREAD\","
		  "\"CLONE_SYSVSEM\"]");
	ONE(clone_flags_json, CLONE_NEWNS);
	ONE(clone_flags_json, CLONE_NEWUTS);
	ONE(clone_flags_json, CLONE_NEWIPC);
	ONE(clone_flags_json, CLONE_NEWUSER);
	ONE(clone_flags_json, CLONE_NEWPID);
	ONE(clone_flags_json, CLONE_NEWNET);
	ONE(clone_flags_json, CLONE_NEWCGROUP);
	ONE(clone_flags_json, CLONE_PIDFD);
	ONE(clone_flags_json, CLONE_IO);
	/* 0x80 in clone(2) is part of the signal byte; 200 is no signal */
	CHECK_STR(JSON(clone_flags_json(&W, 0x80)), "[\"0x80\"]");
	CHECK_STR(JSON(clone_flags_json(&W, CLONE_VM | 200)), "[\"CLONE_VM\",\"0xc8\"]");
	CHECK_STR(JSON(clone_flags_json(&W, 0x400000000ULL)), "[\"0x400000000\"]");
}

UNIT_TEST(unshare_and_setns)
{
	CHECK_STR(JSON(unshare_flags_json(&W, 0x80)), "[\"CLONE_NEWTIME\"]");
	CHECK_STR(JSON(unshare_flags_json(&W, CLONE_NEWUSER | CLONE_NEWNS | CLONE_FS)),
		  "[\"CLONE_FS\",\"CLONE_NEWNS\",\"CLONE_NEWUSER\"]");
	CHECK_STR(JSON(unshare_flags_json(&W, 0x100000000ULL | 0x200000000ULL)),
		  "[\"CLONE_CLEAR_SIGHAND\",\"CLONE_INTO_CGROUP\"]");
	CHECK_STR(JSON(unshare_flags_json(&W, SIGCHLD)), "[\"0x11\"]");

	CHECK_STR(JSON(setns_nstype_json(&W, 0)), "[]");
	ONE(setns_nstype_json, CLONE_NEWNET);
	ONE(setns_nstype_json, CLONE_NEWNS);
	CHECK_STR(JSON(setns_nstype_json(&W, 0x80)), "[\"CLONE_NEWTIME\"]");
	CHECK_STR(JSON(setns_nstype_json(&W, CLONE_NEWPID | CLONE_NEWUTS)),
		  "[\"CLONE_NEWUTS\",\"CLONE_NEWPID\"]");
	/* not a namespace type */
	CHECK_STR(JSON(setns_nstype_json(&W, CLONE_VM | CLONE_NEWNET)),
		  "[\"CLONE_NEWNET\",\"0x100\"]");
}

UNIT_TEST(mount_flags)
{
	CHECK_STR(JSON(mount_flags_json(&W, 0)), "[]");
	ONE(mount_flags_json, MS_RDONLY);
	ONE(mount_flags_json, MS_NOSUID);
	ONE(mount_flags_json, MS_NODEV);
	ONE(mount_flags_json, MS_NOEXEC);
	ONE(mount_flags_json, MS_SYNCHRONOUS);
	ONE(mount_flags_json, MS_REMOUNT);
	ONE(mount_flags_json, MS_MANDLOCK);
	ONE(mount_flags_json, MS_DIRSYNC);
	ONE(mount_flags_json, MS_NOATIME);
	ONE(mount_flags_json, MS_NODIRATIME);
	ONE(mount_flags_json, MS_BIND);
	ONE(mount_flags_json, MS_MOVE);
	ONE(mount_flags_json, MS_REC);
	ONE(mount_flags_json, MS_SILENT);
	ONE(mount_flags_json, MS_POSIXACL);
	ONE(mount_flags_json, MS_UNBINDABLE);
	ONE(mount_flags_json, MS_PRIVATE);
	ONE(mount_flags_json, MS_SLAVE);
	ONE(mount_flags_json, MS_SHARED);
	ONE(mount_flags_json, MS_RELATIME);
	ONE(mount_flags_json, MS_KERNMOUNT);
	ONE(mount_flags_json, MS_I_VERSION);
	ONE(mount_flags_json, MS_STRICTATIME);
	ONE(mount_flags_json, MS_LAZYTIME);
	ONE(mount_flags_json, MS_ACTIVE);
	/* glibc's enum value is an int, 1 << 31: keep it from sign-extending */
	CHECK_STR(JSON(mount_flags_json(&W, (uint32_t)MS_NOUSER)), "[\"MS_NOUSER\"]");
	CHECK_STR(JSON(mount_flags_json(&W, 256)), "[\"MS_NOSYMFOLLOW\"]");
	CHECK_STR(JSON(mount_flags_json(&W, MS_BIND | MS_REC)), "[\"MS_BIND\",\"MS_REC\"]");
	CHECK_STR(JSON(mount_flags_json(&W, MS_REMOUNT | MS_BIND | MS_RDONLY)),
		  "[\"MS_RDONLY\",\"MS_REMOUNT\",\"MS_BIND\"]");
	CHECK_STR(JSON(mount_flags_json(&W, MS_REC | MS_PRIVATE)), "[\"MS_REC\",\"MS_PRIVATE\"]");
	CHECK_STR(JSON(mount_flags_json(&W, 512)), "[\"0x200\"]");
	CHECK_STR(JSON(mount_flags_json(&W, 0x100000000ULL | MS_RDONLY)),
		  "[\"MS_RDONLY\",\"0x100000000\"]");
}

UNIT_TEST(mount_magic)
{
	CHECK_STR(JSON(mount_flags_json(&W, MS_MGC_VAL)), "[\"MS_MGC_VAL\"]");
	CHECK_STR(JSON(mount_flags_json(&W, MS_MGC_VAL | MS_RDONLY | MS_NOSUID)),
		  "[\"MS_MGC_VAL\",\"MS_RDONLY\",\"MS_NOSUID\"]");
	/* one bit off the magic: the top bits are flags again */
	CHECK_STR(JSON(mount_flags_json(&W, 0xc0ec0000)),
		  "[\"MS_PRIVATE\",\"MS_SLAVE\",\"MS_RELATIME\",\"MS_KERNMOUNT\",\"MS_I_VERSION\","
		  "\"MS_ACTIVE\",\"MS_NOUSER\"]");
}

UNIT_TEST(umount_flags)
{
	CHECK_STR(JSON(umount_flags_json(&W, 0)), "[]");
	ONE(umount_flags_json, MNT_FORCE);
	ONE(umount_flags_json, MNT_DETACH);
	ONE(umount_flags_json, MNT_EXPIRE);
	ONE(umount_flags_json, UMOUNT_NOFOLLOW);
	CHECK_STR(JSON(umount_flags_json(&W, MNT_DETACH | 0x10)), "[\"MNT_DETACH\",\"0x10\"]");
}

UNIT_TEST(personality_flags)
{
	CHECK_STR(JSON(personality_json(&W, PER_LINUX)), "[\"PER_LINUX\"]");
	CHECK_STR(JSON(personality_json(&W, PER_LINUX | ADDR_NO_RANDOMIZE)),
		  "[\"PER_LINUX\",\"ADDR_NO_RANDOMIZE\"]");
	CHECK_STR(JSON(personality_json(&W, PER_LINUX32)), "[\"PER_LINUX32\"]");
	CHECK_STR(JSON(personality_json(&W, PER_BSD)), "[\"PER_BSD\"]");
	CHECK_STR(JSON(personality_json(&W, PER_HPUX)), "[\"PER_HPUX\"]");
	/* glibc's PER_SVR4 includes its modifier flags */
	CHECK_STR(JSON(personality_json(&W, PER_SVR4)),
		  "[\"PER_SVR4\",\"MMAP_PAGE_ZERO\",\"STICKY_TIMEOUTS\"]");
	CHECK_STR(
	    JSON(personality_json(&W, READ_IMPLIES_EXEC | ADDR_COMPAT_LAYOUT | MMAP_PAGE_ZERO |
					  UNAME26 | FDPIC_FUNCPTRS | ADDR_LIMIT_32BIT |
					  SHORT_INODE | WHOLE_SECONDS | ADDR_LIMIT_3GB)),
	    "[\"PER_LINUX\",\"UNAME26\",\"FDPIC_FUNCPTRS\",\"MMAP_PAGE_ZERO\","
	    "\"ADDR_COMPAT_LAYOUT\",\"READ_IMPLIES_EXEC\",\"ADDR_LIMIT_32BIT\","
	    "\"SHORT_INODE\",\"WHOLE_SECONDS\",\"ADDR_LIMIT_3GB\"]");
	CHECK_STR(JSON(personality_json(&W, 0x42)), "[\"0x42\"]");
	CHECK_STR(JSON(personality_json(&W, 0x42 | ADDR_NO_RANDOMIZE | 0x10000000)),
		  "[\"ADDR_NO_RANDOMIZE\",\"0x10000042\"]");
	CHECK_STR(JSON(personality_json(&W, 0xffffffff)), "[\"0xffffffff\"]");
}

UNIT_TEST(capabilities)
{
	CHECK_STR(JSON(caps_json(&W, 0)), "[]");
	CHECK_STR(JSON(caps_json(&W, 1ULL << CAP_CHOWN)), "[\"CAP_CHOWN\"]");
	CHECK_STR(JSON(caps_json(&W, (1ULL << CAP_SYS_ADMIN) | (1ULL << CAP_NET_RAW))),
		  "[\"CAP_NET_RAW\",\"CAP_SYS_ADMIN\"]");
	CHECK_STR(JSON(caps_json(&W, 1ULL << 40)), "[\"CAP_CHECKPOINT_RESTORE\"]");
	CHECK_STR(JSON(caps_json(&W, (1ULL << 41) | (1ULL << 63) | 1)),
		  "[\"CAP_CHOWN\",\"0x8000020000000000\"]");
	NAME(cap_name, CAP_CHOWN);
	NAME(cap_name, CAP_DAC_READ_SEARCH);
	NAME(cap_name, CAP_SETPCAP);
	NAME(cap_name, CAP_NET_BIND_SERVICE);
	NAME(cap_name, CAP_SYS_PTRACE);
	NAME(cap_name, CAP_SYS_ADMIN);
	NAME(cap_name, CAP_SYS_MODULE);
	NAME(cap_name, CAP_MKNOD);
	NAME(cap_name, CAP_SETFCAP);
	NAME(cap_name, CAP_MAC_ADMIN);
	NAME(cap_name, CAP_SYSLOG);
	NAME(cap_name, CAP_AUDIT_READ);
	NAME(cap_name, CAP_PERFMON);
	NAME(cap_name, CAP_BPF);
	NAME(cap_name, CAP_CHECKPOINT_RESTORE);
	CHECK_INT(CAP_LAST_CAP, 40);
	CHECK(cap_name(41) == NULL);
	CHECK(cap_name(-1u) == NULL);
}

/* Every capability the header knows, in one go: 0..CAP_LAST_CAP all named, all distinct. */
UNIT_TEST(capabilities_all)
{
	const char *json = JSON(caps_json(&W, (1ULL << (CAP_LAST_CAP + 1)) - 1));
	int n = 0;

	CHECK(strstr(json, "0x") == NULL);
	for (const char *p = json; (p = strstr(p, "\"CAP_")); p++)
		n++;
	CHECK_INT(n, CAP_LAST_CAP + 1);
	for (unsigned i = 0; i <= CAP_LAST_CAP; i++)
		for (unsigned j = 0; j < i; j++)
			CHECK(strcmp(cap_name(i), cap_name(j)) != 0);
}

UNIT_TEST(ptrace_requests)
{
	NAME(ptrace_request_name, PTRACE_TRACEME);
	NAME(ptrace_request_name, PTRACE_PEEKTEXT);
	NAME(ptrace_request_name, PTRACE_PEEKDATA);
	NAME(ptrace_request_name, PTRACE_PEEKUSER);
	NAME(ptrace_request_name, PTRACE_POKETEXT);
	NAME(ptrace_request_name, PTRACE_POKEDATA);
	NAME(ptrace_request_name, PTRACE_POKEUSER);
	NAME(ptrace_request_name, PTRACE_CONT);
	NAME(ptrace_request_name, PTRACE_KILL);
	NAME(ptrace_request_name, PTRACE_SINGLESTEP);
	NAME(ptrace_request_name, PTRACE_ATTACH);
	NAME(ptrace_request_name, PTRACE_DETACH);
	NAME(ptrace_request_name, PTRACE_SYSCALL);
	NAME(ptrace_request_name, PTRACE_SETOPTIONS);
	NAME(ptrace_request_name, PTRACE_GETEVENTMSG);
	NAME(ptrace_request_name, PTRACE_GETSIGINFO);
	NAME(ptrace_request_name, PTRACE_SETSIGINFO);
	NAME(ptrace_request_name, PTRACE_GETREGSET);
	NAME(ptrace_request_name, PTRACE_SETREGSET);
	NAME(ptrace_request_name, PTRACE_SEIZE);
	NAME(ptrace_request_name, PTRACE_INTERRUPT);
	NAME(ptrace_request_name, PTRACE_LISTEN);
	NAME(ptrace_request_name, PTRACE_PEEKSIGINFO);
	NAME(ptrace_request_name, PTRACE_GETSIGMASK);
	NAME(ptrace_request_name, PTRACE_SETSIGMASK);
	NAME(ptrace_request_name, PTRACE_SECCOMP_GET_FILTER);
	NAME(ptrace_request_name, PTRACE_SECCOMP_GET_METADATA);
	NAME(ptrace_request_name, PTRACE_GET_SYSCALL_INFO);
	CHECK_STR(ptrace_request_name(0x420f), "PTRACE_GET_RSEQ_CONFIGURATION");
	CHECK_STR(ptrace_request_name(0x4212), "PTRACE_SET_SYSCALL_INFO");
#if defined(__x86_64__)
	NAME(ptrace_request_name, PTRACE_GETREGS);
	NAME(ptrace_request_name, PTRACE_SETREGS);
	NAME(ptrace_request_name, PTRACE_GETFPREGS);
	NAME(ptrace_request_name, PTRACE_GETFPXREGS);
	NAME(ptrace_request_name, PTRACE_GET_THREAD_AREA);
	NAME(ptrace_request_name, PTRACE_ARCH_PRCTL);
	NAME(ptrace_request_name, PTRACE_SYSEMU);
	NAME(ptrace_request_name, PTRACE_SYSEMU_SINGLESTEP);
	NAME(ptrace_request_name, PTRACE_SINGLEBLOCK);
#endif
	CHECK(ptrace_request_name(10) == NULL);
	CHECK(ptrace_request_name(0x4213) == NULL);
	CHECK(ptrace_request_name(0x41ff) == NULL);
	CHECK(ptrace_request_name(-1) == NULL);
	CHECK(ptrace_request_name(0x7fffffffL) == NULL);
}

UNIT_TEST(signals)
{
	NAME(signal_name, SIGHUP);
	NAME(signal_name, SIGINT);
	NAME(signal_name, SIGKILL);
	NAME(signal_name, SIGSEGV);
	NAME(signal_name, SIGTERM);
	NAME(signal_name, SIGSTKFLT);
	NAME(signal_name, SIGCHLD);
	NAME(signal_name, SIGSTOP);
	NAME(signal_name, SIGWINCH);
	NAME(signal_name, SIGIO);
	NAME(signal_name, SIGPWR);
	NAME(signal_name, SIGSYS);
	/* glibc's own abbreviations for the classic signals, "SIG" prefixed; glibc calls 29
	 * by its alias POLL, the kernel and strace say SIGIO */
	for (int s = 1; s < __SIGRTMIN; s++) {
		char want[32];

		snprintf(want, sizeof(want), "SIG%s", s == SIGIO ? "IO" : sigabbrev_np(s));
		CHECK_STR(signal_name(s), want);
	}
	CHECK_STR(signal_name(32), "SIGRTMIN");
	CHECK_STR(signal_name(33), "SIGRTMIN+1");
	CHECK_STR(signal_name(34), "SIGRTMIN+2");
	CHECK_STR(signal_name(64), "SIGRTMIN+32");
	CHECK(signal_name(0) == NULL);
	CHECK(signal_name(65) == NULL);
	CHECK(signal_name(-9) == NULL);
}

UNIT_TEST(prctl_options)
{
	NAME(prctl_option_name, PR_SET_PDEATHSIG);
	NAME(prctl_option_name, PR_GET_PDEATHSIG);
	NAME(prctl_option_name, PR_SET_DUMPABLE);
	NAME(prctl_option_name, PR_GET_DUMPABLE);
	NAME(prctl_option_name, PR_SET_KEEPCAPS);
	NAME(prctl_option_name, PR_SET_NAME);
	NAME(prctl_option_name, PR_GET_NAME);
	NAME(prctl_option_name, PR_SET_SECCOMP);
	NAME(prctl_option_name, PR_GET_SECCOMP);
	NAME(prctl_option_name, PR_CAPBSET_READ);
	NAME(prctl_option_name, PR_CAPBSET_DROP);
	NAME(prctl_option_name, PR_SET_SECUREBITS);
	NAME(prctl_option_name, PR_GET_SECUREBITS);
	NAME(prctl_option_name, PR_SET_MM);
	NAME(prctl_option_name, PR_SET_CHILD_SUBREAPER);
	NAME(prctl_option_name, PR_SET_NO_NEW_PRIVS);
	NAME(prctl_option_name, PR_GET_NO_NEW_PRIVS);
	NAME(prctl_option_name, PR_CAP_AMBIENT);
	NAME(prctl_option_name, PR_SET_PTRACER);
	NAME(prctl_option_name, PR_SET_VMA);
	NAME(prctl_option_name, PR_SET_SYSCALL_USER_DISPATCH);
	NAME(prctl_option_name, PR_SCHED_CORE);
	NAME(prctl_option_name, PR_SME_GET_VL);
	CHECK_STR(prctl_option_name(78), "PR_FUTEX_HASH");
	CHECK_STR(prctl_option_name(0x41555856), "PR_GET_AUXV");
	CHECK(prctl_option_name(0) == NULL);
	CHECK(prctl_option_name(17) == NULL);
	CHECK(prctl_option_name(79) == NULL);
	CHECK(prctl_option_name(-1) == NULL);
}

UNIT_TEST(bpf_commands)
{
	NAME(bpf_cmd_name, BPF_MAP_CREATE);
	NAME(bpf_cmd_name, BPF_MAP_LOOKUP_ELEM);
	NAME(bpf_cmd_name, BPF_PROG_LOAD);
	NAME(bpf_cmd_name, BPF_OBJ_PIN);
	NAME(bpf_cmd_name, BPF_PROG_ATTACH);
	NAME(bpf_cmd_name, BPF_PROG_TEST_RUN);
	NAME(bpf_cmd_name, BPF_RAW_TRACEPOINT_OPEN);
	NAME(bpf_cmd_name, BPF_BTF_LOAD);
	NAME(bpf_cmd_name, BPF_MAP_DELETE_BATCH);
	NAME(bpf_cmd_name, BPF_LINK_CREATE);
	NAME(bpf_cmd_name, BPF_ENABLE_STATS);
	NAME(bpf_cmd_name, BPF_ITER_CREATE);
	NAME(bpf_cmd_name, BPF_PROG_BIND_MAP);
	CHECK_STR(bpf_cmd_name(36), "BPF_TOKEN_CREATE");
	CHECK_STR(bpf_cmd_name(37), "BPF_PROG_STREAM_READ_BY_FD");
	CHECK(bpf_cmd_name(38) == NULL);
	CHECK(bpf_cmd_name(-1) == NULL);
}

UNIT_TEST(address_families)
{
	NAME(af_name, AF_UNSPEC);
	NAME(af_name, AF_UNIX);
	NAME(af_name, AF_INET);
	NAME(af_name, AF_INET6);
	NAME(af_name, AF_NETLINK);
	NAME(af_name, AF_PACKET);
	NAME(af_name, AF_BLUETOOTH);
	NAME(af_name, AF_ALG);
	NAME(af_name, AF_VSOCK);
	NAME(af_name, AF_XDP);
	NAME(af_name, AF_DECnet);
	CHECK_STR(af_name(45), "AF_MCTP");
	CHECK(af_name(46) == NULL);
	CHECK(af_name(-1u) == NULL);
}

UNIT_TEST(socket_types)
{
	NAME(sock_type_name, SOCK_STREAM);
	NAME(sock_type_name, SOCK_DGRAM);
	NAME(sock_type_name, SOCK_RAW);
	NAME(sock_type_name, SOCK_RDM);
	NAME(sock_type_name, SOCK_SEQPACKET);
	NAME(sock_type_name, SOCK_DCCP);
	NAME(sock_type_name, SOCK_PACKET);
	CHECK_STR(sock_type_name(SOCK_STREAM | SOCK_CLOEXEC), "SOCK_STREAM");
	CHECK(sock_type_name(0) == NULL);
	CHECK(sock_type_name(7) == NULL);

	CHECK_STR(JSON(sock_type_json(&W, SOCK_STREAM)), "[\"SOCK_STREAM\"]");
	CHECK_STR(JSON(sock_type_json(&W, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC)),
		  "[\"SOCK_DGRAM\",\"SOCK_NONBLOCK\",\"SOCK_CLOEXEC\"]");
	CHECK_STR(JSON(sock_type_json(&W, 7 | SOCK_CLOEXEC)), "[\"SOCK_CLOEXEC\",\"0x7\"]");
	CHECK_STR(JSON(sock_type_json(&W, SOCK_RAW | 0x100)), "[\"SOCK_RAW\",\"0x100\"]");
	CHECK_STR(JSON(sock_type_json(&W, 0)), "[]");
}

UNIT_TEST(inet_protocols)
{
	CHECK_STR(inet_proto_name(IPPROTO_IP), "ip");
	CHECK_STR(inet_proto_name(IPPROTO_ICMP), "icmp");
	CHECK_STR(inet_proto_name(IPPROTO_TCP), "tcp");
	CHECK_STR(inet_proto_name(IPPROTO_UDP), "udp");
	CHECK_STR(inet_proto_name(IPPROTO_ICMPV6), "icmpv6");
	CHECK_STR(inet_proto_name(IPPROTO_SCTP), "sctp");
	CHECK_STR(inet_proto_name(IPPROTO_UDPLITE), "udplite");
	CHECK_STR(inet_proto_name(IPPROTO_RAW), "raw");
	CHECK_STR(inet_proto_name(IPPROTO_GRE), "gre");
	CHECK_STR(inet_proto_name(IPPROTO_MPTCP), "mptcp");
	CHECK(inet_proto_name(3) == NULL);
	CHECK(inet_proto_name(263) == NULL);
	CHECK(inet_proto_name(-1) == NULL);
}

UNIT_TEST(tcp_states)
{
	CHECK_STR(tcp_state_name(TCP_ESTABLISHED), "ESTABLISHED");
	CHECK_STR(tcp_state_name(TCP_SYN_SENT), "SYN_SENT");
	CHECK_STR(tcp_state_name(TCP_SYN_RECV), "SYN_RECV");
	CHECK_STR(tcp_state_name(TCP_FIN_WAIT1), "FIN_WAIT1");
	CHECK_STR(tcp_state_name(TCP_FIN_WAIT2), "FIN_WAIT2");
	CHECK_STR(tcp_state_name(TCP_TIME_WAIT), "TIME_WAIT");
	CHECK_STR(tcp_state_name(TCP_CLOSE), "CLOSE");
	CHECK_STR(tcp_state_name(TCP_CLOSE_WAIT), "CLOSE_WAIT");
	CHECK_STR(tcp_state_name(TCP_LAST_ACK), "LAST_ACK");
	CHECK_STR(tcp_state_name(TCP_LISTEN), "LISTEN");
	CHECK_STR(tcp_state_name(TCP_CLOSING), "CLOSING");
	CHECK_STR(tcp_state_name(12), "NEW_SYN_RECV");
	CHECK_STR(tcp_state_name(13), "BOUND_INACTIVE");
	CHECK(tcp_state_name(0) == NULL);
	CHECK(tcp_state_name(14) == NULL);
}

UNIT_TEST(ip_addresses)
{
	static const uint8_t v4[16] = {10, 0, 0, 1};
	static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	static const uint8_t mapped[16] = {[10] = 0xff, [11] = 0xff, 192, 168, 1, 2};
	static const uint8_t zero[16];
	char buf[64];

	CHECK_INT(ip_format(AF_INET, v4, buf, sizeof(buf)), 8);
	CHECK_STR(buf, "10.0.0.1");
	CHECK_INT(ip_format(AF_INET6, v6, buf, sizeof(buf)), 11);
	CHECK_STR(buf, "2001:db8::1");
	CHECK_INT(ip_format(AF_INET6, mapped, buf, sizeof(buf)), 18);
	CHECK_STR(buf, "::ffff:192.168.1.2");
	CHECK_INT(ip_format(AF_INET6, zero, buf, sizeof(buf)), 2);
	CHECK_STR(buf, "::");
	CHECK_INT(ip_format(AF_INET, zero, buf, sizeof(buf)), 7);
	CHECK_STR(buf, "0.0.0.0");
	CHECK_INT(ip_format(AF_UNIX, v4, buf, sizeof(buf)), -EAFNOSUPPORT);
	CHECK_STR(buf, "");
	CHECK_INT(ip_format(AF_INET, v4, buf, 8), -ENOSPC);
	CHECK_STR(buf, "");
	CHECK_INT(ip_format(AF_INET, v4, buf, 9), 8);
	CHECK_INT(ip_format(AF_INET, v4, buf, 0), -ENOSPC);
	CHECK_INT(ip_format(AF_INET, NULL, buf, sizeof(buf)), -EINVAL);
	CHECK_INT(ip_format(AF_INET, v4, NULL, 16), -EINVAL);
}

int main(void)
{
	int rc = unit_run();

	json_free(&W);
	return rc;
}
