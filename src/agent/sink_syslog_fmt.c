/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Syslog messages (docs/outputs.md, "syslog"): the RFC 5424 header and structured data, and
 * the CEF line of format cef. The few values the header and CEF need are taken from the
 * record's own JSON with json-c: alerts are rare, and events are parsed only for CEF.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "config.h"
#include "rules_load.h"
#include "sink_syslog_int.h"

#define BUF_MIN	     4096
#define SLUG_MAX     128 /* bytes of a CEF signature id made from a rule name */
#define PRIO_DEFAULT 6	 /* informational: events and stats */

/* ---- buffer ---- */

static int buf_reserve(struct syslog_buf *b, size_t n)
{
	size_t need, cap;
	char *p;

	if (b->err)
		return b->err;
	if (n > SIZE_MAX / 4 - b->len)
		return b->err = -ENOMEM;
	need = b->len + n + 1;
	if (need <= b->cap)
		return 0;
	for (cap = b->cap ? b->cap : BUF_MIN; cap < need;)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p)
		return b->err = -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

void syslog_buf__put(struct syslog_buf *b, const char *s, size_t n)
{
	if (buf_reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void syslog_buf__puts(struct syslog_buf *b, const char *s)
{
	syslog_buf__put(b, s, strlen(s));
}

void syslog_buf__putc(struct syslog_buf *b, char c)
{
	syslog_buf__put(b, &c, 1);
}

void syslog_buf__printf(struct syslog_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void syslog_buf__free(struct syslog_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* ---- what the record says ---- */

struct sl_info {
	struct json_object *root;
	const char *type, *rule, *priority, *output;
	const char *ns, *pod, *container, *user, *comm, *fname;
	bool has_uid;
	int64_t uid;
};

/* The member at a path of keys (NULL-terminated), or NULL. */
static struct json_object *sl_get(struct json_object *o, ...)
{
	const char *k;
	va_list ap;

	va_start(ap, o);
	while (o && (k = va_arg(ap, const char *)))
		if (!json_object_is_type(o, json_type_object) ||
		    !json_object_object_get_ex(o, k, &o))
			o = NULL;
	va_end(ap);
	return o;
}

/* A non-empty string member, else NULL (null, absent, another type, ""). */
static const char *sl_str(struct json_object *o)
{
	const char *s = json_object_is_type(o, json_type_string) ? json_object_get_string(o) : NULL;

	return s && *s ? s : NULL;
}

static void sl_info__parse(struct sl_info *in, const struct out_rec *rec)
{
	struct json_object *ev, *uid;

	memset(in, 0, sizeof(*in));
	in->root = json_tokener_parse(rec->line);
	ev = in->root;
	if (!json_object_is_type(ev, json_type_object))
		return;
	if (rec->kind == OUT_ALERT) {
		in->rule = sl_str(sl_get(ev, "rule", NULL));
		in->priority = sl_str(sl_get(ev, "priority", NULL));
		in->output = sl_str(sl_get(ev, "output", NULL));
		in->user = sl_str(sl_get(ev, "output_fields", "user.name", NULL));
		in->fname = sl_str(sl_get(ev, "output_fields", "fd.name", NULL));
		ev = sl_get(ev, "vigil", NULL); /* the event behind the alert */
	}
	in->type = sl_str(sl_get(ev, "type", NULL));
	in->ns = sl_str(sl_get(ev, "pod", "namespace", NULL));
	in->pod = sl_str(sl_get(ev, "pod", "name", NULL));
	in->container = sl_str(sl_get(ev, "container", "id", NULL));
	in->comm = sl_str(sl_get(ev, "process", "comm", NULL));
	if (!in->fname)
		in->fname = sl_str(sl_get(ev, "file", "path", NULL));
	uid = sl_get(ev, "process", "uid", NULL);
	in->has_uid = json_object_is_type(uid, json_type_int);
	in->uid = in->has_uid ? json_object_get_int64(uid) : 0;
}

/* ---- RFC 5424 ---- */

void syslog_fmt__hostname(char *dst, size_t size, const char *src)
{
	size_t n = 0;

	if (!size)
		return;
	for (; src && src[n] && n < SYSLOG_HOSTNAME_MAX && n + 1 < size; n++) {
		unsigned char c = (unsigned char)src[n];

		dst[n] = c >= 33 && c <= 126 ? (char)c : '_';
	}
	if (!n && size > 1)
		dst[n++] = '-';
	dst[n] = '\0';
}

static int sl_severity(const struct out_rec *rec)
{
	if (rec->kind != OUT_ALERT)
		return PRIO_DEFAULT;
	return rec->prio > 7 ? 7 : rec->prio;
}

/* RFC 3339 in UTC with microseconds (TIME-SECFRAC allows six digits at most). */
static void sl_timestamp(struct syslog_buf *b, uint64_t time_ns)
{
	time_t sec = (time_t)(time_ns / 1000000000u);
	struct tm tm;
	char s[32];

	if (!time_ns || !gmtime_r(&sec, &tm) || !strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm)) {
		syslog_buf__putc(b, '-');
		return;
	}
	syslog_buf__printf(b, "%s.%06uZ", s, (unsigned)(time_ns % 1000000000u / 1000u));
}

static void sl_header(const struct syslog_fmt *f, const struct out_rec *rec, struct syslog_buf *b)
{
	static const char *const msgid[] = {
	    [OUT_EVENT] = "event", [OUT_ALERT] = "alert", [OUT_STATS] = "stats"};

	syslog_buf__printf(b, "<%d>1 ", f->facility * 8 + sl_severity(rec));
	sl_timestamp(b, rec->time_ns);
	syslog_buf__printf(b, " %s %s %s %s ", f->hostname, f->app_name, f->procid,
			   rec->kind <= OUT_STATS ? msgid[rec->kind] : "-");
}

/* An SD-PARAM; PARAM-VALUE escapes exactly '"', '\' and ']' (RFC 5424 6.3.3). */
static void sd_param(struct syslog_buf *b, const char *name, const char *value)
{
	if (!value)
		return;
	syslog_buf__printf(b, " %s=\"", name);
	for (const char *s = value; *s; s++) {
		if (*s == '"' || *s == '\\' || *s == ']')
			syslog_buf__putc(b, '\\');
		syslog_buf__putc(b, *s);
	}
	syslog_buf__putc(b, '"');
}

static void sl_sd(const struct out_rec *rec, const struct sl_info *in, struct syslog_buf *b)
{
	if (rec->kind != OUT_ALERT) {
		syslog_buf__putc(b, '-');
		return;
	}
	syslog_buf__puts(b, "[" SYSLOG_SD_ID);
	sd_param(b, "rule", in->rule);
	sd_param(b, "priority", in->priority ? in->priority : rules_priority__name(rec->prio));
	sd_param(b, "namespace", in->ns);
	sd_param(b, "pod", in->pod);
	sd_param(b, "container", in->container);
	syslog_buf__putc(b, ']');
}

/* ---- CEF ---- */

/* Header fields escape '\' and '|'; a line break has no escape there and becomes a space. */
static void cef_hdr(struct syslog_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '|')
			syslog_buf__putc(b, '\\');
		syslog_buf__putc(b, *s == '\n' || *s == '\r' ? ' ' : *s);
	}
}

/* Extension values escape '\' and '=', and write line breaks as \n and \r. */
static void cef_kv(struct syslog_buf *b, bool *first, const char *key, const char *value)
{
	if (!value)
		return;
	syslog_buf__printf(b, "%s%s=", *first ? "" : " ", key);
	*first = false;
	for (const char *s = value; *s; s++) {
		if (*s == '\n' || *s == '\r') {
			syslog_buf__puts(b, *s == '\n' ? "\\n" : "\\r");
			continue;
		}
		if (*s == '\\' || *s == '=')
			syslog_buf__putc(b, '\\');
		syslog_buf__putc(b, *s);
	}
}

static void cef_kv_num(struct syslog_buf *b, bool *first, const char *key, long long v)
{
	char s[24];

	snprintf(s, sizeof(s), "%lld", v);
	cef_kv(b, first, key, s);
}

/* A stable signature id from a rule's name: lower-case ASCII letters and digits, every other
 * run of bytes one '-'. */
static void cef_slug(struct syslog_buf *b, const char *s)
{
	size_t n = 0;
	bool dash = false;

	for (; s && *s && n < SLUG_MAX; s++) {
		char c = *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s;

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
			dash = true;
			continue;
		}
		if (dash && n) {
			syslog_buf__putc(b, '-');
			n++;
		}
		dash = false;
		syslog_buf__putc(b, c);
		n++;
	}
	if (!n)
		syslog_buf__puts(b, "alert");
}

