/* SPDX-License-Identifier: Apache-2.0 */
/* The syslog sink's messages (RFC 5424, CEF) and configuration checks. */
#define UNIT_MAIN
#include <unistd.h>

#include "syslog_fixture.h"
#include "unit.h"

/* An alert with a pod, a container, and every character the SD and CEF must escape. */
static const char *const HOSTILE_ALERT =
    "{\"hostname\":\"n1\",\"output\":\"a=b \\\\ c\\nnext|line\",\"output_fields\":"
    "{\"fd.name\":\"/x=y\",\"user.name\":\"bob\"},\"priority\":\"Critical\","
    "\"rule\":\"Shell \\\"in\\\" [pod] \\\\ x|y\",\"source\":\"syscall\","
    "\"vigil\":{\"type\":\"exec\",\"process\":{\"comm\":\"sh\",\"uid\":1000},"
    "\"container\":{\"id\":\"abc123\"},\"pod\":{\"namespace\":\"prod\",\"name\":\"web-1]\"}}}";

static void *new_sink(const char *address, const char *format)
{
	struct vg_output o;
	char err[512] = "";
	void *s;

	output_init(&o, address, format);
	s = sink_syslog__new(&o, "vm", err, sizeof(err));
	if (!s)
		printf("  sink_syslog__new(%s): %s\n", address, err);
	return s;
}

/* The part of a message after its n-th space (the header has 6 fields before SD). */
static const char *after_spaces(const char *m, int n)
{
	for (; *m && n; m++)
		if (*m == ' ')
			n--;
	return m;
}

UNIT_TEST(rfc5424_alert_header_sd_and_msg)
{
	void *s = new_sink("udp://127.0.0.1:514", "");
	struct out_rec *r = fixture_rec("alert.json", OUT_ALERT, 4);
	char *m = format_rec(s, r), want[256];

	CHECK(r != NULL);
	/* facility 1 (user) * 8 + severity 4 (warning) */
	snprintf(want, sizeof(want), "<12>1 2026-11-21T19:06:32.566706Z vm vigil %d alert ",
		 (int)getpid());
	CHECK(strncmp(m, want, strlen(want)) == 0);
	/* a host process: no pod, no container */
	CHECK(strncmp(after_spaces(m, 6),
		      "[vigil@32473 rule=\"Credential file read by an unexpected program\" "
		      "priority=\"Warning\"] {",
		      75) == 0);
	CHECK(r && strcmp(strchr(m, '{'), r->line) == 0); /* MSG: the line, no BOM */
	format_free(m);
	free(r);
	sink_syslog_ops.free(s);
}

UNIT_TEST(rfc5424_events_and_stats_have_no_sd)
{
	void *s = new_sink("tcp://localhost:514", "rfc5424");
	struct out_rec *ev = fixture_rec("event_open.json", OUT_EVENT, 6);
	struct out_rec *st = fixture_rec("stats.json", OUT_STATS, 6);
	char *m1 = format_rec(s, ev), *m2 = format_rec(s, st);

	CHECK(strncmp(m1, "<14>1 2026-11-21T19:06:32.566706Z vm vigil ", 43) == 0);
	CHECK(strncmp(after_spaces(m1, 5), "event - {\"schema\"", 17) == 0);
	CHECK(strncmp(after_spaces(m2, 5), "stats - {\"schema\"", 17) == 0);
	CHECK(ev && strcmp(after_spaces(m1, 7), ev->line) == 0);
	format_free(m1);
	format_free(m2);
	free(ev);
	free(st);
	sink_syslog_ops.free(s);
}

UNIT_TEST(rfc5424_pri_and_timestamp)
{
	struct vg_output o;
	char err[256];
	void *s;
	struct out_rec *r;
	char *m;

	output_init(&o, "udp://h:1", "");
	o.facility = 23;
	s = sink_syslog__new(&o, "", err, sizeof(err));
	CHECK(s != NULL);
	r = text_rec(OUT_ALERT, 0, "{}");
	m = format_rec(s, r);
	/* local7 emergency; an empty host name is the NILVALUE */
	CHECK(strncmp(m, "<184>1 2026-11-21T19:06:32.566706Z - vigil ", 43) == 0);
	/* not JSON: the priority comes from the record */
	CHECK(strstr(m, " alert [vigil@32473 priority=\"emergency\"] {}") != NULL);
	format_free(m);
	r->prio = 9; /* out of range: debug */
	r->time_ns = 0;
	m = format_rec(s, r);
	CHECK(strncmp(m, "<191>1 - - vigil ", 17) == 0);
	format_free(m);
	r->time_ns = 999999999ull; /* microseconds are truncated, never rounded up */
	m = format_rec(s, r);
	CHECK(strncmp(m, "<191>1 1970-01-01T00:00:00.999999Z ", 35) == 0);
	format_free(m);
	free(r);
	sink_syslog_ops.free(s);
}

