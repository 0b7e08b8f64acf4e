// SPDX-License-Identifier: Apache-2.0
/*
 * Unit tests of the DNS parser: hand-built messages (a tiny builder below), compression,
 * hostile pointers, captures cut at every length, and a deterministic fuzz loop.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#define UNIT_MAIN
#include "unit.h"
#include "dns.h"

/* --- message builder --- */

struct msg {
	uint8_t b[4096];
	size_t n;
};

static void put8(struct msg *m, uint8_t v)
{
	if (m->n < sizeof(m->b))
		m->b[m->n++] = v;
}

static void put16(struct msg *m, uint16_t v)
{
	put8(m, v >> 8);
	put8(m, v & 0xff);
}

static void put32(struct msg *m, uint32_t v)
{
	put16(m, v >> 16);
	put16(m, v & 0xffff);
}

static void putbytes(struct msg *m, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(m, ((const uint8_t *)p)[i]);
}

/* Labels of a dotted name; with end, the terminating zero too (else a pointer follows). */
static void putlabels(struct msg *m, const char *dotted, bool end)
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

static void putname(struct msg *m, const char *dotted)
{
	putlabels(m, dotted, true);
}

static void putptr(struct msg *m, uint16_t off)
{
	put16(m, 0xc000 | off);
}

#define F_QR 0x8000
#define F_AA 0x0400
#define F_TC 0x0200
#define F_RD 0x0100
#define F_RA 0x0080

static void hdr(struct msg *m, uint16_t id, uint16_t flags, uint16_t qd, uint16_t an, uint16_t ns,
		uint16_t ar)
{
	m->n = 0;
	put16(m, id);
	put16(m, flags);
	put16(m, qd);
	put16(m, an);
	put16(m, ns);
	put16(m, ar);
}

static void question(struct msg *m, const char *name, uint16_t type)
{
	putname(m, name);
	put16(m, type);
	put16(m, 1);
}

/* Record fixed part after its name; returns where rdlength goes, fixed by rr_end(). */
static size_t rr_begin(struct msg *m, uint16_t type, uint32_t ttl)
{
	size_t at;

	put16(m, type);
	put16(m, 1);
	put32(m, ttl);
	at = m->n;
	put16(m, 0);
	return at;
}

static void rr_end(struct msg *m, size_t at)
{
	size_t len = m->n - at - 2;

	m->b[at] = len >> 8;
	m->b[at + 1] = len & 0xff;
}

static struct dns_msg out; /* 34 KB: not on the stack */
static const char *why;

static int parse(const struct msg *m)
{
	return dns_parse(m->b, m->n, &out, &why);
}

/* A response: www.example.com CNAME web.example.net, web.example.net A 93.184.216.34. Names
 * in the answers are compressed against the question and against the CNAME rdata. */
static void build_cname_response(struct msg *m)
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

/* --- well-formed messages --- */

UNIT_TEST(query_a)
{
	struct msg m;

	hdr(&m, 0x1234, F_RD, 1, 0, 0, 0);
	question(&m, "www.example.com", 1);
	CHECK_INT(parse(&m), 0);
	CHECK(why == NULL);
	CHECK_INT(out.id, 0x1234);
	CHECK(!out.response);
	CHECK(out.recursion_desired);
	CHECK(!out.recursion_available);
	CHECK(!out.cut);
	CHECK(!out.truncated_msg);
	CHECK_INT(out.opcode, 0);
	CHECK_INT(out.qdcount, 1);
	CHECK(out.has_question);
	CHECK_STR(out.qname, "www.example.com");
	CHECK_INT(out.qtype, 1);
	CHECK_INT(out.qclass, 1);
	CHECK_INT(out.nanswers, 0);
	CHECK_INT(out.answers_seen, 0);
}

UNIT_TEST(response_a_compressed)
{
	struct msg m;
	size_t at;

	hdr(&m, 7, F_QR | F_AA | F_RD | F_RA, 1, 1, 0, 0);
	question(&m, "example.com", 1);
	putptr(&m, 12);
	at = rr_begin(&m, 1, 300);
	putbytes(&m, "\xc0\x00\x02\x01", 4);
	rr_end(&m, at);
	CHECK_INT(parse(&m), 0);
	CHECK(out.response);
	CHECK(out.authoritative);
	CHECK_INT(out.rcode, 0);
	CHECK_INT(out.nanswers, 1);
	CHECK_STR(out.answers[0].name, "example.com");
	CHECK_INT(out.answers[0].type, 1);
	CHECK_INT(out.answers[0].class, 1);
	CHECK_INT(out.answers[0].ttl, 300);
	CHECK_INT(out.answers[0].rdlength, 4);
	CHECK_STR(out.answers[0].data, "192.0.2.1");
	CHECK(!out.answers[0].data_cut);
}

