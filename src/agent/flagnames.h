/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Names for syscall arguments: flag sets, enums, modes, addresses, spelled the way the kernel
 * headers (and strace) spell them. Pure functions over raw argument values; the values are
 * those of the architecture vigil is built for (x86_64 and arm64 differ in a few O_* bits).
 *
 * Bit set decoders (*_json) write one JSON value at the writer's current position (after
 * json_key, or inside an array): an array of strings, known bits first in a fixed order.
 * Bits no name accounts for are never dropped: they end the array as one lower-case hex
 * string, e.g. ["O_WRONLY","O_CREAT","0x40000000"]. No bits set gives [] unless stated.
 *
 * Enum decoders (*_name) return a static string, or NULL for a value they do not know;
 * enum_json() writes either form.
 */
#ifndef VIGIL_FLAGNAMES_H
#define VIGIL_FLAGNAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_w; /* json.h: not included, so that files using json-c can include this */

/* Writes name when it is not NULL, else v in decimal as a string ("12345"), so the JSON type
 * of a field does not depend on whether vigil knew the value. */
void enum_json(struct json_w *w, const char *name, long long v);

/* --- files --- */

/* open/openat/openat2 flags. The access mode always comes first: "O_RDONLY", "O_WRONLY",
 * "O_RDWR" or "O_ACCMODE" (3, the ioctl-only mode). O_SYNC and O_TMPFILE are written as one
 * name although each includes another flag's bit (O_DSYNC, O_DIRECTORY); their own bit
 * without the other is "__O_SYNC" / "__O_TMPFILE". */
void open_flags_json(struct json_w *w, uint32_t flags);

/* Whether an open with these flags may modify a file: access mode O_WRONLY or O_RDWR, or
 * O_CREAT, O_TRUNC or O_TMPFILE. False with O_PATH, which makes the kernel ignore all of
 * those. This is Falco's open_write, widened to creation and truncation. */
bool open_flags_write(uint32_t flags);

/* AT_* flags of the *at() syscalls. 0x200 is written "AT_REMOVEDIR" (unlinkat); it means
 * AT_EACCESS to faccessat2 and AT_HANDLE_FID to name_to_handle_at. */
void at_flags_json(struct json_w *w, uint32_t flags);

/* renameat2 flags: RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT. */
void rename_flags_json(struct json_w *w, uint32_t flags);

/* Permission bits of a mode (with setuid, setgid, sticky) as 4 octal digits, "0755" or
 * "4755"; the file type bits are ignored. Returns 4, or -ENOSPC when outsz < 5. */
int file_mode_format(uint32_t mode, char *out, size_t outsz);

/* A flag set as Falco prints it, "A|B|C": fn (one of the *_json writers here) writes it as a
 * JSON array of names into w, a scratch writer, whose names are then joined with '|'. Returns
 * the length, or -ENOSPC when out (or w) is too small. */
int flags_text(struct json_w *w, void (*fn)(struct json_w *, uint64_t), uint64_t flags,
	       char *out, size_t size);
/* open_flags_json with the signature flags_text takes. */
void open_flags_json64(struct json_w *w, uint64_t flags);

/* Permission bits as Falco renders a mode argument, lowest bit first:
 * "S_IXOTH|S_IROTH|...|S_IRUSR|S_ISUID"; "" for 0. Returns the length, or
 * -ENOSPC. */
int file_mode_names(uint32_t mode, char *out, size_t outsz);

/* The file type in mode's S_IFMT bits: "file", "dir", "symlink", "chardev", "blockdev",
 * "fifo" or "socket"; NULL when the bits are 0 (mode arguments of open/mkdir carry none) or
 * not a valid type. */
const char *file_type_name(uint32_t mode);

/* memfd_create flags. With MFD_HUGETLB, a page size in bits 26..31 is written as
 * "MFD_HUGE_2MB"-style; size bits without MFD_HUGETLB are left as unknown hex. */
void memfd_flags_json(struct json_w *w, uint32_t flags);

/* --- processes, namespaces, mounts --- */

/* clone(2) flags. The low byte is the exit signal, written as its name ("SIGCHLD") or, when
 * not a known signal, left in the unknown hex. */
