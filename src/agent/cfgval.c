/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cfgval.h"

int cfgval_bool(const char *s, bool *out, char *err, size_t errsz)
{
	static const char *const yes[] = { "true", "yes", "on" }, *const no[] = { "false", "no",
										    "off" };

	for (unsigned i = 0; i < 3; i++) {
		if (!strcasecmp(s, yes[i]) || !strcasecmp(s, no[i])) {
			*out = !strcasecmp(s, yes[i]);
			return 0;
		}
	}
	snprintf(err, errsz, "expected true or false");
	return -EINVAL;
}

/* Leading digits of s as a number; *end after them. Refuses signs, blanks and overflow. */
static int leading_uint(const char *s, uint64_t *out, const char **end)
{
	char *e;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &e, 10);
	if (errno)
		return -ERANGE;
	*end = e;
	return 0;
}

int cfgval_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out, char *err,
		size_t errsz)
{
	const char *end;

	if (leading_uint(s, out, &end) || *end || *out < min || *out > max) {
		snprintf(err, errsz, "expected a whole number from %llu to %llu",
			 (unsigned long long)min, (unsigned long long)max);
		return -EINVAL;
	}
	return 0;
}

/* Milliseconds in one unit of a duration, 0 when the unit is unknown. */
static uint64_t unit_ms(const char *u)
{
	static const struct {
		const char *name;
		uint64_t ms;
	} units[] = { { "", 1000 },	     { "ms", 1 },	   { "s", 1000 },
		      { "m", 60 * 1000 },    { "h", 3600 * 1000 }, { "d", 86400 * 1000 } };

	for (unsigned i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(u, units[i].name))
			return units[i].ms;
	return 0;
}

/* ms in the largest unit that divides it exactly: "7d", "90s", "1500ms". */
static void fmt_ms(uint64_t ms, char *buf, size_t bufsz)
{
	static const char *const names[] = { "d", "h", "m", "s" };
	static const uint64_t units[] = { 86400000, 3600000, 60000, 1000 };

	for (unsigned i = 0; i < 4; i++) {
		if (ms && ms % units[i] == 0) {
			snprintf(buf, bufsz, "%llu%s", (unsigned long long)(ms / units[i]), names[i]);
			return;
		}
	}
	snprintf(buf, bufsz, "%llums", (unsigned long long)ms);
}

int cfgval_duration_ms(const char *s, uint64_t min_ms, uint64_t max_ms, uint64_t *out,
		       char *err, size_t errsz)
{
	const char *end;
	uint64_t v, mul;
	char lo[32], hi[32];

	if (leading_uint(s, &v, &end) || !(mul = unit_ms(end)) || v > UINT64_MAX / mul) {
		snprintf(err, errsz, "expected a duration such as 7d (units ms, s, m, h, d)");
		return -EINVAL;
	}
	v *= mul;
	if (v < min_ms || v > max_ms) {
		fmt_ms(min_ms, lo, sizeof(lo));
		fmt_ms(max_ms, hi, sizeof(hi));
		snprintf(err, errsz, "expected a duration from %s to %s", min_ms ? lo : "0", hi);
		return -ERANGE;
	}
	*out = v;
	return 0;
}

int cfgval_duration_s(const char *s, uint64_t max_s, uint64_t *out, char *err, size_t errsz)
{
	uint64_t ms;
	int rc = cfgval_duration_ms(s, 0, max_s * 1000, &ms, err, errsz);

	if (!rc && ms % 1000) {
		snprintf(err, errsz, "expected whole seconds");
		rc = -EINVAL;
	}
	if (!rc)
		*out = ms / 1000;
	return rc;
}

