/* SPDX-License-Identifier: Apache-2.0 */
/* `vigil run`: set up, attach, stream events until SIGINT/SIGTERM, detach, report. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <bpf/libbpf.h>

#include "agent.h"
#include "log.h"
#include "metrics.h"
#include "procfs.h"
#include "redact.h"
#include "reload.h"
#include "sched_hint.h"
#include "scope.h"
#include "vigil.skel.h"


static struct agent *the_agent; /* for the signal handler only */

/* The records the kernel does not wake the agent for are those that follow a wakeup within
 * VG_WAKEUP_NS (vigil/events.h, used by emit.bpf.h). So after a turn that found records the agent looks again once
 * that window has passed (with a margin for a record stamped just inside it and committed
 * just after): that bounds an alert's wait, whatever follows it. After a turn that found none,
 * the window is over and the next record wakes it: it sleeps until the periodic work (and the
 * Kubernetes queue) wants a look. */
#define FOLLOW_NS (VG_WAKEUP_NS + 250000ull)
#define IDLE_NS 20000000ull

static void on_signal(int sig)
{
	if (!the_agent)
		return;
	if (sig == SIGHUP)
		the_agent->reload = 1;
	else
		the_agent->stop = 1;
}

uint64_t agent_boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Follow NTP steps: recompute the offset between the kernel's boot clock and wall time. */
void agent_sync_clock(struct agent *a)
{
	struct timespec rt;
	uint64_t boot = agent_boot_ns();

	clock_gettime(CLOCK_REALTIME, &rt);
	a->boot_to_real_ns = ((int64_t)rt.tv_sec * 1000000000ll + rt.tv_nsec) - (int64_t)boot;
}

