// SPDX-License-Identifier: Apache-2.0
/*
 * DNS message parser (see dns.h).
 *
 * Every step returns 0, DNS_CUT when the captured bytes ran out, or -EINVAL with rd->why set.
 * Running out is not an error: captures are routinely cut at a fixed size, so the parser
 * keeps what was complete, stops, and reports success with out->cut. The reader's invariant
 * is pos <= len, so `len - pos` never wraps.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "dns.h"

#define DNS_HDR_LEN  12
#define DNS_WIRE_MAX 255 /* longest name on the wire, length bytes and root included */
#define DNS_CUT	     1

enum {
	DNS_T_A = 1,
	DNS_T_NS = 2,
	DNS_T_CNAME = 5,
	DNS_T_PTR = 12,
	DNS_T_MX = 15,
	DNS_T_TXT = 16,
	DNS_T_AAAA = 28,
	DNS_T_DNAME = 39,
};

struct dns_rd {
	const uint8_t *buf;
	size_t len; /* readable bytes: the message, or the end of the rdata being decoded */
	size_t pos;
	const char *why;
};

static int rd_fail(struct dns_rd *rd, const char *why)
{
	rd->why = why;
	return -EINVAL;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Output text with a fixed capacity. A piece is added whole or not at all, and nothing after
 * the first piece that did not fit, so a cut text is a clean prefix with no half escape. */
struct text {
	char *buf;
	size_t cap, len;
	bool cut;
};

static void text_init(struct text *t, char *buf, size_t cap)
{
	t->buf = buf;
	t->cap = cap;
	t->len = 0;
	t->cut = false;
	buf[0] = '\0';
}

static void text_put(struct text *t, const char *s, size_t n)
{
	if (t->cut || n >= t->cap - t->len) {
		t->cut = true;
		return;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

static void text_putc(struct text *t, char c)
{
	text_put(t, &c, 1);
}

/* c as \DDD, three decimal digits, as dig writes it. */
static void text_ddd(struct text *t, uint8_t c)
{
	char e[4] = {'\\', '0' + c / 100, '0' + c / 10 % 10, '0' + c % 10};

	text_put(t, e, sizeof(e));
}

static void text_backslash(struct text *t, char c)
{
	char e[2] = {'\\', c};

	text_put(t, e, sizeof(e));
}

/* One label, escaped so that the dotted text cannot be misread ("a.b" as one label is a\.b). */
static void label_put(struct text *t, const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			text_ddd(t, s[i]);
		else if (strchr(".;\\()\"@$", s[i]))
			text_backslash(t, s[i]);
		else
			text_putc(t, s[i]);
	}
}

/* Follow a compression pointer at p. *run is where the labels that led here began; the
 * target must lie before it, so the positions visited strictly decrease and cannot loop. */
static int name_jump(struct dns_rd *rd, size_t *p, size_t *run, unsigned *jumps)
{
	size_t target;

	if (rd->len - *p < 2)
		return DNS_CUT;
	target = (size_t)(rd->buf[*p] & 0x3f) << 8 | rd->buf[*p + 1];
	if (target >= *run)
		return rd_fail(rd, "compression pointer does not point backwards");
	if (target < DNS_HDR_LEN)
		return rd_fail(rd, "compression pointer into the header");
	if (++*jumps > DNS_MAX_JUMPS)
		return rd_fail(rd, "too many compression pointers");
	*p = *run = target;
	return 0;
}

/* Read the name at rd->pos as text into t; rd->pos moves past it (past its first pointer). */
static int name_read(struct dns_rd *rd, struct text *t)
{
	size_t p = rd->pos, run = rd->pos, end = 0, wire = 1;
	unsigned jumps = 0, labels = 0;
	int err;

	for (;;) {
		uint8_t c;

		if (p >= rd->len)
			return DNS_CUT;
		c = rd->buf[p];
		if (c == 0)
			break;
		if ((c & 0xc0) == 0xc0) {
			if (!end)
				end = p + 2;
			err = name_jump(rd, &p, &run, &jumps);
			if (err)
				return err;
			continue;
		}
		if (c & 0xc0)
			return rd_fail(rd, "reserved label type");
		wire += 1 + c;
		if (wire > DNS_WIRE_MAX)
			return rd_fail(rd, "name longer than 255 bytes");
		if (rd->len - p - 1 < c)
			return DNS_CUT;
		if (labels++)
			text_putc(t, '.');
		label_put(t, rd->buf + p + 1, c);
		p += 1 + c;
	}
	if (!labels)
		text_putc(t, '.');
	rd->pos = end ? end : p + 1;
	return 0;
}

static int rd_u16(struct dns_rd *rd, uint16_t *v)
{
	if (rd->len - rd->pos < 2)
		return DNS_CUT;
	*v = be16(rd->buf + rd->pos);
	rd->pos += 2;
	return 0;
}

/* --- rdata --- */

static int rdata_addr(struct dns_rd *rd, struct text *t, int af, size_t want)
{
	char s[INET6_ADDRSTRLEN];

	if (rd->len - rd->pos != want)
		return rd_fail(rd, af == AF_INET ? "A rdata is not 4 bytes"
						 : "AAAA rdata is not 16 bytes");
	if (!inet_ntop(af, rd->buf + rd->pos, s, sizeof(s)))
		return rd_fail(rd, "address not printable");
	text_put(t, s, strlen(s));
	return 0;
}

/* A name that must fill the rest of the rdata exactly. */
static int rdata_name(struct dns_rd *rd, struct text *t)
{
	int err = name_read(rd, t);

	if (err == DNS_CUT)
		return rd_fail(rd, "name runs past the end of its rdata");
	if (err)
		return err;
	if (rd->pos != rd->len)
		return rd_fail(rd, "bytes left in rdata after the name");
	return 0;
}

static int rdata_mx(struct dns_rd *rd, struct text *t)
{
	char pref[8];
	uint16_t v;

	if (rd_u16(rd, &v))
		return rd_fail(rd, "MX rdata shorter than its preference");
	text_put(t, pref, snprintf(pref, sizeof(pref), "%u ", v));
	return rdata_name(rd, t);
}

/* One character-string, quoted as dig prints TXT data. */
static void txt_put(struct text *t, const uint8_t *s, size_t n)
{
	if (t->len)
		text_putc(t, ' ');
	text_putc(t, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] < 0x20 || s[i] >= 0x7f)
			text_ddd(t, s[i]);
		else if (s[i] == '"' || s[i] == '\\')
			text_backslash(t, s[i]);
		else
			text_putc(t, s[i]);
	}
	text_putc(t, '"');
}