UNIT_TEST(response_aaaa)
{
	static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x53};
	struct msg m;
	size_t at;

	hdr(&m, 8, F_QR, 1, 1, 0, 0);
	question(&m, "v6.example.org", 28);
	putptr(&m, 12);
	at = rr_begin(&m, 28, 0xffffffff);
	putbytes(&m, v6, 16);
	rr_end(&m, at);
	CHECK_INT(parse(&m), 0);
	CHECK_INT(out.qtype, 28);
	CHECK_STR(out.answers[0].data, "2001:db8::53");
	CHECK_INT(out.answers[0].ttl, 0xffffffffu);
}

UNIT_TEST(response_cname_chain)
{
	struct msg m;

	build_cname_response(&m);
	CHECK_INT(parse(&m), 0);
	CHECK_INT(out.id, 0xbeef);
	CHECK_INT(out.nanswers, 2);
	CHECK_STR(out.answers[0].name, "www.example.com");
	CHECK_INT(out.answers[0].type, 5);
	CHECK_STR(out.answers[0].data, "web.example.net");
	CHECK_STR(out.answers[1].name, "web.example.net");
	CHECK_STR(out.answers[1].data, "93.184.216.34");
	CHECK(!out.cut);
}

/* A pointer inside the middle of a name, to a suffix, and a chain of two pointers. */
UNIT_TEST(compression_suffix_and_chain)
{
	struct msg m;
	size_t at, mail;

	hdr(&m, 9, F_QR, 1, 2, 0, 0);
	question(&m, "example.com", 15); /* example.com at 12, com at 20 */
	putptr(&m, 12);
	at = rr_begin(&m, 15, 100);
	put16(&m, 10);
	mail = m.n;
	putlabels(&m, "mail", false);
	putptr(&m, 12);
	rr_end(&m, at);
	putptr(&m, 12);
	at = rr_begin(&m, 15, 100);
	put16(&m, 20);
	putlabels(&m, "backup", false);
	putptr(&m, mail); /* -> mail + pointer -> example.com */
	rr_end(&m, at);
	CHECK_INT(parse(&m), 0);
	CHECK_INT(out.nanswers, 2);
	CHECK_STR(out.answers[0].data, "10 mail.example.com");
	CHECK_STR(out.answers[1].data, "20 backup.mail.example.com");

	/* a suffix pointer: "other" + -> "com" at offset 20 */
	hdr(&m, 9, F_QR, 1, 1, 0, 0);
	question(&m, "example.com", 2);
	putptr(&m, 12);
	at = rr_begin(&m, 2, 100);
	putlabels(&m, "ns1.other", false);
	putptr(&m, 20);
	rr_end(&m, at);
	CHECK_INT(parse(&m), 0);
	CHECK_STR(out.answers[0].data, "ns1.other.com");
}

UNIT_TEST(response_txt)
{
	struct msg m;
	size_t at;

	hdr(&m, 10, F_QR, 1, 1, 0, 0);
	question(&m, "example.com", 16);
	putptr(&m, 12);
	at = rr_begin(&m, 16, 5);
	put8(&m, 12);
	putbytes(&m, "v=spf1 \"x\"\\", 11);
	put8(&m, 0x01);
	put8(&m, 0);
	put8(&m, 3);
	putbytes(&m, "\xff\tA", 3);
	rr_end(&m, at);
	CHECK_INT(parse(&m), 0);
	CHECK_STR(out.answers[0].data, "\"v=spf1 \\\"x\\\"\\\\\\001\" \"\" \"\\255\\009A\"");
}

UNIT_TEST(response_txt_too_long_is_cut)
{
	static struct msg m;
	size_t at;

	hdr(&m, 11, F_QR, 1, 1, 0, 0);
	question(&m, "t.example", 16);
	putptr(&m, 12);
	at = rr_begin(&m, 16, 5);
	for (int s = 0; s < 8; s++) {
		put8(&m, 255);
		for (int i = 0; i < 255; i++)
			put8(&m, 'a' + s);
	}
	rr_end(&m, at);
	CHECK_INT(parse(&m), 0);
	CHECK_INT(out.nanswers, 1);
	CHECK(out.answers[0].data_cut);
	CHECK(strlen(out.answers[0].data) < DNS_DATA_TEXT);
	CHECK(strlen(out.answers[0].data) > 255 * 3);
	/* cut between pieces, never inside an escape */
	CHECK(out.answers[0].data[strlen(out.answers[0].data) - 1] != '\\');
}

