/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Falco fields vigil can provide, one table: name, type, argument, the event types whose
 * records carry what the field needs (VG_EV_* bits, so that later work can tell which BPF
 * programs a rule needs), and where vigil takes the value from (docs/events.md names).
 *
 * A field vigil cannot provide is absent: a rule that uses it is skipped, not failed. The
 * values come from the event, or from user-space state the event points to (the process cache
 * for ancestors and parents, the fd table, the pod cache), never from a guess.
 */
#ifndef VIGIL_RULES_FIELDS_H
#define VIGIL_RULES_FIELDS_H

#include <stdint.h>

#include "vigil/events.h"

_Static_assert(VG_EV_MAX <= 64, "event type masks are 64 bits");

enum rf_type {
	RF_STR,	   /* text */
	RF_NUM,	   /* an integer */
	RF_BOOL,   /* true or false */
	RF_IPADDR, /* an IPv4 or IPv6 address */
	RF_IPNET,  /* compared with networks: 10.0.0.0/8 */
	RF_BYTES,  /* raw bytes (bcontains, bstartswith) */
};

enum rf_argk {
	RF_ARG_NONE,
	RF_ARG_INDEX, /* [N], N >= 0 */
	RF_ARG_KEY,   /* [text] */
};

#define RF_ARG_OPTIONAL 0x1 /* the field may also be used without its argument */
#define RF_ARG_DOTTED	0x2 /* the argument may follow a dot: evt.arg.flags */

#define RF_EV(t) (1ull << VG_EV_##t)

/* Masks by record layout, derived from VG_EVENT_TYPES. */
#define RF_LAYOUT_exec		   1
#define RF_LAYOUT_fork		   2
#define RF_LAYOUT_exit		   3
#define RF_LAYOUT_file		   4
#define RF_LAYOUT_net		   5
#define RF_LAYOUT_priv		   6
#define RF_X_FILE(n, v, s, layout) | (RF_LAYOUT_##layout == RF_LAYOUT_file ? RF_EV(n) : 0)
#define RF_X_NET(n, v, s, layout)  | (RF_LAYOUT_##layout == RF_LAYOUT_net ? RF_EV(n) : 0)
#define RF_X_PRIV(n, v, s, layout) | (RF_LAYOUT_##layout == RF_LAYOUT_priv ? RF_EV(n) : 0)
#define RF_EV_FILE		   (0 VG_EVENT_TYPES(RF_X_FILE))
#define RF_EV_NET		   (0 VG_EVENT_TYPES(RF_X_NET))
#define RF_EV_PRIV		   (0 VG_EVENT_TYPES(RF_X_PRIV))
#define RF_EV_PROCESS		   (RF_EV(EXEC) | RF_EV(FORK) | RF_EV(EXIT))
#define RF_EV_SYSCALL		   (RF_EV_FILE | RF_EV_NET | RF_EV_PRIV)
#define RF_EV_ALL		   (RF_EV_PROCESS | RF_EV_SYSCALL)
/* the socket's ends are known */
#define RF_EV_CONN (RF_EV_NET & ~RF_EV(SOCKET))
/* records that name an fd vigil can describe */
#define RF_EV_FD (RF_EV_FILE | RF_EV_NET | RF_EV(DUP) | RF_EV(MEMFD_CREATE))

