/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Values of settings, parsed the same way whether they come from the command line or the
 * config file. On failure each writes what it expected into err, without naming the setting:
 * the caller knows whether to say "vigil run: --store-max-age 7x" or "vigil.yaml:3:12:
 * store.max_age".
 */
#ifndef VIGIL_CFGVAL_H
#define VIGIL_CFGVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CFGVAL_HOST_MAX 256

/* true or false (also yes/no, on/off), any case. */
int cfgval_bool(const char *s, bool *out, char *err, size_t errsz);
/* A whole number in [min, max]. */
int cfgval_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out, char *err,
		size_t errsz);
/* A duration: a whole number and one unit, ms, s, m, h or d ("500ms", "30s", "7d"); a bare
 * number is seconds. In milliseconds, within [min_ms, max_ms]. */
int cfgval_duration_ms(const char *s, uint64_t min_ms, uint64_t max_ms, uint64_t *out,
		       char *err, size_t errsz);
/* A duration in whole seconds, at most max_s ("7d", "90s"; "1500ms" is refused). */
int cfgval_duration_s(const char *s, uint64_t max_s, uint64_t *out, char *err, size_t errsz);
/* A size in bytes with an optional K, M, G or T suffix (powers of 1024), at most max. */
int cfgval_size(const char *s, uint64_t max, uint64_t *out, char *err, size_t errsz);
/* HOST:PORT, HOST a name or an address ([v6] in brackets), PORT 1..65535. host may be NULL. */
int cfgval_hostport(const char *s, char *host, size_t hostsz, unsigned *port, char *err,
		    size_t errsz);
/* A listening address: HOST:PORT into out, or "" when s is "", "none" or "false". */
int cfgval_listen(const char *s, char *out, size_t outsz, char *err, size_t errsz);
/* A syslog facility by name (kern, user, ..., local0..local7) or number (0..23). */
int cfgval_facility(const char *s, int *out, char *err, size_t errsz);

#endif /* VIGIL_CFGVAL_H */
