/*
 * floor: load floor.bpf.o (empty programs on vigil's hooks), attach every program whose hook
 * this kernel has, print "floor: ready" on stderr, then hold the hooks until SIGINT or SIGTERM.
 * It knows no hook names: the list lives in floor.bpf.c only. A missing tracepoint is skipped
 * with a note, as vigil skips it; any other failure stops the floor, since a floor short of a
 * hook vigil has would flatter vigil.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "floor.skel.h"

static int verbose;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static int prog_count(struct bpf_object *obj)
{
	struct bpf_program *prog;
	int n = 0;

	for (prog = bpf_object__next_program(obj, NULL); prog;
	     prog = bpf_object__next_program(obj, prog))
		n++;
	return n;
}

/* The kernel's id for @prog, so that `bpftool prog show id N` can be matched with our output. */
static unsigned int prog_id(const struct bpf_program *prog)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
		return 0;
	return info.id;
}

/* The tracefs mount point, or NULL when there is none (then attaching says what is missing). */
static const char *tracefs_dir(void)
{
	static const char *const dirs[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char path[64];

		snprintf(path, sizeof(path), "%s/events", dirs[i]);
		if (!access(path, F_OK))
			return dirs[i];
	}
	return NULL;
}

/* False only for a "tracepoint/<category>/<name>" section whose tracepoint tracefs lacks. */
static bool hook_present(const char *tracefs, const char *section)
{
	char path[512];

	if (strncmp(section, "tracepoint/", 11) || !tracefs)
		return true;
	snprintf(path, sizeof(path), "%s/events/%s", tracefs, section + 11);
	return access(path, F_OK) == 0;
}

/* Load only the programs whose hook exists, so that a missing one cannot fail the load. */
static void select_present(struct bpf_object *obj)
{
	const char *tracefs = tracefs_dir();
	struct bpf_program *prog;

	if (!tracefs)
		fprintf(stderr, "floor: no tracefs found; tracepoint hooks cannot be checked\n");
	for (prog = bpf_object__next_program(obj, NULL); prog;
	     prog = bpf_object__next_program(obj, prog)) {
		if (hook_present(tracefs, bpf_program__section_name(prog)))
			continue;
		fprintf(stderr, "floor: %s is missing on this kernel: %s skipped\n",
			bpf_program__section_name(prog), bpf_program__name(prog));
		bpf_program__set_autoload(prog, false);
	}
}

/*
 * Attach every loaded program of @obj, each on its own; links[] must hold prog_count(obj)
 * entries. A tracepoint that vanished since select_present() (ENOENT) is skipped; any other
 * error is returned. *attached gets the number of links made.
 */
static int attach_all(struct bpf_object *obj, struct bpf_link **links, int *attached)
{
	struct bpf_program *prog;
	int i = 0;

	for (prog = bpf_object__next_program(obj, NULL); prog;
	     prog = bpf_object__next_program(obj, prog)) {
		const char *name = bpf_program__name(prog), *sec = bpf_program__section_name(prog);

		if (!bpf_program__autoload(prog))
			continue;
		links[i] = bpf_program__attach(prog);
		if (!links[i]) {
			int err = -errno;

			fprintf(stderr, "floor: attaching %s to %s: %s%s\n", name, sec,
				strerror(-err), err == -ENOENT ? " (missing: skipped)" : "");
			if (err == -ENOENT)
				continue;
			*attached = i;
			return err;
		}
		fprintf(stderr, "floor: attached %s to %s (prog id %u)\n", name, sec,
			prog_id(prog));
		i++;
	}
	*attached = i;
	return 0;
}

/*
 * Block SIGINT/SIGTERM so that sigwait() collects them: no handler, no race between "ready" and
 * the wait. A non-interactive shell starts background jobs with SIGINT ignored; reset it too.
 */
static int signals_block(sigset_t *set)
{
	struct sigaction sa = {.sa_handler = SIG_DFL};

	if (sigemptyset(set) || sigaddset(set, SIGINT) || sigaddset(set, SIGTERM))
		return -errno;
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		return -errno;
	if (sigprocmask(SIG_BLOCK, set, NULL))
		return -errno;
	return 0;
}

static int floor_run(void)
{
	struct floor_bpf *skel = NULL;
	struct bpf_link **links = NULL;
	sigset_t set;
	int err, sig, total, n = 0;

	err = signals_block(&set);
	if (err) {
		fprintf(stderr, "floor: setting up signals: %s\n", strerror(-err));
		return err;
	}
	/* No RLIMIT_MEMLOCK bump: libbpf 1.x skips it where the kernel (>= 5.11) charges memcg. */
	skel = floor_bpf__open();
	if (!skel) {
		err = -errno;
		fprintf(stderr, "floor: opening the BPF object: %s\n", strerror(-err));
		goto cleanup;
	}
	select_present(skel->obj);
	err = floor_bpf__load(skel);
	if (err) {
		fprintf(stderr, "floor: loading: %s (-v shows the verifier log)\n", strerror(-err));
		goto cleanup;
	}
	total = prog_count(skel->obj);
	links = calloc(total ? total : 1, sizeof(*links));
	if (!links) {
		err = -ENOMEM;
		fprintf(stderr, "floor: out of memory\n");
		goto cleanup;
	}
	err = attach_all(skel->obj, links, &n);
	if (!err && !n) {
		err = -ENOENT;
		fprintf(stderr, "floor: no hook could be attached\n");
	}
	if (err)
		goto cleanup;
	fprintf(stderr, "floor: ready (%d programs attached, %d hooks missing)\n", n, total - n);

	if (sigwait(&set, &sig)) {
		err = -EINTR;
		fprintf(stderr, "floor: sigwait failed\n");
		goto cleanup;
	}
	fprintf(stderr, "floor: %s, detaching\n", strsignal(sig));
cleanup:
	for (int i = 0; links && i < n; i++) {
		int derr = bpf_link__destroy(links[i]);
		if (derr && !err) {
			fprintf(stderr, "floor: detaching: %s\n", strerror(-derr));
			err = derr;
		}
	}
	free(links);
	floor_bpf__destroy(skel);
	return err;
}

int main(int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "vh")) != -1) {
		switch (c) {
		case 'v':
			verbose = 1;
			break;
		case 'h':
			printf("usage: floor [-v]\n  Attach empty programs on vigil's hooks until "
			       "SIGINT/SIGTERM. -v: libbpf debug output.\n");
			return 0;
		default:
			fprintf(stderr, "usage: floor [-v]\n");
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "usage: floor [-v]\n");
		return 2;
	}
	libbpf_set_print(libbpf_print);
	return floor_run() ? 1 : 0;
}
