/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Falco's event type names (evt.type = openat) and the vigil event types that stand for them,
 * and the set of event types a condition can match, as Falco computes it: evt.type = X and
 * evt.type in (...) give those types, != and 'not' the complement, 'and' the intersection, 'or'
 * the union, any other check every type. The set is what tells whether vigil can run a rule at
 * all, and later which BPF programs it needs.
 */
#ifndef VIGIL_RULES_EVTTYPE_H
#define VIGIL_RULES_EVTTYPE_H

#include <stdbool.h>
#include <stdint.h>

#include "rules_cond.h"
#include "rules_fields.h"

/* X("falco name", TYPE, TYPE2, "what vigil reports of it, when it is not every call"). TYPE2
 * is a second vigil type the syscall may produce, NONE when there is none. */
#define RE_EVTTYPES(X)                                                                             \
	X("execve", EXEC, NONE, NULL)                                                              \
	X("execveat", EXEC, NONE, NULL)                                                            \
	X("clone", FORK, NONE, "only new processes, not threads")                                  \
	X("clone3", FORK, NONE, "only new processes, not threads")                                 \
	X("fork", FORK, NONE, NULL)                                                                \
	X("vfork", FORK, NONE, NULL)                                                               \
	X("procexit", EXIT, NONE, "only when the whole process exits")                             \
	X("open", OPEN, NONE, NULL)                                                                \
	X("openat", OPEN, NONE, NULL)                                                              \
	X("openat2", OPEN, NONE, NULL)                                                             \
	X("creat", OPEN, NONE, NULL)                                                               \
	X("unlink", UNLINK, NONE, NULL)                                                            \
	X("unlinkat", UNLINK, RMDIR, NULL)                                                         \
	X("rmdir", RMDIR, NONE, NULL)                                                              \
	X("rename", RENAME, NONE, NULL)                                                            \
	X("renameat", RENAME, NONE, NULL)                                                          \
	X("renameat2", RENAME, NONE, NULL)                                                         \
	X("link", LINK, NONE, NULL)                                                                \
	X("linkat", LINK, NONE, NULL)                                                              \
	X("symlink", SYMLINK, NONE, NULL)                                                          \
	X("symlinkat", SYMLINK, NONE, NULL)                                                        \
	X("chmod", CHMOD, NONE, NULL)                                                              \
	X("fchmod", CHMOD, NONE, NULL)                                                             \
	X("fchmodat", CHMOD, NONE, NULL)                                                           \
	X("fchmodat2", CHMOD, NONE, NULL)                                                          \
	X("chown", CHOWN, NONE, NULL)                                                              \
	X("lchown", CHOWN, NONE, NULL)                                                             \
	X("fchown", CHOWN, NONE, NULL)                                                             \
	X("fchownat", CHOWN, NONE, NULL)                                                           \
	X("truncate", TRUNCATE, NONE, NULL)                                                        \
	X("ftruncate", TRUNCATE, NONE, NULL)                                                       \
	X("mkdir", MKDIR, NONE, NULL)                                                              \
	X("mkdirat", MKDIR, NONE, NULL)                                                            \
	X("write", WRITE_HEAD, NONE, "only writes at offset 0 of a regular file (write_head)")     \
	X("pwrite", WRITE_HEAD, NONE, "only writes at offset 0 of a regular file (write_head)")    \
	X("close", CLOSE, NONE, "only fds vigil saw created")                                      \
	X("socket", SOCKET, NONE, NULL)                                                            \
	X("connect", CONNECT, NONE, NULL)                                                          \
	X("accept", ACCEPT, NONE, "only accepts that return a socket")                             \
	X("accept4", ACCEPT, NONE, "only accepts that return a socket")                            \
	X("bind", BIND, NONE, NULL)                                                                \
	X("listen", LISTEN, NONE, NULL)                                                            \
	X("sendto", UDP_SEND, DNS, "only UDP: one per destination per second, port 53 as dns")     \
	X("sendmsg", UDP_SEND, DNS, "only UDP: one per destination per second, port 53 as dns")    \
	X("recvfrom", DNS, NONE, "only DNS answers from UDP port 53")                              \
	X("recvmsg", DNS, NONE, "only DNS answers from UDP port 53")                               \
	X("setuid", SETUID, NONE, NULL)                                                            \
	X("setreuid", SETUID, NONE, NULL)                                                          \
	X("setresuid", SETUID, NONE, NULL)                                                         \
	X("setfsuid", SETUID, NONE, NULL)                                                          \
	X("setgid", SETGID, NONE, NULL)                                                            \
	X("setregid", SETGID, NONE, NULL)                                                          \
	X("setresgid", SETGID, NONE, NULL)                                                         \
	X("setfsgid", SETGID, NONE, NULL)                                                          \
	X("capset", CAPSET, NONE, NULL)                                                            \
	X("ptrace", PTRACE, NONE, "repeated requests other than attach once a second")             \
	X("init_module", MODULE_LOAD, NONE, NULL)                                                  \
	X("finit_module", MODULE_LOAD, NONE, NULL)                                                 \
	X("delete_module", MODULE_UNLOAD, NONE, NULL)                                              \
	X("mount", MOUNT, NONE, NULL)                                                              \
	X("umount", UMOUNT, NONE, NULL)                                                            \
	X("umount2", UMOUNT, NONE, NULL)                                                           \
	X("unshare", UNSHARE, NONE, NULL)                                                          \
	X("setns", SETNS, NONE, NULL)                                                              \
	X("chroot", CHROOT, NONE, NULL)                                                            \
	X("pivot_root", PIVOT_ROOT, NONE, NULL)                                                    \
	X("memfd_create", MEMFD_CREATE, NONE, NULL)                                                \
	X("bpf", BPF, NONE, "not vigil's own calls")                                               \
	X("dup", DUP, NONE, "only dups onto fds 0-2 or of sockets")                                \
	X("dup2", DUP, NONE, "only dups onto fds 0-2 or of sockets")                               \
	X("dup3", DUP, NONE, "only dups onto fds 0-2 or of sockets")                               \
	X("kill", KILL, NONE, "not signals a process sends itself")                                \
	X("tkill", KILL, NONE, "not signals a process sends itself")                               \
	X("tgkill", KILL, NONE, "not signals a process sends itself")                              \
	X("prctl", PRCTL, NONE, "only options that change security state or identity")             \
	X("personality", PERSONALITY, NONE, "not queries")

