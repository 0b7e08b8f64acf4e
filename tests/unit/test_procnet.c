// SPDX-License-Identifier: Apache-2.0
/*
 * procnet: lines of /proc/net/{tcp,tcp6,udp,raw,unix,netlink,packet} laid out as the kernel
 * writes them, good and malformed (every cut prefix of a good line among them), then the
 * socket-inode index loaded from a fake net directory: what it finds, what it counts, its
 * bound, and a reload.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#define UNIT_MAIN
#include "unit.h"

#include "procnet.h"

/* An address as the kernel prints it: each 32-bit word of its bytes, as a native u32, %08X. */
static const char *hexaddr(int family, const char *text)
{
	static char out[2][40];
	static int which;
	uint8_t a[16] = { 0 };
	char *o = out[which++ % 2];
	uint32_t w;

	inet_pton(family, text, a);
	o[0] = 0;
	for (int i = 0; i < (family == AF_INET6 ? 4 : 1); i++) {
		memcpy(&w, a + 4 * i, 4);
		sprintf(o + 8 * i, "%08X", w);
	}
	return o;
}

/* A tcp/udp line as net/ipv4/tcp_ipv4.c get_tcp4_sock() writes it. */
static const char *inet_line(int family, const char *l, unsigned lport, const char *r,
			     unsigned rport, unsigned st, unsigned long long inode)
{
	static char line[512];

	snprintf(line, sizeof(line),
		 "%4d: %s:%04X %s:%04X %02X 00000000:00000000 00:00000000 00000000  1000        0 "
		 "%llu 1 0000000000000000 100 0 0 10 0",
		 3, hexaddr(family, l), lport, hexaddr(family, r), rport, st, inode);
	return line;
}

static void check_addr(const uint8_t *got, int family, const char *text)
{
	uint8_t want[16] = { 0 };

	inet_pton(family, text, want);
	CHECK(memcmp(got, want, 16) == 0);
}

UNIT_TEST(parse_inet_v4)
{
	struct fd_sock s;
	unsigned st = 0;

	CHECK_INT(procnet_parse_inet(inet_line(AF_INET, "127.0.0.1", 22, "0.0.0.0", 0, 0x0A, 12345),
				     AF_INET, &s, &st),
		  0);
	CHECK_INT(s.family, AF_INET);
	check_addr(s.laddr, AF_INET, "127.0.0.1");
	check_addr(s.raddr, AF_INET, "0.0.0.0");
	CHECK_INT(s.lport, 22);
	CHECK_INT(s.rport, 0);
	CHECK_INT(st, 0x0A);
	CHECK_INT(s.inode, 12345);
	CHECK_INT(s.type, 0); /* the table says the type, not the line */

	CHECK_INT(procnet_parse_inet(inet_line(AF_INET, "10.0.0.1", 443, "10.0.0.2", 65535, 1,
					       18446744073709551615ull),
				     AF_INET, &s, &st),
		  0);
	check_addr(s.raddr, AF_INET, "10.0.0.2");
	CHECK_INT(s.lport, 443);
	CHECK_INT(s.rport, 65535);
	CHECK_INT(st, 1);
	CHECK(s.inode == 18446744073709551615ull);
}

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* The line exactly as an x86 kernel writes it. */
UNIT_TEST(parse_inet_literal_little_endian)
{
	struct fd_sock s;
	unsigned st;

	CHECK_INT(procnet_parse_inet("  0: 0100007F:0016 00000000:0000 0A 00000000:00000000 "
				     "00:00000000 00000000     0        0 12345 1 "
				     "0000000062af6588 100 0 0 10 0",
				     AF_INET, &s, &st),
		  0);
	check_addr(s.laddr, AF_INET, "127.0.0.1");
	CHECK_INT(s.lport, 22);
	CHECK_INT(s.inode, 12345);
	CHECK_INT(procnet_parse_inet("   1: 00000000000000000000000001000000:01BB "
				     "0000000000000000FFFF00000100007F:A3F2 01 00000000:00000000 "
				     "00:00000000 00000000  1000        0 777 1 0 20 4 30 10 -1",
				     AF_INET6, &s, &st),
		  0);
	check_addr(s.laddr, AF_INET6, "::1");
	check_addr(s.raddr, AF_INET6, "::ffff:127.0.0.1");
	CHECK_INT(s.lport, 443);
	CHECK_INT(s.rport, 0xA3F2);
	CHECK_INT(s.inode, 777);
}
#endif

