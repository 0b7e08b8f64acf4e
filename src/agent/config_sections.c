/* SPDX-License-Identifier: Apache-2.0 */
/* The config file's store:, metrics:, stdout:, redact: and redact_extra: sections. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfgval.h"
#include "config_file.h"
#include "config_file_int.h"
#include "redact.h"

static const char *const store_keys[] = { "enabled", "path",	   "max_age", "max_size",
					  "events",  "queue_size", "group",   "dedup_window",
					  NULL };

/* A group name as groupadd accepts it. */
static bool group_name_ok(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
			return false;
	return true;
}

static void store_key(struct cf *c, const char *key, const char *full, const struct ynode *v,
		      void *arg)
{
	struct vg_store_cfg *st = &c->cfg->store;
	const char *s;
	char err[128];
	uint64_t u;

	(void)arg;
	if (!strcmp(key, "enabled")) {
		cf_bool(c, v, full, &st->enabled);
	} else if (!strcmp(key, "path")) {
		cf_str(c, v, full, st->path, sizeof(st->path), true);
	} else if (!strcmp(key, "max_age")) {
		if (!cf_scalar(c, v, full, &s) &&
		    cfgval_duration_s(s, CONFIG_MAX_AGE_S, &st->max_age_s, err, sizeof(err)))
			cf_fail(c, v, full, "%s", err);
	} else if (!strcmp(key, "dedup_window")) {
		if (!cf_scalar(c, v, full, &s) &&
		    cfgval_duration_s(s, CONFIG_MAX_DEDUP_S, &st->dedup_window_s, err, sizeof(err)))
			cf_fail(c, v, full, "%s", err);
	} else if (!strcmp(key, "max_size")) {
		cf_size(c, v, full, &st->max_bytes);
	} else if (!strcmp(key, "events")) {
		cf_bool(c, v, full, &st->events);
	} else if (!strcmp(key, "queue_size")) {
		if (!cf_uint(c, v, full, 1024, 1u << 24, &u))
			st->queue_entries = u;
	} else if (!cf_str(c, v, full, st->group, sizeof(st->group), false) &&
		   !group_name_ok(st->group)) {
		cf_fail(c, v, full, "not a group name (letters, digits, '_', '.', '-')");
	}
}

void cf_store(struct cf *c, const struct ynode *v)
{
	cf_map(c, v, "store", store_keys, store_key, NULL);
}

static const char *const metrics_keys[] = { "listen", "per_pod", "per_pod_max", "bpf_stats",
					     NULL };

static void metrics_key(struct cf *c, const char *key, const char *full, const struct ynode *v,
			void *arg)
{
	struct vg_metrics_cfg *m = &c->cfg->metrics;
	const char *s;
	char err[128];
	uint64_t u;

	(void)arg;
	if (!strcmp(key, "listen")) {
		if (!cf_scalar(c, v, full, &s) &&
		    cfgval_listen(s, m->listen, sizeof(m->listen), err, sizeof(err)))
			cf_fail(c, v, full, "%s", err);
	} else if (!strcmp(key, "per_pod")) {
		cf_bool(c, v, full, &m->per_pod);
	} else if (!strcmp(key, "bpf_stats")) {
		cf_bool(c, v, full, &m->bpf_stats);
	} else if (!cf_uint(c, v, full, 1, 100000, &u)) {
		m->per_pod_max = (unsigned)u;
	}
}

void cf_metrics(struct cf *c, const struct ynode *v)
{
	cf_map(c, v, "metrics", metrics_keys, metrics_key, NULL);
}

static const char *const stdout_keys[] = { "events", "alerts", NULL };

static void stdout_key(struct cf *c, const char *key, const char *full, const struct ynode *v,
		       void *arg)
{
	(void)arg;
	cf_bool(c, v, full, !strcmp(key, "events") ? &c->cfg->stdout_events :
						     &c->cfg->stdout_alerts);
}

void cf_stdout(struct cf *c, const struct ynode *v)
{
	cf_map(c, v, "stdout", stdout_keys, stdout_key, NULL);
}

int config_file__redact_add(struct vg_config *cfg, const char *pattern)
{
	const char *const *defs;
	unsigned ndefs = 0;

	if (!cfg->nredact) {
		defs = redact__defaults(&ndefs);
		for (; cfg->nredact < ndefs; cfg->nredact++)
			if (!(cfg->redact[cfg->nredact] = strdup(defs[cfg->nredact])))
				return -ENOMEM;
	}
	if (cfg->nredact >= VG_REDACT_MAX)
		return -E2BIG;
	if (!(cfg->redact[cfg->nredact] = strdup(pattern)))
		return -ENOMEM;
	cfg->nredact++;
	return 0;
}

/* One pattern of redact: (replace: the list starts empty) or redact_extra: (add to it). */
static void redact_item(struct cf *c, const struct ynode *it, const char *key, bool extra)
{
	struct vg_config *cfg = c->cfg;
	const char *s;
	char err[256];
	int rc;

	if (cf_scalar(c, it, key, &s))
		return;
	if (redact__check(s, err, sizeof(err))) {
		cf_fail(c, it, key, "%s", err);
		return;
	}
	if (extra) {
		rc = config_file__redact_add(cfg, s);
	} else if (cfg->nredact >= VG_REDACT_MAX) {
		rc = -E2BIG;
	} else {
		cfg->redact[cfg->nredact] = strdup(s);
		rc = cfg->redact[cfg->nredact] ? (cfg->nredact++, 0) : -ENOMEM;
	}
	if (rc == -E2BIG)
		cf_fail(c, it, key, "more than %d patterns", VG_REDACT_MAX);
	else if (rc)
		cf_fail(c, it, key, "out of memory");
}

void cf_redact(struct cf *c, const struct ynode *v, bool extra)
{
	const char *key = extra ? "redact_extra" : "redact";
	struct vg_config *cfg = c->cfg;

	if (v->kind == YNODE_MAP) {
		cf_fail(c, v, key, "expected a list of patterns");
		return;
	}
	if (v->kind == YNODE_SEQ && !v->n && !extra) {
		cf_fail(c, v, key, "an empty list would turn redaction off; list at least one "
				   "pattern (redact_extra: adds to the defaults)");
		return;
	}
	if (!extra) { /* replaces the defaults (and an earlier list) */
		for (unsigned i = 0; i < cfg->nredact; i++)
			free(cfg->redact[i]);
		cfg->nredact = 0;
	}
	if (v->kind == YNODE_SCALAR)
		redact_item(c, v, key, extra);
	for (size_t i = 0; v->kind == YNODE_SEQ && i < v->n; i++)
		redact_item(c, v->kids[i], key, extra);
}