/* X(ID, "name", type, argument, flags, events, "where vigil takes it from") */
#define RF_FIELDS(X)                                                                               \
	X(EVT_TYPE, "evt.type", RF_STR, RF_ARG_NONE, 0, RF_EV_ALL,                                 \
	  "the record type, named as Falco names syscalls (rules_evttype.h)")                      \
	X(EVT_DIR, "evt.dir", RF_STR, RF_ARG_NONE, 0, RF_EV_ALL,                                   \
	  "always '<': vigil reports syscalls when they return")                                   \
	X(EVT_NUM, "evt.num", RF_NUM, RF_ARG_NONE, 0, RF_EV_ALL,                                   \
	  "a number user space gives each record as it arrives")                                   \
	X(EVT_RES, "evt.res", RF_STR, RF_ARG_NONE, 0, RF_EV_SYSCALL,                               \
	  "syscall.error, SUCCESS when it is empty")                                               \
	X(EVT_RAWRES, "evt.rawres", RF_NUM, RF_ARG_NONE, 0, RF_EV_SYSCALL, "syscall.ret")          \
	X(EVT_FAILED, "evt.failed", RF_BOOL, RF_ARG_NONE, 0, RF_EV_SYSCALL, "syscall.ret < 0")     \
	X(EVT_IS_OPEN_READ, "evt.is_open_read", RF_BOOL, RF_ARG_NONE, 0, RF_EV(OPEN),              \
	  "file.flags: O_RDONLY or O_RDWR")                                                        \
	X(EVT_IS_OPEN_WRITE, "evt.is_open_write", RF_BOOL, RF_ARG_NONE, 0, RF_EV(OPEN),            \
	  "file.flags: O_WRONLY or O_RDWR")                                                        \
	X(EVT_IS_OPEN_EXEC, "evt.is_open_exec", RF_BOOL, RF_ARG_NONE, 0, RF_EV(OPEN),              \
	  "file.flags has O_CREAT and file.mode an execute bit")                                   \
	X(EVT_ARG, "evt.arg", RF_STR, RF_ARG_KEY, RF_ARG_DOTTED, RF_EV_SYSCALL | RF_EV(EXEC),      \
	  "a syscall argument by its Falco name; RF_EVT_ARGS narrows the events by argument")      \
	X(PROC_NAME, "proc.name", RF_STR, RF_ARG_NONE, 0, RF_EV_ALL, "process.comm")               \
	X(PROC_EXE, "proc.exe", RF_STR, RF_ARG_NONE, 0, RF_EV_ALL, "process.arguments[0]")         \
	X(PROC_EXEPATH, "proc.exepath", RF_STR, RF_ARG_NONE, 0, RF_EV_ALL, "process.binary")       \
	X(PROC_CMDLINE, "proc.cmdline", RF_STR, RF_ARG_NONE, 0, RF_EV_ALL,                         \
	  "process.comm, then process.arguments[1..], space separated")                            \
	X(PROC_ARGS, "proc.args", RF_STR, RF_ARG_NONE, 0, RF_EV_ALL,                               \
	  "process.arguments[1..], space separated")                                               \
	X(PROC_PID, "proc.pid", RF_NUM, RF_ARG_NONE, 0, RF_EV_ALL, "process.pid")                  \
	X(PROC_PPID, "proc.ppid", RF_NUM, RF_ARG_NONE, 0, RF_EV_ALL, "process.ppid")               \
	X(PROC_PNAME, "proc.pname", RF_STR, RF_ARG_NONE, 0, RF_EV_ALL, "parent.comm")              \
	X(PROC_PEXE, "proc.pexe", RF_STR, RF_ARG_NONE, 0, RF_EV_ALL,                               \
	  "the parent's arguments[0], from the process cache")                                     \
	X(PROC_PEXEPATH, "proc.pexepath", RF_STR, RF_ARG_NONE, 0, RF_EV_ALL, "parent.binary")      \
	X(PROC_PCMDLINE, "proc.pcmdline", RF_STR, RF_ARG_NONE, 0, RF_EV_ALL,                       \
	  "the parent's comm and arguments, from the process cache")                               \
	X(PROC_ANAME, "proc.aname", RF_STR, RF_ARG_INDEX, RF_ARG_OPTIONAL, RF_EV_ALL,              \
	  "comm of the Nth ancestor (0: the process, 1: the parent), any ancestor without [N]; "   \
	  "lineage from the process cache, up to --ancestors levels")                              \
	X(PROC_APID, "proc.apid", RF_NUM, RF_ARG_INDEX, RF_ARG_OPTIONAL, RF_EV_ALL,                \
	  "pid of the Nth ancestor, as proc.aname")                                                \
	X(PROC_AEXE, "proc.aexe", RF_STR, RF_ARG_INDEX, RF_ARG_OPTIONAL, RF_EV_ALL,                \
	  "arguments[0] of the Nth ancestor, as proc.aname")                                       \
	X(PROC_AEXEPATH, "proc.aexepath", RF_STR, RF_ARG_INDEX, RF_ARG_OPTIONAL, RF_EV_ALL,        \
	  "binary of the Nth ancestor, as proc.aname")                                             \
	X(PROC_TTY, "proc.tty", RF_NUM, RF_ARG_NONE, 0, RF_EV_ALL,                                 \
	  "process.tty: the controlling terminal (tty_nr), 0 without one")                         \
	X(PROC_CWD, "proc.cwd", RF_STR, RF_ARG_NONE, 0, RF_EV_ALL,                                 \
	  "process.cwd: the working directory at exec (a later chdir is not seen)")                \
	X(PROC_DURATION, "proc.duration", RF_NUM, RF_ARG_NONE, 0, RF_EV_ALL,                       \
	  "nanoseconds from process.start_time to the event's time")                               \
	X(PROC_IS_EXE_FROM_MEMFD, "proc.is_exe_from_memfd", RF_BOOL, RF_ARG_NONE, 0, RF_EV_ALL,    \
	  "process.memfd (exec), kept in the process cache")                                       \
	X(PROC_IS_EXE_UPPER_LAYER, "proc.is_exe_upper_layer", RF_BOOL, RF_ARG_NONE, 0, RF_EV_ALL, \
	  "process.exe_upper_layer (exec): the executable is on an overlay's upper layer, kept "    \
	  "in the process cache")                                                                  \
	X(THREAD_TID, "thread.tid", RF_NUM, RF_ARG_NONE, 0, RF_EV_ALL,                             \
	  "syscall.tid, process.tid (exec)")                                                       \
	X(THREAD_CAP_EFFECTIVE, "thread.cap_effective", RF_STR, RF_ARG_NONE, 0, RF_EV_SYSCALL,     \
	  "syscall.cap_effective: the caller's effective capabilities, as names")                  \
	X(THREAD_CAP_PERMITTED, "thread.cap_permitted", RF_STR, RF_ARG_NONE, 0, RF_EV_SYSCALL,     \
	  "syscall.cap_permitted: the caller's permitted capabilities, as names")                  \
	X(USER_UID, "user.uid", RF_NUM, RF_ARG_NONE, 0, RF_EV_ALL,                                 \
	  "syscall.uid (syscall events), process.uid")                                             \
	X(USER_NAME, "user.name", RF_STR, RF_ARG_NONE, 0, RF_EV_ALL,                               \
	  "user.uid named by the host's user database, looked up in user space")                   \
	X(USER_LOGINUID, "user.loginuid", RF_NUM, RF_ARG_NONE, 0, RF_EV_ALL,                       \
	  "process.auid, -1 when unset")                                                           \
	X(GROUP_GID, "group.gid", RF_NUM, RF_ARG_NONE, 0, RF_EV_ALL, "process.gid")                \
	X(GROUP_NAME, "group.name", RF_STR, RF_ARG_NONE, 0, RF_EV_ALL,                             \
	  "group.gid named by the host's group database, looked up in user space")                 \
	RF_FIELDS_FD(X) RF_FIELDS_CONTAINER(X)