UNIT_TEST(parse_inet_v6)
{
	struct fd_sock s;
	unsigned st;

	CHECK_INT(procnet_parse_inet(inet_line(AF_INET6, "2001:db8::1", 443, "fe80::1:2:3:4", 5555,
					       1, 99),
				     AF_INET6, &s, &st),
		  0);
	CHECK_INT(s.family, AF_INET6);
	check_addr(s.laddr, AF_INET6, "2001:db8::1");
	check_addr(s.raddr, AF_INET6, "fe80::1:2:3:4");
	CHECK_INT(s.lport, 443);
	CHECK_INT(s.rport, 5555);
	CHECK_INT(s.inode, 99);
	/* the other family's line is not this family's */
	CHECK_INT(procnet_parse_inet(inet_line(AF_INET6, "::1", 1, "::", 0, 1, 5), AF_INET, &s, &st),
		  -EINVAL);
	CHECK_INT(procnet_parse_inet(inet_line(AF_INET, "1.2.3.4", 1, "0.0.0.0", 0, 1, 5), AF_INET6,
				     &s, &st),
		  -EINVAL);
	CHECK_INT(procnet_parse_inet(inet_line(AF_INET, "1.2.3.4", 1, "0.0.0.0", 0, 1, 5), AF_UNIX,
				     &s, &st),
		  -EINVAL);
}

static void expect_bad_inet(const char *line)
{
	struct fd_sock s;
	unsigned st;

	if (procnet_parse_inet(line, AF_INET, &s, &st) != -EINVAL) {
		printf("  parsed: \"%s\"\n", line);
		unit_case_failed = 1;
	}
}

UNIT_TEST(parse_inet_malformed)
{
	const char *tail = " 0A 00000000:00000000 00:00000000 00000000 0 0 12345 1 0";
	char line[512], good[512];
	struct fd_sock s;
	unsigned st;
	size_t n;

	expect_bad_inet("");
	expect_bad_inet("garbage");
	expect_bad_inet("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
			"retrnsmt   uid  timeout inode");
	snprintf(line, sizeof(line), "  0: 0100007:0016 00000000:0000%s", tail); /* 7 digits */
	expect_bad_inet(line);
	snprintf(line, sizeof(line), "  0: 0100007G:0016 00000000:0000%s", tail);
	expect_bad_inet(line);
	snprintf(line, sizeof(line), "  0: 0100007F0016 00000000:0000%s", tail);
	expect_bad_inet(line);
	snprintf(line, sizeof(line), "  0: 0100007F:00016 00000000:0000%s", tail);
	expect_bad_inet(line);
	snprintf(line, sizeof(line), "  0: 0100007F: 00000000:0000%s", tail);
	expect_bad_inet(line);
	snprintf(line, sizeof(line), "  x: 0100007F:0016 00000000:0000%s", tail);
	expect_bad_inet(line);
	snprintf(line, sizeof(line), "  0 0100007F:0016 00000000:0000%s", tail);
	expect_bad_inet(line);
	expect_bad_inet("  0: 0100007F:0016 00000000:0000 ABC 0:0 0:0 0 0 0 12345 1");
	expect_bad_inet("  0: 0100007F:0016 00000000:0000 0A 0:0 0:0 0 0 0 12a45 1");
	expect_bad_inet("  0: 0100007F:0016 00000000:0000 0A 0:0 0:0 0 0 0 -5 1");
	expect_bad_inet("  0: 0100007F:0016 00000000:0000 0A 0:0 0:0 0 0 0 99999999999999999999 1");

	/* every cut prefix fails; the whole line parses */
	snprintf(good, sizeof(good), "%s", inet_line(AF_INET, "10.1.1.1", 80, "10.2.2.2", 1, 1, 4242));
	n = strlen(good) - strlen(" 1 0000000000000000 100 0 0 10 0");
	CHECK(strncmp(good + n - 5, " 4242", 5) == 0);
	for (size_t i = 0; i <= n; i++) {
		memcpy(line, good, i);
		line[i] = 0;
		expect_bad_inet(line);
	}
	CHECK_INT(procnet_parse_inet(good, AF_INET, &s, &st), 0);
	CHECK_INT(s.inode, 4242);
}