UNIT_TEST(response_nxdomain)
{
	struct msg m;
	size_t at;

	hdr(&m, 12, F_QR | F_RD | F_RA | 3, 1, 0, 1, 0);
	question(&m, "nope.example.com", 1);
	putptr(&m, 17); /* example.com */
	at = rr_begin(&m, 6, 900);
	putbytes(&m, "\x00\x00", 2); /* not decoded: SOA is in authority */
	rr_end(&m, at);
	CHECK_INT(parse(&m), 0);
	CHECK_INT(out.rcode, 3);
	CHECK_STR(dns_rcode_name(out.rcode), "NXDOMAIN");
	CHECK_INT(out.nscount, 1);
	CHECK_INT(out.ancount, 0);
	CHECK_INT(out.nanswers, 0);
	CHECK_STR(out.qname, "nope.example.com");
}

UNIT_TEST(other_types_keep_number_only)
{
	struct msg m;
	size_t at;

	hdr(&m, 13, F_QR, 1, 1, 0, 0);
	question(&m, "_sip._tcp.example.com", 33);
	putptr(&m, 12);
	at = rr_begin(&m, 33, 60);
	putbytes(&m, "\x00\x01\x00\x02\x13\xc4\x00", 7);
	rr_end(&m, at);
	CHECK_INT(parse(&m), 0);
	CHECK_STR(out.qname, "_sip._tcp.example.com");
	CHECK_INT(out.answers[0].type, 33);
	CHECK_INT(out.answers[0].rdlength, 7);
	CHECK_STR(out.answers[0].data, "");
}

UNIT_TEST(root_name_and_second_question)
{
	struct msg m;
	size_t at;

	hdr(&m, 14, F_QR, 2, 1, 0, 0);
	question(&m, "", 2);
	question(&m, "ignored.example", 1);
	put8(&m, 0); /* the answer's name: the root */
	at = rr_begin(&m, 2, 60);
	putname(&m, "a.root-servers.net");
	rr_end(&m, at);
	CHECK_INT(parse(&m), 0);
	CHECK_STR(out.qname, ".");
	CHECK_INT(out.qtype, 2);
	CHECK_STR(out.answers[0].name, ".");
	CHECK_STR(out.answers[0].data, "a.root-servers.net");
}

UNIT_TEST(label_escapes)
{
	struct msg m;

	hdr(&m, 15, 0, 1, 0, 0, 0);
	put8(&m, 9);
	putbytes(&m, "a.b c\xff\\\"(", 9);
	putname(&m, "x");
	put16(&m, 1);
	put16(&m, 1);
	CHECK_INT(parse(&m), 0);
	CHECK_STR(out.qname, "a\\.b\\032c\\255\\\\\\\"\\(.x");
}

UNIT_TEST(answers_beyond_limit_are_counted)
{
	static struct msg m;
	size_t at;

	hdr(&m, 16, F_QR, 1, DNS_MAX_ANSWERS + 4, 0, 0);
	question(&m, "many.example", 1);
	for (int i = 0; i < DNS_MAX_ANSWERS + 4; i++) {
		putptr(&m, 12);
		at = rr_begin(&m, 1, i);
		put8(&m, 10);
		put8(&m, 0);
		put8(&m, 0);
		put8(&m, i);
		rr_end(&m, at);
	}
	CHECK_INT(parse(&m), 0);
	CHECK_INT(out.nanswers, DNS_MAX_ANSWERS);
	CHECK_INT(out.answers_seen, DNS_MAX_ANSWERS + 4);
	CHECK_STR(out.answers[DNS_MAX_ANSWERS - 1].data, "10.0.0.15");
	CHECK(!out.cut);
}

