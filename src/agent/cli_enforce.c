/* SPDX-License-Identifier: Apache-2.0 */
/* `vigil enforce list` and `vigil enforce release`: the quarantines a running agent holds,
 * through its pinned quarantine map (ENFORCE_QUARANTINE_PIN under bpffs). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "cli.h"
#include "enforce.h"

static const char usage[] =
	"usage: vigil enforce list\n"
	"       vigil enforce release CGROUP|--all\n"
	"\n"
	"Quarantines the running agent holds (rules with action: quarantine): list them, or\n"
	"release one (by cgroup id, or by its directory under the cgroup v2 mount) or all.\n"
	"A released pod's new connections are allowed again at once.\n";

static int open_map(void)
{
	int fd = bpf_obj_get(ENFORCE_QUARANTINE_PIN);

	if (fd < 0)
		fprintf(stderr, "vigil enforce: %s: %s (is vigil running with a quarantine "
				"rule?)\n", ENFORCE_QUARANTINE_PIN, strerror(errno));
	return fd;
}

static int list(int fd)
{
	uint64_t key, next;
	uint32_t val;
	void *prev = NULL;
	unsigned n = 0;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		if (bpf_map_lookup_elem(fd, &next, &val) == 0) {
			printf("cgroup %llu quarantined by enforcement id %u\n",
			       (unsigned long long)next, val - 1);
			n++;
		}
		key = next;
		prev = &key;
	}
	printf("%u quarantined\n", n);
	return 0;
}

/* A cgroup id, or a cgroup directory whose inode number is its id. */
static int parse_target(const char *s, uint64_t *id)
{
	struct stat sb;
	char *end;

	errno = 0;
	*id = strtoull(s, &end, 10);
	if (!errno && end != s && !*end)
		return 0;
	if (stat(s, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		*id = sb.st_ino;
		return 0;
	}
	fprintf(stderr, "vigil enforce release: %s: neither a cgroup id nor a cgroup directory\n",
		s);
	return -EINVAL;
}

static int release(int fd, const char *target)
{
	uint64_t id, next;
	unsigned n = 0;

	if (!strcmp(target, "--all")) {
		while (bpf_map_get_next_key(fd, NULL, &next) == 0 &&
		       bpf_map_delete_elem(fd, &next) == 0)
			n++;
		printf("released %u\n", n);
		return 0;
	}
	if (parse_target(target, &id))
		return 2;
	if (bpf_map_delete_elem(fd, &id)) {
		fprintf(stderr, "vigil enforce release: cgroup %llu: %s\n",
			(unsigned long long)id, errno == ENOENT ? "not quarantined" : strerror(errno));
		return 1;
	}
	printf("released cgroup %llu\n", (unsigned long long)id);
	return 0;
}

int cli_enforce(int argc, char **argv)
{
	int fd, rc;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "list") && !(strcmp(argv[1], "release") == 0 && argc == 3)) {
		fprintf(stderr, "vigil enforce: unexpected arguments\n\n%s", usage);
		return 2;
	}
	if ((fd = open_map()) < 0)
		return 1;
	rc = !strcmp(argv[1], "list") ? list(fd) : release(fd, argv[2]);
	close(fd);
	return rc;
}