static void cef_ids(struct syslog_buf *b, const struct out_rec *rec, const struct sl_info *in)
{
	static const unsigned char sev[8] = {10, 9, 8, 7, 6, 4, 3, 0}; /* by priority */

	if (rec->kind == OUT_ALERT) {
		cef_slug(b, in->rule);
		syslog_buf__putc(b, '|');
		cef_hdr(b, in->rule ? in->rule : "alert");
	} else if (rec->kind == OUT_EVENT) {
		syslog_buf__puts(b, "event:");
		cef_hdr(b, in->type ? in->type : "unknown");
		syslog_buf__putc(b, '|');
		cef_hdr(b, in->type ? in->type : "event");
	} else {
		syslog_buf__puts(b, "stats|stats");
	}
	syslog_buf__printf(b, "|%u|", sev[sl_severity(rec)]);
}

static void cef_line(const struct syslog_fmt *f, const struct out_rec *rec,
		     const struct sl_info *in, struct syslog_buf *b)
{
	bool first = true;

	syslog_buf__puts(b, "CEF:0|vigil|vigil|");
	cef_hdr(b, VIGIL_VERSION);
	syslog_buf__putc(b, '|');
	cef_ids(b, rec, in);
	if (rec->time_ns)
		cef_kv_num(b, &first, "rt", (long long)(rec->time_ns / 1000000u));
	cef_kv(b, &first, "dhost", strcmp(f->hostname, "-") ? f->hostname : NULL);
	cef_kv(b, &first, "duser", in->user);
	if (in->has_uid)
		cef_kv_num(b, &first, "suid", in->uid);
	cef_kv(b, &first, "sproc", in->comm);
	cef_kv(b, &first, "fname", in->fname);
	cef_kv(b, &first, "cs1Label", in->ns ? "namespace" : NULL);
	cef_kv(b, &first, "cs1", in->ns);
	cef_kv(b, &first, "cs2Label", in->pod ? "pod" : NULL);
	cef_kv(b, &first, "cs2", in->pod);
	cef_kv(b, &first, "cs3Label", in->container ? "container" : NULL);
	cef_kv(b, &first, "cs3", in->container);
	/* an alert's rendered output; an event or stats record whole */
	cef_kv(b, &first, "msg", rec->kind == OUT_ALERT && in->output ? in->output : rec->line);
}

int syslog_fmt__message(const struct syslog_fmt *f, const struct out_rec *rec, struct syslog_buf *b)
{
	struct sl_info in = {0};

	if (rec->kind == OUT_ALERT || (f->cef && rec->kind == OUT_EVENT))
		sl_info__parse(&in, rec);
	sl_header(f, rec, b);
	sl_sd(rec, &in, b);
	syslog_buf__putc(b, ' ');
	/* MSG without a BOM: RFC 5424 allows plain UTF-8 (6.4), and a BOM would end up inside
	 * the JSON of receivers that keep MSG as is */
	if (f->cef)
		cef_line(f, rec, &in, b);
	else
		syslog_buf__put(b, rec->line, rec->len);
	json_object_put(in.root);
	return b->err;
}