static int install_signals(struct agent *a)
{
	/* SA_RESTART: a stop request must not fail a blocked write of the event stream (stdio
	 * would drop the rest of its buffer and the stream would carry a cut line) */
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };

	the_agent = a;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0 ||
	    sigaction(SIGHUP, &sa, NULL) < 0 ||
	    signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
		log_error("cannot install signal handlers: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

/* fds open before vigil started, so an event on one of them can still say what it is */
static void seed_fds(struct agent *a)
{
	struct fd_table_stats st;
	int err = fd_table__seed_all(a->fds, "/proc");

	if (err < 0)
		log_warn("reading fds from /proc: %s", strerror(-err));
	agent_fd_seeded(a);
	fd_table__stats(a->fds, &st);
	log_info("seeded %llu fds of %llu processes from /proc (table %llu/%llu)",
		 (unsigned long long)st.seeded, (unsigned long long)st.seed_procs,
		 (unsigned long long)st.entries, (unsigned long long)st.capacity);
}

static int setup(struct agent *a)
{
	char errbuf[512] = "";
	struct procfs_seed_stats seed;
	int err;

	if ((err = sysenv_check_privileges()) || (err = sysenv_check_btf(a->cfg.btf_path)))
		return err;
	sysenv_raise_memlock();
	sysenv_discover(&a->env, "/proc/mounts", true);
	features_probe(&a->feat);
	features_log(&a->feat);
	a->ncpus = libbpf_num_possible_cpus();
	a->last_seq = a->ncpus > 0 ? calloc(a->ncpus, sizeof(*a->last_seq)) : NULL;
	a->procs = proc_cache__new(a->cfg.proc_cache_entries, a->cfg.proc_cache_bytes,
				   a->cfg.exit_grace_ns);
	a->cgroups = container_cache__new(a->cfg.cgroup_cache_entries);
	a->fds = fd_table__new(a->cfg.fd_table_entries);
	if (a->cfg.metrics.per_pod && pod_counts__init(&a->podc, a->cfg.metrics.per_pod_max))
		return -ENOMEM;
	if (!a->last_seq || !a->procs || !a->cgroups || !a->fds || json_init(&a->json, EVENT_LINE_MAX) ||
	    json_init(&a->json_obj, EVENT_LINE_MAX)) {
		log_error("out of memory setting up caches");
		return -ENOMEM;
	}
	if (!(a->redactor = redact__new(a->cfg.redact, a->cfg.nredact, errbuf, sizeof(errbuf)))) {
		log_error("redact: %s", errbuf[0] ? errbuf : "out of memory");
		return -EINVAL;
	}
	proc_cache__set_redactor(a->procs, a->redactor);
	agent_sync_clock(a);
	a->started_boot_ns = agent_boot_ns();
	/* before the BPF load, so the first pod list runs while the programs load */
	if ((err = agent_k8s_start(a)))
		return err;
	config_finish(&a->cfg);
	if ((err = agent_rules_start(a)) || (err = agent_outputs_start(a)))
		return err;
	/* early, so /readyz answers (503) while the programs load. The address was checked with
	 * the options: what fails here is the bind (port taken), and detection goes on without
	 * the endpoint, loudly, rather than leaving the node unwatched */
	a->metrics = metrics__start(&a->cfg.metrics, errbuf, sizeof(errbuf));
	if (!a->metrics && errbuf[0])
		log_error("%s; running without the metrics endpoint", errbuf);
	if (a->metrics)
		metrics__set_ready(a->metrics, false, "loading the BPF programs");
	a->kernel_events = a->cfg.events | a->rules.want;
	/* attach before seeding, so a process that starts in between is seen by one or both */
	if ((err = agent_bpf_start(a)))
		return err;
	agent_bpf_stats_start(a);
	if (a->cfg.seed_procfs) {
		err = procfs_seed(a->procs, "/proc", a->env.cgroup2, &seed);
		if (err)
			log_warn("reading /proc: %s", strerror(-err));
		log_info("seeded %llu processes from /proc (%llu kernel threads skipped)",
			 (unsigned long long)seed.seeded, (unsigned long long)seed.kernel_threads);
		seed_fds(a);
	}
	return 0;
}

static void teardown(struct agent *a)
{
	metrics__stop(a->metrics);
	a->metrics = NULL;
	agent_k8s_stop(a);
	agent_outputs_free(a);
	agent_rules_stop(a);
	fd_table__free(a->fds);
	agent_bpf_stats_stop(a);
	pod_counts__free(&a->podc);
	agent_bpf_stop(a);
	proc_cache__free(a->procs);
	redact__free(a->redactor);
	container_cache__free(a->cgroups);
	json_free(&a->json);
	json_free(&a->json_obj);
	free(a->last_seq);
}

/* The metrics endpoint serves the stats record of the last second (metrics.h). */
static void publish_metrics(struct agent *a, uint64_t now)
{
	const char *doc;
	size_t len;

	if (!a->metrics)
		return;
	metrics__heartbeat(a->metrics, now);
	if ((doc = agent_stats_snapshot(a, &len)))
		metrics__publish(a->metrics, doc, len);
}

static void periodic(struct agent *a, uint64_t now, uint64_t *last_sweep, uint64_t *last_stats)
{
	if (now - *last_sweep >= 1000000000ull) {
		publish_metrics(a, now);
		proc_cache__sweep(a->procs, now);
		agent_sync_clock(a);
		if ((now / 1000000000ull) % 2 == 0)
			scope_refresh(a);
		*last_sweep = now;
	}
	if (a->cfg.stats_interval_s &&
	    now - *last_stats >= a->cfg.stats_interval_s * 1000000000ull) {
		agent_emit_stats(a, false);
		*last_stats = now;
	}
}

/* The event thread decides the kills that need user space: ask for a short slice, so that it
 * runs as soon as a record wakes it rather than after the running task's turn (sched_hint.h).
 * Asked once every other thread has started; they keep the kernel's default. */
static void sched_event_thread(struct agent *a)
{
	unsigned got;
	int err;

	if (!a->cfg.event_slice_us)
		return;
	err = sched_hint_short_slice(a->cfg.event_slice_us, &got);
	if (!err)
		log_info("event thread: scheduler slice %u us", got);
	else if (err == -ENOTSUP)
		log_info("degraded: this kernel has no per-thread time slice (Linux 6.12+): a busy "
			 "CPU can delay the event thread, and a kill decided in user space, by up "
			 "to a scheduler tick");
	else
		log_warn("event thread: cannot set its scheduler slice: %s", strerror(-err));
}

/* Sleep until the ring wakes us or timeout_ns passes, then take every record there is.
 * Returns the records handled, or a negative errno. */
static int wait_and_consume(struct agent *a, uint64_t timeout_ns)
{
	struct timespec ts = { timeout_ns / 1000000000ull, timeout_ns % 1000000000ull };
	struct epoll_event ev[4];
	int fd = ring_buffer__epoll_fd(a->rb), n, err;
	__u32 *awake = &a->skel->bss->vg_consumer_awake;

	/* asleep from here (emit.bpf.h): a full barrier, so that a record committed after this
	 * store wakes us, or is seen by the wait's own check of the ring */
	__atomic_store_n(awake, 0, __ATOMIC_SEQ_CST);
	n = epoll_pwait2(fd, ev, 4, &ts, NULL);
	if (n < 0 && errno == ENOSYS) /* before 5.11: milliseconds, rounded up */
		n = epoll_wait(fd, ev, 4, (int)((timeout_ns + 999999) / 1000000));
	err = errno;
	__atomic_store_n(awake, 1, __ATOMIC_RELAXED);
	if (n < 0 && err != EINTR)
		return -err;
	return ring_buffer__consume(a->rb);
}

static int loop(struct agent *a)
{
	uint64_t last_sweep = agent_boot_ns(), last_stats = last_sweep, last_flush = 0, now;
	int n = 0;

	while (!a->stop) {
		n = wait_and_consume(a, n > 0 ? FOLLOW_NS : IDLE_NS);
		if (n < 0) {
			log_error("ring buffer: %s", strerror(-n));
			return n;
		}
		agent_k8s_poll(a);
		if (a->reload) {
			a->reload = 0;
			agent_reload(a);
		}
		/* idle: out now; busy: every 5 ms, so lines leave in big writes */
		now = agent_boot_ns();
		if (n == 0 || now - last_flush >= 5000000ull) {
			fflush(a->out);
			if (a->alerts_out != a->out)
				fflush(a->alerts_out);
			last_flush = now;
		}
		periodic(a, now, &last_sweep, &last_stats);
	}
	return 0;
}

int agent_run(struct vg_config *cfg)
{
	struct agent *a = calloc(1, sizeof(*a));
	int err;

	if (!a) {
		config_free(cfg);
		return -ENOMEM;
	}
	a->cfg = *cfg;
	a->bpf_stats_fd = -1;
	a->out = stdout;
	a->alerts_out = stdout;
	/* whole lines go out in large writes: at 100k events/s a 4 KiB stdio buffer meant a write
	 * syscall every 4 events; the loop flushes every turn, so this adds no latency */
	static char outbuf[1u << 20]; /* glibc ignores the size unless given the buffer */
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	log_set_level(cfg->log_level);
	log_route_libbpf();
	err = install_signals(a);
	if (!err)
		err = setup(a);
	if (!err) {
		sched_event_thread(a);
		log_info("ready: %d programs attached, node %s", a->nprogs, a->cfg.node);
		if (a->metrics) {
			publish_metrics(a, agent_boot_ns());
			metrics__set_ready(a->metrics, true, NULL);
		}
		err = loop(a);
		/* detach first, then drain what is already in the ring, so nothing is cut short */
		agent_bpf_detach(a);
		ring_buffer__consume(a->rb);
		agent_k8s_flush(a);
		/* the outputs deliver (or spill) what they hold; the final record counts it */
		agent_outputs_stop(a);
		agent_emit_stats(a, true);
		fflush(a->out);
		if (a->alerts_out && a->alerts_out != a->out)
			fflush(a->alerts_out);
		agent_print_summary(a);
	}
	teardown(a);
	config_free(&a->cfg);
	free(a);
	the_agent = NULL;
	return err;
}
