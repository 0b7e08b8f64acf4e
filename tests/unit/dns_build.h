/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A tiny DNS message builder for the parser's unit tests (test_dns*.c), and the shared
 * parse() helper. Header-only with static functions: each test binary is one file.
 */
#ifndef VIGIL_TEST_DNS_BUILD_H
#define VIGIL_TEST_DNS_BUILD_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dns.h"

struct msg {
	uint8_t b[4096];
	size_t n;
};

static inline void put8(struct msg *m, uint8_t v)
{
	if (m->n < sizeof(m->b))
		m->b[m->n++] = v;
}

static inline void put16(struct msg *m, uint16_t v)
{
	put8(m, v >> 8);
	put8(m, v & 0xff);
}

static inline void put32(struct msg *m, uint32_t v)
{
	put16(m, v >> 16);
	put16(m, v & 0xffff);
}

static inline void putbytes(struct msg *m, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(m, ((const uint8_t *)p)[i]);
}

/* Labels of a dotted name; with end, the terminating zero too (else a pointer follows). */
static inline void putlabels(struct msg *m, const char *dotted, bool end)
{
	const char *p = dotted, *dot;

	while (*p) {
		dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		put8(m, n);
		putbytes(m, p, n);
		p += n + (dot ? 1 : 0);
	}
	if (end)
		put8(m, 0);
}

static inline void putname(struct msg *m, const char *dotted)
{
	putlabels(m, dotted, true);
}

static inline void putptr(struct msg *m, uint16_t off)
{
	put16(m, 0xc000 | off);
}

#define F_QR 0x8000
#define F_AA 0x0400
#define F_TC 0x0200
#define F_RD 0x0100
#define F_RA 0x0080

static inline void hdr(struct msg *m, uint16_t id, uint16_t flags, uint16_t qd, uint16_t an,
		       uint16_t ns, uint16_t ar)
{
	m->n = 0;
	put16(m, id);
	put16(m, flags);
	put16(m, qd);
	put16(m, an);
	put16(m, ns);
	put16(m, ar);
}

static inline void question(struct msg *m, const char *name, uint16_t type)
{
	putname(m, name);
	put16(m, type);
	put16(m, 1);
}

/* Record fixed part after its name; returns where rdlength goes, fixed by rr_end(). */
static inline size_t rr_begin(struct msg *m, uint16_t type, uint32_t ttl)
{
	size_t at;

	put16(m, type);
	put16(m, 1);
	put32(m, ttl);
	at = m->n;
	put16(m, 0);
	return at;
}

static inline void rr_end(struct msg *m, size_t at)
{
	size_t len = m->n - at - 2;

	m->b[at] = len >> 8;
	m->b[at + 1] = len & 0xff;
}

static struct dns_msg out; /* 34 KB: not on the stack */
static const char *why;

static inline int parse(const struct msg *m)
{
	return dns_parse(m->b, m->n, &out, &why);
}

/* A response: www.example.com CNAME web.example.net, web.example.net A 93.184.216.34. Names
 * in the answers are compressed against the question and against the CNAME rdata. */
static inline void build_cname_response(struct msg *m)
{
	size_t at, target;

	hdr(m, 0xbeef, F_QR | F_RD | F_RA, 1, 2, 0, 0);
	question(m, "www.example.com", 1);
	putptr(m, 12);
	at = rr_begin(m, 5, 3600);
	target = m->n;
	putlabels(m, "web.example", false);
	put8(m, 3);
	putbytes(m, "net", 3);
	put8(m, 0);
	rr_end(m, at);
	putptr(m, target);
	at = rr_begin(m, 1, 60);
	putbytes(m, "\x5d\xb8\xd8\x22", 4);
	rr_end(m, at);
}

#endif /* VIGIL_TEST_DNS_BUILD_H */
