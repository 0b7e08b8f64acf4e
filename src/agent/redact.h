/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Secret redaction of command lines before they are stored or sent anywhere
 * (docs/config.md, "Redaction"). A pattern names a secret, e.g. `password`, `--token=` or
 * `AWS_SECRET_ACCESS_KEY`; it matches case-insensitively, with '-' and '_' equal, as the
 * end of a name:
 *
 *   NAME=VALUE, NAME:VALUE, NAME: VALUE  anywhere in an argument (also "NAME":"VALUE" in
 *                                        JSON) -> the value becomes ***
 *   -NAME / --NAME as a whole argument   -> the next argument becomes *** (unless it starts
 *                                        with '-', another option)
 *
 * Built in, whatever the patterns: the password of URL user info (scheme://user:***@host),
 * "Bearer ***", and for mysql/mariadb clients and sshpass an attached `-p***`. The
 * replacement is always ***, so the length of a secret does not leak. An argument holding
 * blanks (`sh -c "..."`) is split into words and each word is treated as an argument.
 */
#ifndef VIGIL_REDACT_H
#define VIGIL_REDACT_H

#include <stddef.h>

#define REDACT_MASK "***"
#define REDACT_PATTERN_MAX 64 /* bytes of one pattern */
#define REDACT_PATTERNS_MAX 64 /* patterns in one redactor (VG_REDACT_MAX) */

struct redactor;

/* The default patterns, used when a redactor is made from none. */
const char *const *redact__defaults(unsigned *n);
/* 0 when p is a valid pattern, else -EINVAL with the reason in err. */
int redact__check(const char *p, char *err, size_t errsz);
/* A redactor for patterns[0..n); n == 0: the defaults. NULL on a bad pattern (err names it)
 * or ENOMEM. */
struct redactor *redact__new(char *const *patterns, unsigned n, char *err, size_t errsz);
void redact__free(struct redactor *r);

/* Redact an argv block in[0..len): arguments separated by NULs, the last one possibly
 * unterminated (cut by the kernel), as the process cache keeps them. Writes the redacted
 * block, with the same arguments and terminators, into out[0..outsz) and returns its full
 * length; when that is more than outsz, out holds its first outsz bytes (a block cut like the
 * kernel cuts one). *hits (may be NULL) gets the number of values replaced. */
size_t redact__args(const struct redactor *r, const char *in, size_t len, char *out,
		    size_t outsz, unsigned *hits);
/* The same for one string in[0..len), a command line split at blanks (quotes respected).
 * out is NUL terminated when outsz > 0 (cut to fit); returns the full length without the NUL,
 * like snprintf. */
size_t redact__str(const struct redactor *r, const char *in, size_t len, char *out,
		   size_t outsz, unsigned *hits);

#endif /* VIGIL_REDACT_H */
