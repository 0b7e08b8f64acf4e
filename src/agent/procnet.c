/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "procnet.h"

#define TCP_STATE_LISTEN 10 /* TCP_LISTEN in include/net/tcp_states.h */
#define UNIX_ACCEPTCON	 (1u << 16) /* __SO_ACCEPTCON: the unix socket listens */
#define LINE_MAX_BYTES	 512 /* the longest lines are unix ones with a 108-byte name */

struct procnet_index {
	struct procnet_sock *socks; /* sorted by inode once loaded */
	size_t n, alloc, max;
};

/* What each table holds; the files give addresses and inodes, not the socket type. */
static const struct net_table {
	const char *name;
	uint16_t family, type, protocol;
} net_tables[] = {
	{ "tcp", AF_INET, SOCK_STREAM, IPPROTO_TCP },
	{ "tcp6", AF_INET6, SOCK_STREAM, IPPROTO_TCP },
	{ "udp", AF_INET, SOCK_DGRAM, IPPROTO_UDP },
	{ "udp6", AF_INET6, SOCK_DGRAM, IPPROTO_UDP },
	{ "udplite", AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE },
	{ "udplite6", AF_INET6, SOCK_DGRAM, IPPROTO_UDPLITE },
	{ "raw", AF_INET, SOCK_RAW, 0 },
	{ "raw6", AF_INET6, SOCK_RAW, 0 },
	{ "icmp", AF_INET, SOCK_DGRAM, IPPROTO_ICMP }, /* unprivileged ping sockets */
	{ "icmp6", AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6 },
	{ "unix", AF_UNIX, 0, 0 },
	{ "netlink", AF_NETLINK, 0, 0 },
	{ "packet", AF_PACKET, 0, 0 },
};

/* ---- tokens: the tables are space separated, padded for alignment ---- */

struct tok {
	const char *s;
	size_t len;
};