UNIT_TEST(rfc5424_sd_escaping)
{
	void *s = new_sink("udp://127.0.0.1:514", "");
	struct out_rec *r = text_rec(OUT_ALERT, 2, HOSTILE_ALERT);
	char *m = format_rec(s, r);

	CHECK(strstr(m, "[vigil@32473 rule=\"Shell \\\"in\\\" [pod\\] \\\\ x|y\" "
			"priority=\"Critical\" namespace=\"prod\" pod=\"web-1\\]\" "
			"container=\"abc123\"] {") != NULL);
	CHECK(strncmp(m, "<10>1 ", 6) == 0);
	format_free(m);
	free(r);
	sink_syslog_ops.free(s);
}

UNIT_TEST(hostname_is_printusascii)
{
	struct vg_output o;
	char err[256];
	void *s;
	struct out_rec *r = text_rec(OUT_STATS, 6, "{}");
	char *m;

	output_init(&o, "udp://h:1", "");
	s = sink_syslog__new(&o, "node one\tx\xc3\xa9", err, sizeof(err));
	m = format_rec(s, r);
	CHECK(strstr(m, " node_one_x__ vigil ") != NULL);
	format_free(m);
	free(r);
	sink_syslog_ops.free(s);
}

UNIT_TEST(cef_alert)
{
	void *s = new_sink("udp://127.0.0.1:514", "cef");
	struct out_rec *r = fixture_rec("alert.json", OUT_ALERT, 4);
	char *m = format_rec(s, r);
	const char *cef = strstr(m, "CEF:");

	/* the RFC 5424 frame around it is the same as for rfc5424 */
	CHECK(strncmp(m, "<12>1 2026-11-21T19:06:32.566706Z vm vigil ", 43) == 0);
	CHECK(strstr(m, "alert [vigil@32473 rule=") != NULL);
	CHECK(cef && strncmp(cef,
			     "CEF:0|vigil|vigil|" VIGIL_VERSION
			     "|credential-file-read-by-an-unexpected-program"
			     "|Credential file read by an unexpected program|6|"
			     "rt=1795287992566 dhost=vm duser=root suid=0 sproc=cat "
			     "fname=/etc/shadow msg=19:06:32.566706547: Warning Credential file "
			     "opened for reading by an unexpected program \\| file\\=/etc/shadow "
			     "user\\=root",
			     220) == 0);
	CHECK(cef && strstr(cef, "cs1") == NULL); /* no pod, no container */
	format_free(m);
	free(r);
	sink_syslog_ops.free(s);
}

UNIT_TEST(cef_escaping_and_pod_fields)
{
	void *s = new_sink("udp://127.0.0.1:514", "cef");
	struct out_rec *r = text_rec(OUT_ALERT, 2, HOSTILE_ALERT);
	char *m = format_rec(s, r);
	const char *cef = strstr(m, "CEF:");

	/* header: '|' and '\' escaped; extension values: '=' '\' and line breaks */
	CHECK_STR(cef, "CEF:0|vigil|vigil|" VIGIL_VERSION "|shell-in-pod-x-y"
		       "|Shell \"in\" [pod] \\\\ x\\|y|8|rt=1795287992566 dhost=vm duser=bob "
		       "suid=1000 sproc=sh fname=/x\\=y cs1Label=namespace cs1=prod "
		       "cs2Label=pod cs2=web-1] cs3Label=container cs3=abc123 "
		       "msg=a\\=b \\\\ c\\nnext|line");
	format_free(m);
	free(r);
	sink_syslog_ops.free(s);
}

