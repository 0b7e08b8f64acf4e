/*
 * openstorm: open+close an existing file N times from P workers and time it.
 * A syscall-heavy load with no process churn: it shows what vigil costs on paths it does not
 * (yet) watch, and will measure file hooks once vigil has them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "storm.h"

static const char usage[] =
    "usage: openstorm [-n N] [-p P] [path]\n"
    "  open(path, O_RDONLY) + close N times (default 2000000) from P parallel workers\n"
    "  (default 2); path defaults to /etc/hostname.\n"
    "  Prints opens= wall_s= per_open_us= rate_per_s=.\n";

static int open_once(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "openstorm: open %s: %s\n", path, strerror(errno));
		return -errno;
	}
	if (close(fd)) {
		fprintf(stderr, "openstorm: close %s: %s\n", path, strerror(errno));
		return -errno;
	}
	return 0;
}

static int open_batch(long count, void *arg)
{
	for (long i = 0; i < count; i++) {
		int err = open_once(arg);
		if (err)
			return err;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct storm_opts o = {.prog = "openstorm", .noun = "open", .n = 2000000, .workers = 2};
	int help;

	int first = storm__parse(argc, argv, &o, usage, &help);
	if (first < 0)
		return help ? 0 : 2;
	if (argc - first > 1) {
		fprintf(stderr, "%s", usage);
		return 2;
	}
	char *path = first < argc ? argv[first] : "/etc/hostname";
	/* Fail before timing, with one clear message, if the file cannot be opened. */
	if (open_once(path))
		return 1;
	return storm__run(&o, open_batch, path) ? 1 : 0;
}
