// SPDX-License-Identifier: Apache-2.0
/*
 * syslog-sendtool: the syslog output alone (sink_syslog.h, without the sink's queue and
 * retries), for tests/integration/test_syslog_sink.py against a real rsyslogd.
 *
 *   syslog-sendtool ADDRESS [--format F] [--ca-file F] [--cert-file F] [--key-file F]
 *                   [--insecure] [--app-name N] [--facility N] [--hostname H] [--timeout-ms N]
 *
 * Reads commands on stdin, one a line, and answers each on stdout with one JSON line:
 *   KIND PRIO TIME_NS LINE   queue a record (KIND: event, alert or stats); no answer
 *   connect                  {"connect":RC}             (sink_ops.connect)
 *   send                     {"send":RC,"rejected":N,"truncated":N}  the queued records,
 *                            in one call of sink_ops.send; those delivered leave the queue
 *   disconnect               {"disconnect":0}
 * RC is the callback's return value (a count, or a negative errno). Logs go to stderr. Exit
 * status 2 when the options are refused (the reason on stderr).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "sink.h"
#include "sink_syslog.h"

#define QUEUE_MAX      4096
#define LINE_MAX_BYTES (1u << 20)

static struct out_rec *queue[QUEUE_MAX];
static size_t nqueue;

static void usage(void)
{
	fprintf(stderr, "usage: syslog-sendtool ADDRESS [--format rfc5424|cef] [--ca-file F] "
			"[--cert-file F] [--key-file F] [--insecure] [--app-name N] "
			"[--facility N] [--hostname H] [--timeout-ms N]\n");
	exit(2);
}

static void copy_opt(char *dst, size_t size, const char *src)
{
	if (strlen(src) >= size) {
		fprintf(stderr, "sendtool: option value too long: %s\n", src);
		exit(2);
	}
	strcpy(dst, src);
}

static const struct option opts[] = {
    {"format", 1, 0, 'f'},     {"ca-file", 1, 0, 'a'},
    {"cert-file", 1, 0, 'c'},  {"key-file", 1, 0, 'k'},
    {"insecure", 0, 0, 'i'},   {"app-name", 1, 0, 'n'},
    {"facility", 1, 0, 'F'},   {"hostname", 1, 0, 'H'},
    {"timeout-ms", 1, 0, 't'}, {0, 0, 0, 0},
};

/* One option into o (or *hostname); false when c is not one. */
static bool set_opt(int c, const char *arg, struct vg_output *o, const char **hostname)
{
	if (c == 'f')
		copy_opt(o->format, sizeof(o->format), arg);
	else if (c == 'a')
		copy_opt(o->ca_file, sizeof(o->ca_file), arg);
	else if (c == 'c')
		copy_opt(o->cert_file, sizeof(o->cert_file), arg);
	else if (c == 'k')
		copy_opt(o->key_file, sizeof(o->key_file), arg);
	else if (c == 'i')
		o->insecure = true;
	else if (c == 'n')
		copy_opt(o->app_name, sizeof(o->app_name), arg);
	else if (c == 'F')
		o->facility = atoi(arg);
	else if (c == 'H')
		*hostname = arg;
	else if (c == 't')
		o->timeout_ms = (unsigned)atoi(arg);
	else
		return false;
	return true;
}

static const char *parse_args(int argc, char **argv, struct vg_output *o)
{
	const char *hostname = "vigil-test-node";
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if (!set_opt(c, optarg, o, &hostname))
			usage();
	if (optind != argc - 1)
		usage();
	copy_opt(o->address, sizeof(o->address), argv[optind]);
	return hostname;
}

/* "KIND PRIO TIME_NS LINE" into the queue; 0 or -EINVAL. */
static int queue_record(const char *cmd)
{
	char kind[16];
	unsigned prio;
	unsigned long long t;
	int off = 0, k;
	size_t len;
	struct out_rec *r;

	if (sscanf(cmd, "%15s %u %llu %n", kind, &prio, &t, &off) != 3 || !off ||
	    nqueue == QUEUE_MAX)
		return -EINVAL;
	k = !strcmp(kind, "event")   ? OUT_EVENT
	    : !strcmp(kind, "alert") ? OUT_ALERT
	    : !strcmp(kind, "stats") ? OUT_STATS
				     : -1;
	if (k < 0)
		return -EINVAL;
	len = strlen(cmd + off);
	r = calloc(1, sizeof(*r) + len + 1);
	if (!r)
		return -ENOMEM;
	r->kind = (uint8_t)k;
	r->prio = (uint8_t)prio;
	r->time_ns = t;
	r->len = (uint32_t)len;
	memcpy(r->line, cmd + off, len);
	queue[nqueue++] = r;
	return 0;
}

static void do_send(void *impl)
{
	unsigned rejected = 0;
	int rc = sink_syslog_ops.send(impl, queue, nqueue, &rejected);
	size_t done = rc > 0 ? (size_t)rc : 0;

	for (size_t i = 0; i < done; i++)
		free(queue[i]);
	memmove(queue, queue + done, (nqueue - done) * sizeof(queue[0]));
	nqueue -= done;
	printf("{\"send\":%d,\"rejected\":%u,\"truncated\":%llu}\n", rc, rejected,
	       (unsigned long long)sink_syslog__truncated(impl));
}

static void run(void *impl)
{
	static char cmd[LINE_MAX_BYTES];

	while (fgets(cmd, sizeof(cmd), stdin)) {
		cmd[strcspn(cmd, "\n")] = '\0';
		if (!strcmp(cmd, "connect")) {
			printf("{\"connect\":%d}\n", sink_syslog_ops.connect(impl));
		} else if (!strcmp(cmd, "send")) {
			do_send(impl);
		} else if (!strcmp(cmd, "disconnect")) {
			sink_syslog_ops.disconnect(impl);
			printf("{\"disconnect\":0}\n");
		} else if (cmd[0] && queue_record(cmd) < 0) {
			printf("{\"error\":\"bad command\"}\n");
		}
		fflush(stdout);
	}
}

int main(int argc, char **argv)
{
	struct vg_output o = {.type = VG_OUT_SYSLOG, .facility = 1, .name = "sendtool"};
	const char *hostname = parse_args(argc, argv, &o);
	char err[1024];
	void *impl;

	signal(SIGPIPE, SIG_IGN); /* as vigil run does: OpenSSL writes with write(2) */
	log_set_level(LOG_DEBUG);
	impl = sink_syslog__new(&o, hostname, err, sizeof(err));
	if (!impl) {
		fprintf(stderr, "sendtool: %s\n", err);
		return 2;
	}
	run(impl);
	sink_syslog_ops.free(impl);
	for (size_t i = 0; i < nqueue; i++)
		free(queue[i]);
	return 0;
}