UNIT_TEST(cef_events_stats_and_bad_json)
{
	void *s = new_sink("udp://127.0.0.1:514", "cef");
	struct out_rec *ev = fixture_rec("event_open.json", OUT_EVENT, 6);
	struct out_rec *st = text_rec(OUT_STATS, 6, "{\"type\":\"stats\"}");
	struct out_rec *bad = text_rec(OUT_ALERT, 7, "not json |=");
	char *m1 = format_rec(s, ev), *m2 = format_rec(s, st), *m3 = format_rec(s, bad);

	CHECK(strstr(m1, " event - CEF:0|vigil|vigil|" VIGIL_VERSION
			 "|event:open|open|3|rt=1795287992566 dhost=vm suid=0 sproc=bash "
			 "fname=/dev/null msg={\"schema\":\"vigil/v1\"") != NULL);
	CHECK(strstr(m2,
		     " stats - CEF:0|vigil|vigil|" VIGIL_VERSION
		     "|stats|stats|3|rt=1795287992566 dhost=vm msg={\"type\":\"stats\"}") != NULL);
	CHECK(strstr(m3, "[vigil@32473 priority=\"debug\"] CEF:0|vigil|vigil|" VIGIL_VERSION
			 "|alert|alert|0|rt=1795287992566 dhost=vm msg=not json |\\=") != NULL);
	format_free(m1);
	format_free(m2);
	format_free(m3);
	free(ev);
	free(st);
	free(bad);
	sink_syslog_ops.free(s);
}

/* A bad output is refused with a message that names it, the field and the problem. */
static void check_refused(const struct vg_output *o, const char *want)
{
	char err[512] = "";
	void *s = sink_syslog__new(o, "vm", err, sizeof(err));

	CHECK(s == NULL);
	if (!strstr(err, want) || !strstr(err, "syslog output \"syslog-0\"")) {
		printf("  FAIL: for %s: \"%s\" does not say \"%s\"\n", o->address, err, want);
		unit_case_failed = 1;
	}
	sink_syslog_ops.free(s);
}

UNIT_TEST(address_errors)
{
	static const char *const bad[][2] = {
	    {"", "address is required"},
	    {"http://h:1", "expected udp://HOST:PORT, tcp://HOST:PORT or tls://HOST:PORT"},
	    {"UDP://h:1", "expected udp://"},
	    {"udp://", "no host"},
	    {"udp://:514", "no host"},
	    {"udp://::1:514", "must be in brackets"},
	    {"udp://[::1", "'[' without ']'"},
	    {"udp://[nope]:514", "not an IPv6 address"},
	    {"udp://h:0", "port must be a number from 1 to 65535"},
	    {"udp://h:65536", "port must be"},
	    {"udp://h:", "port must be"},
	    {"tcp://h:51x", "port must be"},
	    {"tcp://h:514/path", "port must be"},
	    {"tcp://h/path", "unexpected text after the host"},
	    {"tcp://[::1]x", "unexpected text after the host"},
	    {"tcp://bad host:1", "bad host name"},
	};
	struct vg_output o;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		output_init(&o, bad[i][0], "");
		check_refused(&o, bad[i][1]);
	}
}

UNIT_TEST(address_good)
{
	static const char *const good[] = {
	    "udp://127.0.0.1:514",  "tcp://[::1]:6514", "tls://localhost",
	    "udp://syslog.example", "tcp://[fe80::1]",	"tcp://h_1-2.example:65535",
	};
	struct vg_output o;
	char err[256];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		void *s;

		output_init(&o, good[i], "");
		o.insecure = true;
		s = sink_syslog__new(&o, "vm", err, sizeof(err));
		if (!s)
			printf("  FAIL: %s refused: %s\n", good[i], err);
		CHECK(s != NULL);
		sink_syslog_ops.free(s);
	}
}

UNIT_TEST(field_errors)
{
	struct vg_output o;

	output_init(&o, "udp://h:1", "json");
	check_refused(&o, "format \"json\": expected rfc5424 or cef");
	output_init(&o, "udp://h:1", "");
	o.facility = 24;
	check_refused(&o, "facility 24: expected 0 to 23");
	output_init(&o, "udp://h:1", "");
	snprintf(o.app_name, sizeof(o.app_name), "my app");
	check_refused(&o, "app_name \"my app\": expected 1 to 48 printable ASCII");
	output_init(&o, "tcp://h:1", "");
	snprintf(o.ca_file, sizeof(o.ca_file), "/etc/ssl/certs/ca-certificates.crt");
	check_refused(&o, "ca_file is set but the address is not tls://");
	output_init(&o, "tls://h:1", "");
	snprintf(o.ca_file, sizeof(o.ca_file), "/nonexistent/ca.pem");
	check_refused(&o, "ca_file /nonexistent/ca.pem: No such file or directory");
	output_init(&o, "tls://h:1", "");
	snprintf(o.key_file, sizeof(o.key_file), "/tmp/key.pem");
	check_refused(&o, "key_file /tmp/key.pem is set but cert_file is not");
	output_init(&o, "tls://h:1", "");
	snprintf(o.ca_file, sizeof(o.ca_file), "/etc/hostname"); /* not a certificate */
	check_refused(&o, "ca_file /etc/hostname: ");
}

int main(void)
{
	return unit_run();
}
