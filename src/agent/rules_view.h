/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the rule evaluator sees of one event: a flat, already-decoded view that the live agent
 * fills from a kernel record and its caches (rules_live.c), and `vigil rules test` fills from a
 * recorded JSON line (rules_replay.c). The field accessors (rules_view.c) read only this, so a
 * rule gives the same answer on the node and offline.
 *
 * Producers set what they have and leave the rest zero: a NULL string, a has_* flag false, or a
 * callback NULL means "absent", and a check on an absent field is false (as in Falco, where a
 * field with no value matches nothing; `exists` is how to ask for it). Strings are borrowed: they
 * must live until the evaluation of the event ends. Nothing here is copied per event.
 */
#ifndef VIGIL_RULES_VIEW_H
#define VIGIL_RULES_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules_fields.h"

#define RV_ANC_MAX 16 /* ancestor levels a view can answer (proc.aname[N], N < RV_ANC_MAX) */

/* One process of the lineage: level 0 is the subject, 1 its parent, and so on. */
struct rv_proc {
	bool known;	    /* false: nothing below is set (the ancestor is not known) */
	uint32_t pid, ppid; /* tgid */
	const char *comm;   /* proc.name: the kernel's comm */
	const char *exepath; /* proc.exepath: the binary actually run; NULL when unknown */
	const char *args;    /* argv, NUL separated, argv[0] first (proc.exe is argv[0]) */
	uint32_t args_len;   /* bytes of args; 0: no argv known */
	const char *cwd;     /* NULL when unknown */
	uint64_t start_ns;   /* CLOCK_BOOTTIME (live) or Unix ns (replay); 0: unknown */
	uint32_t uid, gid, auid; /* auid: (uint32_t)-1 when unset */
	bool has_creds;
	uint32_t tty;
	bool memfd; /* the executable lives on a memfd */
	bool exe_upper; /* the executable is on an overlay's upper layer */
};

/* An IP address: family 4 or 6 (0: absent); v4 in the first 4 bytes. */
struct rv_ip {
	uint8_t family;
	uint8_t addr[16];
};

/* One end of a socket. */
struct rv_end {
	struct rv_ip ip;
	uint16_t port;
	bool has_port;
};

struct rv_event;

/* A string an accessor built from the view (proc.cmdline, thread.cap_effective...), kept for
 * the rest of the event so that the many rules reading it do not each build it again and use
 * up the scratch. Private to rules_view.c; rules_view__reset clears it. */
struct rv_built {
	const char *s; /* NULL: not built yet */
	size_t len;
};

#define RV_BUILT_MAX 8

/* The views' lazily answered parts: producers that cannot set them up front give a callback. */
struct rv_lazy {
	/* The ancestor at level (>= 1), or NULL when unknown. May use the scratch of ev. */
	const struct rv_proc *(*ancestor)(const struct rv_event *ev, unsigned level);
	/* A pod label's value, or NULL when the pod has no such label (or is unknown). */
	const char *(*pod_label)(const struct rv_event *ev, const char *key);
	/* Every label as "k1:v1, k2:v2" (Falco's k8s.pod.labels); NULL when unknown. */
	const char *(*pod_labels)(const struct rv_event *ev);
	/* A user or group name by id; NULL when the host's database has none. */
	const char *(*user_name)(const struct rv_event *ev, uint32_t uid);
	const char *(*group_name)(const struct rv_event *ev, uint32_t gid);
	void *ctx; /* for the callbacks */
};

struct rv_event {
	int type;	   /* VG_EV_*: which record layout this came from */
	uint64_t num;	   /* evt.num */
	uint64_t time_ns;  /* Unix time, ns: evt.time */
	uint64_t boot_ns;  /* CLOCK_BOOTTIME of the event (live) or time_ns (replay), for
			    * proc.duration against rv_proc.start_ns */
	const char *evt_name; /* evt.type as Falco names it: the syscall ("openat", "execve",
			       * "clone", "procexit"); rules_view__evt_name() has a default */

	/* syscall events (RF_EV_SYSCALL) */
	bool has_ret;
	int64_t ret;	    /* evt.rawres */
	const char *error;  /* errno name, "" or NULL on success */
	uint32_t tid;	    /* thread.tid */
	uint32_t uid;	    /* user.uid at the call (syscall events), else proc's */
	bool has_uid;
	uint64_t cap_effective, cap_permitted;
	bool has_caps;

	struct rv_proc proc;   /* level 0 */
	struct rv_proc parent; /* level 1, also reachable through lazy.ancestor */

	/* exec: what execve was given */
	const char *filename;

