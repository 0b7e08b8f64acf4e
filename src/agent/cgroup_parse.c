// SPDX-License-Identifier: Apache-2.0
/*
 * Cgroup path -> container and pod identity.
 *
 * The path is walked one component at a time as (pointer, length) spans into the caller's
 * string, so nothing is copied until an id is known to fit, and no comparison runs past a
 * component's end. Each component is classified with its parent's class as context: a bare hex
 * id is only a container under a pod or under "/docker", and "burstable" or "pod<uid>" only
 * mean something under a kubepods root, so a random hex string elsewhere is not mistaken for one.
 */
#include <errno.h>
#include <string.h>

#include "cgroup_parse.h"

#define CG_ID_MIN	12 /* docker's short ids; runc accepts anything, runtimes use 64 */
#define CG_ID_MAX	(CG_CONTAINER_ID_MAX - 1)
#define CG_UUID_LEN	36
#define CG_UUID_HEX_LEN 32 /* static pods: the kubelet uses an md5 in hex, no dashes */
#define CG_POD_TAG_LEN	4  /* "-pod" in a systemd pod slice name */

struct span {
	const char *p;
	size_t len;
};

/* What a component turned out to be; the next component is read in its light. */
enum comp_kind {
	K_OTHER = 0,
	K_TRUNC,      /* ".." or "...": the kernel could not walk further up */
	K_DOCKER_DIR, /* "docker": docker's cgroupfs parent */
	K_ROOT,	      /* kubepods root */
	K_QOS,	      /* besteffort / burstable level */
	K_POD,
	K_CTR,
	K_HELPER, /* conmon: a runtime process living in the pod, not a container */
};

/* Runtime prefixes of container cgroup names, as each runtime writes them. */
static const struct {
	const char *prefix;
	enum cg_runtime rt;
} runtimes[] = {
    {"cri-containerd", CG_RT_CONTAINERD},
    {"nerdctl", CG_RT_CONTAINERD},
    {"crio", CG_RT_CRIO},
    {"docker", CG_RT_DOCKER},
    {"libpod", CG_RT_PODMAN},
};

static bool span_eq(struct span s, const char *lit)
{
	size_t n = strlen(lit);

	return s.len == n && memcmp(s.p, lit, n) == 0;
}

static bool strip_prefix(struct span *s, const char *lit)
{
	size_t n = strlen(lit);

	if (s->len < n || memcmp(s->p, lit, n) != 0)
		return false;
	s->p += n;
	s->len -= n;
	return true;
}

static bool strip_suffix(struct span *s, const char *lit)
{
	size_t n = strlen(lit);

	if (s->len < n || memcmp(s->p + s->len - n, lit, n) != 0)
		return false;
	s->len -= n;
	return true;
}

static bool span_ends(struct span s, const char *lit)
{
	return strip_suffix(&s, lit);
}

/* s ends with word, and word is either all of s or follows a '-' ("kubelet-kubepods"). */
static bool ends_with_word(struct span s, const char *word)
{
	if (!strip_suffix(&s, word))
		return false;
	return s.len == 0 || s.p[s.len - 1] == '-';
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool all_hex(struct span s)
{
	for (size_t i = 0; i < s.len; i++)
		if (!is_hex(s.p[i]))
			return false;
	return true;
}

static bool is_container_id(struct span s)
{
	return s.len >= CG_ID_MIN && s.len <= CG_ID_MAX && all_hex(s);
}

/* A pod uid: a uuid with sep where the dashes go, or a static pod's 32 hex digits. */
static bool is_pod_uid(struct span s, char sep)
{
	if (s.len == CG_UUID_HEX_LEN)
		return all_hex(s);
	if (s.len != CG_UUID_LEN)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s.p[i] != sep : !is_hex(s.p[i]))
			return false;
	}
	return true;
}

/* Callers have checked s.len < size, so the copy always fits. */
static void copy_id(char *dst, struct span s)
{
	for (size_t i = 0; i < s.len; i++) {
		char c = s.p[i];

		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		dst[i] = c == '_' ? '-' : c;
	}
	dst[s.len] = '\0';
}

static void clear_container(struct cg_identity *out)
{
	out->container = false;
	out->runtime = CG_RT_NONE;
	out->container_id[0] = '\0';
}

static void set_pod(struct cg_identity *out, struct span uid, enum cg_qos q, enum cg_driver d)
{
	clear_container(out);
	out->pod = true;
	out->qos = q;
	out->driver = d;
	copy_id(out->pod_uid, uid);
}

static enum comp_kind set_container(struct cg_identity *out, enum cg_runtime rt, struct span id,
				    enum cg_driver d)
{
	out->container = true;
	out->runtime = rt;
	out->driver = d;
	copy_id(out->container_id, id);
	return K_CTR;
}

