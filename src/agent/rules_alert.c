// SPDX-License-Identifier: Apache-2.0
/*
 * Alerts in Falco's JSON output format (rules_alert.h). A rule's output template is scanned
 * each time it is rendered, without allocating: it is short, and alerts are far rarer than
 * events. A reference is '%' and a field name (a letter, then [A-Za-z0-9_.]*, trailing dots
 * left to the text) with an optional [argument] (no blanks, no '%'), or the same inside %( );
 * a '%' that starts none is text. A field vigil does not know, or one without a value for the
 * event, renders as <NA>, as in Falco.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rules_alert.h"

#define RA_REF_MAX 256 /* bytes of one reference as written; a longer one is text */
#define RA_NA	   "<NA>"

/* One piece of a template: text, then the field reference that ends it (ref NULL: none). */
struct ra_piece {
	const char *text;
	size_t text_len;
	const char *ref; /* as written, without '%' and parentheses: "proc.aname[2]" */
	size_t ref_len;
};

/* A reference resolved against the catalogue. */
struct ra_field {
	const struct rf_field *f; /* NULL: vigil has no such field */
	const char *key;
	bool evt_time; /* evt.time: not in the catalogue, Falco's HH:MM:SS.ns */
	char name[RA_REF_MAX], arg[RA_REF_MAX];
};

/* Output with a bound: what does not fit is cut, and the end then says "...". */
struct ra_out {
	char *buf;
	size_t len, size;
	bool cut;
};

const char *rules_alert__priority(enum rules_priority p)
{
	static const char *const names[] = {"Emergency", "Alert",  "Critical",	    "Error",
					    "Warning",	 "Notice", "Informational", "Debug"};

	return (unsigned)p < sizeof(names) / sizeof(names[0]) ? names[p] : "Debug";
}

static bool ra_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.';
}

/* The end of "[arg]" at s, or s itself when there is no well-formed one (a '[' then text). */
static const char *ra_arg_end(const char *s)
{
	const char *e = s + 1;

	if (*s != '[')
		return s;
	while (*e && *e != ']' && *e != '%' && !isspace((unsigned char)*e))
		e++;
	return *e == ']' ? e + 1 : s;
}

/* The reference a '%' at q starts; false when it starts none. */
static bool ra_ref(const char *q, struct ra_piece *pc, const char **next)
{
	const char *s = q + 1, *e;
	bool paren = *s == '(';

	if (paren)
		s++;
	if (!isalpha((unsigned char)*s))
		return false;
	for (e = s; ra_name_char(*e); e++)
		;
	if (!paren)
		while (e > s && e[-1] == '.')
			e--;
	if (e == s)
		return false;
	e = ra_arg_end(e);
	if (paren && *e != ')')
		return false;
	if ((size_t)(e - s) >= RA_REF_MAX)
		return false;
	pc->ref = s;
	pc->ref_len = (size_t)(e - s);
	*next = paren ? e + 1 : e;
	return true;
}

/* The piece starting at p; returns where the next one starts (at the NUL after the last). */
static const char *ra_scan(const char *p, struct ra_piece *pc)
{
	const char *q, *next;

	pc->text = p;
	pc->ref = NULL;
	pc->ref_len = 0;
	for (q = p; *q; q++) {
		if (*q == '%' && ra_ref(q, pc, &next)) {
			pc->text_len = (size_t)(q - p);
			return next;
		}
	}
	pc->text_len = (size_t)(q - p);
	return q;
}

/* The field a reference names, and its argument (in brackets or after a dot). */
static void ra_resolve(const char *ref, size_t len, struct ra_field *rf)
{
	const char *br = memchr(ref, '[', len), *dotted;
	size_t nlen = br ? (size_t)(br - ref) : len;

	memset(rf, 0, offsetof(struct ra_field, name));
	snprintf(rf->name, sizeof(rf->name), "%.*s", (int)nlen, ref);
	if (br)
		snprintf(rf->arg, sizeof(rf->arg), "%.*s", (int)(len - nlen - 2), br + 1);
	if (!br && strcmp(rf->name, "evt.time") == 0) {
		rf->evt_time = true;
		return;
	}
	rf->f = rules_fields__find(rf->name, &dotted);
	if (!rf->f || (dotted && br)) {
		rf->f = NULL;
		return;
	}
	rf->key = dotted ? dotted : br ? rf->arg : NULL;
	/* an argument it does not take, or none where one is needed: not a field */
	if (rf->f->arg == RF_ARG_NONE ? rf->key != NULL
				      : !rf->key && !(rf->f->flags & RF_ARG_OPTIONAL))
		rf->f = NULL;
}