	/* fd: the fd the event names or returns, and what it is */
	bool has_fd;
	int32_t fd;
	const char *fd_name;   /* fd.name as Falco renders it: a path, "1.2.3.4:5->6.7.8.9:10",
				* a unix path, "memfd:x"... */
	const char *fd_nameraw; /* file events: the path argument as passed */
	char fd_typechar;	/* 'f' file, 'd' directory, '4', '6', 'u' unix, 'p' pipe,
				 * 's' signalfd, 'e' eventfd, 'i' inotify, 'l' link, 'c' char dev,
				 * 'b' block dev, 'o' other; 0: absent */
	/* open */
	bool has_open_flags;
	uint32_t open_flags; /* O_* as the kernel used them */
	bool has_mode;
	uint32_t mode; /* permission bits of a mode argument */

	/* network */
	uint8_t l4proto; /* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP(V6), 255 raw; 0: absent */
	int sock_family; /* AF_INET, AF_INET6, AF_UNIX, AF_PACKET...; 0: absent */
	struct rv_end local, remote;
	bool server_is_local; /* accept, bind, listen: the local end is the server */
	int connected;	      /* fd.connected: -1 absent, 0, 1 */
	int name_changed;     /* fd.name_changed: -1 absent, 0, 1 */

	/* evt.arg.NAME, rendered as Falco renders it ("O_RDONLY|O_CLOEXEC"); NULL: absent.
	 * A producer with arguments sets this; the result may live in the view's scratch. */
	const char *(*arg)(const struct rv_event *ev, const char *name);
	const void *arg_ctx;

	/* container and pod */
	const char *container_id; /* NULL: unknown; "host" outside containers */
	const char *container_name, *image, *image_repository, *image_tag, *image_digest;
	int privileged; /* -1 unknown, 0, 1 */
	const char *k8s_ns, *k8s_pod, *k8s_pod_uid;

	struct rv_lazy lazy;

	/* Scratch for accessors and callbacks that must build a string (proc.cmdline, fd.name of
	 * a socket, a flags rendering): rules_view__scratch() hands out pieces, reset per event
	 * by rules_view__reset(). */
	char *scratch;
	size_t scratch_size, scratch_used;
	/* Strings built once per event; producers leave this zero (rules_view__reset does). A
	 * producer that changes the view after an evaluation must reset it before the next. */
	struct rv_built built[RV_BUILT_MAX];
};

/* One value of a field for one event. */
struct rv_val {
	enum rf_type type;
	const char *s; /* RF_STR, RF_BYTES: not necessarily NUL terminated */
	size_t len;
	int64_t n;	 /* RF_NUM, RF_BOOL (0 or 1) */
	struct rv_ip ip; /* RF_IPADDR, RF_IPNET */
};

#define RV_SCRATCH_DEFAULT 16384

/* Zero the view, keep its scratch buffer (which the caller owns) and empty it. The fields
 * whose absence is -1 (connected, name_changed, privileged) are set to -1. */
void rules_view__reset(struct rv_event *ev, char *scratch, size_t size);
/* n bytes of scratch, or NULL when it is used up (the accessor then reports absent). */
char *rules_view__scratch(const struct rv_event *ev, size_t n);
/* Falco's evt.type for ev: ev->evt_name, or the first syscall name of ev->type. */
const char *rules_view__evt_name(const struct rv_event *ev);
/* The process at level (0: the subject), or NULL when unknown. */
const struct rv_proc *rules_view__proc(const struct rv_event *ev, unsigned level);

/*
 * The value of field f (with its argument `key`: "2" for proc.aname[2], "flags" for
 * evt.arg.flags, a label name; NULL when none) for ev. Returns 1 and fills *out, 0 when the
 * field has no value for this event. Fields whose argument is optional and absent (proc.aname
 * without [N]) have several values: use rules_view__each. Asked with get, they give one, as
 * Falco's outputs show them: proc.aname and the like the process itself (level 0), fd.ip,
 * fd.port, fd.net the local end (the remote one when the local is not known).
 */
int rules_view__get(const struct rv_event *ev, const struct rf_field *f, const char *key,
		    struct rv_val *out);
/* Every value of a multi-valued use (proc.aname, proc.apid... without an index: each known
 * ancestor from level 1 up; fd.ip, fd.port, fd.net: both ends): fn is called for each until it
 * returns true. Returns true when some call did; for a single-valued field, once. */
bool rules_view__each(const struct rv_event *ev, const struct rf_field *f, const char *key,
		      bool (*fn)(const struct rv_val *v, void *arg), void *arg);
/* Render a value as Falco prints it in an output: text as is, numbers in decimal, booleans
 * true/false, addresses in their usual form. Returns the length written: at most size-1 bytes,
 * and a NUL (nothing when size is 0). */
size_t rules_view__format(const struct rv_val *v, char *buf, size_t size);
/* fd.name of an IP socket as Falco writes it, from the view's ends: "client:port->server:port"
 * (IPv6 without brackets; an end whose address is unknown as the any address), or the server
 * end alone for bind and listen. Returns the length
 * (as snprintf), or -ENOENT when there is no tuple yet (a socket call, no address). */
int rules_view__tuple(const struct rv_event *ev, char *buf, size_t size);

#endif /* VIGIL_RULES_VIEW_H */
