/* SPDX-License-Identifier: Apache-2.0 */
/* Enforcement's kernel side from user space: the policies and the maps that point at them,
 * the .bss switches, the pod masks, and the cgroup programs on the cgroup v2 root. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "agent.h"
#include "enforce_int.h"
#include "json.h"
#include "k8s_pod.h"
#include "log.h"
#include "pod_cache.h"
#include "scope.h"
#include "vigil.skel.h"

/* OR bit into the mask stored under key (a map of u64 masks). */
static int mask_or(int fd, const void *key, unsigned bit)
{
	uint64_t m = 0;

	bpf_map_lookup_elem(fd, key, &m);
	m |= 1ull << bit;
	return bpf_map_update_elem(fd, key, &m, BPF_ANY) ? -errno : 0;
}

static int fill_paths(struct agent *a, const struct enf_entry *e)
{
	int fd = bpf_map__fd(a->skel->maps.enf_paths), err = 0;

	for (size_t i = 0; i < e->plan->npaths && !err; i++) {
		const struct rp_pattern *p = &e->plan->paths[i];
		struct vg_path_key k = { 0 };
		size_t len = strlen(p->path) + (p->kind == RP_EXACT);

		if (len > sizeof(k.path))
			return -ENAMETOOLONG;
		memcpy(k.path, p->path, strlen(p->path));
		k.prefixlen = len * 8;
		err = mask_or(fd, &k, e->id);
	}
	return err;
}

static int fill_devices(struct agent *a, const struct enf_entry *e)
{
	int fd = bpf_map__fd(a->skel->maps.enf_devs), err = 0;

	for (size_t i = 0; i < e->plan->npaths && !err; i++) {
		unsigned maj, min;
		uint64_t key;
		char type;

		if ((err = enforce_device_of(e->plan->paths[i].path, &type, &maj, &min)))
			return err;
		key = ((uint64_t)type << 40) | ((uint64_t)(maj & 0xfffff) << 20) | (min & 0xfffff);
		err = mask_or(fd, &key, e->id);
	}
	return err;
}

static int fill_net(struct agent *a, const struct enf_entry *e)
{
	const struct ep_plan *p = e->plan;
	int err = 0;

	for (size_t i = 0; i < p->nnets && !err; i++) {
		const struct ep_net *n = &p->nets[i];
		struct { uint32_t prefixlen; uint8_t addr[16]; } k = { n->prefixlen, { 0 } };
		bool v6 = n->family == AF_INET6;

		memcpy(k.addr, n->addr, v6 ? 16 : 4);
		err = mask_or(bpf_map__fd(v6 ? a->skel->maps.enf_nets6 : a->skel->maps.enf_nets4),
			      &k, e->id);
	}
	for (size_t i = 0; i < p->nports && !err; i++)
		err = mask_or(bpf_map__fd(a->skel->maps.enf_ports), &p->ports[i], e->id);
	return err;
}

static int fill_comms(struct agent *a, const struct enf_entry *e)
{
	int fd = bpf_map__fd(a->skel->maps.enf_comms), err = 0;

	for (size_t i = 0; i < e->plan->ncomms && !err; i++) {
		char k[VG_COMM_LEN] = { 0 };

		memcpy(k, e->plan->comms[i], strnlen(e->plan->comms[i], VG_COMM_LEN - 1));
		err = mask_or(fd, k, e->id);
	}
	return err;
}

static const uint8_t cls_of[] = { [EP_OPEN] = VG_ENF_OPEN, [EP_CONNECT] = VG_ENF_CONNECT,
				  [EP_EXEC] = VG_ENF_EXEC };
static const uint8_t scope_of[] = { [EP_SCOPE_CONTAINERS] = VG_ENF_SCOPE_CONTAINERS,
				    [EP_SCOPE_HOST] = VG_ENF_SCOPE_HOST,
				    [EP_SCOPE_PODS] = VG_ENF_SCOPE_PODS };

/* The policy for kernel entry e. deny is real on devices and connects; kill elsewhere. */
static struct vg_enf_policy policy_of(const struct enf_entry *e)
{
	const struct ep_plan *p = e->plan;
	const struct rules_rule *r = e->rule;
	struct vg_enf_policy v = { .cls = cls_of[p->cls], .scope = scope_of[p->scope] };