UNIT_TEST(parse_unix)
{
	const char *path = NULL;
	struct fd_sock s;
	size_t len = 99;

	CHECK_INT(procnet_parse_unix("ffff9a8b0c0d0e0f: 00000002 00000000 00010000 0001 01 20001 "
				     "/run/test.sock",
				     &s, &path, &len),
		  0);
	CHECK_INT(s.family, AF_UNIX);
	CHECK_INT(s.type, SOCK_STREAM);
	CHECK(s.listening);
	CHECK_INT(s.inode, 20001);
	CHECK(len == 14 && path && memcmp(path, "/run/test.sock", 14) == 0);

	/* unnamed, connected; the inode is padded to five columns */
	CHECK_INT(procnet_parse_unix("0000000000000000: 00000003 00000000 00000000 0001 03  2002",
				     &s, &path, &len),
		  0);
	CHECK_INT(len, 0);
	CHECK(!s.listening);
	CHECK_INT(s.inode, 2002);
	CHECK_INT(procnet_parse_unix("0000000000000000: 00000003 00000000 00000000 0001 03  2002\n",
				     &s, &path, &len),
		  0);
	CHECK_INT(len, 0);
	/* abstract, with a space in the name; datagram */
	CHECK_INT(procnet_parse_unix("0000000000000000: 00000002 00000000 00000000 0002 01 7 "
				     "@my name\n",
				     &s, &path, &len),
		  0);
	CHECK_INT(s.type, SOCK_DGRAM);
	CHECK(len == 8 && memcmp(path, "@my name", 8) == 0);

	CHECK_INT(procnet_parse_unix("Num       RefCount Protocol Flags    Type St Inode Path", &s,
				     &path, &len),
		  -EINVAL);
	CHECK_INT(procnet_parse_unix("0000000000000000: 00000002 00000000 00000000 0001 01", &s,
				     &path, &len),
		  -EINVAL);
	CHECK_INT(procnet_parse_unix("0000000000000000: 00000002 00000000 0000000Z 0001 01 7", &s,
				     &path, &len),
		  -EINVAL);
	CHECK_INT(procnet_parse_unix("0000000000000000 00000002 00000000 00000000 0001 01 7", &s,
				     &path, &len),
		  -EINVAL);
	CHECK_INT(procnet_parse_unix("", &s, &path, &len), -EINVAL);
}

UNIT_TEST(parse_netlink_and_packet)
{
	struct fd_sock s;

	CHECK_INT(procnet_parse_netlink("ffff8880041e2000 0   1          00000440 0        0        "
					"0        2        0        13393",
					&s),
		  0);
	CHECK_INT(s.family, AF_NETLINK);
	CHECK_INT(s.protocol, 0);
	CHECK_INT(s.inode, 13393);
	CHECK_INT(procnet_parse_netlink("0000000000000000 9   0          00000000 0        0        "
					"0        2        0        77",
					&s),
		  0);
	CHECK_INT(s.protocol, 9);
	CHECK_INT(procnet_parse_netlink("sk               Eth Pid        Groups   Rmem     Wmem     "
					"Dump  Locks    Drops    Inode",
					&s),
		  -EINVAL);
	CHECK_INT(procnet_parse_netlink("0000000000000000 70000 0 0 0 0 0 0 0 5", &s), -EINVAL);
	CHECK_INT(procnet_parse_netlink("0000000000000000 9 0 0 0 0 0 0 0", &s), -EINVAL);

	CHECK_INT(procnet_parse_packet("ffff888004cf4800 3      3    0003   2     1 0      0      4001",
				       &s),
		  0);
	CHECK_INT(s.family, AF_PACKET);
	CHECK_INT(s.type, SOCK_RAW);
	CHECK_INT(s.protocol, 3);
	CHECK_INT(s.inode, 4001);
	CHECK_INT(procnet_parse_packet("sk       RefCnt Type Proto  Iface R Rmem   User   Inode", &s),
		  -EINVAL);
	CHECK_INT(procnet_parse_packet("ffff888004cf4800 3 3 10003 2 1 0 0 4001", &s), -EINVAL);
}

