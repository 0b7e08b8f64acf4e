/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DNS message parser (RFC 1035) for the UDP/TCP payloads the kernel captures to and from port
 * 53. The bytes are untrusted and often cut short (the kernel sends at most its capture size),
 * so every read is bounds checked, compression pointers must point strictly backwards, and the
 * output is one fixed-size struct: no allocation, nothing grows with the input.
 *
 * Text forms follow dig: names are dotted, without the final dot ("www.example.com"; the root
 * is "."); label bytes that are not printable ASCII, and space, are written \DDD (decimal), and
 * . ; \ ( ) " @ $ are written with a backslash, so a name's text is unambiguous.
 */
#ifndef VIGIL_DNS_H
#define VIGIL_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_MAX_ANSWERS 16
/* A name is at most 255 bytes on the wire; with every label byte escaped as \DDD its text
 * needs up to 1004 bytes (3 labels of 63 and one of 61), NUL included. */
#define DNS_NAME_TEXT 1024
/* rdata text; longer TXT data is cut to fit and data_cut set. */
#define DNS_DATA_TEXT 1024
/* Most compression pointers followed for one name. Pointers must also point strictly before
 * the labels that led to them, which alone rules out loops; this bounds the work. */
#define DNS_MAX_JUMPS 32

struct dns_answer {
	char name[DNS_NAME_TEXT];
	uint16_t type, class;
	uint32_t ttl;
	uint16_t rdlength;
	bool data_cut; /* data was longer than DNS_DATA_TEXT and is cut short */
	/*
	 * A: "192.0.2.1"; AAAA: "2001:db8::1"; CNAME, NS, PTR, DNAME: the name;
	 * MX: preference and exchange, "10 mx.example.com"; TXT: each string quoted as dig
	 * does, '"' and '\' backslash-escaped, other non-printable bytes \DDD:
	 * "\"v=spf1 -all\" \"second\"". Other types: "" (type and rdlength still say what it was).
	 */
	char data[DNS_DATA_TEXT];
};

struct dns_msg {
	uint16_t id;
	bool response;	    /* QR bit */
	uint8_t opcode;	    /* 0 QUERY, 4 NOTIFY, 5 UPDATE, ... (dns_opcode_name) */
	uint8_t rcode;	    /* header RCODE, 4 bits (dns_rcode_name) */
	bool authoritative; /* AA */
	bool truncated_msg; /* TC: the server truncated its answer (the client retries over TCP) */
	bool recursion_desired, recursion_available;
	/* The captured bytes ended before the question and answers were complete (or, for the
	 * TCP form, before the length the prefix announced). What was complete is kept. */
	bool cut;
	uint16_t qdcount, ancount, nscount, arcount;
	bool has_question; /* qname/qtype/qclass hold the first question */
	char qname[DNS_NAME_TEXT];
	uint16_t qtype, qclass;
	/* Answer records parsed, kept or not. ancount - answers_seen were lost to a cut capture;
	 * answers_seen - nanswers did not fit in answers[]. */
	unsigned answers_seen;
	unsigned nanswers;
	struct dns_answer answers[DNS_MAX_ANSWERS];
};

/*
 * Parse the DNS message in buf[0..len) (a UDP payload) into *out, which is overwritten.
 * Returns 0 on success, including a message that was cut short (out->cut); -EINVAL when the
 * message is malformed (shorter than the 12-byte header, a forward or looping compression
 * pointer, a name over 255 bytes, a reserved label type, rdata that does not fit its type or
 * its length), with a static reason in *why when why is not NULL. After -EINVAL, out holds
 * what was parsed before the fault: the header, maybe the question, complete answers.
 * Only the question and answer sections are decoded; authority and additional are counted
 * in the header only.
 */
int dns_parse(const uint8_t *buf, size_t len, struct dns_msg *out, const char **why);

/* The same for DNS over TCP: buf starts with the 2-byte message length (RFC 1035 4.2.2).
 * Bytes after that length are ignored (the next message); fewer bytes than it announces set
 * out->cut. -EINVAL also when the prefix is missing or announces less than a header. */
int dns_parse_tcp(const uint8_t *buf, size_t len, struct dns_msg *out, const char **why);

/* RR type mnemonic: 1 "A", 28 "AAAA", 5 "CNAME", 15 "MX", 16 "TXT", 12 "PTR", 2 "NS",
 * 6 "SOA", 33 "SRV", 65 "HTTPS", 255 "ANY", ...; NULL when unknown. */
const char *dns_type_name(uint16_t type);

/* Header RCODE: 0 "NOERROR", 1 "FORMERR", 2 "SERVFAIL", 3 "NXDOMAIN", 4 "NOTIMP",
 * 5 "REFUSED", 6..10 "YXDOMAIN" "YXRRSET" "NXRRSET" "NOTAUTH" "NOTZONE"; NULL otherwise. */
const char *dns_rcode_name(uint8_t rcode);

/* Header OPCODE: 0 "QUERY", 1 "IQUERY", 2 "STATUS", 4 "NOTIFY", 5 "UPDATE", 6 "DSO"; NULL
 * otherwise. */
const char *dns_opcode_name(uint8_t opcode);

/* CLASS: 1 "IN", 3 "CH", 4 "HS", 254 "NONE", 255 "ANY"; NULL otherwise. */
const char *dns_class_name(uint16_t class);

#endif /* VIGIL_DNS_H */
