/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by the two halves of the field accessors: rules_view.c (dispatch, event, process,
 * user fields) and rules_view_net.c (fd, network, container and pod fields). Nothing else
 * includes this.
 */
#ifndef VIGIL_RULES_VIEW_INT_H
#define VIGIL_RULES_VIEW_INT_H

#include <stdbool.h>
#include <string.h>

#include "rules_view.h"

static inline int rv_strn(struct rv_val *out, const char *s, size_t len)
{
	out->type = RF_STR;
	out->s = s;
	out->len = len;
	return 1;
}

/* NULL is absent */
static inline int rv_str(struct rv_val *out, const char *s)
{
	return s ? rv_strn(out, s, strlen(s)) : 0;
}

static inline int rv_num(struct rv_val *out, int64_t n)
{
	out->type = RF_NUM;
	out->n = n;
	return 1;
}

static inline int rv_bool(struct rv_val *out, bool b)
{
	out->type = RF_BOOL;
	out->n = b;
	return 1;
}

/* An address, typed as the field is (RF_IPADDR or RF_IPNET); family 0 is absent. */
static inline int rv_ip(struct rv_val *out, const struct rv_ip *ip, enum rf_type type)
{
	if (!ip->family)
		return 0;
	out->type = type;
	out->ip = *ip;
	return 1;
}

/* The fd, network and container groups (rules_view_net.c); 1 with *out set, or 0. */
int rv_fd_field(const struct rv_event *ev, enum rf_id id, struct rv_val *out);
int rv_net_field(const struct rv_event *ev, const struct rf_field *f, struct rv_val *out);
int rv_ctr_field(const struct rv_event *ev, enum rf_id id, const char *key, struct rv_val *out);
/* fd.ip, fd.port, fd.net: the local end, then the remote one. */
bool rv_net_each(const struct rv_event *ev, const struct rf_field *f,
		 bool (*fn)(const struct rv_val *v, void *arg), void *arg);

#endif /* VIGIL_RULES_VIEW_INT_H */
