/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Secret redaction (redact.h). One left-to-right pass over each argument: at every '=' or ':'
 * the name just before it is compared with the patterns (from its end, so the cost is one
 * comparison per pattern per separator, whatever the argument's length), at every "://" the
 * user info is examined, at every "bearer" the token after it. Secrets are never copied, so
 * an output buffer that is too small can cut the result but never leak part of a secret.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "redact.h"

/* Covers AWS_SECRET_ACCESS_KEY (…access_key, …secret), AWS_SESSION_TOKEN and GITHUB_TOKEN
 * (…token), client_secret (…secret), PGPASSWORD (…password), --db-password, X-Auth-Token. */
static const char *const default_patterns[] = {
	"password", "passwd", "secret", "token", "api_key", "apikey", "access_key",
	"private_key", "authorization", "mysql_pwd", "credentials",
};

struct pattern {
	char name[REDACT_PATTERN_MAX]; /* folded (fold()) */
	size_t len;
};

struct redactor {
	unsigned n;
	struct pattern pats[REDACT_PATTERNS_MAX];
};

/* Programs that take a password glued to -p (mysql -pSECRET) or after it (sshpass -p SECRET). */
enum prog { PROG_NONE, PROG_MYSQL, PROG_SSHPASS };

/* What one argument tells about the next ones. */
struct rstate {
	bool redact_next; /* the last argument was a secret's flag (--password) */
	bool words; /* words of one string, not arguments: "Authorization:" "Bearer" "X" */
	enum prog prog;
};

struct rout {
	char *buf;
	size_t size, len; /* len counts what did not fit too */
	unsigned hits;
};

static char fold(char c)
{
	return c == '-' ? '_' : (char)tolower((unsigned char)c);
}

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool quote(char c)
{
	return c == '"' || c == '\'';
}

const char *const *redact__defaults(unsigned *n)
{
	*n = sizeof(default_patterns) / sizeof(default_patterns[0]);
	return default_patterns;
}

/* The name a pattern stands for: without leading dashes and one trailing '=' or ':'. */
static const char *pattern_name(const char *p, size_t *len)
{
	size_t n;

	while (*p == '-')
		p++;
	n = strlen(p);
	if (n && (p[n - 1] == '=' || p[n - 1] == ':'))
		n--;
	*len = n;
	return p;
}

int redact__check(const char *p, char *err, size_t errsz)
{
	size_t n;
	const char *name = pattern_name(p, &n);

	if (!n || n >= REDACT_PATTERN_MAX) {
		snprintf(err, errsz, "redaction pattern '%.80s': %s", p,
			 n ? "too long" : "no name in it");
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		if (!name_char(name[i])) {
			snprintf(err, errsz, "redaction pattern '%.80s': only letters, digits, "
					     "'_', '-' and '.' may name a secret", p);
			return -EINVAL;
		}
	}
	return 0;
}

struct redactor *redact__new(char *const *patterns, unsigned n, char *err, size_t errsz)
{
	const char *const *list = (const char *const *)patterns;
	struct redactor *r;

	if (!n)
		list = redact__defaults(&n);
	if (n > REDACT_PATTERNS_MAX) {
		snprintf(err, errsz, "more than %d redaction patterns", REDACT_PATTERNS_MAX);
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	for (unsigned i = 0; i < n; i++) {
		const char *name;
		size_t len;

		if (redact__check(list[i], err, errsz)) {
			free(r);
			return NULL;
		}
		name = pattern_name(list[i], &len);
		for (size_t k = 0; k < len; k++)
			r->pats[i].name[k] = fold(name[k]);
		r->pats[i].len = len;
	}
	r->n = n;
	return r;
}

void redact__free(struct redactor *r)
{
	free(r);
}

static void put(struct rout *o, const char *s, size_t n)
{
	if (o->len < o->size)
		memcpy(o->buf + o->len, s, n < o->size - o->len ? n : o->size - o->len);
	o->len += n;
}

static void put_mask(struct rout *o)
{
	put(o, REDACT_MASK, sizeof(REDACT_MASK) - 1);
	o->hits++;
}

/* Does s[0..end) end with a pattern? */
static bool ends_with_pattern(const struct redactor *r, const char *s, size_t end)
{
	for (unsigned p = 0; p < r->n; p++) {
		const struct pattern *pt = &r->pats[p];
		size_t k;

		if (pt->len > end)
			continue;
		for (k = 0; k < pt->len && fold(s[end - pt->len + k]) == pt->name[k]; k++)
			;
		if (k == pt->len)
			return true;
	}
	return false;
}

/* Is the separator at s[k] ('=' or ':') preceded by a secret's name? *query: the name is a
 * URL query parameter (?NAME= or &NAME=), whose value ends at the next '&'. */
static bool secret_name_before(const struct redactor *r, const char *s, size_t n, size_t k,
			       bool *query)
{
	size_t j = k, t;

	if (j && quote(s[j - 1])) /* "password": in JSON */
		j--;
	for (t = j; t && name_char(s[t - 1]); t--)
		;
	if (t == j || !ends_with_pattern(r, s, j))
		return false;
	if (s[k] == ':' && ((t && s[t - 1] == '/') || (k + 1 < n && strchr(":/", s[k + 1]))))
		return false; /* a path (/run/secrets/token:/token), a URL, C++'s :: */
	*query = t && (s[t - 1] == '?' || s[t - 1] == '&');
	return true;
}

/* The schemes of an Authorization header: the credentials follow them. */
static bool auth_scheme(const char *s, size_t n)
{
	static const char *const schemes[] = { "bearer", "basic", "digest", "token", "negotiate" };

	for (unsigned i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strlen(schemes[i]) == n && !strncasecmp(s, schemes[i], n))
			return true;
	return false;
}

/* Past a scheme and its blanks at s[v] ("Bearer "), or v when there is none there. */
static size_t skip_auth_scheme(const char *s, size_t n, size_t v)
{
	size_t e = v;

	while (e < n && isalpha((unsigned char)s[e]))
		e++;
	if (!auth_scheme(s + v, e - v) || (e < n && !blank(s[e])))
		return v;
	while (e < n && blank(s[e]))
		e++;
	return e; /* n when the credentials are in the next word */
}

/* The end of an unquoted value starting at v: a blank or a quote; in a URL query also '&'. */
static size_t value_end(const char *s, size_t n, size_t v, bool query)
{
	for (; v < n && !blank(s[v]) && !quote(s[v]); v++)
		if (query && (s[v] == '&' || s[v] == '#'))
			break;
	return v;
}

/* The value after a separator at s[k]: [*vs, *ve), possibly empty. */
static void value_span(const char *s, size_t n, size_t k, char encl, bool query, size_t *vs,
		       size_t *ve)
{
	size_t v = k + 1;
	const char *q;

	if (s[k] == ':')
		while (v < n && (s[v] == ' ' || s[v] == '\t'))
			v++;
	v = skip_auth_scheme(s, n, v);
	if (v < n && quote(s[v]) && s[v] != encl) {
		q = memchr(s + v + 1, s[v], n - v - 1);
		*vs = v + 1;
		*ve = q ? (size_t)(q - s) : n;
		return;
	}
	*vs = v;
	*ve = value_end(s, n, v, query);
}

/* scheme://user:PASSWORD@host: the password's span, when s[k..] is "://" with one. */
static bool url_password(const char *s, size_t n, size_t k, size_t *vs, size_t *ve)
{
	size_t u = k + 3, e = u, at = 0;
	const char *colon;

	if (k + 3 > n || memcmp(s + k, "://", 3))
		return false;
	for (; e < n && !blank(s[e]) && !quote(s[e]) && !strchr("/?#", s[e]); e++)
		if (s[e] == '@')
			at = e; /* the last one: "p@ss" is often written unencoded */
	if (!at || !(colon = memchr(s + u, ':', at - u)) || (size_t)(colon - s) + 1 == at)
		return false;
	*vs = (size_t)(colon - s) + 1;
	*ve = at;
	return true;
}

/* "Bearer TOKEN" at s[k]: the token's span. */
static bool bearer_token(const char *s, size_t n, size_t k, size_t *vs, size_t *ve)
{
	size_t v = k + 6;

	if (n - k < 8 || (k && isalnum((unsigned char)s[k - 1])) || strncasecmp(s + k, "bearer", 6)
	    || !blank(s[v]))
		return false;
	while (v < n && blank(s[v]))
		v++;
	*vs = v;
	*ve = value_end(s, n, v, false);
	return *ve > v;
}

/* Whether a secret value starts right here, at s[i]: [*vs, *ve). *pending: a header's
 * name ended the word ("Authorization:"), its value must be in the next word. */
static bool secret_at(const struct redactor *r, const char *s, size_t n, size_t i, char encl,
		      size_t *vs, size_t *ve, bool *pending)
{
	bool query = false;

	if (s[i] == ':' && url_password(s, n, i, vs, ve))
		return true;
	if ((s[i] == '=' || s[i] == ':') && secret_name_before(r, s, n, i, &query)) {
		value_span(s, n, i, encl, query, vs, ve);
		*pending = s[i] == ':' && *vs == *ve && (*ve == n || s[*ve] == encl);
		return *ve > *vs;
	}
	return (s[i] == 'b' || s[i] == 'B') && bearer_token(s, n, i, vs, ve);
}

/* Copy one argument, its secret values replaced. True when a value is due in the next word. */
static bool scan_arg(const struct redactor *r, const char *s, size_t n, char encl, struct rout *o)
{
	size_t copied = 0, i = 0, vs, ve;
	bool pending = false;

	while (i < n) {
		if (!secret_at(r, s, n, i, encl, &vs, &ve, &pending)) {
			i++;
			continue;
		}
		put(o, s + copied, vs - copied);
		put_mask(o);
		copied = i = ve;
	}
	put(o, s + copied, n - copied);
	return pending;
}

/* The program a word names, by its base name. */
static enum prog prog_of(const char *s, size_t n)
{
	static const char *const mysql[] = { "mysql",	    "mysqldump",  "mysqladmin",
					     "mysqlimport", "mysqlshow",  "mysqlcheck",
					     "mysqlbinlog", "mariadb",	  "mariadb-dump",
					     "mariadb-admin", "mariadb-import", "mariadb-check" };
	const char *slash = memrchr(s, '/', n);

	if (slash) {
		n -= (size_t)(slash + 1 - s);
		s = slash + 1;
	}
	if (n == 7 && !memcmp(s, "sshpass", 7))
		return PROG_SSHPASS;
	for (unsigned i = 0; i < sizeof(mysql) / sizeof(mysql[0]); i++)
		if (strlen(mysql[i]) == n && !memcmp(s, mysql[i], n))
			return PROG_MYSQL;
	return PROG_NONE;
}

/* -NAME or --NAME where NAME ends with a pattern: the next argument is the secret. */
static bool secret_flag(const struct redactor *r, const char *s, size_t n)
{
	size_t k = 0;

	while (k < n && s[k] == '-')
		k++;
	if (!k || k == n)
		return false;
	for (size_t i = k; i < n; i++)
		if (!name_char(s[i]))
			return false;
	return ends_with_pattern(r, s + k, n - k);
}

/* Replace the word s[0..n) (w[0..wn) without its quotes) from keep bytes into w onwards. */
static void mask_word(const char *s, size_t n, const char *w, size_t wn, size_t keep,
		      struct rout *o)
{
	put(o, s, (size_t)(w - s) + keep);
	put_mask(o);
	put(o, w + wn, n - wn - (size_t)(w - s));
}

/* One argument (or one word of a command line), with what the earlier ones told. */
static void do_word(const struct redactor *r, struct rstate *st, const char *s, size_t n,
		    char encl, struct rout *o)
{
	const char *w = s + (encl != 0); /* the word without its quotes */
	size_t wn = n - (encl != 0) - (encl && n > 1 && s[n - 1] == encl);
	bool pending;

	if (st->redact_next) {
		if (st->words && auth_scheme(w, wn)) { /* Authorization: Bearer TOKEN */
			put(o, s, n);
			return;
		}
		st->redact_next = false;
		if (wn && w[0] != '-') {
			mask_word(s, n, w, wn, 0, o);
			return;
		}
	}
	if (st->prog && wn > 2 && w[0] == '-' && w[1] == 'p') {
		mask_word(s, n, w, wn, 2, o);
		return;
	}
	if (prog_of(w, wn))
		st->prog = prog_of(w, wn);
	pending = scan_arg(r, s, n, encl, o);
	st->redact_next = secret_flag(r, w, wn) ||
			  (st->prog == PROG_SSHPASS && wn == 2 && !memcmp(w, "-p", 2)) ||
			  (st->words && (pending || (wn == 6 && !strncasecmp(w, "bearer", 6))));
}

/* A command line: words split at blanks outside quotes; blanks are copied as they are. */
static void do_words(const struct redactor *r, const char *s, size_t n, struct rout *o)
{
	struct rstate st = { .words = true };
	size_t i = 0, start;
	char q;

	while (i < n) {
		start = i;
		if (blank(s[i])) {
			while (i < n && blank(s[i]))
				i++;
			put(o, s + start, i - start);
			continue;
		}
		for (q = 0; i < n && (q || !blank(s[i])); i++) {
			if (q && s[i] == q)
				q = 0;
			else if (!q && quote(s[i]))
				q = s[i];
		}
		do_word(r, &st, s + start, i - start, quote(s[start]) ? s[start] : 0, o);
	}
}

size_t redact__args(const struct redactor *r, const char *in, size_t len, char *out,
		    size_t outsz, unsigned *hits)
{
	struct rout o = { .buf = out, .size = outsz };
	struct rstate st = { 0 };
	const char *p = in, *end = in + len, *nul;
	size_t n;

	while (p < end) {
		nul = memchr(p, '\0', (size_t)(end - p));
		n = nul ? (size_t)(nul - p) : (size_t)(end - p);
		if (!st.redact_next && (memchr(p, ' ', n) || memchr(p, '\t', n) ||
					memchr(p, '\n', n)))
			do_words(r, p, n, &o); /* sh -c "..." */
		else
			do_word(r, &st, p, n, 0, &o);
		if (nul)
			put(&o, "", 1);
		p += n + (nul != NULL);
	}
	if (hits)
		*hits = o.hits;
	return o.len;
}

size_t redact__str(const struct redactor *r, const char *in, size_t len, char *out,
		   size_t outsz, unsigned *hits)
{
	struct rout o = { .buf = out, .size = outsz ? outsz - 1 : 0 };

	do_words(r, in, len, &o);
	if (outsz)
		out[o.len < outsz - 1 ? o.len : outsz - 1] = '\0';
	if (hits)
		*hits = o.hits;
	return o.len;
}