#define RF_FIELDS_FD(X)                                                                            \
	X(FD_NUM, "fd.num", RF_NUM, RF_ARG_NONE, 0, RF_EV_FD,                                      \
	  "file.fd, socket.fd, dup.newfd, memfd.fd")                                               \
	X(FD_NAME, "fd.name", RF_STR, RF_ARG_NONE, 0,                                              \
	  RF_EV_FD | RF_EV(MODULE_LOAD) | RF_EV(SETNS),                                            \
	  "file.path; sockets: the local->remote tuple or unix path; dup: fd_target; "             \
	  "memfd:name; module.path; setns.namespace")                                              \
	X(FD_NAMERAW, "fd.nameraw", RF_STR, RF_ARG_NONE, 0, RF_EV_FILE,                            \
	  "file.requested: the path as passed, before normalisation")                              \
	X(FD_DIRECTORY, "fd.directory", RF_STR, RF_ARG_NONE, 0, RF_EV_FILE,                        \
	  "file.path without its last component")                                                  \
	X(FD_FILENAME, "fd.filename", RF_STR, RF_ARG_NONE, 0, RF_EV_FILE,                          \
	  "the last component of file.path")                                                       \
	X(FD_TYPECHAR, "fd.typechar", RF_STR, RF_ARG_NONE, 0, RF_EV_FD,                            \
	  "f, 4, 6, u, p...: file.type, socket.family, dup.old_type, the fd table")                \
	X(FD_TYPE, "fd.type", RF_STR, RF_ARG_NONE, 0, RF_EV_FD,                                    \
	  "file, directory, ipv4, ipv6, unix, pipe...: as fd.typechar")                            \
	X(FD_L4PROTO, "fd.l4proto", RF_STR, RF_ARG_NONE, 0, RF_EV_NET,                             \
	  "socket.protocol: tcp, udp, icmp, raw")                                                  \
	X(FD_SOCKFAMILY, "fd.sockfamily", RF_STR, RF_ARG_NONE, 0, RF_EV_NET,                       \
	  "ip or unix, from socket.family")                                                        \
	X(FD_CONNECTED, "fd.connected", RF_BOOL, RF_ARG_NONE, 0, RF_EV_CONN,                       \
	  "connect and tcp_state: the connection is established; accept: true; udp_send and "      \
	  "dns: sendto/recvfrom were given no address (syscall.args); absent for sendmsg")         \
	X(FD_NAME_CHANGED, "fd.name_changed", RF_BOOL, RF_ARG_NONE, 0, RF_EV_CONN,                 \
	  "the call named the peer: connect, bind, sendto/recvfrom with an address")               \
	X(FD_IP, "fd.ip", RF_IPADDR, RF_ARG_NONE, 0, RF_EV_CONN, "local or remote address")        \
	X(FD_PORT, "fd.port", RF_NUM, RF_ARG_NONE, 0, RF_EV_CONN, "local or remote port")          \
	X(FD_NET, "fd.net", RF_IPNET, RF_ARG_NONE, 0, RF_EV_CONN, "local or remote address")       \
	X(FD_SIP, "fd.sip", RF_IPADDR, RF_ARG_NONE, 0, RF_EV_CONN,                                 \
	  "the server end: remote for connect, udp_send and dns queries, local for accept, bind, " \
	  "listen")                                                                                \
	X(FD_SPORT, "fd.sport", RF_NUM, RF_ARG_NONE, 0, RF_EV_CONN, "the server end's port")       \
	X(FD_SNET, "fd.snet", RF_IPNET, RF_ARG_NONE, 0, RF_EV_CONN, "the server end's address")    \
	X(FD_CIP, "fd.cip", RF_IPADDR, RF_ARG_NONE, 0, RF_EV_CONN, "the client end")               \
	X(FD_CPORT, "fd.cport", RF_NUM, RF_ARG_NONE, 0, RF_EV_CONN, "the client end's port")       \
	X(FD_CNET, "fd.cnet", RF_IPNET, RF_ARG_NONE, 0, RF_EV_CONN, "the client end's address")    \
	X(FD_LIP, "fd.lip", RF_IPADDR, RF_ARG_NONE, 0, RF_EV_CONN, "local.address")                \
	X(FD_LPORT, "fd.lport", RF_NUM, RF_ARG_NONE, 0, RF_EV_CONN, "local.port")                  \
	X(FD_LNET, "fd.lnet", RF_IPNET, RF_ARG_NONE, 0, RF_EV_CONN, "local.address")               \
	X(FD_RIP, "fd.rip", RF_IPADDR, RF_ARG_NONE, 0, RF_EV_CONN, "remote.address")               \
	X(FD_RPORT, "fd.rport", RF_NUM, RF_ARG_NONE, 0, RF_EV_CONN, "remote.port")                 \
	X(FD_RNET, "fd.rnet", RF_IPNET, RF_ARG_NONE, 0, RF_EV_CONN, "remote.address")              \
	X(FD_SIP_NAME, "fd.sip.name", RF_STR, RF_ARG_NONE, 0, RF_EV_CONN,                          \
	  "fd.sip, matched against the addresses the name resolves to (user space resolver)")      \
	X(FD_CIP_NAME, "fd.cip.name", RF_STR, RF_ARG_NONE, 0, RF_EV_CONN,                          \
	  "fd.cip, as fd.sip.name")                                                                \
	X(FD_LIP_NAME, "fd.lip.name", RF_STR, RF_ARG_NONE, 0, RF_EV_CONN,                          \
	  "fd.lip, as fd.sip.name")                                                                \
	X(FD_RIP_NAME, "fd.rip.name", RF_STR, RF_ARG_NONE, 0, RF_EV_CONN, "fd.rip, as fd.sip.name")

