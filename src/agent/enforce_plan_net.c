// SPDX-License-Identifier: Apache-2.0
/*
 * The connect conjuncts of an enforcement plan (enforce_plan.h): the destination's address
 * (fd.sip, fd.rip: one address; fd.snet, fd.rnet: a network) and port (fd.sport, fd.rport).
 * For connect the server end is the remote one, so s and r name the same thing. Values were
 * checked by the rule loader; one that does not read here still only makes the rule a
 * user-space one.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "enforce_plan_int.h"

#define OP(x) (1u << RC_OP_##x)

/* An address, or with net an address/prefix, into *out, the bits past the prefix cleared. */
static int net_parse(const struct rc_value *v, bool net, struct ep_net *out)
{
	const char *slash = net ? memchr(v->str, '/', v->len) : NULL;
	size_t alen = slash ? (size_t)(slash - v->str) : v->len;
	unsigned max, bits;
	char addr[64], *end;

	memset(out, 0, sizeof(*out));
	if (alen >= sizeof(addr) || memchr(v->str, '\0', v->len))
		return -EINVAL;
	memcpy(addr, v->str, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, out->addr) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, addr, out->addr) == 1)
		out->family = AF_INET6;
	else
		return -EINVAL;
	max = out->family == AF_INET ? 32 : 128;
	bits = max;
	if (slash) {
		if (slash[1] < '0' || slash[1] > '9' || strlen(slash + 1) > 3)
			return -EINVAL;
		bits = (unsigned)strtoul(slash + 1, &end, 10);
		if (*end || bits > max)
			return -EINVAL;
	}
	out->prefixlen = bits;
	for (unsigned i = bits; i < max; i++)
		out->addr[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
	return 0;
}

static bool net_same(const struct ep_net *a, const struct ep_net *b)
{
	return a->family == b->family && a->prefixlen == b->prefixlen &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr));
}

static int net_add(struct ep_ctx *x, const struct ep_net *n)
{
	struct ep_plan *p = x->p;

	for (size_t i = 0; i < p->nnets; i++)
		if (net_same(&p->nets[i], n))
			return 0;
	if (p->nnets == EP_NETS_MAX)
		return ep__fail(x, "more than %d addresses or networks", EP_NETS_MAX);
	p->nets[p->nnets++] = *n;
	return 0;
}

/* fd.sip, fd.rip, fd.snet, fd.rnet = / in: one such conjunct per rule. */
int ep_net__addrs(struct ep_ctx *x, const struct ep_term *t)
{
	const struct rf_field *f = t->c[0]->lhs.def;
	bool net = f->type == RF_IPNET;
	struct ep_net n;

	if (ep__ops(x, t, OP(EQ) | OP(IN), false))
		return -1;
	if (x->p->nnets)
		return ep__fail(x, "more than one condition on the destination address");
	for (size_t i = 0; i < t->n; i++)
		for (size_t j = 0; j < t->c[i]->nvals; j++) {
			const struct rc_value *v = &t->c[i]->vals[j];

			if (net_parse(v, net, &n))
				return ep__fail(x, "%s: '%.64s' is not %s", f->name, v->str,
						net ? "a network" : "an address");
			if (net_add(x, &n))
				return -1;
		}
	ep__need(x, EP_CONNECT, f->name);
	return 0;
}

static bool port_has(const uint16_t *set, size_t n, uint16_t port)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == port)
			return true;
	return false;
}

/* The ports of t, deduplicated, into set; -1 when one is not a port or there are too many. */
static int port_values(struct ep_ctx *x, const struct ep_term *t, uint16_t *set, size_t *n)
{
	const char *name = t->c[0]->lhs.def->name;
	int64_t port;

	*n = 0;
	for (size_t i = 0; i < t->n; i++)
		for (size_t j = 0; j < t->c[i]->nvals; j++) {
			const char *s = t->c[i]->vals[j].str;

			if (ep__num(s, &port) || port < 0 || port > 65535)
				return ep__fail(x, "%s: '%.32s' is not a port", name, s);
			if (port_has(set, *n, (uint16_t)port))
				continue;
			if (*n == EP_PORTS_MAX)
				return ep__fail(x, "more than %d ports", EP_PORTS_MAX);
			set[(*n)++] = (uint16_t)port;
		}
	return 0;
}

/* fd.sport, fd.rport = / in: a second conjunct intersects. */
int ep_net__ports(struct ep_ctx *x, const struct ep_term *t)
{
	struct ep_plan *p = x->p;
	uint16_t set[EP_PORTS_MAX];
	size_t n, k = 0;

	if (ep__ops(x, t, OP(EQ) | OP(IN), false) || port_values(x, t, set, &n))
		return -1;
	ep__need(x, EP_CONNECT, t->c[0]->lhs.def->name);
	if (!x->have_ports) {
		memcpy(p->ports, set, n * sizeof(set[0]));
		p->nports = n;
		x->have_ports = true;
		return 0;
	}
	for (size_t i = 0; i < p->nports; i++)
		if (port_has(set, n, p->ports[i]))
			p->ports[k++] = p->ports[i];
	p->nports = k;
	return k ? 0 : ep__fail(x, "port conditions that no connection satisfies");
}
