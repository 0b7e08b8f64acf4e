// SPDX-License-Identifier: Apache-2.0
/* Unit tests of the DNS parser on well-formed messages, built by dns_build.h. */
#include <errno.h>

#define UNIT_MAIN
#include "unit.h"
#include "dns_build.h"

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

int main(void)
{
	return unit_run();
}