UNIT_TEST(names_of_numbers)
{
	CHECK_STR(dns_type_name(1), "A");
	CHECK_STR(dns_type_name(28), "AAAA");
	CHECK_STR(dns_type_name(5), "CNAME");
	CHECK_STR(dns_type_name(15), "MX");
	CHECK_STR(dns_type_name(16), "TXT");
	CHECK_STR(dns_type_name(12), "PTR");
	CHECK_STR(dns_type_name(2), "NS");
	CHECK_STR(dns_type_name(6), "SOA");
	CHECK_STR(dns_type_name(33), "SRV");
	CHECK_STR(dns_type_name(65), "HTTPS");
	CHECK_STR(dns_type_name(255), "ANY");
	CHECK(dns_type_name(0) == NULL);
	CHECK(dns_type_name(1000) == NULL);
	CHECK_STR(dns_rcode_name(0), "NOERROR");
	CHECK_STR(dns_rcode_name(1), "FORMERR");
	CHECK_STR(dns_rcode_name(2), "SERVFAIL");
	CHECK_STR(dns_rcode_name(4), "NOTIMP");
	CHECK_STR(dns_rcode_name(5), "REFUSED");
	CHECK(dns_rcode_name(11) == NULL);
	CHECK_STR(dns_opcode_name(0), "QUERY");
	CHECK_STR(dns_opcode_name(5), "UPDATE");
	CHECK(dns_opcode_name(3) == NULL);
	CHECK(dns_opcode_name(15) == NULL);
	CHECK_STR(dns_class_name(1), "IN");
	CHECK_STR(dns_class_name(3), "CH");
	CHECK(dns_class_name(2) == NULL);
}

/* --- malformed messages --- */

UNIT_TEST(short_header)
{
	static const uint8_t b[11];

	CHECK_INT(dns_parse(b, sizeof(b), &out, &why), -EINVAL);
	CHECK_STR(why, "shorter than a DNS header");
	CHECK_INT(dns_parse(NULL, 0, &out, NULL), -EINVAL);
}

UNIT_TEST(pointer_to_itself)
{
	struct msg m;

	hdr(&m, 20, 0, 1, 0, 0, 0);
	putptr(&m, 12);
	put16(&m, 1);
	put16(&m, 1);
	CHECK_INT(parse(&m), -EINVAL);
	CHECK_STR(why, "compression pointer does not point backwards");
	CHECK(!out.has_question);
	CHECK_STR(out.qname, "");
}

UNIT_TEST(pointer_forward)
{
	struct msg m;

	hdr(&m, 21, 0, 1, 0, 0, 0);
	putptr(&m, 18);
	put16(&m, 1);
	put16(&m, 1);
	putname(&m, "later");
	CHECK_INT(parse(&m), -EINVAL);
	CHECK_STR(why, "compression pointer does not point backwards");
}

/* Labels then a pointer back to the start of the same name: an endless name. */
UNIT_TEST(pointer_loop_within_name)
{
	struct msg m;

	hdr(&m, 22, 0, 1, 0, 0, 0);
	putlabels(&m, "a.b", false);
	putptr(&m, 12);
	put16(&m, 1);
	put16(&m, 1);
	CHECK_INT(parse(&m), -EINVAL);
	CHECK_STR(why, "compression pointer does not point backwards");
}

/* Two names pointing at each other. The first sits in rdata of a type nobody decodes, so
 * only the second name's jump leads into it: back (allowed), then forward again. */
UNIT_TEST(pointer_loop_between_names)
{
	struct msg m;
	size_t at, first;

	hdr(&m, 23, F_QR, 1, 2, 0, 0);
	question(&m, "x", 99);
	putptr(&m, 12);
	at = rr_begin(&m, 99, 0);
	first = m.n;
	putlabels(&m, "y", false);
	putptr(&m, first + 4); /* -> the next record's name, just after this rdata */
	rr_end(&m, at);
	CHECK_INT(m.n, first + 4);
	putptr(&m, first);
	at = rr_begin(&m, 1, 0);
	putbytes(&m, "\x01\x02\x03\x04", 4);
	rr_end(&m, at);
	CHECK_INT(parse(&m), -EINVAL);
	CHECK_STR(why, "compression pointer does not point backwards");
	CHECK_INT(out.nanswers, 1);
}

UNIT_TEST(pointer_into_header)
{
	struct msg m;
	size_t at;

	hdr(&m, 24, F_QR, 1, 1, 0, 0);
	question(&m, "a", 1);
	putptr(&m, 4);
	at = rr_begin(&m, 1, 0);
	putbytes(&m, "\x01\x02\x03\x04", 4);
	rr_end(&m, at);
	CHECK_INT(parse(&m), -EINVAL);
	CHECK_STR(why, "compression pointer into the header");
	CHECK(out.has_question); /* what came before the fault is kept */
	CHECK_STR(out.qname, "a");
}

