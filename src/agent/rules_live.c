/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rules on the live event stream: load the rule files at start-up, give the evaluator a view
 * of each record that some rule can match (rules_live_ev.c fills the record-specific parts,
 * this file the process, lineage and pod parts), and write an alert for every match.
 *
 * The view borrows: strings point into the record, the handler's decoded locals, the process
 * cache and the pod cache, all alive until the handler returns, which is when the alerts for
 * its record have been written (agent_write_line calls agent_rules_alerts).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"
#include "reload.h"
#include "idnames.h"
#include "k8s_pod.h"
#include "log.h"
#include "rules_alert.h"
#include "rules_default.h"
#include "rules_eval.h"
#include "rules_load.h"

struct agent_rules_state {
	struct rules_set *set;
	struct re_engine *eng;
	char *scratch;
	struct rv_proc anc[RV_ANC_MAX];	   /* lineage of the record being evaluated */
	const struct proc_entry *anc_pe[RV_ANC_MAX];
	unsigned anc_filled;		   /* levels of anc[] set, from 0 */
	char labels[8192];		   /* k8s.pod.labels of the record, rendered on demand */
	struct idnames names; /* user.name, group.name */
	struct json_w alert;
	struct rule_count *counts; /* per rule, in definition order: the stats' by_rule */
	size_t ncounts;
};

struct rule_count {
	const struct rules_rule *r;
	uint64_t alerts, monitored;
};

static void fill_proc(struct rv_proc *p, const struct proc_entry *pe)
{
	memset(p, 0, sizeof(*p));
	if (!pe)
		return;
	p->known = true;
	p->pid = pe->tgid;
	p->ppid = pe->ppid;
	p->comm = pe->comm;
	p->exepath = pe->binary;
	p->args = pe->args;
	p->args_len = pe->args ? pe->args_len : 0;
	p->cwd = pe->cwd;
	p->start_ns = pe->start_ns;
	p->uid = pe->uid, p->gid = pe->gid, p->auid = pe->auid;
	p->has_creds = true;
	p->tty = pe->tty;
	p->memfd = !!(pe->exec_flags & VG_EXEC_MEMFD);
	p->exe_upper = !!(pe->exec_flags & VG_EXEC_UPPER);
}

/* Ancestors, walked up the process cache as far as asked and no further. */
static const struct rv_proc *ancestor(const struct rv_event *ev, unsigned level)
{
	struct agent *a = ev->lazy.ctx;
	struct agent_rules_state *st = a->rules.st;

	if (level >= RV_ANC_MAX || !st->anc_filled)
		return NULL;
	while (st->anc_filled <= level) {
		const struct proc_entry *up = st->anc_pe[st->anc_filled - 1];

		up = up ? proc_cache__parent(a->procs, up) : NULL;
		st->anc_pe[st->anc_filled] = up;
		fill_proc(&st->anc[st->anc_filled], up);
		st->anc_filled++;
	}
	return st->anc[level].known ? &st->anc[level] : NULL;
}

/* A user or group name, copied into the view's scratch. */
static const char *id_name(const struct rv_event *ev, uint32_t id, bool group)
{
	struct agent *a = ev->lazy.ctx;
	char *s = rules_view__scratch(ev, IDNAME_MAX);

	return s && idnames__get(&a->rules.st->names, id, group, s, IDNAME_MAX) >= 0 ? s : NULL;
}

static const char *user_name(const struct rv_event *ev, uint32_t uid)
{
	return id_name(ev, uid, false);
}

static const char *group_name(const struct rv_event *ev, uint32_t gid)
{
	return id_name(ev, gid, true);
}

static const struct k8s_pod *view_pod(const struct rv_event *ev)
{
	struct agent *a = ev->lazy.ctx;

	return a->rules.cg ? a->rules.cg->k8s_pod : NULL;
}

