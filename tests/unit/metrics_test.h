/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers of the metrics tests: find an exact line in a scrape, and check that a scrape is
 * well-formed Prometheus text (exposition format 0.0.4) as vigil writes it: each family has
 * HELP then TYPE once, its series follow contiguously, counters end in _total, label values
 * are escaped, values are numbers, and no series appears twice.
 */
#ifndef VIGIL_METRICS_TEST_H
#define VIGIL_METRICS_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline bool metrics_test_has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

static inline int metrics_test_count_prefix(const char *text, const char *prefix)
{
	int n = 0;
	size_t len = strlen(prefix);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		n += !strncmp(p, prefix, len);
	return n;
}

static inline bool mt_name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	       (!first && c >= '0' && c <= '9');
}

/* Labels "{a="x",b="y\"z"}" at *p; moves *p past them. */
static inline bool mt_labels(const char **p)
{
	const char *s = *p;

	if (*s != '{')
		return true;
	for (s++;;) {
		if (!mt_name_char(*s, true))
			return false;
		while (mt_name_char(*s, false))
			s++;
		if (strncmp(s, "=\"", 2))
			return false;
		for (s += 2; *s != '"'; s++) {
			if (!*s || *s == '\n')
				return false;
			if (*s == '\\' && !strchr("\\\"n", *++s))
				return false;
		}
		s++;
		if (*s == '}')
			break;
		if (*s++ != ',')
			return false;
	}
	*p = s + 1;
	return true;
}

static inline bool mt_value(const char *s, size_t n)
{
	char buf[64], *end;

	if (!n || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (!strcmp(buf, "NaN") || !strcmp(buf, "+Inf") || !strcmp(buf, "-Inf"))
		return true;
	strtod(buf, &end);
	return *end == '\0';
}

static inline int mt_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "" when text is well formed, else the first problem (static buffer). */
static inline const char *metrics_test_check_format(const char *text)
{
	static char why[512];
	char fam[128] = "", type[16] = "", help[128] = "", **keys = NULL, *seen = strdup("\n");
	size_t nkeys = 0, cap = 0;
	const char *line = text;

	why[0] = '\0';
	while (*line && !why[0]) {
		const char *nl = strchr(line, '\n'), *p = line;
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char name[128], probe[140];

		if (!nl) {
			snprintf(why, sizeof(why), "no newline at the end: %.80s", line);
			break;
		}
		if (!strncmp(line, "# HELP ", 7)) {
			if (sscanf(line + 7, "%127s", help) != 1)
				snprintf(why, sizeof(why), "bad HELP: %.*s", (int)len, line);
		} else if (!strncmp(line, "# TYPE ", 7)) {
			if (sscanf(line + 7, "%127s %15s", fam, type) != 2 || strcmp(fam, help) ||
			    (strcmp(type, "counter") && strcmp(type, "gauge")))
				snprintf(why, sizeof(why), "bad TYPE or no HELP: %.*s", (int)len,
					 line);
			snprintf(probe, sizeof(probe), "\n%s\n", fam);
			if (strstr(seen, probe))
				snprintf(why, sizeof(why), "family twice: %s", fam);
			seen = realloc(seen, strlen(seen) + strlen(fam) + 2);
			strcat(strcat(seen, fam), "\n");
		} else {
			size_t n = 0;

			while (mt_name_char(*p, p == line) && n < sizeof(name) - 1)
				name[n++] = *p++;
			name[n] = '\0';
			if (strcmp(name, fam))
				snprintf(why, sizeof(why), "series outside its family %s: %.*s",
					 fam, (int)len, line);
			else if (!strcmp(type, "counter") !=
				 (n > 6 && !strcmp(name + n - 6, "_total")))
				snprintf(why, sizeof(why), "counter/_total mismatch: %s", name);
			else if (!mt_labels(&p) || *p != ' ' ||
				 !mt_value(p + 1, (size_t)(nl - p - 1)))
				snprintf(why, sizeof(why), "bad series: %.*s", (int)len, line);
			if (nkeys == cap) {
				cap = cap ? cap * 2 : 256;
				keys = realloc(keys, cap * sizeof(*keys));
			}
			keys[nkeys++] = strndup(line, (size_t)(p - line));
		}
		line = nl + 1;
	}
	if (keys)
		qsort(keys, nkeys, sizeof(*keys), mt_strcmp);
	for (size_t i = 1; i < nkeys && !why[0]; i++)
		if (!strcmp(keys[i], keys[i - 1]))
			snprintf(why, sizeof(why), "series twice: %.400s", keys[i]);
	for (size_t i = 0; i < nkeys; i++)
		free(keys[i]);
	free(keys);
	free(seen);
	return why;
}

#endif /* VIGIL_METRICS_TEST_H */