static void ra_put(struct ra_out *o, const char *s, size_t n)
{
	size_t room = o->size - 1 - o->len;

	if (n > room) {
		n = room;
		o->cut = true;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

/* Falco's time of day: HH:MM:SS.nnnnnnnnn, UTC here. */
static size_t ra_clock(uint64_t ns, char *buf, size_t size)
{
	time_t sec = (time_t)(ns / 1000000000u);
	struct tm tm;
	int n;

	if (!gmtime_r(&sec, &tm))
		return 0;
	n = snprintf(buf, size, "%02d:%02d:%02d.%09u", tm.tm_hour, tm.tm_min, tm.tm_sec,
		     (unsigned)(ns % 1000000000u));
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

/* One reference's value as the output text shows it. */
static void ra_put_value(struct ra_out *o, const struct rv_event *ev, const struct ra_field *rf)
{
	struct rv_val v;
	char tmp[64];
	size_t n;

	if (rf->evt_time) {
		n = ra_clock(ev->time_ns, tmp, sizeof(tmp));
		ra_put(o, tmp, n);
	} else if (!rf->f || !rules_view__get(ev, rf->f, rf->key, &v)) {
		ra_put(o, RA_NA, strlen(RA_NA));
	} else if (v.type == RF_STR || v.type == RF_BYTES) {
		ra_put(o, v.s ? v.s : "", v.s ? v.len : 0);
	} else {
		n = rules_view__format(&v, tmp, sizeof(tmp));
		ra_put(o, tmp, n);
	}
}

size_t rules_alert__output(const struct rules_rule *r, const struct rv_event *ev, char *buf,
			   size_t size)
{
	struct ra_out o = {buf, 0, size, false};
	struct ra_piece pc;
	struct ra_field rf;

	if (!size)
		return 0;
	for (const char *p = r->output ? r->output : ""; *p && !o.cut;) {
		p = ra_scan(p, &pc);
		ra_put(&o, pc.text, pc.text_len);
		if (pc.ref) {
			ra_resolve(pc.ref, pc.ref_len, &rf);
			ra_put_value(&o, ev, &rf);
		}
	}
	if (o.cut && size > 4)
		memcpy(buf + o.len - 3, "...", 3);
	buf[o.len] = '\0';
	return o.len;
}

/* Whether the template names ref before `upto`: output_fields has each reference once. */
static bool ra_named_before(const char *tmpl, const char *upto, const char *ref, size_t len)
{
	struct ra_piece pc;

	for (const char *p = tmpl; *p && p < upto;) {
		p = ra_scan(p, &pc);
		if (pc.ref && pc.ref < upto && pc.ref_len == len && memcmp(pc.ref, ref, len) == 0)
			return true;
	}
	return false;
}

static void ra_json_value(struct json_w *w, const struct rv_event *ev, const struct ra_field *rf)
{
	struct rv_val v;
	char tmp[64];

	if (!rf->f || !rules_view__get(ev, rf->f, rf->key, &v)) {
		json_null(w);
		return;
	}
	switch (v.type) {
	case RF_NUM:
		json_i64(w, v.n);
		break;
	case RF_BOOL:
		json_bool(w, (int)v.n);
		break;
	case RF_STR:
	case RF_BYTES:
		json_strn(w, v.s ? v.s : "", v.s ? v.len : 0);
		break;
	case RF_IPADDR:
	case RF_IPNET:
		rules_view__format(&v, tmp, sizeof(tmp));
		json_str(w, tmp);
		break;
	}
}

/* Every field the template names, keyed as written, and evt.time in nanoseconds. */
static void ra_fields(struct json_w *w, const struct rules_rule *r, const struct rv_event *ev)
{
	const char *tmpl = r->output ? r->output : "";
	struct ra_piece pc;
	struct ra_field rf;
	char key[RA_REF_MAX];

	json_obj_begin(w);
	json_ku64(w, "evt.time", ev->time_ns);
	for (const char *p = tmpl; *p;) {
		p = ra_scan(p, &pc);
		if (!pc.ref || ra_named_before(tmpl, pc.ref, pc.ref, pc.ref_len))
			continue;
		ra_resolve(pc.ref, pc.ref_len, &rf);
		if (rf.evt_time)
			continue;
		snprintf(key, sizeof(key), "%.*s", (int)pc.ref_len, pc.ref);
		json_key(w, key);
		ra_json_value(w, ev, &rf);
	}
	json_obj_end(w);
}

/* "HH:MM:SS.nnnnnnnnn: Priority " and the rendered template, within RA_OUTPUT_MAX. */
static size_t ra_line(const struct rules_rule *r, const struct rv_event *ev, char *buf, size_t size)
{
	size_t n = ra_clock(ev->time_ns, buf, size);
	int m = snprintf(buf + n, size - n, ": %s ", rules_alert__priority(r->priority));

	n += m > 0 && (size_t)m < size - n ? (size_t)m : 0;
	return n + rules_alert__output(r, ev, buf + n, size - n);
}

int rules_alert__render(struct json_w *w, const struct rules_rule *r, const struct rv_event *ev,
			const char *hostname, const char *vigil_members, size_t vigil_len)
{
	return rules_alert__render_ex(w, r, ev, hostname, vigil_members, vigil_len, NULL, 0);
}

int rules_alert__render_ex(struct json_w *w, const struct rules_rule *r,
			   const struct rv_event *ev, const char *hostname,
			   const char *vigil_members, size_t vigil_len, const char *extra,
			   size_t extra_len)
{
	char line[RA_OUTPUT_MAX];
	size_t n = ra_line(r, ev, line, sizeof(line));

	json_obj_begin(w);
	if (hostname)
		json_kstr(w, "hostname", hostname);
	json_key(w, "output");
	json_strn(w, line, n);
	json_key(w, "output_fields");
	ra_fields(w, r, ev);
	json_kstr(w, "priority", rules_alert__priority(r->priority));
	json_kstr(w, "rule", r->name);
	json_kstr(w, "source", r->source ? r->source : "syscall");
	json_key(w, "tags");
	json_arr_begin(w);
	for (size_t i = 0; i < r->ntags; i++)
		json_str(w, r->tags[i]);
	json_arr_end(w);
	json_ktime(w, "time", (long long)(ev->time_ns / 1000000000u),
		   (long)(ev->time_ns % 1000000000u));
	if (extra && extra_len)
		json_members_raw(w, extra, extra_len);
	if (vigil_members && vigil_len) {
		json_key(w, "vigil");
		json_obj_begin(w);
		json_members_raw(w, vigil_members, vigil_len);
		json_obj_end(w);
	}
	json_obj_end(w);
	return w->err;
}
