/* Shared by the storms: option parsing, worker fan-out, timing and the report line. */
#ifndef VIGIL_BENCH_STORM_H
#define VIGIL_BENCH_STORM_H

struct storm_opts {
	const char *prog; /* program name for messages: "execstorm" */
	const char *noun; /* operation name in the report: "exec" -> execs=, per_exec_us= */
	long n;		  /* total operations across all workers */
	int workers;	  /* parallel worker processes */
};

/*
 * One worker's share of the storm: perform @count operations, print its own error message on
 * failure and return a negative errno; return 0 on success. Runs in a forked child.
 */
typedef int (*storm_fn)(long count, void *arg);

/*
 * Parse -n N, -p P and -h into @o (defaults already set by the caller). Returns the index of the
 * first positional argument, or -1 after printing a message (or help, with *help set).
 */
int storm__parse(int argc, char **argv, struct storm_opts *o, const char *usage, int *help);

/*
 * Fork o->workers processes, split o->n between them, time from the first fork to the last
 * reap (CLOCK_MONOTONIC) and print "<noun>s=N wall_s=... per_<noun>_us=... rate_per_s=...
 * cpu_s=... cpu_per_<noun>_us=..." on stdout. cpu_s is the CPU time (user + system) the storm
 * used over the same span: its own threads (the connect storm's listeners) and every process
 * it reaped (the workers, and through them the exec storm's children). Hooks run in the
 * context of the syscall that fires them, so their cost is in it. Returns 0, or a negative errno if any worker failed (the line is not printed then).
 */
int storm__run(const struct storm_opts *o, storm_fn fn, void *arg);

#endif