/* ---- the index, from a fake net directory ---- */

static char dir[64];

static void put(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0)
		abort();
	fclose(f);
}

static void rm_rf(const char *path)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd) != 0)
		printf("  could not remove %s\n", path);
}

static const char tcp_head[] = "  sl  local_address rem_address   st tx_queue rx_queue tr "
			       "tm->when retrnsmt   uid  timeout inode\n";

/*
 * tcp:  1001 listen 127.0.0.1:22, 1002 10.0.0.1:443->10.0.0.2:5555, a time-wait (inode 0),
 *       two malformed lines
 * tcp6: 1003 [::1]:443->[2001:db8::1]:5555
 * udp:  1004 0.0.0.0:53 in state 07 (not a listener)
 * raw:  1005 ICMP (the "port" is the protocol)
 * unix: 2001 /run/test.sock listening, 2002 unnamed, 2003 abstract, a malformed line, a line
 *       longer than any real one
 * netlink 3001 audit, packet 4001: only headers otherwise
 */
static void build_net(void)
{
	char buf[4096], big[700];

	snprintf(dir, sizeof(dir), "/tmp/vigil-procnet-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(buf, sizeof(buf), "%s%s\n", tcp_head,
		 inet_line(AF_INET, "127.0.0.1", 22, "0.0.0.0", 0, 0x0A, 1001));
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s\n",
		 inet_line(AF_INET, "10.0.0.1", 443, "10.0.0.2", 5555, 0x01, 1002));
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s\ngarbage\n\n",
		 inet_line(AF_INET, "10.0.0.1", 444, "10.0.0.2", 5556, 0x06, 0));
	put("tcp", buf);
	snprintf(buf, sizeof(buf), "%s%s\n", tcp_head,
		 inet_line(AF_INET6, "::1", 443, "2001:db8::1", 5555, 0x01, 1003));
	put("tcp6", buf);
	snprintf(buf, sizeof(buf), "%s%s\n", tcp_head,
		 inet_line(AF_INET, "0.0.0.0", 53, "0.0.0.0", 0, 0x07, 1004));
	put("udp", buf);
	snprintf(buf, sizeof(buf), "%s%s\n", tcp_head,
		 inet_line(AF_INET, "0.0.0.0", IPPROTO_ICMP, "0.0.0.0", 0, 0x07, 1005));
	put("raw", buf);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	snprintf(buf, sizeof(buf),
		 "Num       RefCount Protocol Flags    Type St Inode Path\n"
		 "0000000000000000: 00000002 00000000 00010000 0001 01  2001 /run/test.sock\n"
		 "0000000000000000: 00000003 00000000 00000000 0001 03  2002\n"
		 "0000000000000000: 00000002 00000000 00000000 0001 01  6000 /%s\n"
		 "zzz\n"
		 "0000000000000000: 00000002 00000000 00000000 0002 01  2003 @abs name\n",
		 big);
	put("unix", buf);
	put("netlink", "sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    "
		       "Drops    Inode\n0000000000000000 9   0          00000000 0        0        "
		       "0        2        0        3001\n");
	put("packet", "sk       RefCnt Type Proto  Iface R Rmem   User   Inode\n"
		      "0000000000000000 3      3    0003   2     1 0      0      4001\n");
}