#define RF_FIELDS_CONTAINER(X)                                                                     \
	X(CONTAINER_ID, "container.id", RF_STR, RF_ARG_NONE, 0, RF_EV_ALL,                         \
	  "container.id; \"host\" outside containers")                                             \
	X(CONTAINER_NAME, "container.name", RF_STR, RF_ARG_NONE, 0, RF_EV_ALL, "container.name")   \
	X(CONTAINER_IMAGE, "container.image", RF_STR, RF_ARG_NONE, 0, RF_EV_ALL,                   \
	  "container.image")                                                                       \
	X(CONTAINER_IMAGE_REPOSITORY, "container.image.repository", RF_STR, RF_ARG_NONE, 0,        \
	  RF_EV_ALL, "container.image_repository")                                                 \
	X(CONTAINER_IMAGE_TAG, "container.image.tag", RF_STR, RF_ARG_NONE, 0, RF_EV_ALL,           \
	  "container.image_tag")                                                                   \
	X(CONTAINER_IMAGE_DIGEST, "container.image.digest", RF_STR, RF_ARG_NONE, 0, RF_EV_ALL,     \
	  "container.image_digest")                                                                \
	X(CONTAINER_PRIVILEGED, "container.privileged", RF_BOOL, RF_ARG_NONE, 0, RF_EV_ALL,        \
	  "container.privileged")                                                                  \
	X(K8S_NS_NAME, "k8s.ns.name", RF_STR, RF_ARG_NONE, 0, RF_EV_ALL, "pod.namespace")          \
	X(K8S_POD_NAME, "k8s.pod.name", RF_STR, RF_ARG_NONE, 0, RF_EV_ALL, "pod.name")             \
	X(K8S_POD_UID, "k8s.pod.uid", RF_STR, RF_ARG_NONE, 0, RF_EV_ALL, "pod.uid")                \
	X(K8S_POD_LABEL, "k8s.pod.label", RF_STR, RF_ARG_KEY, RF_ARG_DOTTED, RF_EV_ALL,            \
	  "pod.labels[key]")                                                                       \
	X(K8S_POD_LABELS, "k8s.pod.labels", RF_STR, RF_ARG_NONE, 0, RF_EV_ALL,                     \
	  "pod.labels as key:value pairs")

