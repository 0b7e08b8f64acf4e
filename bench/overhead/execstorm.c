/*
 * execstorm: spawn a target binary N times from P workers and time it.
 * Each spawn is posix_spawn (glibc: clone(CLONE_VM|CLONE_VFORK) + execve), so a run exercises
 * the fork, exec and exit hooks once per iteration, with as little user-space work as possible.
 */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "storm.h"

extern char **environ;

static const char usage[] =
    "usage: execstorm [-n N] [-p P] [target [args...]]\n"
    "  Spawn target (default /bin/true) N times (default 5000) from P parallel workers\n"
    "  (default 2), waiting for each child. Prints execs= wall_s= per_exec_us= rate_per_s=.\n";

/* Wait for one spawned child; the target must exit 0 so that a broken run cannot look fast. */
static int wait_target(char *const *argv, pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "execstorm: waitpid(%d): %s\n", pid, strerror(errno));
			return -errno;
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFSIGNALED(status))
		fprintf(stderr, "execstorm: %s killed by signal %d\n", argv[0], WTERMSIG(status));
	else
		fprintf(stderr, "execstorm: %s exited %d\n", argv[0], WEXITSTATUS(status));
	return -ECHILD;
}

static int exec_batch(long count, void *arg)
{
	char *const *argv = arg;

	for (long i = 0; i < count; i++) {
		pid_t pid;
		int err = posix_spawn(&pid, argv[0], NULL, NULL, argv, environ);
		if (err) {
			fprintf(stderr, "execstorm: posix_spawn %s: %s\n", argv[0], strerror(err));
			return -err;
		}
		err = wait_target(argv, pid);
		if (err)
			return err;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static char *default_argv[] = {"/bin/true", NULL};
	struct storm_opts o = {.prog = "execstorm", .noun = "exec", .n = 5000, .workers = 2};
	int help;

	int first = storm__parse(argc, argv, &o, usage, &help);
	if (first < 0)
		return help ? 0 : 2;
	char **target = first < argc ? &argv[first] : default_argv;
	if (access(target[0], X_OK)) {
		fprintf(stderr, "execstorm: target %s: %s\n", target[0], strerror(errno));
		return 1;
	}
	return storm__run(&o, exec_batch, target) ? 1 : 0;
}