static const char *pod_label(const struct rv_event *ev, const char *key)
{
	const struct k8s_pod *pod = view_pod(ev);

	for (size_t i = 0; pod && i < pod->nlabels; i++)
		if (!strcmp(pod->labels[i].key, key))
			return pod->labels[i].value;
	return NULL;
}

static const char *pod_labels(const struct rv_event *ev)
{
	struct agent *a = ev->lazy.ctx;
	const struct k8s_pod *pod = view_pod(ev);
	char *buf = a->rules.st->labels;
	size_t len = 0, size = sizeof(a->rules.st->labels);

	if (!pod)
		return NULL;
	buf[0] = 0;
	for (size_t i = 0; i < pod->nlabels && len < size; i++)
		len += snprintf(buf + len, size - len, "%s%s:%s", i ? ", " : "",
				pod->labels[i].key, pod->labels[i].value);
	return buf;
}

/* Container and pod members of the view, from the cgroup and the pod cache. */
static void fill_container(struct agent *a, struct rv_event *v, struct cg_entry *cg)
{
	const struct k8s_container *ctr;
	const struct k8s_pod *pod;

	a->rules.cg = cg;
	v->privileged = -1;
	if (!cg)
		return;
	v->container_id = cg->id.container ? cg->id.container_id : "host";
	if (!cg->id.container && !cg->id.pod)
		return;
	v->k8s_pod_uid = cg->id.pod ? cg->id.pod_uid : NULL;
	agent_k8s_lookup(a, cg);
	pod = cg->k8s_pod;
	ctr = pod ? cg->k8s_ctr : NULL;
	if (pod && !pod->standalone) {
		v->k8s_ns = pod->namespace;
		v->k8s_pod = pod->name;
	}
	if (ctr) {
		v->container_name = ctr->name;
		v->image = ctr->image;
		v->image_repository = ctr->image_repo;
		v->image_tag = ctr->image_tag;
		v->image_digest = ctr->image_digest;
		v->privileged = ctr->privileged;
	}
}

struct rv_event *agent_rules_view(struct agent *a, const struct vg_hdr *h,
				  const struct proc_entry *pe, struct cg_entry *cg)
{
	struct agent_rules_state *st = a->rules.st;
	struct rv_event *v = &a->rules.view;

	rules_view__reset(v, st->scratch, RV_SCRATCH_DEFAULT);
	a->rules.nmatched = 0;
	v->type = h->type;
	v->num = ++a->rules.num;
	v->boot_ns = h->ts_ns;
	v->time_ns = h->ts_ns + a->boot_to_real_ns;
	v->tid = h->pid;
	fill_proc(&v->proc, pe);
	if (!pe) { /* what the record itself says */
		v->proc.known = true;
		v->proc.pid = h->tgid;
	}
	st->anc[0] = v->proc;
	st->anc_pe[0] = pe;
	st->anc_filled = 1;
	v->lazy = (struct rv_lazy){ .ancestor = ancestor, .pod_label = pod_label,
				    .pod_labels = pod_labels, .user_name = user_name,
				    .group_name = group_name, .ctx = a };
	fill_container(a, v, cg);
	return v;
}

/* Count an alert (or a monitored match) of r for the stats; alerts are rare enough for a
 * scan of the rules. */
static void rule_count(struct agent *a, const struct rules_rule *r, bool monitored)
{
	struct agent_rules_state *st = a->rules.st;

	for (size_t i = 0; i < st->ncounts; i++) {
		if (st->counts[i].r != r)
			continue;
		if (monitored)
			st->counts[i].monitored++;
		else
			st->counts[i].alerts++;
		return;
	}
}

void agent_rules_count(struct agent *a, const struct rules_rule *r)
{
	rule_count(a, r, false);
}

/* A rule matched: enforcement acts now (before the line is built), and the match is kept
 * for its alert unless its mode or threshold says no alert. */