/* 40 pointers, each to the one before: all backwards, but too many. */
UNIT_TEST(pointer_chain_too_long)
{
	struct msg m;
	size_t at, prev;

	hdr(&m, 25, F_QR, 1, 2, 0, 0);
	question(&m, "a", 99);
	putptr(&m, 12);
	at = rr_begin(&m, 99, 0);
	prev = m.n;
	putname(&m, "z");
	for (int i = 0; i < 40; i++) {
		size_t here = m.n;

		putptr(&m, prev);
		prev = here;
	}
	rr_end(&m, at);
	putptr(&m, prev);
	at = rr_begin(&m, 1, 0);
	putbytes(&m, "\x01\x02\x03\x04", 4);
	rr_end(&m, at);
	CHECK_INT(parse(&m), -EINVAL);
	CHECK_STR(why, "too many compression pointers");
	CHECK_INT(out.nanswers, 1);
	CHECK_INT(out.answers[0].type, 99);
}

static void put_label_run(struct msg *m, const int *sizes, int n)
{
	for (int i = 0; i < n; i++) {
		put8(m, sizes[i]);
		for (int j = 0; j < sizes[i]; j++)
			put8(m, 0xfe);
	}
	put8(m, 0);
	put16(m, 1);
	put16(m, 1);
}

UNIT_TEST(name_length_limit)
{
	static const int longest[] = {63, 63, 63, 61}, too_long[] = {63, 63, 63, 62};
	struct msg m;

	hdr(&m, 26, 0, 1, 0, 0, 0);
	put_label_run(&m, longest, 4);
	CHECK_INT(parse(&m), 0);
	/* every byte escaped: 250 * 4 + 3 dots, the worst case DNS_NAME_TEXT must hold */
	CHECK_INT(strlen(out.qname), 1003);
	hdr(&m, 26, 0, 1, 0, 0, 0);
	put_label_run(&m, too_long, 4);
	CHECK_INT(parse(&m), -EINVAL);
	CHECK_STR(why, "name longer than 255 bytes");
}

UNIT_TEST(reserved_label_type)
{
	struct msg m;

	hdr(&m, 27, 0, 1, 0, 0, 0);
	put8(&m, 0x41);
	put8(&m, 0);
	put16(&m, 1);
	put16(&m, 1);
	CHECK_INT(parse(&m), -EINVAL);
	CHECK_STR(why, "reserved label type");
}

/* One answer with the given rdata after a good one; the good one survives the error. */
static int parse_bad_rdata(uint16_t type, const void *rdata, size_t n)
{
	struct msg m;
	size_t at;

	hdr(&m, 28, F_QR, 1, 2, 0, 0);
	question(&m, "a.example", type);
	putptr(&m, 12);
	at = rr_begin(&m, 1, 0);
	putbytes(&m, "\x01\x02\x03\x04", 4);
	rr_end(&m, at);
	putptr(&m, 12);
	at = rr_begin(&m, type, 0);
	putbytes(&m, rdata, n);
	rr_end(&m, at);
	return parse(&m);
}

UNIT_TEST(bad_rdata)
{
	CHECK_INT(parse_bad_rdata(1, "\x01\x02\x03", 3), -EINVAL);
	CHECK_STR(why, "A rdata is not 4 bytes");
	CHECK_INT(out.nanswers, 1);
	CHECK_STR(out.answers[0].data, "1.2.3.4");
	CHECK_INT(parse_bad_rdata(28, "\x01\x02\x03\x04", 4), -EINVAL);
	CHECK_STR(why, "AAAA rdata is not 16 bytes");
	CHECK_INT(parse_bad_rdata(5,
				  "\x03"
				  "abc"
				  "\x00"
				  "X",
				  6),
		  -EINVAL);
	CHECK_STR(why, "bytes left in rdata after the name");
	CHECK_INT(parse_bad_rdata(5,
				  "\x05"
				  "abc",
				  4),
		  -EINVAL);
	CHECK_STR(why, "name runs past the end of its rdata");
	CHECK_INT(parse_bad_rdata(15, "\x00", 1), -EINVAL);
	CHECK_STR(why, "MX rdata shorter than its preference");
	CHECK_INT(parse_bad_rdata(16,
				  "\x05"
				  "ab",
				  3),
		  -EINVAL);
	CHECK_STR(why, "TXT string runs past the end of its rdata");
	/* a pointer in rdata is fine when it points back */
	CHECK_INT(parse_bad_rdata(5, "\xc0\x0c", 2), 0);
	CHECK_STR(out.answers[1].data, "a.example");
}

