/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "evsel.h"

void config_defaults(struct vg_config *cfg)
{
	const char *node = getenv("NODE_NAME");

	memset(cfg, 0, sizeof(*cfg));
	cfg->ringbuf_bytes = 4u << 20;
	cfg->proc_table_entries = 65536;
	cfg->proc_cache_entries = 32768;
	cfg->proc_cache_bytes = 32u << 20;
	cfg->exit_grace_ns = 10ull * 1000000000ull;
	cfg->cgroup_cache_entries = 4096;
	cfg->fd_table_entries = 16384;
	cfg->ancestors = 8;
	cfg->stats_interval_s = 60;
	cfg->event_slice_us = 100;
	cfg->seed_procfs = true;
	cfg->log_level = LOG_INFO;
	cfg->events = evsel_default();
	strcpy(cfg->btf_path, "/sys/kernel/btf/vmlinux");
	cfg->k8s_api = true;
	cfg->k8s_hold_ns = 2000ull * 1000000ull;
	cfg->pod_cache_entries = 1024;
	cfg->pod_cache_bytes = 32u << 20;
	cfg->k8s_hold_entries = 16384;
	cfg->k8s_hold_bytes = 32u << 20;
	cfg->min_priority = 7; /* RULES_PRIO_DEBUG: every rule */
	cfg->stdout_events = true;
	cfg->stdout_alerts = true;
	cfg->store.enabled = true;
	strcpy(cfg->store.path, VG_STORE_PATH_DEFAULT);
	cfg->store.max_age_s = 7 * 86400;
	cfg->store.max_bytes = 1ull << 30;
	cfg->store.events = true;
	cfg->store.queue_entries = 65536;
	cfg->store.dedup_window_s = 60;
	strcpy(cfg->metrics.listen, "127.0.0.1:9464");
	cfg->metrics.per_pod_max = 100;
	if (node && *node)
		strncpy(cfg->node, node, sizeof(cfg->node) - 1);
	else if (gethostname(cfg->node, sizeof(cfg->node) - 1) < 0)
		strcpy(cfg->node, "unknown");
}

int config_parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'G': case 'g': v <<= 10; /* fall through */
	case 'M': case 'm': v <<= 10; /* fall through */
	case 'K': case 'k': v <<= 10; end++; break;
	case 0: break;
	default: return -EINVAL;
	}
	if (*end)
		return -EINVAL;
	*out = (size_t)v;
	return 0;
}

void config_free_filters(struct vg_config *cfg)
{
	for (unsigned i = 0; i < cfg->scope.npods; i++)
		free(cfg->scope.pods[i]);
	for (unsigned i = 0; i < cfg->scope.ncgroups; i++)
		free(cfg->scope.cgroups[i]);
	for (unsigned i = 0; i < cfg->npath_filters; i++)
		free(cfg->path_filters[i].path);
	cfg->scope.npods = cfg->scope.ncgroups = cfg->npath_filters = 0;
}

void config_free(struct vg_config *cfg)
{
	config_free_filters(cfg);
	for (unsigned i = 0; i < cfg->nrules; i++)
		free(cfg->rules[i]);
	for (unsigned i = 0; i < cfg->nredact; i++)
		free(cfg->redact[i]);
	cfg->nrules = cfg->nredact = 0;
}

/* What follows from the options together: with rule files named, the output is alerts
 * unless events were asked for too. */
void config_finish(struct vg_config *cfg)
{
	if (cfg->nrules && !cfg->events_given)
		cfg->events = 0;
}
