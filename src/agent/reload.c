/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SIGHUP: read the configuration again (defaults, the --config file, the command line) and
 * apply what can change on a running agent: the rules (files re-read), their priority and
 * mode, and the forwarders. Everything new is built before anything is swapped, so a bad
 * file, a rule that does not compile or an output that cannot be set up keeps the previous
 * configuration whole, and the log says why. The swap happens between two records in the
 * main thread: no event is handled half by the old rules and half by the new, and none is
 * lost. Settings the kernel side or the caches were sized from keep their old value until a
 * restart, and the log names each one that changed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "log.h"
#include "redact.h"
#include "reload.h"

/* Settings that only a restart applies: name, offset and size in struct vg_config. */
#define FIELD(name, member) { name, offsetof(struct vg_config, member), \
			      sizeof(((struct vg_config *)0)->member) }
static const struct {
	const char *name;
	size_t off, size;
} restart_only[] = {
	FIELD("ringbuf_size", ringbuf_bytes),
	FIELD("proc_table_size", proc_table_entries),
	FIELD("proc_cache_size", proc_cache_entries),
	FIELD("proc_cache_bytes", proc_cache_bytes),
	FIELD("exit_grace", exit_grace_ns),
	FIELD("cgroup_cache_size", cgroup_cache_entries),
	FIELD("ancestors", ancestors),
	FIELD("procfs_seed", seed_procfs),
	FIELD("events", events),
	FIELD("sample", sample),
	FIELD("btf", btf_path),
	FIELD("kubernetes", k8s_api),
	FIELD("kubeconfig", kubeconfig),
	FIELD("metadata", metadata_file),
	FIELD("k8s_hold", k8s_hold_ns),
	FIELD("pod_cache_size", pod_cache_entries),
	FIELD("rule_prefilter", no_rule_prefilter),
	FIELD("alerts_output", alerts_output),
	FIELD("store", store),
	FIELD("metrics", metrics),
	FIELD("node", node),
	FIELD("stats_interval", stats_interval_s),
	FIELD("event_slice", event_slice_us),
};

/* Scope and path filters hold pointers: compare what they point to. */
static bool scope_equal(const struct vg_config *a, const struct vg_config *b)
{
	if (a->scope.mode != b->scope.mode || a->scope.npods != b->scope.npods ||
	    a->scope.ncgroups != b->scope.ncgroups || a->npath_filters != b->npath_filters)
		return false;
	for (unsigned i = 0; i < a->scope.npods; i++)
		if (strcmp(a->scope.pods[i], b->scope.pods[i]))
			return false;
	for (unsigned i = 0; i < a->scope.ncgroups; i++)
		if (strcmp(a->scope.cgroups[i], b->scope.cgroups[i]))
			return false;
	for (unsigned i = 0; i < a->npath_filters; i++)
		if (strcmp(a->path_filters[i].path, b->path_filters[i].path) ||
		    a->path_filters[i].report != b->path_filters[i].report)
			return false;
	return true;
}

/* Log each restart-only setting that changed, and keep its running value in nc. */
static void keep_restart_only(const struct vg_config *cur, struct vg_config *nc)
{
	for (size_t i = 0; i < sizeof(restart_only) / sizeof(restart_only[0]); i++) {
		const char *was = (const char *)cur + restart_only[i].off;
		char *now = (char *)nc + restart_only[i].off;

		if (!memcmp(was, now, restart_only[i].size))
			continue;
		log_warn("reload: %s changed: it takes effect at the next restart",
			 restart_only[i].name);
		memcpy(now, was, restart_only[i].size);
	}
	if (!scope_equal(cur, nc))
		log_warn("reload: scope or path filters changed: they take effect at the next "
			 "restart");
}

/* Event types the new rules need that no attached program reports. */
static void check_types(struct agent *a, uint64_t want)
{
	uint64_t missing = want & ~a->kernel_events;

	for (int t = 1; t < 64; t++)
		if (missing >> t & 1)
			log_warn("reload: rules now need %s events, whose programs are not attached: "
				 "those rules see nothing until a restart", agent_event_name(t));
}

/* The patterns were checked with the file: a failure here is memory, and the old set stays. */
static void redactor_reload(struct agent *a, const struct vg_config *nc)
{
	char err[256] = "";
	struct redactor *r = redact__new(nc->redact, nc->nredact, err, sizeof(err));

	if (!r) {
		log_warn("reload: redaction patterns: %s; the previous ones stay", err);
		return;
	}
	proc_cache__set_redactor(a->procs, r);
	redact__free(a->redactor);
	a->redactor = r;
}

int agent_reload(struct agent *a)
{
	struct vg_config *nc = calloc(1, sizeof(*nc));
	struct agent_rules_state *rules = NULL;
	struct outputs_plan plan;
	int err;

	log_info("reload: SIGHUP received: reading the configuration again");
	if (!nc)
		return -ENOMEM;
	if ((err = agent_reload_config(nc))) {
		log_error("reload: the configuration is not valid (above); keeping the running one");
		goto out;
	}
	config_finish(nc);
	keep_restart_only(&a->cfg, nc);
	if ((err = agent_rules_reload_build(nc, &rules))) {
		log_error("reload: the rules do not load (above); keeping the running "
			  "configuration");
		goto out;
	}
	if ((err = agent_outputs_plan(a, nc, &plan))) {
		log_error("reload: the outputs cannot be set up (above); keeping the running "
			  "configuration");
		agent_rules_reload_discard(rules);
		goto out;
	}
	/* last, as it moves the live enforcement entries onto the new rules when it passes */
	if ((err = agent_enforce_reload_check(a, agent_rules_state_engine(rules), nc))) {
		agent_outputs_plan_discard(&plan);
		agent_rules_reload_discard(rules);
		goto out;
	}
	/* everything is built: swap */
	agent_rules_reload_install(a, rules);
	check_types(a, a->rules.want);
	agent_rules_kernel_reload(a);
	agent_outputs_commit(a, &plan);
	redactor_reload(a, nc);
	/* restart-only members were copied back into nc above; the running scope and path
	 * filters (pointers) move over, nc's own go */
	config_free_filters(nc);
	nc->scope = a->cfg.scope;
	nc->npath_filters = a->cfg.npath_filters;
	memcpy(nc->path_filters, a->cfg.path_filters, sizeof(nc->path_filters));
	a->cfg.scope.npods = a->cfg.scope.ncgroups = a->cfg.npath_filters = 0;
	config_free(&a->cfg);
	a->cfg = *nc;
	memset(nc, 0, sizeof(*nc));
	log_info("reload: done: %zu rules active, %u outputs", agent_rules_active(a),
		 a->outs.n);
out:
	config_free(nc);
	free(nc);
	return err;
}