void clone_flags_json(struct json_w *w, uint64_t flags);

/* unshare(2) flags and clone3's flags field: as clone_flags_json, but the low byte holds no
 * signal and 0x80 is CLONE_NEWTIME. */
void unshare_flags_json(struct json_w *w, uint64_t flags);

/* setns(2) nstype: the CLONE_NEW* namespace types only; [] (0) means any type. */
void setns_nstype_json(struct json_w *w, uint32_t nstype);

/* mount(2) flags (MS_*). The old magic 0xc0ed in the top 16 bits, which the kernel strips,
 * is written "MS_MGC_VAL" and its bits not decoded further. */
void mount_flags_json(struct json_w *w, uint64_t flags);

/* umount2 flags: MNT_FORCE, MNT_DETACH, MNT_EXPIRE, UMOUNT_NOFOLLOW. */
void umount_flags_json(struct json_w *w, uint32_t flags);

/* personality(2) persona: the base persona first ("PER_LINUX", "PER_LINUX32", ...; an unknown
 * one goes into the hex), then the flags (ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, ...).
 * 0xffffffff, which only queries the persona, is ["0xffffffff"]. */
void personality_json(struct json_w *w, uint32_t persona);

/* Capability set (bit n = capability n): ["CAP_CHOWN", ...], up to CAP_CHECKPOINT_RESTORE. */
void caps_json(struct json_w *w, uint64_t caps);

/* "CAP_SYS_ADMIN" for 21; NULL beyond the last capability vigil knows (40). */
const char *cap_name(unsigned cap);

/* ptrace request: "PTRACE_ATTACH". PEEKUSR/POKEUSR are spelled PTRACE_PEEKUSER/POKEUSER as
 * glibc and strace do. Architecture-specific requests only for the build architecture. */
const char *ptrace_request_name(long request);

/* Signal number: "SIGKILL"; 32 is "SIGRTMIN" and 33..64 "SIGRTMIN+1".."SIGRTMIN+32" (the
 * kernel's numbering; glibc's SIGRTMIN is 34). NULL for 0 and above 64. */
const char *signal_name(int sig);

/* prctl option: "PR_SET_NO_NEW_PRIVS". */
const char *prctl_option_name(int option);

/* bpf(2) command: "BPF_PROG_LOAD", up to BPF_PROG_STREAM_READ_BY_FD. */
const char *bpf_cmd_name(int cmd);

/* --- sockets --- */

/* Address family: "AF_INET", "AF_UNIX", ... "AF_MCTP"; 0 is "AF_UNSPEC". */
const char *af_name(unsigned family);

/* Socket type without its flag bits: "SOCK_STREAM", "SOCK_DGRAM", "SOCK_RAW", "SOCK_RDM",
 * "SOCK_SEQPACKET", "SOCK_DCCP", "SOCK_PACKET". The flag bits of type are ignored. */
const char *sock_type_name(uint32_t type);

/* socket(2) type argument: the type name, then SOCK_NONBLOCK and SOCK_CLOEXEC. */
void sock_type_json(struct json_w *w, uint32_t type);

/* IP protocol number as used with AF_INET/AF_INET6 sockets, lower case: "ip" (0), "icmp",
 * "tcp", "udp", "icmpv6", "sctp", "udplite", "mptcp", "raw", ... */
const char *inet_proto_name(int proto);

/* TCP state as in the kernel's tcp_states.h, without the TCP_ prefix: 1 "ESTABLISHED" ..
 * 12 "NEW_SYN_RECV", 13 "BOUND_INACTIVE". */
const char *tcp_state_name(unsigned state);

/* Text form of an address: AF_INET uses addr[0..3] ("10.0.0.1"), AF_INET6 all 16 bytes
 * ("2001:db8::1", "::ffff:10.0.0.1"). Returns the length written (NUL terminated),
 * -EAFNOSUPPORT for another family, -ENOSPC when outsz is too small (out is then ""),
 * -EINVAL for NULL pointers. 46 bytes (INET6_ADDRSTRLEN) always suffice. */
int ip_format(uint16_t family, const uint8_t addr[16], char *out, size_t outsz);

#endif /* VIGIL_FLAGNAMES_H */