	if (r->action != RULES_ACT_NONE) /* whatever the mode: vg_enf_enforcing gates it */
		v.action = r->action == RULES_ACT_DENY && (e->devices || p->cls == EP_CONNECT)
				   ? VG_ACT_DENY
				   : VG_ACT_KILL;
	v.flags |= p->npaths && !e->devices ? VG_ENF_F_PATHS : 0;
	v.flags |= p->ncomms ? (p->comm_exclude ? VG_ENF_F_COMM_OUT : VG_ENF_F_COMM_IN) : 0;
	v.flags |= p->has_uid ? (p->uid_ne ? VG_ENF_F_UID_NE : VG_ENF_F_UID_EQ) : 0;
	v.flags |= p->open_acc & EP_ACC_READ ? VG_ENF_F_READ : 0;
	v.flags |= p->open_acc & EP_ACC_WRITE ? VG_ENF_F_WRITE : 0;
	v.flags |= p->nnets ? VG_ENF_F_NETS : 0;
	v.flags |= p->nports ? VG_ENF_F_PORTS : 0;
	v.uid = p->uid;
	if (r->thr_count) {
		v.flags |= VG_ENF_F_THRESHOLD;
		v.thr_count = r->thr_count > 0xffff ? 0xffff : r->thr_count;
		v.thr_window_ms = r->thr_window_ns / 1000000;
	}
	return v;
}

/* The policy's properties as bits of the kernel's per-property masks (enforce.bpf.h). */
static int fill_masks(struct agent *a, const struct enf_entry *e, const struct vg_enf_policy *v)
{
	typeof(a->skel->bss) b = a->skel->bss;
	uint64_t bit = 1ull << e->id;
	struct vg_enf_uid u = { 0 };
	int fd = bpf_map__fd(a->skel->maps.enf_uids);

	b->vg_enf_cls[v->cls & 3] |= bit;
	b->vg_enf_read |= v->flags & VG_ENF_F_READ ? bit : 0;
	b->vg_enf_write |= v->flags & VG_ENF_F_WRITE ? bit : 0;
	b->vg_enf_comm_in |= v->flags & VG_ENF_F_COMM_IN ? bit : 0;
	b->vg_enf_comm_out |= v->flags & VG_ENF_F_COMM_OUT ? bit : 0;
	b->vg_enf_uid_eq |= v->flags & VG_ENF_F_UID_EQ ? bit : 0;
	b->vg_enf_uid_ne |= v->flags & VG_ENF_F_UID_NE ? bit : 0;
	b->vg_enf_need_nets |= v->flags & VG_ENF_F_NETS ? bit : 0;
	b->vg_enf_need_ports |= v->flags & VG_ENF_F_PORTS ? bit : 0;
	b->vg_enf_thr |= v->flags & VG_ENF_F_THRESHOLD ? bit : 0;
	b->vg_enf_enforcing |= e->mode == RULES_MODE_ENFORCE ? bit : 0;
	b->vg_enf_in_ctr |= v->scope == VG_ENF_SCOPE_CONTAINERS ? bit : 0;
	b->vg_enf_in_host |= v->scope == VG_ENF_SCOPE_HOST ? bit : 0;
	b->vg_enf_in_pods |= v->scope == VG_ENF_SCOPE_PODS ? bit : 0;
	if (!(v->flags & (VG_ENF_F_UID_EQ | VG_ENF_F_UID_NE)))
		return 0;
	bpf_map_lookup_elem(fd, &v->uid, &u);
	if (v->flags & VG_ENF_F_UID_EQ)
		u.eq |= bit;
	else
		u.ne |= bit;
	return bpf_map_update_elem(fd, &v->uid, &u, BPF_ANY) ? -errno : 0;
}