/* --- cut captures --- */

UNIT_TEST(cut_at_every_length)
{
	struct msg m;
	int answers_at_end = 0;

	build_cname_response(&m);
	for (size_t len = 0; len < m.n; len++) {
		int rc = dns_parse(m.b, len, &out, &why);

		if (len < 12) {
			CHECK_INT(rc, -EINVAL);
			continue;
		}
		CHECK_INT(rc, 0);
		CHECK(out.cut);
		CHECK(out.answers_seen <= 1);
		CHECK_INT(out.nanswers, out.answers_seen);
		if (out.has_question)
			CHECK_STR(out.qname, "www.example.com");
		else
			CHECK_STR(out.qname, "");
		answers_at_end = out.answers_seen;
	}
	CHECK_INT(answers_at_end, 1); /* the last cut loses only the A record */
	CHECK_INT(dns_parse(m.b, m.n, &out, &why), 0);
	CHECK(!out.cut);
	CHECK_INT(out.nanswers, 2);
}

UNIT_TEST(tcp_form)
{
	static uint8_t b[4200];
	struct msg m;

	build_cname_response(&m);
	b[0] = m.n >> 8;
	b[1] = m.n & 0xff;
	memcpy(b + 2, m.b, m.n);
	memcpy(b + 2 + m.n, "\x00\x0c junk", 7); /* the start of a next message */
	CHECK_INT(dns_parse_tcp(b, m.n + 9, &out, &why), 0);
	CHECK(!out.cut);
	CHECK_INT(out.nanswers, 2);
	CHECK_STR(out.answers[1].data, "93.184.216.34");

	CHECK_INT(dns_parse_tcp(b, m.n + 2 - 4, &out, &why), 0);
	CHECK(out.cut);
	CHECK_INT(out.nanswers, 1);

	for (size_t len = 0; len < m.n + 2; len++) {
		int rc = dns_parse_tcp(b, len, &out, &why);

		CHECK(len < 14 ? rc == -EINVAL : rc == 0 && out.cut);
	}
	CHECK_INT(dns_parse_tcp(b, 1, &out, &why), -EINVAL);
	CHECK_STR(why, "no TCP length prefix");
	b[0] = 0;
	b[1] = 11;
	CHECK_INT(dns_parse_tcp(b, m.n + 2, &out, &why), -EINVAL);
	CHECK_STR(why, "shorter than a DNS header");
}

/* --- fuzz --- */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng >> 32;
}

static void check_out_sane(int rc)
{
	CHECK(rc == 0 || rc == -EINVAL);
	CHECK(rc == 0 ? why == NULL : why != NULL);
	CHECK(out.nanswers <= DNS_MAX_ANSWERS);
	CHECK(out.nanswers <= out.answers_seen);
	CHECK(strlen(out.qname) < DNS_NAME_TEXT);
	for (unsigned i = 0; i < out.nanswers; i++) {
		CHECK(strlen(out.answers[i].name) < DNS_NAME_TEXT);
		CHECK(strlen(out.answers[i].data) < DNS_DATA_TEXT);
	}
}

/* Mutations of a real message reach deep into the parser; pure noise covers the header
 * paths. Both must never crash (ASan/UBSan) and always leave out well formed. */
UNIT_TEST(fuzz_never_crashes)
{
	static uint8_t b[600];
	struct msg seed;
	int ok = 0, bad = 0, rc;

	build_cname_response(&seed);
	for (int iter = 0; iter < 100000; iter++) {
		size_t len = rnd() % sizeof(b);

		if (iter & 1) {
			for (size_t i = 0; i < len; i++)
				b[i] = rnd();
		} else {
			len = seed.n - rnd() % 4;
			memcpy(b, seed.b, seed.n);
			for (int k = 1 + rnd() % 4; k > 0; k--)
				b[rnd() % len] = rnd() % 4 ? rnd() : 0xc0 | (rnd() & 1);
		}
		rc = dns_parse(b, len, &out, &why);
		check_out_sane(rc);
		if (rc)
			bad++;
		else
			ok++;
		rc = dns_parse_tcp(b, len, &out, &why);
		check_out_sane(rc);
	}
	/* the mutations must exercise both outcomes */
	CHECK(ok > 1000);
	CHECK(bad > 1000);
}

int main(void)
{
	return unit_run();
}
