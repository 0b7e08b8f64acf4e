// SPDX-License-Identifier: Apache-2.0
/*
 * Unit tests of the DNS parser on hostile input: bad compression pointers, oversized names,
 * rdata that does not fit, captures cut at every length, and a deterministic fuzz loop.
 */
#include <errno.h>

#define UNIT_MAIN
#include "unit.h"
#include "dns_build.h"

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
