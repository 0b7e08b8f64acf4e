/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/types.h>

#include "vigil/events.h"
#include "vigil/syscalls.h"
#include "agent.h"
#include "evsel.h"

#define B(t) EVSEL_BIT(VG_EV_##t)

struct group {
	const char *name;
	uint64_t mask;
};

static const struct group groups[] = {
	{ "process", B(EXEC) | B(FORK) | B(EXIT) },
	{ "file", B(OPEN) | B(UNLINK) | B(RENAME) | B(LINK) | B(SYMLINK) | B(CHMOD) | B(CHOWN) |
			  B(TRUNCATE) | B(MKDIR) | B(RMDIR) | B(WRITE_HEAD) },
	{ "network", B(SOCKET) | B(CONNECT) | B(ACCEPT) | B(BIND) | B(LISTEN) | B(UDP_SEND) |
			     B(TCP_STATE) | B(DNS) },
	{ "privilege", B(SETUID) | B(SETGID) | B(CAPSET) | B(PTRACE) | B(MODULE_LOAD) |
			       B(MODULE_UNLOAD) | B(MOUNT) | B(UMOUNT) | B(UNSHARE) | B(SETNS) |
			       B(CHROOT) | B(PIVOT_ROOT) | B(MEMFD_CREATE) | B(BPF) | B(DUP) |
			       B(KILL) | B(PRCTL) | B(PERSONALITY) },
};

uint64_t evsel_attached(uint64_t written)
{
	uint64_t fd_makers = B(OPEN) | B(SOCKET) | B(ACCEPT) | B(DUP) | B(MEMFD_CREATE);
	uint64_t m = written | B(EXEC) | B(FORK) | B(EXIT);

	if (written & fd_makers)
		m |= B(CLOSE);
	return m;
}

uint64_t evsel_default(void)
{
	uint64_t m = 0;

	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		m |= groups[i].mask;
	return m;
}

int evsel_type(const char *name)
{
	for (int t = 1; t < VG_EV_MAX; t++)
		if (!strcmp(agent_event_name(t), name))
			return t;
	return 0;
}

static int item_mask(const char *item, uint64_t *m)
{
	int t;

	if (!strcmp(item, "all") || !strcmp(item, "default")) {
		*m = evsel_default();
		return 0;
	}
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		if (!strcmp(item, groups[i].name)) {
			*m = groups[i].mask;
			return 0;
		}
	}
	t = evsel_type(item);
	if (!t)
		return -EINVAL;
	*m = EVSEL_BIT(t);
	return 0;
}

int evsel_parse(const char *list, uint64_t *mask, char *err, size_t errsz)
{
	char buf[1024], *save = NULL, *item;
	uint64_t m = 0, im;

	if (snprintf(buf, sizeof(buf), "%s", list) >= (int)sizeof(buf)) {
		snprintf(err, errsz, "list too long");
		return -EINVAL;
	}
	if (!strcmp(buf, "none")) { /* no event lines: only alerts (rules) */
		*mask = 0;
		return 0;
	}
	for (item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		bool neg = item[0] == '-';

		if (item_mask(item + neg, &im)) {
			snprintf(err, errsz, "unknown event type or group '%s' (groups: process, "
					     "file, network, privilege, all; types as in "
					     "docs/events.md)", item + neg);
			return -EINVAL;
		}
		m = neg ? m & ~im : m | im;
	}
	*mask = m;
	return 0;
}

struct prog_row {
	const char *sc;
	uint64_t types;
};

static const struct prog_row sys_rows[] = {
#define VG_X_ROW(sc, T, T2, spec) { #sc, B(T) | (VG_EV_##T2 ? B(T2) : 0) },
	VG_SYSCALLS(VG_X_ROW)
#undef VG_X_ROW
};

static const struct prog_row other_rows[] = {
#define VG_X_ROW(name, T) { #name, B(T) },
	VG_OTHER_PROGS(VG_X_ROW)
#undef VG_X_ROW
};

uint64_t evsel_prog_types(const char *prog)
{
	const char *sc;

	if (!strncmp(prog, "vg_x_", 5) || !strncmp(prog, "vg_e_", 5)) {
		sc = prog + 5;
		for (size_t i = 0; i < sizeof(sys_rows) / sizeof(sys_rows[0]); i++)
			if (!strcmp(sys_rows[i].sc, sc))
				return sys_rows[i].types;
		return 0;
	}
	if (strncmp(prog, "vg_", 3))
		return 0;
	for (size_t i = 0; i < sizeof(other_rows) / sizeof(other_rows[0]); i++)
		if (!strcmp(other_rows[i].sc, prog + 3))
			return other_rows[i].types;
	return 0;
}

bool evsel_section_present(const char *tracefs, const char *section)
{
	char path[4096];

	if (strncmp(section, "tracepoint/", 11) || !tracefs || !*tracefs)
		return true;
	snprintf(path, sizeof(path), "%s/events/%s", tracefs, section + 11);
	return access(path, F_OK) == 0;
}