static void add_match(struct agent *a, const struct rules_rule *r)
{
	struct enf_result res;

	if (!agent_enforce_match(a, r, a->rules.enf_code, &res)) {
		if (res.mode == RULES_MODE_MONITOR) {
			a->rules.monitored++;
			rule_count(a, r, true);
		}
		return;
	}
	if (a->rules.nmatched < AGENT_MATCH_MAX) {
		a->rules.enf[a->rules.nmatched] = res;
		a->rules.matched[a->rules.nmatched++] = r;
	} else {
		a->rules.alerts_dropped++;
	}
}

static int on_match(void *ctx, const struct rules_rule *r, const struct rv_event *ev)
{
	(void)ev;
	add_match(ctx, r);
	return 0;
}

/* The kernel acted on this record for a rule whose condition does not hold in user space
 * (the open failed, say, and the rule wants success): the action still gets its alert. */
static void kernel_match(struct agent *a)
{
	const struct rules_rule *r = agent_enforce_code_rule(a, a->rules.enf_code);

	if (!r)
		return;
	for (unsigned i = 0; i < a->rules.nmatched; i++)
		if (a->rules.matched[i] == r)
			return;
	add_match(a, r);
}

unsigned agent_rules_eval(struct agent *a)
{
	if (a->rules.view.proc.known && !a->rules.view.parent.known) {
		const struct rv_proc *p = ancestor(&a->rules.view, 1);

		if (p)
			a->rules.view.parent = *p;
	}
	re_engine__eval(a->rules.st->eng, &a->rules.view, on_match, a);
	if (a->rules.enf_code)
		kernel_match(a);
	a->rules.enf_code = 0;
	return a->rules.nmatched;
}

/* Write the alerts of the record whose event line was just finished in a->json. */
void agent_rules_alerts(struct agent *a)
{
	struct json_w *w = &a->rules.st->alert;
	const char *members = a->json.err ? NULL : a->json.buf + 1;
	size_t mlen = a->json.err || a->json.len < 2 ? 0 : a->json.len - 2;

	for (unsigned i = 0; i < a->rules.nmatched; i++) {
		const struct rules_rule *r = a->rules.matched[i];
		char extra[512];
		size_t elen = agent_enforce_members(&a->rules.enf[i], extra, sizeof(extra));

		json_reset(w);
		if (rules_alert__render_ex(w, r, &a->rules.view, a->cfg.node, members, mlen,
					   extra, elen)) {
			a->rules.alert_errors++;
			continue;
		}
		agent_outputs_line(a, OUT_ALERT, 0, r->priority, a->line_time_ns, w->buf, w->len,
				   STORE_DEDUP_OFF);
		if (a->cfg.stdout_alerts && (fwrite(w->buf, 1, w->len, a->alerts_out) != w->len ||
					     fputc('\n', a->alerts_out) == EOF)) {
			a->rules.alert_errors++;
			continue;
		}
		a->rules.alerts[r->priority]++;
		agent_rules_count(a, r);
		if (a->podc.nslots && a->rules.cg && a->rules.cg->k8s_pod)
			pod_counts__add(&a->podc, a->rules.cg->k8s_pod->namespace,
					a->rules.cg->k8s_pod->name, 0, 1);
	}
	a->rules.nmatched = 0;
}

/* Every diagnostic of the load, at its severity; then one line per file. */
static void log_load(const struct rules_set *rs)
{
	for (size_t i = 0; i < rules_set__ndiags(rs); i++) {
		const struct rules_diag *d = rules_set__diag(rs, i);
		char where[4200] = "";

		if (d->file && d->line)
			snprintf(where, sizeof(where), "%s:%u:%u: ", d->file, d->line, d->col);
		else if (d->file)
			snprintf(where, sizeof(where), "%s: ", d->file);
		if (d->severity == RULES_ERROR)
			log_error("rules: %s%s", where, d->msg);
		else
			log_warn("rules: %s%s", where, d->msg);
	}
	for (size_t i = 0; i < rules_set__nfiles(rs); i++) {
		const struct rules_file *f = rules_set__file(rs, i);

		log_info("rules: %s: %u rules: %u loaded, %u disabled, %u skipped, %u with errors",
			 f->path, f->rules, f->loaded, f->disabled, f->skipped, f->errored);
	}
}