int cfgval_size(const char *s, uint64_t max, uint64_t *out, char *err, size_t errsz)
{
	static const char suffixes[] = "KMGT";
	const char *end, *p;
	uint64_t v;
	unsigned shift = 0;

	if (leading_uint(s, &v, &end))
		goto bad;
	if (*end) {
		p = strchr(suffixes, toupper((unsigned char)*end));
		if (!p || end[1])
			goto bad;
		shift = 10 * (unsigned)(p - suffixes + 1);
	}
	if (v > (UINT64_MAX >> shift) || (v << shift) > max) {
		snprintf(err, errsz, "too large (at most %llu bytes)", (unsigned long long)max);
		return -ERANGE;
	}
	*out = v << shift;
	return 0;
bad:
	snprintf(err, errsz, "expected a size such as 512M (suffixes K, M, G, T)");
	return -EINVAL;
}

/* A host name or an IPv4 address: letters, digits, '-', '.' and '_'. */
static bool host_name_ok(const char *h, size_t n)
{
	if (!n || n >= CFGVAL_HOST_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)h[i]) && !strchr("-._", h[i]))
			return false;
	return true;
}

/* The inside of [...]: hex digits, ':' and '.', and a %zone. */
static bool host_v6_ok(const char *h, size_t n)
{
	size_t i = 0;

	if (n < 2 || n >= CFGVAL_HOST_MAX)
		return false;
	for (; i < n && h[i] != '%'; i++)
		if (!isxdigit((unsigned char)h[i]) && h[i] != ':' && h[i] != '.')
			return false;
	return i == n || host_name_ok(h + i + 1, n - i - 1);
}

int cfgval_hostport(const char *s, char *host, size_t hostsz, unsigned *port, char *err,
		    size_t errsz)
{
	const char *colon = strrchr(s, ':'), *h = s;
	size_t hn = colon ? (size_t)(colon - s) : 0;
	uint64_t p;
	bool ok;

	if (hn >= 2 && s[0] == '[' && s[hn - 1] == ']') {
		h = s + 1;
		hn -= 2;
		ok = host_v6_ok(h, hn);
	} else {
		ok = colon && !memchr(s, ':', hn) && host_name_ok(s, hn);
	}
	if (!ok || cfgval_uint(colon + 1, 1, 65535, &p, err, errsz)) {
		snprintf(err, errsz, "expected HOST:PORT, such as 127.0.0.1:9464 or [::1]:514");
		return -EINVAL;
	}
	if (host && hn >= hostsz) {
		snprintf(err, errsz, "host name too long");
		return -EINVAL;
	}
	if (host)
		snprintf(host, hostsz, "%.*s", (int)hn, h);
	if (port)
		*port = (unsigned)p;
	return 0;
}

int cfgval_listen(const char *s, char *out, size_t outsz, char *err, size_t errsz)
{
	if (!*s || !strcmp(s, "none") || !strcmp(s, "false")) {
		out[0] = '\0';
		return 0;
	}
	if (strlen(s) >= outsz || cfgval_hostport(s, NULL, 0, NULL, err, errsz)) {
		snprintf(err, errsz, "expected HOST:PORT such as 127.0.0.1:9464, or none");
		return -EINVAL;
	}
	strcpy(out, s);
	return 0;
}

int cfgval_facility(const char *s, int *out, char *err, size_t errsz)
{
	static const char *const names[] = { "kern",	 "user",   "mail",   "daemon", "auth",
					     "syslog",	 "lpr",	   "news",   "uucp",   "cron",
					     "authpriv", "ftp",	   "ntp",    "security", "console",
					     "clock",	 "local0", "local1", "local2", "local3",
					     "local4",	 "local5", "local6", "local7" };
	uint64_t v;

	for (int i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i++) {
		if (!strcasecmp(s, names[i])) {
			*out = i;
			return 0;
		}
	}
	if (cfgval_uint(s, 0, 23, &v, err, errsz)) {
		snprintf(err, errsz, "expected a facility name (user, daemon, auth, local0 .. "
				     "local7, ...) or a number from 0 to 23");
		return -EINVAL;
	}
	*out = (int)v;
	return 0;
}