static int rdata_txt(struct dns_rd *rd, struct text *t)
{
	while (rd->pos < rd->len) {
		uint8_t n = rd->buf[rd->pos];

		if (rd->len - rd->pos - 1 < n)
			return rd_fail(rd, "TXT string runs past the end of its rdata");
		txt_put(t, rd->buf + rd->pos + 1, n);
		rd->pos += 1 + n;
	}
	return 0;
}

/* Decode the rdata at rd->pos (a->rdlength bytes, known to be captured) into a->data. The
 * sub-reader ends with the rdata, so a name inside cannot run into the next record. */
static int rdata_read(struct dns_rd *rd, struct dns_answer *a)
{
	struct dns_rd sub = {rd->buf, rd->pos + a->rdlength, rd->pos, NULL};
	struct text t;
	int err = 0;

	text_init(&t, a->data, sizeof(a->data));
	switch (a->type) {
	case DNS_T_A:
		err = rdata_addr(&sub, &t, AF_INET, 4);
		break;
	case DNS_T_AAAA:
		err = rdata_addr(&sub, &t, AF_INET6, 16);
		break;
	case DNS_T_NS:
	case DNS_T_CNAME:
	case DNS_T_PTR:
	case DNS_T_DNAME:
		err = rdata_name(&sub, &t);
		break;
	case DNS_T_MX:
		err = rdata_mx(&sub, &t);
		break;
	case DNS_T_TXT:
		err = rdata_txt(&sub, &t);
		break;
	}
	a->data_cut = t.cut;
	rd->why = sub.why;
	return err;
}

/* --- sections --- */

static int header_read(struct dns_rd *rd, struct dns_msg *out)
{
	const uint8_t *p = rd->buf;
	uint16_t flags;

	if (rd->len < DNS_HDR_LEN)
		return rd_fail(rd, "shorter than a DNS header");
	flags = be16(p + 2);
	out->id = be16(p);
	out->response = flags >> 15;
	out->opcode = flags >> 11 & 0xf;
	out->authoritative = flags >> 10 & 1;
	out->truncated_msg = flags >> 9 & 1;
	out->recursion_desired = flags >> 8 & 1;
	out->recursion_available = flags >> 7 & 1;
	out->rcode = flags & 0xf;
	out->qdcount = be16(p + 4);
	out->ancount = be16(p + 6);
	out->nscount = be16(p + 8);
	out->arcount = be16(p + 10);
	rd->pos = DNS_HDR_LEN;
	return 0;
}

/* Read one question; keep it in out only when keep (the first), else just step over it. */
static int question_read(struct dns_rd *rd, struct dns_msg *out, bool keep)
{
	char scratch[DNS_NAME_TEXT];
	uint16_t qtype, qclass;
	struct text t;
	int err;

	text_init(&t, keep ? out->qname : scratch, DNS_NAME_TEXT);
	err = name_read(rd, &t);
	if (!err)
		err = rd_u16(rd, &qtype);
	if (!err)
		err = rd_u16(rd, &qclass);
	if (err && keep)
		out->qname[0] = '\0'; /* no half question */
	if (err || !keep)
		return err;
	out->qtype = qtype;
	out->qclass = qclass;
	out->has_question = true;
	return 0;
}

static int answer_read(struct dns_rd *rd, struct dns_answer *a)
{
	const uint8_t *p;
	struct text t;
	int err;

	text_init(&t, a->name, sizeof(a->name));
	err = name_read(rd, &t);
	if (err)
		return err;
	if (rd->len - rd->pos < 10)
		return DNS_CUT;
	p = rd->buf + rd->pos;
	a->type = be16(p);
	a->class = be16(p + 2);
	a->ttl = be32(p + 4);
	a->rdlength = be16(p + 8);
	rd->pos += 10;
	if (rd->len - rd->pos < a->rdlength)
		return DNS_CUT;
	err = rdata_read(rd, a);
	rd->pos += a->rdlength;
	return err;
}