static int load(const struct vg_config *cfg, struct rules_set *rs)
{
	char def[4096];
	struct stat sb;
	int err = 0;

	if (!cfg->nrules) {
		if ((err = rules_default__path(def, sizeof(def)))) {
			log_warn("rules: vigil's default rule file is not installed (looked in "
				 "/etc/vigil/rules, the install prefix and next to the binary): no "
				 "rules; give --rules PATH or --no-rules");
			return 1;
		}
		err = rules_set__load_path(rs, def);
		if (!err && !stat(VIGIL_RULES_USER_DIR, &sb) && S_ISDIR(sb.st_mode))
			err = rules_set__load_path(rs, VIGIL_RULES_USER_DIR); /* site rules */
	}
	for (unsigned i = 0; i < cfg->nrules; i++) {
		int e = rules_set__load_path(rs, cfg->rules[i]);

		err = err ? err : e;
	}
	if (!err)
		err = rules_set__compile(rs);
	log_load(rs);
	if (err || rules_set__nerrors(rs)) {
		log_error("rules: %zu errors in the rule files; vigil does not start with a rule "
			  "set it cannot fully load (fix them, or check with `vigil rules validate`)",
			  rules_set__nerrors(rs));
		return err ? err : -EINVAL;
	}
	return 0;
}

static void state_free(struct agent_rules_state *st)
{
	if (!st)
		return;
	re_engine__free(st->eng);
	rules_set__free(st->set);
	json_free(&st->alert);
	free(st->scratch);
	free(st->counts);
	free(st);
}

/* Load and compile the rules cfg names into a new state. 1: no rules (*out NULL). */
static int state_build(const struct vg_config *cfg, struct agent_rules_state **out)
{
	struct re_opts o = { .sz = sizeof(o), .min_priority = cfg->min_priority };
	struct agent_rules_state *st;
	int err;

	*out = NULL;
	if (cfg->no_rules)
		return 1;
	if (!(st = calloc(1, sizeof(*st))) || !(st->scratch = malloc(RV_SCRATCH_DEFAULT)) ||
	    !(st->set = rules_set__new()) || json_init(&st->alert, EVENT_LINE_MAX + RA_OUTPUT_MAX)) {
		state_free(st);
		return -ENOMEM;
	}
	if ((err = load(cfg, st->set)) ||
	    ((err = re_engine__new(st->set, &o, &st->eng)) && err != -EINVAL)) {
		state_free(st);
		return err;
	}
	st->ncounts = rules_set__nrules(st->set);
	if (!(st->counts = calloc(st->ncounts ? st->ncounts : 1, sizeof(*st->counts)))) {
		state_free(st);
		return -ENOMEM;
	}
	for (size_t i = 0; i < st->ncounts; i++)
		st->counts[i].r = rules_set__rule(st->set, i);
	*out = st;
	return 0;
}

static void install(struct agent *a, struct agent_rules_state *st)
{
	a->rules.st = st;
	a->rules.eng = st ? st->eng : NULL;
	a->rules.want = st && st->eng ? re_engine__events(st->eng) : 0;
}