/* evt.arg.NAME: X("name", events, "where vigil takes it from"); every one is text, as Falco
 * renders arguments (flags by name: O_TRUNC, CLONE_NEWNS...). */
#define RF_EVT_ARGS(X)                                                                             \
	X("fd", RF_EV_FD | RF_EV(MODULE_LOAD) | RF_EV(SETNS),                                      \
	  "file.fd, socket.fd, memfd.fd, module.fd, setns.fd")                                     \
	X("name", RF_EV(OPEN) | RF_EV(UNLINK) | RF_EV(MEMFD_CREATE) | RF_EV(UMOUNT),               \
	  "file.requested (open, unlinkat), memfd.name, umount.target")                            \
	X("path", RF_EV(MKDIR) | RF_EV(RMDIR) | RF_EV(UNLINK) | RF_EV(CHOWN) | RF_EV(CHROOT),      \
	  "file.requested (mkdir, rmdir, unlink, chown), chroot.path")                             \
	X("filename", RF_EV(CHMOD) | RF_EV(EXEC), "file.requested (chmod), process.filename")      \
	X("flags",                                                                                 \
	  RF_EV(OPEN) | RF_EV(UNSHARE) | RF_EV(MOUNT) | RF_EV(UMOUNT) | RF_EV(MEMFD_CREATE) |      \
	      RF_EV(MODULE_LOAD),                                                                  \
	  "file.flags by name; the flags of unshare, mount, umount, memfd, module")                \
	X("mode", RF_EV(OPEN) | RF_EV(CHMOD) | RF_EV(MKDIR), "file.mode, bits by name")            \
	X("oldpath", RF_EV(RENAME) | RF_EV(LINK), "file.requested")                                \
	X("newpath", RF_EV(RENAME) | RF_EV(LINK), "file.target_requested")                         \
	X("target", RF_EV(SYMLINK), "file.target: the link's content")                             \
	X("linkpath", RF_EV(SYMLINK), "file.requested: the link")                                  \
	X("domain", RF_EV(SOCKET), "socket.family")                                                \
	X("type", RF_EV(SOCKET), "socket.type")                                                    \
	X("proto", RF_EV(SOCKET), "socket.protocol")                                               \
	X("backlog", RF_EV(LISTEN), "backlog")                                                     \
	X("request", RF_EV(PTRACE), "ptrace.request")                                              \
	X("pid", RF_EV(PTRACE) | RF_EV(KILL), "ptrace.pid, kill.pid")                              \
	X("sig", RF_EV(KILL), "kill.signal")                                                       \
	X("uid", RF_EV(SETUID), "setuid.requested[0], named by the host's user database")          \
	X("gid", RF_EV(SETGID), "setgid.requested[0], named by the host's group database")         \
	X("cmd", RF_EV(BPF), "bpf.cmd")                                                            \
	X("option", RF_EV(PRCTL), "prctl.option")                                                  \
	X("nstype", RF_EV(SETNS), "setns.nstype")                                                  \
	X("res", RF_EV_SYSCALL, "syscall.ret")

enum rf_id {
#define RF_X_ENUM(id, name, type, arg, flags, ev, src) RF_##id,
	RF_FIELDS(RF_X_ENUM)
#undef RF_X_ENUM
	    RF_MAX,
};

struct rf_field {
	enum rf_id id;
	const char *name;
	enum rf_type type;
	enum rf_argk arg;
	unsigned flags; /* RF_ARG_* */
	uint64_t events;
	const char *source;
};

struct rf_arg {
	const char *name;
	uint64_t events;
	const char *source;
};

/* The field named name: an exact match, or a field taking its argument after a dot
 * (evt.arg.flags: the field evt.arg, *dotted "flags"). NULL when vigil has no such field. */
const struct rf_field *rules_fields__find(const char *name, const char **dotted);
const struct rf_field *rules_fields__get(enum rf_id id);
/* An evt.arg name; NULL when vigil does not provide it. */
const struct rf_arg *rules_fields__arg(const char *name);
const char *rules_fields__type_name(enum rf_type t);
/* Iteration, for documentation and tests. */
unsigned rules_fields__count(void);
unsigned rules_fields__arg_count(void);
const struct rf_arg *rules_fields__arg_at(unsigned i);

#endif /* VIGIL_RULES_FIELDS_H */