static bool next_tok(const char **p, struct tok *t)
{
	const char *s = *p;

	while (*s == ' ' || *s == '\t')
		s++;
	t->s = s;
	while (*s && *s != ' ' && *s != '\t' && *s != '\n')
		s++;
	t->len = s - t->s;
	*p = s;
	return t->len > 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* 1..maxdigits hex digits and nothing else. */
static bool parse_hex(const char *s, size_t len, size_t maxdigits, uint64_t *v)
{
	*v = 0;
	if (len == 0 || len > maxdigits)
		return false;
	for (size_t i = 0; i < len; i++) {
		int d = hexval(s[i]);

		if (d < 0)
			return false;
		*v = *v << 4 | (unsigned)d;
	}
	return true;
}

/* Decimal digits only, no overflow. */
static bool parse_dec(const struct tok *t, uint64_t *v)
{
	*v = 0;
	if (t->len == 0 || t->len > 20)
		return false;
	for (size_t i = 0; i < t->len; i++) {
		unsigned d = (unsigned)(t->s[i] - '0');

		if (d > 9 || *v > (UINT64_MAX - d) / 10)
			return false;
		*v = *v * 10 + d;
	}
	return true;
}

/* A hex or decimal number followed by ':' and nothing else ("12:", "0000000012cf019b:"). */
static bool parse_slot(const struct tok *t, size_t base)
{
	uint64_t v;
	struct tok num = { t->s, t->len - 1 };

	if (t->len < 2 || t->s[t->len - 1] != ':')
		return false;
	return base == 16 ? parse_hex(num.s, num.len, 16, &v) : parse_dec(&num, &v);
}

/* "0100007F:0016": each 8-digit group is a u32 as it lay in the kernel's memory, so storing it
 * natively gives back the address bytes in network order. */
static bool parse_endpoint(const struct tok *t, int family, uint8_t addr[16], uint16_t *port)
{
	size_t alen = family == AF_INET6 ? 32 : 8;
	uint64_t v;

	if (t->len < alen + 2 || t->s[alen] != ':')
		return false;
	for (size_t i = 0; i < alen / 8; i++) {
		uint32_t w;

		if (!parse_hex(t->s + 8 * i, 8, 8, &v))
			return false;
		w = (uint32_t)v;
		memcpy(addr + 4 * i, &w, sizeof(w));
	}
	if (!parse_hex(t->s + alen + 1, t->len - alen - 1, 4, &v))
		return false;
	*port = (uint16_t)v;
	return true;
}

/* ---- one line of each kind of table ---- */

int procnet_parse_inet(const char *line, int family, struct fd_sock *s, unsigned int *state)
{
	struct tok t[11];
	uint64_t st;

	memset(s, 0, sizeof(*s));
	/* the kernel always writes fields after the inode: without one the line was cut */
	for (int i = 0; i < 11; i++)
		if (!next_tok(&line, &t[i]))
			return -EINVAL;
	if ((family != AF_INET && family != AF_INET6) || !parse_slot(&t[0], 10) ||
	    !parse_endpoint(&t[1], family, s->laddr, &s->lport) ||
	    !parse_endpoint(&t[2], family, s->raddr, &s->rport) ||
	    !parse_hex(t[3].s, t[3].len, 2, &st) || !parse_dec(&t[9], &s->inode))
		return -EINVAL;
	s->family = (uint16_t)family;
	*state = (unsigned int)st;
	return 0;
}

int procnet_parse_unix(const char *line, struct fd_sock *s, const char **path, size_t *pathlen)
{
	struct tok t[7];
	uint64_t flags, type, v;

	memset(s, 0, sizeof(*s));
	for (int i = 0; i < 7; i++)
		if (!next_tok(&line, &t[i]))
			return -EINVAL;
	if (!parse_slot(&t[0], 16) || !parse_hex(t[1].s, t[1].len, 8, &v) ||
	    !parse_hex(t[2].s, t[2].len, 8, &v) || !parse_hex(t[3].s, t[3].len, 8, &flags) ||
	    !parse_hex(t[4].s, t[4].len, 4, &type) || !parse_hex(t[5].s, t[5].len, 2, &v) ||
	    !parse_dec(&t[6], &s->inode))
		return -EINVAL;
	s->family = AF_UNIX;
	s->type = (uint16_t)type;
	s->listening = (flags & UNIX_ACCEPTCON) != 0;
	/* the name is everything after one space, spaces included */
	*path = *line == ' ' ? line + 1 : line;
	*pathlen = strcspn(*path, "\n");
	return 0;
}

int procnet_parse_netlink(const char *line, struct fd_sock *s)
{
	struct tok t[10];
	uint64_t proto, v;

	memset(s, 0, sizeof(*s));
	for (int i = 0; i < 10; i++)
		if (!next_tok(&line, &t[i]))
			return -EINVAL;
	if (!parse_hex(t[0].s, t[0].len, 16, &v) || !parse_dec(&t[1], &proto) || proto > 0xffff ||
	    !parse_dec(&t[9], &s->inode))
		return -EINVAL;
	s->family = AF_NETLINK;
	s->protocol = (uint16_t)proto;
	return 0;
}

int procnet_parse_packet(const char *line, struct fd_sock *s)
{
	struct tok t[9];
	uint64_t type, proto, v;

	memset(s, 0, sizeof(*s));
	for (int i = 0; i < 9; i++)
		if (!next_tok(&line, &t[i]))
			return -EINVAL;
	if (!parse_hex(t[0].s, t[0].len, 16, &v) || !parse_dec(&t[2], &type) || type > 0xffff ||
	    !parse_hex(t[3].s, t[3].len, 4, &proto) || !parse_dec(&t[8], &s->inode))
		return -EINVAL;
	s->family = AF_PACKET;
	s->type = (uint16_t)type;
	s->protocol = (uint16_t)proto;
	return 0;
}

/* ---- the index ---- */

struct procnet_index *procnet_index__new(size_t max_sockets)
{
	struct procnet_index *ix;

	if (max_sockets == 0)
		return NULL;
	ix = calloc(1, sizeof(*ix));
	if (ix)
		ix->max = max_sockets;
	return ix;
}

static void index_clear(struct procnet_index *ix)
{
	for (size_t i = 0; i < ix->n; i++)
		free(ix->socks[i].path);
	ix->n = 0;
}

void procnet_index__free(struct procnet_index *ix)
{
	if (!ix)
		return;
	index_clear(ix);
	free(ix->socks);
	free(ix);
}

/* The next free slot, growing by doubling up to max; NULL when full or out of memory. */
static struct procnet_sock *index_slot(struct procnet_index *ix)
{
	struct procnet_sock *p;
	size_t n;

	if (ix->n == ix->max)
		return NULL;
	if (ix->n == ix->alloc) {
		n = ix->alloc ? ix->alloc * 2 : 256;
		n = n > ix->max ? ix->max : n;
		p = realloc(ix->socks, n * sizeof(*p));
		if (!p)
			return NULL;
		ix->socks = p;
		ix->alloc = n;
	}
	return &ix->socks[ix->n];
}

static int index_add(struct procnet_index *ix, const struct fd_sock *s, const char *path,
		     size_t pathlen, struct procnet_stats *st)
{
	struct procnet_sock *slot = index_slot(ix);

	if (!slot) {
		if (ix->n < ix->max)
			return -ENOMEM;
		st->dropped++;
		return 0;
	}
	slot->sock = *s;
	slot->path = NULL;
	if (pathlen) {
		slot->path = strndup(path, pathlen);
		if (!slot->path)
			return -ENOMEM;
	}
	ix->n++;
	return 0;
}

static int parse_line(const struct net_table *tb, const char *line, struct fd_sock *s,
		      const char **path, size_t *pathlen)
{
	unsigned int state = 0;
	int err;

	*pathlen = 0;
	switch (tb->family) {
	case AF_UNIX:
		return procnet_parse_unix(line, s, path, pathlen);
	case AF_NETLINK:
		return procnet_parse_netlink(line, s);
	case AF_PACKET:
		return procnet_parse_packet(line, s);
	}
	err = procnet_parse_inet(line, tb->family, s, &state);
	if (err)
		return err;
	s->type = tb->type;
	s->protocol = tb->protocol;
	s->listening = tb->protocol == IPPROTO_TCP && state == TCP_STATE_LISTEN;
	if (tb->type == SOCK_RAW) {
		s->protocol = s->lport; /* a raw socket's "port" is its protocol */
		s->lport = 0;
	}
	return 0;
}

/* Next line into buf, without its newline: 1, 0 at the end, -E2BIG for a line too long
 * (skipped whole). */
static int next_line(FILE *f, char *buf, size_t sz)
{
	size_t n;

	if (!fgets(buf, sz, f))
		return 0;
	n = strlen(buf);
	if (n && buf[n - 1] == '\n') {
		buf[n - 1] = 0;
		return 1;
	}
	if (feof(f))
		return 1;
	while (fgets(buf, sz, f) && !strchr(buf, '\n'))
		;
	return -E2BIG;
}

static int load_table(struct procnet_index *ix, const char *dir, const struct net_table *tb,
		      struct procnet_stats *st)
{
	char path[PATH_MAX], line[LINE_MAX_BYTES];
	const char *name;
	struct fd_sock s;
	size_t namelen;
	int rc, err = 0;
	FILE *f;

	if (snprintf(path, sizeof(path), "%s/%s", dir, tb->name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	next_line(f, line, sizeof(line)); /* the header */
	while (!err && (rc = next_line(f, line, sizeof(line)))) {
		if (rc < 0 || parse_line(tb, line, &s, &name, &namelen)) {
			st->malformed++;
			continue;
		}
		/* inode 0: time-wait and orphaned sockets, which no fd refers to */
		if (s.inode)
			err = index_add(ix, &s, name, namelen, st);
	}
	fclose(f);
	return err;
}

static int cmp_inode(const void *a, const void *b)
{
	uint64_t x = ((const struct procnet_sock *)a)->sock.inode;
	uint64_t y = ((const struct procnet_sock *)b)->sock.inode;

	return x < y ? -1 : x > y;
}

int procnet_index__load(struct procnet_index *ix, const char *net_dir, struct procnet_stats *st)
{
	size_t tables = sizeof(net_tables) / sizeof(net_tables[0]), read = 0;
	int err;

	index_clear(ix);
	for (size_t i = 0; i < tables; i++) {
		err = load_table(ix, net_dir, &net_tables[i], st);
		if (err == -ENOMEM) {
			index_clear(ix); /* not sorted: no half index to search */
			return err;
		}
		read += err == 0;
	}
	if (!read)
		return -ENOENT;
	st->loads++;
	qsort(ix->socks, ix->n, sizeof(*ix->socks), cmp_inode);
	return (int)ix->n;
}

const struct procnet_sock *procnet_index__find(const struct procnet_index *ix, uint64_t inode)
{
	struct procnet_sock key = { .sock.inode = inode };

	if (!ix->n)
		return NULL;
	return bsearch(&key, ix->socks, ix->n, sizeof(*ix->socks), cmp_inode);
}