static int fill_entry(struct agent *a, const struct enf_entry *e)
{
	struct vg_enf_policy v = policy_of(e);
	uint32_t key = e->id;
	int err;

	if (bpf_map_update_elem(bpf_map__fd(a->skel->maps.enf_policy), &key, &v, BPF_ANY))
		return -errno;
	if (e->devices)
		err = fill_devices(a, e);
	else
		err = fill_paths(a, e);
	if (!err)
		err = fill_net(a, e);
	if (!err)
		err = fill_comms(a, e);
	if (err)
		return err;
	if ((err = fill_masks(a, e, &v)))
		return err;
	a->skel->bss->vg_enf_active |= 1u << v.cls;
	if (v.cls == VG_ENF_OPEN && !(v.flags & VG_ENF_F_PATHS) && !e->devices)
		a->skel->bss->vg_enf_nopath |= 1ull << e->id;
	if (v.cls == VG_ENF_CONNECT && !(v.flags & VG_ENF_F_NETS))
		a->skel->bss->vg_enf_nonet |= 1ull << e->id;
	if (v.cls == VG_ENF_EXEC)
		a->skel->bss->vg_enf_exec |= 1ull << e->id;
	if (v.scope == VG_ENF_SCOPE_PODS)
		a->skel->bss->vg_enf_pods = 1;
	return 0;
}

static void pod_cb(void *ctx, const struct k8s_pod *p)
{
	agent_enforce_pod(ctx, p, false);
}

int agent_enforce_apply(struct agent *a)
{
	struct agent_enforce_state *st = a->enf;
	int err;

	if (!st)
		return 0;
	/* the scopes containers and host need it: without it, host processes look contained */
	if ((err = scope_host_mnt_ns(a, "enforcement")))
		return err;
	for (unsigned i = 0; i < st->n; i++) {
		struct enf_entry *e = &st->ents[i];

		if (!e->kernel)
			continue;
		if ((err = fill_entry(a, e))) {
			log_error("enforce: rule '%s': cannot fill the kernel maps: %s",
				  e->rule->name, strerror(-err));
			return err;
		}
	}
	if (st->sockaddr)
		a->skel->bss->vg_enf_active |= 1u << 0; /* quarantine checks run */
	for (unsigned i = 0; i < st->n; i++) {
		const struct enf_entry *e = &st->ents[i];

		/* user space acts on these: their records wake it at once */
		if (!e->kernel && e->mode == RULES_MODE_ENFORCE &&
		    e->rule->action != RULES_ACT_NONE)
			a->skel->bss->vg_wake_types |= e->rule->events;
	}
	if (a->k8s.pods)
		pod_cache__each(a->k8s.pods, pod_cb, a);
	return 0;
}

static bool name_in(const char *s, const char *const *v, size_t n)
{
	if (!n)
		return true;
	for (size_t i = 0; i < n; i++)
		if (s && !strcmp(s, v[i]))
			return true;
	return false;
}

void agent_enforce_pod(struct agent *a, const struct k8s_pod *p, bool deleted)
{
	struct agent_enforce_state *st = a->enf;
	char key[VG_POD_UID_LEN] = { 0 };
	uint64_t mask = 0;
	int fd;

	if (!st || !a->skel || !a->skel->bss->vg_enf_pods || !p->uid[0])
		return;
	for (unsigned i = 0; i < st->n && !deleted; i++) {
		const struct enf_entry *e = &st->ents[i];

		if (e->kernel && e->plan->scope == EP_SCOPE_PODS &&
		    name_in(p->namespace, e->plan->ns, e->plan->nns) &&
		    name_in(p->name, e->plan->pods, e->plan->npods))
			mask |= 1ull << e->id;
	}
	memcpy(key, p->uid, strnlen(p->uid, sizeof(p->uid)));
	fd = bpf_map__fd(a->skel->maps.enf_pods);
	if (mask && !bpf_map_update_elem(fd, key, &mask, BPF_ANY))
		log_info("enforce: pod %s/%s (%s) is in the scope of %d rules", p->namespace,
			 p->name, p->uid, __builtin_popcountll(mask));
	else if (!mask)
		bpf_map_delete_elem(fd, key);
}

static int attach_one(struct agent *a, struct bpf_program *p)
{
	struct agent_enforce_state *st = a->enf;
	struct bpf_link *l;

	if (!bpf_program__autoload(p))
		return 0;
	l = bpf_program__attach_cgroup(p, st->cg_root_fd);
	if (!l) {
		log_warn("enforce: cannot attach %s to the cgroup v2 root %s: %s",
			 bpf_program__name(p), a->env.cgroup2, strerror(errno));
		return -errno;
	}
	st->links[st->nlinks++] = l;
	return 0;
}