/* Kubernetes levels above a pod start the identity afresh: whatever held them is outside. */
static enum comp_kind set_level(struct cg_identity *out, enum comp_kind k, enum cg_qos q,
				enum cg_driver d)
{
	memset(out, 0, sizeof(*out));
	out->qos = q;
	out->driver = d;
	return k;
}

static enum cg_runtime runtime_of(struct span prefix)
{
	for (size_t i = 0; i < sizeof(runtimes) / sizeof(runtimes[0]); i++)
		if (span_eq(prefix, runtimes[i].prefix))
			return runtimes[i].rt;
	return CG_RT_UNKNOWN;
}

/*
 * The QoS named by the head of a systemd slice: "[x-]kubepods-besteffort",
 * "[x-]kubepods-burstable", or plain "[x-]kubepods" where guaranteed pods live.
 */
static enum cg_qos slice_qos(struct span head)
{
	if (ends_with_word(head, "kubepods-besteffort"))
		return CG_QOS_BESTEFFORT;
	if (ends_with_word(head, "kubepods-burstable"))
		return CG_QOS_BURSTABLE;
	if (ends_with_word(head, "kubepods"))
		return CG_QOS_GUARANTEED;
	return CG_QOS_NONE;
}

static bool is_kube_root(struct span s, enum cg_driver *d)
{
	if (span_eq(s, "kubepods")) {
		*d = CG_DRIVER_CGROUPFS;
		return true;
	}
	*d = CG_DRIVER_SYSTEMD;
	return strip_suffix(&s, ".slice") && ends_with_word(s, "kubepods");
}

static enum cg_qos qos_level(struct span s, enum comp_kind prev, enum cg_driver *d)
{
	enum cg_qos q = CG_QOS_NONE;

	if (prev == K_ROOT || prev == K_TRUNC) {
		*d = CG_DRIVER_CGROUPFS;
		if (span_eq(s, "besteffort"))
			return CG_QOS_BESTEFFORT;
		if (span_eq(s, "burstable"))
			return CG_QOS_BURSTABLE;
	}
	*d = CG_DRIVER_SYSTEMD;
	if (strip_suffix(&s, ".slice"))
		q = slice_qos(s);
	return q == CG_QOS_GUARANTEED ? CG_QOS_NONE : q;
}

/* cgroupfs "pod<uid>": its QoS is its parent's, or guaranteed directly under kubepods. */
static bool parse_pod_dir(struct span s, enum comp_kind prev, struct cg_identity *out)
{
	enum cg_qos q = CG_QOS_NONE;

	if (prev != K_ROOT && prev != K_QOS && prev != K_TRUNC)
		return false;
	if (!strip_prefix(&s, "pod") || !is_pod_uid(s, '-'))
		return false;
	if (prev == K_ROOT)
		q = CG_QOS_GUARANTEED;
	else if (prev == K_QOS)
		q = out->qos;
	set_pod(out, s, q, CG_DRIVER_CGROUPFS);
	return true;
}

/* Split "<head>-pod<uid>" for a uid of uid_len characters. */
static bool split_pod_slice(struct span s, size_t uid_len, struct span *head, struct span *uid)
{
	if (s.len < uid_len + CG_POD_TAG_LEN)
		return false;
	*uid = (struct span){s.p + s.len - uid_len, uid_len};
	*head = (struct span){s.p, s.len - uid_len - CG_POD_TAG_LEN};
	return memcmp(head->p + head->len, "-pod", CG_POD_TAG_LEN) == 0 && is_pod_uid(*uid, '_');
}

/* systemd "[x-]kubepods[-qos]-pod<uid_>.slice": the name alone says everything. */
static bool parse_pod_slice(struct span s, struct cg_identity *out)
{
	struct span head, uid;
	enum cg_qos q;

	if (!strip_suffix(&s, ".slice"))
		return false;
	if (!split_pod_slice(s, CG_UUID_LEN, &head, &uid) &&
	    !split_pod_slice(s, CG_UUID_HEX_LEN, &head, &uid))
		return false;
	q = slice_qos(head);
	if (q == CG_QOS_NONE)
		return false;
	set_pod(out, uid, q, CG_DRIVER_SYSTEMD);
	return true;
}

/* containerd/runc's systemd cgroupsPath left verbatim: "<slice>:<prefix>:<id>". */
static enum comp_kind parse_triple(struct span s, struct cg_identity *out)
{
	const char *end = s.p + s.len, *c1, *c2;
	struct span slice, prefix, id;