int agent_rules_start(struct agent *a)
{
	struct agent_rules_state *st;
	int err;

	if (a->cfg.alerts_output[0] && !(a->alerts_out = fopen(a->cfg.alerts_output, "ae"))) {
		log_error("--alerts-output %s: %s", a->cfg.alerts_output, strerror(errno));
		return -errno;
	}
	if (a->cfg.no_rules) {
		log_info("rules: none (--no-rules)");
		return 0;
	}
	if ((err = state_build(&a->cfg, &st)))
		return err > 0 ? 0 : err;
	install(a, st);
	if (!st->eng)
		return 0;
	if (!re_engine__nrules(st->eng) && !a->cfg.events)
		log_warn("rules: no rule is active and --events selects nothing: vigil will write "
			 "only its stats records");
	log_info("rules: %zu rules active (priority %s and above); alerts to %s",
		 re_engine__nrules(st->eng), rules_priority__name(a->cfg.min_priority),
		 a->cfg.alerts_output[0] ? a->cfg.alerts_output : "the event stream");
	return 0;
}

int agent_rules_reload_build(const struct vg_config *cfg, struct agent_rules_state **out)
{
	int err = state_build(cfg, out);

	return err > 0 ? 0 : err;
}

/* Swap in a state built by agent_rules_reload_build, between two records; the old one goes. */
void agent_rules_reload_install(struct agent *a, struct agent_rules_state *st)
{
	struct agent_rules_state *old = a->rules.st;

	a->rules.nmatched = 0;
	install(a, st);
	state_free(old);
}

void agent_rules_reload_discard(struct agent_rules_state *st)
{
	state_free(st);
}

size_t agent_rules_active(const struct agent *a)
{
	return a->rules.eng ? re_engine__nrules(a->rules.eng) : 0;
}

struct re_engine *agent_rules_state_engine(const struct agent_rules_state *st)
{
	return st ? st->eng : NULL;
}

void agent_rules_stop(struct agent *a)
{
	if (a->alerts_out && a->alerts_out != a->out && a->alerts_out != stdout)
		fclose(a->alerts_out);
	a->alerts_out = a->out;
	state_free(a->rules.st);
	install(a, NULL);
}

/* Alerts and monitored matches per rule, for the rules that had any (metrics label them). */
static void by_rule(struct json_w *w, const struct agent_rules_state *st)
{
	json_key(w, "by_rule");
	json_obj_begin(w);
	for (size_t i = 0; i < st->ncounts; i++) {
		const struct rule_count *c = &st->counts[i];

		if (!c->alerts && !c->monitored)
			continue;
		json_key(w, c->r->name);
		json_obj_begin(w);
		json_kstr(w, "priority", rules_priority__name(c->r->priority));
		json_ku64(w, "alerts", c->alerts);
		json_ku64(w, "monitored", c->monitored);
		json_obj_end(w);
	}
	json_obj_end(w);
}

/* The "rules" object of the stats record. */
void agent_rules_stats(struct agent *a)
{
	struct json_w *w = &a->json;
	struct re_stats rs = { 0 };
	uint64_t total = 0;

	if (!a->rules.st || !a->rules.st->eng)
		return;
	re_engine__stats(a->rules.st->eng, &rs);
	json_key(w, "rules");
	json_obj_begin(w);
	json_ku64(w, "active", re_engine__nrules(a->rules.st->eng));
	json_ku64(w, "evaluated", rs.events);
	json_key(w, "alerts");
	json_obj_begin(w);
	for (int p = 0; p < 8; p++) {
		json_ku64(w, rules_priority__name(p), a->rules.alerts[p]);
		total += a->rules.alerts[p];
	}
	json_obj_end(w);
	json_ku64(w, "alerts_total", total);
	json_ku64(w, "alert_errors", a->rules.alert_errors);
	json_ku64(w, "alerts_dropped", a->rules.alerts_dropped);
	json_ku64(w, "monitored", a->rules.monitored);
	by_rule(w, a->rules.st);
	json_key(w, "names"); /* the user and group name cache */
	json_obj_begin(w);
	json_ku64(w, "capacity", 2 * IDNAMES_SLOTS);
	json_ku64(w, "hits", a->rules.st->names.hits);
	json_ku64(w, "misses", a->rules.st->names.misses);
	json_ku64(w, "evictions", a->rules.st->names.evictions);
	json_obj_end(w);
	json_obj_end(w);
}