/* Answers past DNS_MAX_ANSWERS are still parsed, into scratch, to count them and to check
 * the message; every record takes at least 11 bytes, so the loop is bounded by len. */
static int sections_read(struct dns_rd *rd, struct dns_msg *out)
{
	struct dns_answer scratch, *a;
	int err;

	for (unsigned i = 0; i < out->qdcount; i++) {
		err = question_read(rd, out, i == 0);
		if (err)
			return err;
	}
	for (unsigned i = 0; i < out->ancount; i++) {
		a = out->nanswers < DNS_MAX_ANSWERS ? &out->answers[out->nanswers] : &scratch;
		err = answer_read(rd, a);
		if (err)
			return err;
		out->answers_seen++;
		if (a != &scratch)
			out->nanswers++;
	}
	return 0;
}

int dns_parse(const uint8_t *buf, size_t len, struct dns_msg *out, const char **why)
{
	struct dns_rd rd = {buf, len, 0, NULL};
	int err;

	/* answers[] entries are written whole before they are counted: no need to clear them */
	memset(out, 0, offsetof(struct dns_msg, answers));
	err = header_read(&rd, out);
	if (!err)
		err = sections_read(&rd, out);
	if (err == DNS_CUT) {
		out->cut = true;
		err = 0;
	}
	if (why)
		*why = err ? rd.why : NULL;
	return err;
}

int dns_parse_tcp(const uint8_t *buf, size_t len, struct dns_msg *out, const char **why)
{
	size_t msglen;
	int err;

	if (len < 2) {
		memset(out, 0, offsetof(struct dns_msg, answers));
		if (why)
			*why = "no TCP length prefix";
		return -EINVAL;
	}
	msglen = be16(buf);
	if (msglen <= len - 2)
		return dns_parse(buf + 2, msglen, out, why);
	err = dns_parse(buf + 2, len - 2, out, why);
	if (!err)
		out->cut = true;
	return err;
}

/* --- names of numbers --- */

struct dns_code {
	uint16_t code;
	const char *name;
};

static const struct dns_code dns_types[] = {
    {1, "A"},	    {2, "NS"},	      {5, "CNAME"},	  {6, "SOA"},	      {10, "NULL"},
    {11, "WKS"},    {12, "PTR"},      {13, "HINFO"},	  {14, "MINFO"},      {15, "MX"},
    {16, "TXT"},    {17, "RP"},	      {18, "AFSDB"},	  {24, "SIG"},	      {25, "KEY"},
    {28, "AAAA"},   {29, "LOC"},      {33, "SRV"},	  {35, "NAPTR"},      {36, "KX"},
    {37, "CERT"},   {39, "DNAME"},    {41, "OPT"},	  {42, "APL"},	      {43, "DS"},
    {44, "SSHFP"},  {45, "IPSECKEY"}, {46, "RRSIG"},	  {47, "NSEC"},	      {48, "DNSKEY"},
    {49, "DHCID"},  {50, "NSEC3"},    {51, "NSEC3PARAM"}, {52, "TLSA"},	      {53, "SMIMEA"},
    {55, "HIP"},    {59, "CDS"},      {60, "CDNSKEY"},	  {61, "OPENPGPKEY"}, {62, "CSYNC"},
    {63, "ZONEMD"}, {64, "SVCB"},     {65, "HTTPS"},	  {99, "SPF"},	      {249, "TKEY"},
    {250, "TSIG"},  {251, "IXFR"},    {252, "AXFR"},	  {253, "MAILB"},     {254, "MAILA"},
    {255, "ANY"},   {256, "URI"},     {257, "CAA"},
};

static const char *code_name(const struct dns_code *tab, size_t n, uint16_t code)
{
	for (size_t i = 0; i < n; i++)
		if (tab[i].code == code)
			return tab[i].name;
	return NULL;
}

const char *dns_type_name(uint16_t type)
{
	return code_name(dns_types, sizeof(dns_types) / sizeof(dns_types[0]), type);
}

const char *dns_rcode_name(uint8_t rcode)
{
	static const char *const names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
					    "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
					    "NXRRSET", "NOTAUTH", "NOTZONE"};

	return rcode < sizeof(names) / sizeof(names[0]) ? names[rcode] : NULL;
}

const char *dns_opcode_name(uint8_t opcode)
{
	static const char *const names[] = {"QUERY",  "IQUERY", "STATUS", NULL,
					    "NOTIFY", "UPDATE", "DSO"};

	return opcode < sizeof(names) / sizeof(names[0]) ? names[opcode] : NULL;
}

const char *dns_class_name(uint16_t class)
{
	static const struct dns_code classes[] = {
	    {1, "IN"}, {3, "CH"}, {4, "HS"}, {254, "NONE"}, {255, "ANY"}};

	return code_name(classes, sizeof(classes) / sizeof(classes[0]), class);
}