static const struct fd_sock *find(struct procnet_index *ix, uint64_t inode)
{
	const struct procnet_sock *ps = procnet_index__find(ix, inode);

	return ps ? &ps->sock : NULL;
}

UNIT_TEST(index_load_and_find)
{
	struct procnet_index *ix = procnet_index__new(100);
	struct procnet_stats st = { 0 };
	const struct procnet_sock *ps;
	const struct fd_sock *s;
	char path[128];

	build_net();
	CHECK_INT(procnet_index__load(ix, dir, &st), 10);
	CHECK_INT(st.loads, 1);
	CHECK_INT(st.malformed, 4); /* "garbage", "", "zzz", the overlong line */
	CHECK_INT(st.dropped, 0);
	s = find(ix, 1001);
	CHECK(s && s->family == AF_INET && s->type == SOCK_STREAM && s->protocol == IPPROTO_TCP);
	CHECK(s && s->listening && s->lport == 22);
	s = find(ix, 1002);
	CHECK(s && !s->listening && s->lport == 443 && s->rport == 5555);
	s = find(ix, 1003);
	CHECK(s && s->family == AF_INET6 && s->protocol == IPPROTO_TCP && s->rport == 5555);
	s = find(ix, 1004);
	CHECK(s && s->type == SOCK_DGRAM && s->protocol == IPPROTO_UDP && !s->listening);
	s = find(ix, 1005);
	CHECK(s && s->type == SOCK_RAW && s->protocol == IPPROTO_ICMP && s->lport == 0);
	ps = procnet_index__find(ix, 2001);
	CHECK(ps && ps->sock.family == AF_UNIX && ps->sock.listening);
	CHECK_STR(ps ? ps->path : NULL, "/run/test.sock");
	ps = procnet_index__find(ix, 2002);
	CHECK(ps && ps->path == NULL && !ps->sock.listening);
	ps = procnet_index__find(ix, 2003);
	CHECK_STR(ps ? ps->path : NULL, "@abs name");
	CHECK(ps && ps->sock.type == SOCK_DGRAM);
	s = find(ix, 3001);
	CHECK(s && s->family == AF_NETLINK && s->protocol == 9);
	s = find(ix, 4001);
	CHECK(s && s->family == AF_PACKET && s->protocol == 3);
	CHECK(procnet_index__find(ix, 0) == NULL); /* the time-wait line */
	CHECK(procnet_index__find(ix, 6000) == NULL);
	CHECK(procnet_index__find(ix, 999) == NULL);

	/* a reload replaces everything */
	snprintf(path, sizeof(path), "%s/unix", dir);
	unlink(path);
	put("tcp", tcp_head);
	CHECK_INT(procnet_index__load(ix, dir, &st), 5);
	CHECK(procnet_index__find(ix, 1001) == NULL);
	CHECK(procnet_index__find(ix, 2001) == NULL);
	CHECK(procnet_index__find(ix, 1003) != NULL);
	CHECK_INT(st.loads, 2);
	procnet_index__free(ix);
	rm_rf(dir);
}

UNIT_TEST(index_bounded)
{
	struct procnet_index *ix = procnet_index__new(3);
	struct procnet_stats st = { 0 };
	int found = 0;

	build_net();
	CHECK_INT(procnet_index__load(ix, dir, &st), 3);
	CHECK_INT(st.dropped, 7);
	for (uint64_t i = 1000; i < 5000; i++)
		found += procnet_index__find(ix, i) != NULL;
	CHECK_INT(found, 3);
	procnet_index__free(ix);
	CHECK(procnet_index__new(0) == NULL);
	rm_rf(dir);
}

UNIT_TEST(index_missing_dir)
{
	struct procnet_index *ix = procnet_index__new(10);
	struct procnet_stats st = { 0 };

	CHECK_INT(procnet_index__load(ix, "/nonexistent/vigil/net", &st), -ENOENT);
	CHECK_INT(st.loads, 0);
	CHECK(procnet_index__find(ix, 1) == NULL);
	procnet_index__free(ix);
	procnet_index__free(NULL);
}

int main(void)
{
	return unit_run();
}