/* Pin the quarantine map for `vigil enforce`; a pin left by an agent that died is replaced. */
static void pin_quarantine(struct agent *a)
{
	char dir[4200], path[4300];

	if (!a->env.bpffs[0])
		return;
	snprintf(dir, sizeof(dir), "%s/vigil", a->env.bpffs);
	snprintf(path, sizeof(path), "%s/quarantine", dir);
	if (mkdir(dir, 0700) && errno != EEXIST) {
		log_warn("enforce: %s: %s: `vigil enforce` cannot reach the quarantines", dir,
			 strerror(errno));
		return;
	}
	unlink(path);
	if (bpf_map__pin(a->skel->maps.quarantine, path))
		log_warn("enforce: cannot pin the quarantine map at %s: %s", path,
			 strerror(errno));
	else if (strcmp(path, ENFORCE_QUARANTINE_PIN))
		log_warn("enforce: quarantine map pinned at %s, not %s: `vigil enforce` will not "
			 "find it", path, ENFORCE_QUARANTINE_PIN);
}

int agent_enforce_attach(struct agent *a)
{
	struct agent_enforce_state *st = a->enf;
	struct bpf_program *progs[ENF_LINKS_MAX];
	int failed = 0;

	if (!st || !(st->sockaddr || st->dev))
		return 0;
	if (!a->env.cgroup2[0] ||
	    (st->cg_root_fd = open(a->env.cgroup2, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		log_warn("enforce: no cgroup v2 hierarchy: connect, quarantine and device rules "
			 "are decided in user space only (kill after the fact)");
		return 0;
	}
	progs[0] = a->skel->progs.vg_enf_connect4;
	progs[1] = a->skel->progs.vg_enf_connect6;
	progs[2] = a->skel->progs.vg_enf_sendmsg4;
	progs[3] = a->skel->progs.vg_enf_sendmsg6;
	progs[4] = a->skel->progs.vg_enf_dev;
	for (int i = 0; i < ENF_LINKS_MAX; i++)
		failed += attach_one(a, progs[i]) != 0;
	if (st->sockaddr)
		pin_quarantine(a);
	if (failed)
		log_warn("enforce: %d cgroup programs are not attached: their rules are decided "
			 "in user space", failed);
	return 0;
}

void agent_enforce_detach(struct agent *a)
{
	struct agent_enforce_state *st = a->enf;

	if (!st)
		return;
	for (unsigned i = 0; i < st->nlinks; i++)
		bpf_link__destroy(st->links[i]);
	st->nlinks = 0;
	if (st->sockaddr && a->skel)
		bpf_map__unpin(a->skel->maps.quarantine, NULL);
	if (st->cg_root_fd >= 0)
		close(st->cg_root_fd);
	st->cg_root_fd = -1;
}

void agent_enforce_stop(struct agent *a)
{
	struct agent_enforce_state *st = a->enf;

	if (!st)
		return;
	agent_enforce_detach(a);
	agent_enforce_state_free(st);
	a->enf = NULL;
}

/* The "enforcement" object of the stats record. */
void agent_enforce_stats(struct agent *a)
{
	struct agent_enforce_state *st = a->enf;
	struct json_w *w = &a->json;

	if (!st)
		return;
	json_key(w, "enforcement");
	json_obj_begin(w);
	json_ku64(w, "rules", st->n);
	json_ku64(w, "kernel_rules", st->nkernel);
	json_ku64(w, "doomed", st->doomed);
	json_ku64(w, "kernel_kills_doomed", a->skel ? a->skel->bss->vg_enf_kills : 0);
	json_ku64(w, "pidfd_kills", st->pidfd_kills);
	json_ku64(w, "quarantines", st->quarantines);
	json_ku64(w, "kernel_reports", st->kernel_reports);
	json_ku64(w, "threshold_capacity", ENF_THR_SLOTS);
	json_ku64(w, "threshold_evictions", st->thr_evictions);
	json_key(w, "by_rule");
	json_arr_begin(w);
	for (unsigned i = 0; i < st->n; i++) {
		const struct enf_entry *e = &st->ents[i];

		json_obj_begin(w);
		json_kstr(w, "rule", e->rule->name);
		json_kstr(w, "decided", e->kernel ? "kernel" : "user");
		json_ku64(w, "acted", e->acted);
		json_ku64(w, "dry_runs", e->dry_runs);
		json_ku64(w, "failed", e->failed);
		json_ku64(w, "skipped", e->skipped);
		json_obj_end(w);
	}
	json_arr_end(w);
	json_obj_end(w);
}
