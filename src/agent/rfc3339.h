/* SPDX-License-Identifier: Apache-2.0 */
/* RFC 3339 times, as vigil writes them ("2026-11-21T11:10:07.831610007Z"), to and from
 * nanoseconds since the epoch. Pure arithmetic: no time zone database, no locale, thread
 * safe, so the store can read every line's time without timegm's cost. */
#ifndef VIGIL_RFC3339_H
#define VIGIL_RFC3339_H

#include <stddef.h>
#include <stdint.h>

/* "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" in s[0..n) (not NUL terminated; 't', 'z'
 * and a space for 'T' accepted; up to 9 fraction digits are kept, more are ignored) from 1970
 * to 2500. 0 or -EINVAL. */
int rfc3339__parse(const char *s, size_t n, uint64_t *ns);
/* "YYYY-MM-DDTHH:MM:SS[.d..]Z" with `digits` (0..9) fraction digits; returns the length
 * (snprintf-like; buf is always NUL terminated when size > 0). */
int rfc3339__format(uint64_t ns, int digits, char *buf, size_t size);

#endif /* VIGIL_RFC3339_H */
