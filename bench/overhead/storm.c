/* Worker fan-out and timing shared by the storms; see storm.h. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "storm.h"

#define STORM_MAX_WORKERS 256

static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;

	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int storm__parse(int argc, char **argv, struct storm_opts *o, const char *usage, int *help)
{
	long v;
	int c;

	*help = 0;
	while ((c = getopt(argc, argv, "+n:p:h")) != -1) {
		switch (c) {
		case 'n':
			if (parse_long(optarg, 1, 1000000000L, &v)) {
				fprintf(stderr, "%s: -n wants a count in 1..1e9, got '%s'\n",
					o->prog, optarg);
				return -1;
			}
			o->n = v;
			break;
		case 'p':
			if (parse_long(optarg, 1, STORM_MAX_WORKERS, &v)) {
				fprintf(stderr, "%s: -p wants 1..%d workers, got '%s'\n", o->prog,
					STORM_MAX_WORKERS, optarg);
				return -1;
			}
			o->workers = (int)v;
			break;
		case 'h':
			*help = 1;
			printf("%s", usage);
			return -1;
		default:
			fprintf(stderr, "%s", usage);
			return -1;
		}
	}
	return optind;
}

static double now_s(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC cannot fail with a valid pointer; keep the check anyway. */
	if (clock_gettime(CLOCK_MONOTONIC, &ts)) {
		perror("clock_gettime");
		exit(1);
	}
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time (user + system) of this process and of its reaped descendants, in seconds. The
 * kernel keeps both in nanoseconds (the scheduler's runtime); getrusage gives microseconds. */
static double cpu_s(void)
{
	struct rusage self, kids;

	if (getrusage(RUSAGE_SELF, &self) || getrusage(RUSAGE_CHILDREN, &kids)) {
		perror("getrusage");
		exit(1);
	}
	return (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids.ru_utime.tv_sec +
			kids.ru_stime.tv_sec) +
	       (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec + kids.ru_utime.tv_usec +
			kids.ru_stime.tv_usec) / 1e6;
}

/* Reap @pid, retrying on EINTR. Returns 0 if it exited 0, -ECHILD otherwise. */
static int reap_worker(const char *prog, pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "%s: waitpid(%d): %s\n", prog, pid, strerror(errno));
			return -errno;
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFSIGNALED(status))
		fprintf(stderr, "%s: worker %d killed by signal %d\n", prog, pid, WTERMSIG(status));
	else
		fprintf(stderr, "%s: worker %d failed\n", prog, pid);
	return -ECHILD;
}

/*
 * A worker's life: it dies with the storm, so that a storm killed by the driver (on Ctrl-C, or
 * a run discarded) does not leave workers hammering the machine through the next runs.
 */
static int worker_run(const struct storm_opts *o, storm_fn fn, long share, void *arg, pid_t parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL)) {
		fprintf(stderr, "%s: prctl(PR_SET_PDEATHSIG): %s\n", o->prog, strerror(errno));
		return 1;
	}
	/* The storm may have died before prctl(): then nobody would send the signal. */
	if (getppid() != parent)
		return 1;
	return fn(share, arg) ? 1 : 0;
}

int storm__run(const struct storm_opts *o, storm_fn fn, void *arg)
{
	pid_t pids[STORM_MAX_WORKERS], parent = getpid();
	int started = 0, err = 0;

	/* Nothing buffered may be duplicated into the workers. */
	fflush(NULL);
	double c0 = cpu_s(), t0 = now_s();
	for (int i = 0; i < o->workers; i++) {
		long share = o->n / o->workers + (i < o->n % o->workers);
		pid_t pid = fork();
		if (pid < 0) {
			err = -errno;
			fprintf(stderr, "%s: fork: %s\n", o->prog, strerror(errno));
			break;
		}
		if (pid == 0)
			_exit(worker_run(o, fn, share, arg, parent));
		pids[started++] = pid;
	}
	for (int i = 0; i < started; i++) {
		int r = reap_worker(o->prog, pids[i]);
		if (r && !err)
			err = r;
	}
	double wall = now_s() - t0, cpu = cpu_s() - c0;
	if (err)
		return err;
	printf("%ss=%ld wall_s=%.6f per_%s_us=%.3f rate_per_s=%.0f cpu_s=%.6f cpu_per_%s_us=%.3f\n",
	       o->noun, o->n, wall, o->noun, wall * 1e6 / (double)o->n, (double)o->n / wall, cpu,
	       o->noun, cpu * 1e6 / (double)o->n);
	if (fflush(stdout)) {
		fprintf(stderr, "%s: writing the report: %s\n", o->prog, strerror(errno));
		return -EIO;
	}
	return 0;
}