	c1 = memchr(s.p, ':', s.len);
	if (!c1)
		return K_OTHER;
	c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1));
	if (!c2)
		return K_OTHER;
	slice = (struct span){s.p, (size_t)(c1 - s.p)};
	prefix = (struct span){c1 + 1, (size_t)(c2 - c1 - 1)};
	id = (struct span){c2 + 1, (size_t)(end - c2 - 1)};
	/* runc lets the slice be empty, meaning system.slice */
	if (!is_container_id(id) || (slice.len && !span_ends(slice, ".slice")))
		return K_OTHER;
	parse_pod_slice(slice, out);
	return set_container(out, runtime_of(prefix), id, CG_DRIVER_SYSTEMD);
}

/* "<runtime>-<id>[.scope]", or "<runtime>-conmon-<id>[.scope]" for the runtime's monitor. */
static enum comp_kind parse_runtime_leaf(struct span s, struct cg_identity *out)
{
	enum cg_driver d = strip_suffix(&s, ".scope") ? CG_DRIVER_SYSTEMD : CG_DRIVER_CGROUPFS;

	for (size_t i = 0; i < sizeof(runtimes) / sizeof(runtimes[0]); i++) {
		struct span id = s;
		bool helper;

		if (!strip_prefix(&id, runtimes[i].prefix) || !strip_prefix(&id, "-"))
			continue;
		helper = strip_prefix(&id, "conmon-");
		if (!is_container_id(id))
			continue;
		if (!helper)
			return set_container(out, runtimes[i].rt, id, d);
		clear_container(out);
		out->runtime = runtimes[i].rt;
		out->driver = d;
		return K_HELPER;
	}
	return K_OTHER;
}

/* A bare id names a container only where runtimes put one: in a pod, or under "/docker". */
static enum comp_kind parse_bare_id(struct span s, enum comp_kind prev, struct cg_identity *out)
{
	if (!is_container_id(s))
		return K_OTHER;
	if (prev == K_POD)
		return set_container(out, CG_RT_UNKNOWN, s, CG_DRIVER_CGROUPFS);
	if (prev == K_DOCKER_DIR)
		return set_container(out, CG_RT_DOCKER, s, CG_DRIVER_CGROUPFS);
	return K_OTHER;
}

static enum comp_kind parse_component(struct span s, enum comp_kind prev, struct cg_identity *out)
{
	enum comp_kind k;
	enum cg_driver d;
	enum cg_qos q;

	if (span_eq(s, "..") || span_eq(s, "..."))
		return K_TRUNC;
	if (is_kube_root(s, &d))
		return set_level(out, K_ROOT, CG_QOS_NONE, d);
	q = qos_level(s, prev, &d);
	if (q != CG_QOS_NONE)
		return set_level(out, K_QOS, q, d);
	if (parse_pod_dir(s, prev, out) || parse_pod_slice(s, out))
		return K_POD;
	k = parse_triple(s, out);
	if (k == K_OTHER)
		k = parse_runtime_leaf(s, out);
	if (k == K_OTHER)
		k = parse_bare_id(s, prev, out);
	if (k == K_OTHER && span_eq(s, "docker"))
		k = K_DOCKER_DIR;
	return k;
}

/* Next non-empty component of *pos; repeated and trailing slashes yield nothing. */
static bool next_component(const char **pos, struct span *c)
{
	const char *p = *pos;

	while (*p == '/')
		p++;
	c->p = p;
	while (*p && *p != '/')
		p++;
	c->len = (size_t)(p - c->p);
	*pos = p;
	return c->len > 0;
}

int cg_parse(const char *path, struct cg_identity *out)
{
	enum comp_kind prev = K_OTHER;
	struct span c;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!path || !*path)
		return -EINVAL;
	while (next_component(&path, &c))
		prev = parse_component(c, prev, out);
	return 0;
}

const char *cg_runtime_name(enum cg_runtime rt)
{
	switch (rt) {
	case CG_RT_CONTAINERD:
		return "containerd";
	case CG_RT_CRIO:
		return "cri-o";
	case CG_RT_DOCKER:
		return "docker";
	case CG_RT_PODMAN:
		return "podman";
	case CG_RT_UNKNOWN:
		return "unknown";
	default:
		return "";
	}
}

const char *cg_qos_name(enum cg_qos q)
{
	switch (q) {
	case CG_QOS_GUARANTEED:
		return "guaranteed";
	case CG_QOS_BURSTABLE:
		return "burstable";
	case CG_QOS_BESTEFFORT:
		return "besteffort";
	default:
		return "";
	}
}

const char *cg_driver_name(enum cg_driver d)
{
	switch (d) {
	case CG_DRIVER_CGROUPFS:
		return "cgroupfs";
	case CG_DRIVER_SYSTEMD:
		return "systemd";
	default:
		return "";
	}
}