#define RE_NAMES_MAX 8 /* event type names vigil lacks that a set remembers, for messages */
#define RE_NOTES_MAX 8

struct re_evttype {
	const char *name;
	uint64_t events;     /* RF_EV(TYPE) | RF_EV(TYPE2) */
	const char *partial; /* NULL: vigil reports every call */
};

/* Event types a condition can match. */
struct re_set {
	bool exact;	 /* the condition holds for exactly these types, whatever else is true */
	uint64_t events; /* vigil's types */
	bool other;	 /* and some types vigil does not produce: */
	bool any_other;	 /* every such type, or only names[] */
	unsigned nnames;
	const char *names[RE_NAMES_MAX];
	unsigned nnotes; /* types named whose vigil coverage is partial */
	const struct re_evttype *notes[RE_NOTES_MAX];
};

/* A Falco event type name; NULL when vigil produces no such event. */
const struct re_evttype *rules_evttype__find(const char *name);
/* Every type (a check that is not on evt.type). */
void rules_evttype__all(struct re_set *s);
/* The set of one check: evt.type =, !=, in, intersects; every type for any other check. */
void rules_evttype__check(const struct rc_check *c, struct re_set *out);
void rules_evttype__not(struct re_set *s);
void rules_evttype__and(struct re_set *s, const struct re_set *t);
void rules_evttype__or(struct re_set *s, const struct re_set *t);
/* The set restricts nothing: every vigil type and every other. */
bool rules_evttype__is_all(const struct re_set *s);

#endif /* VIGIL_RULES_EVTTYPE_H */
