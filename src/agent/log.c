/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <bpf/libbpf.h>

#include "log.h"

static enum log_level cur_level = LOG_INFO;
static const char *const level_names[] = { "error", "warn", "info", "debug" };

void log_set_level(enum log_level level)
{
	cur_level = level;
}

enum log_level log_get_level(void)
{
	return cur_level;
}

int log_parse_level(const char *s, enum log_level *out)
{
	for (unsigned i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (s && strcmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

static void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	char line[1024], *big = NULL;
	va_list ap2;
	int n;

	if (level > cur_level)
		return;
	/* one write per line so concurrent writers never interleave inside a line */
	n = snprintf(line, sizeof(line), "vigil: %s: ", level_names[level]);
	va_copy(ap2, ap);
	if (vsnprintf(line + n, sizeof(line) - n, fmt, ap) >= (int)sizeof(line) - n &&
	    vasprintf(&big, fmt, ap2) >= 0) {
		/* a verifier log: pass it whole, it is what a user needs to report */
		fprintf(stderr, "vigil: %s: %s\n", level_names[level], big);
		free(big);
		va_end(ap2);
		return;
	}
	va_end(ap2);
	n = strlen(line);
	if (n > 0 && line[n - 1] != '\n' && n < (int)sizeof(line) - 1)
		line[n++] = '\n';
	fwrite(line, 1, n, stderr);
	fflush(stderr);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	enum log_level ours = level == LIBBPF_WARN ? LOG_WARN :
			      level == LIBBPF_INFO ? LOG_DEBUG : LOG_DEBUG;

	log_vmsg(ours, fmt, ap);
	return 0;
}

void log_route_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
