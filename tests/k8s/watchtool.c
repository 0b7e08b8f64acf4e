// SPDX-License-Identifier: Apache-2.0
/*
 * k8s-watchtool: the pod watcher alone, for tests/integration/test_k8s_watch.py.
 *
 *   k8s-watchtool [--kubeconfig PATH] [--sa-dir DIR] [--debug]
 *
 * Discovers the API server as vigil does (k8s_config.h), starts the watcher and prints one
 * JSON line on stdout per update it drains, in order:
 *   {"op":"upsert","uid":"..","ns":"..","name":"..","rv":".."}    (also "delete")
 *   {"op":"resync_begin"}  {"op":"resync_end"}
 * first {"discover":{...}} and, on SIGUSR1 and at exit, {"stats":{...}}; at exit also
 * {"stopped":{"ms":..}}, the time k8s_watch__stop took. SIGTERM or SIGINT stop it.
 * Logs go to stderr. Exit status 2 when discovery fails (the reason on stdout and stderr).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/signalfd.h>

#include "json.h"
#include "k8s_config.h"
#include "k8s_pod.h"
#include "k8s_watch.h"
#include "log.h"

static struct json_w out;

static void emit(void)
{
	if (out.err) {
		fprintf(stderr, "watchtool: json error %d\n", out.err);
		exit(1);
	}
	printf("%s\n", out.buf);
	fflush(stdout);
}

static void on_update(void *ctx, enum k8s_op op, struct k8s_pod *pod)
{
	static const char *const names[] = { "upsert", "delete", "resync_begin", "resync_end" };

	(void)ctx;
	json_reset(&out);
	json_obj_begin(&out);
	json_kstr(&out, "op", names[op]);
	if (pod) {
		json_kstr(&out, "uid", pod->uid);
		json_kstr(&out, "ns", pod->namespace);
		json_kstr(&out, "name", pod->name);
		json_kstr(&out, "rv", pod->resource_version);
	}
	json_obj_end(&out);
	emit();
	k8s_pod__free(pod);
}

static void print_stats(struct k8s_watch *w)
{
	struct k8s_watch_stats st;

	k8s_watch__stats(w, &st);
	json_reset(&out);
	json_obj_begin(&out);
	json_key(&out, "stats");
	json_obj_begin(&out);
	json_ku64(&out, "lists", st.lists);
	json_ku64(&out, "list_pages", st.list_pages);
	json_ku64(&out, "watches", st.watches);
	json_ku64(&out, "events", st.events);
	json_ku64(&out, "bookmarks", st.bookmarks);
	json_ku64(&out, "relists_410", st.relists_410);
	json_ku64(&out, "errors", st.errors);
	json_ku64(&out, "parse_errors", st.parse_errors);
	json_ku64(&out, "pod_errors", st.pod_errors);
	json_ku64(&out, "reconnects", st.reconnects);
	json_ku64(&out, "queue_full_waits", st.queue_full_waits);
	json_ku64(&out, "synced", st.synced);
	json_ku64(&out, "list_bytes", st.list_bytes);
	json_ku64(&out, "synced_ns", st.synced_ns);
	json_obj_end(&out);
	json_obj_end(&out);
	emit();
}

static void print_discovery(const struct k8s_config *kc)
{
	static const char *const sources[] = { "none", "kubeconfig", "in-cluster" };

	json_reset(&out);
	json_obj_begin(&out);
	json_key(&out, "discover");
	json_obj_begin(&out);
	json_kstr(&out, "source", sources[kc->source]);
	json_kstr(&out, "server", kc->server);
	json_kstr(&out, "origin", kc->origin);
	json_kstr(&out, "node", kc->node);
	json_obj_end(&out);
	json_obj_end(&out);
	emit();
}

static double elapsed_ms(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1e3 + (b.tv_nsec - a->tv_nsec) / 1e6;
}

/* Until SIGTERM/SIGINT: drain on the watcher's eventfd, stats on SIGUSR1. */
static void loop(struct k8s_watch *w, int sfd)
{
	struct pollfd pfd[2] = { { .fd = k8s_watch__fd(w), .events = POLLIN },
				 { .fd = sfd, .events = POLLIN } };
	struct signalfd_siginfo si;

	for (;;) {
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			return;
		if (pfd[0].revents)
			while (k8s_watch__drain(w, 256, on_update, NULL) > 0)
				;
		if (!pfd[1].revents || read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGUSR1)
			print_stats(w);
		else
			return;
	}
}

static int run(const struct k8s_config *kc, int sfd)
{
	struct k8s_watch *w;
	struct timespec t0;
	double ms;
	int rc;

	rc = k8s_watch__start(&w, kc);
	if (rc) {
		fprintf(stderr, "watchtool: start: %s\n", strerror(-rc));
		return 1;
	}
	loop(w, sfd);
	while (k8s_watch__drain(w, 256, on_update, NULL) > 0)
		;
	print_stats(w);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	k8s_watch__stop(w);
	ms = elapsed_ms(&t0);
	json_reset(&out);
	json_obj_begin(&out);
	json_key(&out, "stopped");
	json_obj_begin(&out);
	json_key(&out, "ms");
	json_double(&out, ms, 1);
	json_obj_end(&out);
	json_obj_end(&out);
	emit();
	return 0;
}

int main(int argc, char **argv)
{
	const char *kubeconfig = NULL, *sa_dir = K8S_SA_DIR;
	struct k8s_config kc;
	char err[1024];
	sigset_t set;
	int sfd, rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--kubeconfig") && i + 1 < argc)
			kubeconfig = argv[++i];
		else if (!strcmp(argv[i], "--sa-dir") && i + 1 < argc)
			sa_dir = argv[++i];
		else if (!strcmp(argv[i], "--debug"))
			log_set_level(LOG_DEBUG);
		else {
			fprintf(stderr, "usage: k8s-watchtool [--kubeconfig PATH] [--sa-dir DIR] "
					"[--debug]\n");
			return 2;
		}
	}
	if (json_init(&out, 1 << 16))
		return 1;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0)
		return 1;
	rc = k8s_config__discover(&kc, kubeconfig, sa_dir, err, sizeof(err));
	if (rc) {
		json_reset(&out);
		json_obj_begin(&out);
		json_kstr(&out, "error", err);
		json_obj_end(&out);
		emit();
		fprintf(stderr, "watchtool: %s\n", err);
		json_free(&out);
		return 2;
	}
	print_discovery(&kc);
	rc = kc.source == K8S_NONE ? 0 : run(&kc, sfd);
	k8s_config__free(&kc);
	json_free(&out);
	close(sfd);
	return rc;
}
