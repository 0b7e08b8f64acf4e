/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The config file's outputs: list, into struct vg_output. Everything that can be known
 * without the network is checked here (addresses, formats, facilities, names, which keys go
 * with which type), so that a typo is an error at start-up or at `vigil config check`, not a
 * sink that retries forever.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cfgval.h"
#include "config_file_int.h"
#include "rules_load.h"
#include "sink.h"

#define F (1u << VG_OUT_FILE)
#define S (1u << VG_OUT_SYSLOG)
#define H (1u << VG_OUT_HTTP)

/* Every key of an output, and the types it belongs to. */
enum okey {
	K_TYPE, K_NAME, K_EVENTS, K_ALERTS, K_STATS, K_MINPRIO, K_QUEUE, K_BACKOFF, K_PATH,
	K_MAXSIZE, K_KEEP, K_ADDRESS, K_URL, K_FORMAT, K_FACILITY, K_APPNAME, K_CA, K_CERT,
	K_KEY, K_INSECURE, K_INDEX, K_HEADERS, K_TIMEOUT, K_N
};
static const char *const out_keys[K_N + 1] = {
	"type",	    "name",	"events",  "alerts",   "stats",	   "min_priority",
	"queue_size", "backoff_max", "path", "max_size", "keep",	   "address",
	"url",	    "format",	"facility", "app_name", "ca_file",	   "cert_file",
	"key_file", "insecure", "index",   "headers",  "timeout",	   NULL,
};
static const unsigned key_types[K_N] = {
	[K_TYPE] = F | S | H,  [K_NAME] = F | S | H,	[K_EVENTS] = F | S | H,
	[K_ALERTS] = F | S | H, [K_STATS] = F | S | H,	[K_MINPRIO] = F | S | H,
	[K_QUEUE] = F | S | H,	[K_BACKOFF] = F | S | H, [K_PATH] = F,
	[K_MAXSIZE] = F,	[K_KEEP] = F,		[K_ADDRESS] = S,
	[K_URL] = H,		[K_FORMAT] = S | H,	[K_FACILITY] = S,
	[K_APPNAME] = S,	[K_CA] = S | H,		[K_CERT] = S | H,
	[K_KEY] = S | H,	[K_INSECURE] = S | H,	[K_INDEX] = H,
	[K_HEADERS] = H,	[K_TIMEOUT] = H,
};
static const char *const type_names[] = { [VG_OUT_FILE] = "file", [VG_OUT_SYSLOG] = "syslog",
					   [VG_OUT_HTTP] = "http" };

struct out_ctx {
	struct vg_output *o;
	int type;
	const struct ynode *at[K_N]; /* where each key's value was written */
};

static void out_defaults(struct vg_output *o, int type)
{
	memset(o, 0, sizeof(*o));
	o->type = type;
	o->kinds = OUT_KIND_MASK(OUT_ALERT);
	o->min_prio = RULES_PRIO_DEBUG;
	o->queue_entries = 16384;
	o->backoff_max_ms = 30000;
	o->max_bytes = 100u << 20;
	o->keep = 5;
	strcpy(o->format, type == VG_OUT_HTTP ? "falco" : "rfc5424");
	o->facility = 1; /* user */
	strcpy(o->app_name, "vigil");
	strcpy(o->index, "vigil-events");
	o->timeout_ms = 5000;
}

/* udp://, tcp:// or tls://HOST[:PORT]; the stored form always has the port. */
static int syslog_address(const char *s, char *out, size_t outsz, char *err, size_t errsz)
{
	static const struct {
		const char *scheme;
		const char *port;
	} schemes[] = { { "udp://", "514" }, { "tcp://", "514" }, { "tls://", "6514" } };
	char withport[CFGVAL_HOST_MAX + 16];

	for (unsigned i = 0; i < 3; i++) {
		const char *rest = s + strlen(schemes[i].scheme);

		if (strncmp(s, schemes[i].scheme, strlen(schemes[i].scheme)))
			continue;
		if (!cfgval_hostport(rest, NULL, 0, NULL, err, errsz)) {
			snprintf(out, outsz, "%s", s);
			return strlen(s) < outsz ? 0 : -EINVAL;
		}
		snprintf(withport, sizeof(withport), "%.*s:%s", CFGVAL_HOST_MAX, rest,
			 schemes[i].port);
		if (cfgval_hostport(withport, NULL, 0, NULL, err, errsz))
			break;
		snprintf(out, outsz, "%s%s", schemes[i].scheme, withport);
		return 0;
	}
	snprintf(err, errsz, "expected udp://HOST:PORT, tcp://HOST:PORT or tls://HOST:PORT");
	return -EINVAL;
}

/* http:// or https://, a host with an optional port, then an optional path. */
static int http_url(const char *s, char *err, size_t errsz)
{
	const char *a = !strncmp(s, "http://", 7) ? s + 7 : !strncmp(s, "https://", 8) ? s + 8 :
											   NULL;
	char hp[CFGVAL_HOST_MAX + 16];
	size_t n;

	for (const char *p = s; *p; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f) {
			snprintf(err, errsz, "blanks and control characters are not allowed in "
					     "a URL (percent-encode them)");
			return -EINVAL;
		}
	}
	if (!a)
		goto bad;
	n = strcspn(a, "/?#");
	if (n >= CFGVAL_HOST_MAX)
		goto bad;
	snprintf(hp, sizeof(hp), "%.*s", (int)n, a);
	if (!cfgval_hostport(hp, NULL, 0, NULL, err, errsz))
		return 0;
	snprintf(hp, sizeof(hp), "%.*s:1", (int)n, a);
	if (!cfgval_hostport(hp, NULL, 0, NULL, err, errsz))
		return 0;
bad:
	snprintf(err, errsz, "expected http://HOST[:PORT][/PATH] or https://...");
	return -EINVAL;
}

/* headers: {Name: value, ...}, at most VG_HEADERS_MAX, stored as "Name: value". */
static void out_headers(struct cf *c, const char *full, const struct ynode *v, struct vg_output *o)
{
	const char *val;

	if (v->kind != YNODE_MAP) {
		cf_fail(c, v, full, "expected a mapping of header names to values");
		return;
	}
	if (v->n > VG_HEADERS_MAX) {
		cf_fail(c, v, full, "more than %d headers", VG_HEADERS_MAX);
		return;
	}
	o->nheaders = 0;
	for (size_t i = 0; i < v->n; i++) {
		const struct ynode *k = v->kids[2 * i];
		size_t kn = strlen(k->str);

		if (!kn || kn != strspn(k->str, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
						 "0123456789!#$%&'*+-.^_`|~")) {
			cf_fail(c, k, full, "'%.64s' is not a header name", k->str);
			continue;
		}
		for (unsigned j = 0; j < o->nheaders; j++)
			if (!strncasecmp(o->headers[j], k->str, kn) && o->headers[j][kn] == ':')
				cf_fail(c, k, full, "header '%.64s' given twice", k->str);
		if (cf_scalar(c, v->kids[2 * i + 1], full, &val))
			continue;
		if (strpbrk(val, "\r\n"))
			cf_fail(c, v->kids[2 * i + 1], full, "a header value is one line");
		else if (kn + 2 + strlen(val) >= sizeof(o->headers[0]))
			cf_fail(c, k, full, "header '%.64s' longer than %zu bytes", k->str,
				sizeof(o->headers[0]) - 1);
		else
			snprintf(o->headers[o->nheaders++], sizeof(o->headers[0]), "%s: %s",
				 k->str, val);
	}
}

static void out_kind(struct cf *c, const char *full, const struct ynode *v, struct vg_output *o,
		     int kind)
{
	bool b;

	if (!cf_bool(c, v, full, &b))
		o->kinds = b ? o->kinds | OUT_KIND_MASK(kind) : o->kinds & ~OUT_KIND_MASK(kind);
}

/* A name of letters, digits, '_', '.' and '-' (it names the sink in logs and metrics). */
static void out_name(struct cf *c, const char *full, const struct ynode *v, struct vg_output *o)
{
	if (cf_str(c, v, full, o->name, sizeof(o->name), true))
		return;
	for (const char *p = o->name; *p; p++) {
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p)) {
			cf_fail(c, v, full, "only letters, digits, '_', '.' and '-' in a name");
			o->name[0] = '\0';
			return;
		}
	}
}

/* Keys whose value is a string of a known set, or checked by a parser. */
static void out_text_key(struct cf *c, enum okey k, const char *full, const struct ynode *v,
			 struct out_ctx *x)
{
	struct vg_output *o = x->o;
	const char *s;
	char err[256];
	enum rules_priority p;

	if (cf_scalar(c, v, full, &s))
		return;
	if (k == K_ADDRESS && syslog_address(s, o->address, sizeof(o->address), err, sizeof(err)))
		cf_fail(c, v, full, "%s", err);
	else if (k == K_URL && (http_url(s, err, sizeof(err)) || strlen(s) >= sizeof(o->address)))
		cf_fail(c, v, full, "%s", strlen(s) >= sizeof(o->address) ? "too long" : err);
	else if (k == K_URL)
		strcpy(o->address, s);
	else if (k == K_FORMAT && x->type == VG_OUT_SYSLOG && strcmp(s, "rfc5424") && strcmp(s, "cef"))
		cf_fail(c, v, full, "expected rfc5424 or cef");
	else if (k == K_FORMAT && x->type == VG_OUT_HTTP && strcmp(s, "falco") &&
		 strcmp(s, "elasticsearch") && strcmp(s, "otlp"))
		cf_fail(c, v, full, "expected falco, elasticsearch or otlp");
	else if (k == K_FORMAT)
		strcpy(o->format, s);
	else if (k == K_FACILITY && cfgval_facility(s, &o->facility, err, sizeof(err)))
		cf_fail(c, v, full, "%s", err);
	else if (k == K_MINPRIO && rules_priority__parse(s, &p))
		cf_fail(c, v, full, "expected emergency, alert, critical, error, warning, notice, "
				    "informational or debug");
	else if (k == K_MINPRIO)
		o->min_prio = p;
}

/* app_name: RFC 5424's APP-NAME, 1 to 48 printable ASCII characters without blanks. */
static void out_app_name(struct cf *c, const char *full, const struct ynode *v,
			 struct vg_output *o)
{
	if (cf_str(c, v, full, o->app_name, sizeof(o->app_name), true))
		return;
	for (const char *p = o->app_name; *p; p++) {
		if (*p <= ' ' || *p > '~') {
			cf_fail(c, v, full, "printable ASCII without blanks only");
			return;
		}
	}
}

/* index: an Elasticsearch index name (lower case, none of \ / * ? " < > | , # or blanks). */
static void out_index(struct cf *c, const char *full, const struct ynode *v, struct vg_output *o)
{
	if (cf_str(c, v, full, o->index, sizeof(o->index), true))
		return;
	if (strchr("-_+", o->index[0]) || strpbrk(o->index, "\\/*?\"<>|,# :") ||
	    strpbrk(o->index, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
		cf_fail(c, v, full, "not an Elasticsearch index name (lower case; none of "
				    "\\ / * ? \" < > | , # : or blanks; not starting with - _ +)");
}

/* Keys whose value is a number, a size or a duration. */
static void out_num_key(struct cf *c, enum okey k, const char *full, const struct ynode *v,
			struct vg_output *o)
{
	uint64_t u;

	if (k == K_QUEUE && !cf_uint(c, v, full, 16, 1u << 24, &u))
		o->queue_entries = u;
	else if (k == K_BACKOFF && !cf_duration_ms(c, v, full, 100, 3600 * 1000, &u))
		o->backoff_max_ms = (unsigned)u;
	else if (k == K_TIMEOUT && !cf_duration_ms(c, v, full, 100, 300 * 1000, &u))
		o->timeout_ms = (unsigned)u;
	else if (k == K_MAXSIZE && !cf_size(c, v, full, &u))
		o->max_bytes = u;
	else if (k == K_KEEP && !cf_uint(c, v, full, 0, 100, &u))
		o->keep = (unsigned)u;
}

static void out_key(struct cf *c, const char *key, const char *full, const struct ynode *v,
		    void *arg)
{
	struct out_ctx *x = arg;
	struct vg_output *o = x->o;
	unsigned k = 0;

	while (strcmp(out_keys[k], key))
		k++;
	x->at[k] = v;
	if (!(key_types[k] & (1u << x->type))) {
		cf_fail(c, v, full, "not a setting of %s outputs", type_names[x->type]);
		return;
	}
	switch (k) {
	case K_TYPE: break;
	case K_NAME: out_name(c, full, v, o); break;
	case K_EVENTS: out_kind(c, full, v, o, OUT_EVENT); break;
	case K_ALERTS: out_kind(c, full, v, o, OUT_ALERT); break;
	case K_STATS: out_kind(c, full, v, o, OUT_STATS); break;
	case K_QUEUE:
	case K_BACKOFF:
	case K_TIMEOUT:
	case K_MAXSIZE:
	case K_KEEP: out_num_key(c, k, full, v, o); break;
	case K_PATH: cf_str(c, v, full, o->path, sizeof(o->path), true); break;
	case K_APPNAME: out_app_name(c, full, v, o); break;
	case K_CA: cf_str(c, v, full, o->ca_file, sizeof(o->ca_file), true); break;
	case K_CERT: cf_str(c, v, full, o->cert_file, sizeof(o->cert_file), true); break;
	case K_KEY: cf_str(c, v, full, o->key_file, sizeof(o->key_file), true); break;
	case K_INSECURE: cf_bool(c, v, full, &o->insecure); break;
	case K_INDEX: out_index(c, full, v, o); break;
	case K_HEADERS: out_headers(c, full, v, o); break;
	default: out_text_key(c, k, full, v, x);
	}
}

/* What only the whole output tells: required keys, keys that need another. */
static void out_check(struct cf *c, struct out_ctx *x, const struct ynode *item, const char *path)
{
	struct vg_output *o = x->o;
	bool tls = x->type == VG_OUT_HTTP ? !strncmp(o->address, "https://", 8) :
					    !strncmp(o->address, "tls://", 6);
	static const enum okey tls_keys[] = { K_CA, K_CERT, K_KEY, K_INSECURE };
	char full[96];

	if (x->type == VG_OUT_FILE && !x->at[K_PATH])
		cf_fail(c, item, path, "a file output needs a path");
	if (x->type != VG_OUT_FILE && !x->at[x->type == VG_OUT_HTTP ? K_URL : K_ADDRESS])
		cf_fail(c, item, path, "a %s output needs %s", type_names[x->type],
			x->type == VG_OUT_HTTP ? "a url" : "an address (udp://, tcp:// or tls://)");
	for (unsigned i = 0; o->address[0] && !tls && x->type != VG_OUT_FILE && i < 4; i++) {
		snprintf(full, sizeof(full), "%s.%s", path, out_keys[tls_keys[i]]);
		if (x->at[tls_keys[i]])
			cf_fail(c, x->at[tls_keys[i]], full, "only with a%s address",
				x->type == VG_OUT_HTTP ? "n https://" : " tls://");
	}
	if (!x->at[K_CERT] != !x->at[K_KEY])
		cf_fail(c, item, path, "cert_file and key_file go together");
	snprintf(full, sizeof(full), "%s.index", path);
	if (x->at[K_INDEX] && strcmp(o->format, "elasticsearch"))
		cf_fail(c, x->at[K_INDEX], full, "only for format: elasticsearch");
	if (!o->kinds)
		cf_fail(c, item, path, "sends nothing: set events, alerts or stats to true");
}

/* One item of the list; false when it could not even be typed. */
static bool cf_output(struct cf *c, const struct ynode *item, size_t i, unsigned *per_type,
		      const struct ynode **name_at)
{
	unsigned idx = c->cfg->noutputs;
	struct out_ctx x = { .o = &c->cfg->outputs[idx] };
	const struct ynode *t = item->kind == YNODE_MAP ? ynode__get(item, "type") : NULL;
	char path[32], full[48];
	const char *s;

	snprintf(path, sizeof(path), "outputs[%zu]", i);
	snprintf(full, sizeof(full), "%s.type", path);
	if (item->kind != YNODE_MAP)
		return cf_fail(c, item, path, "expected a mapping (type: file, syslog or http; ...)"), false;
	if (!t)
		return cf_fail(c, item, path, "no type: (file, syslog or http)"), false;
	if (cf_scalar(c, t, full, &s))
		return false;
	for (x.type = VG_OUT_FILE; x.type <= VG_OUT_HTTP && strcmp(s, type_names[x.type]); x.type++)
		;
	if (x.type > VG_OUT_HTTP)
		return cf_fail(c, t, full, "expected file, syslog or http"), false;
	out_defaults(x.o, x.type);
	cf_map(c, item, path, out_keys, out_key, &x);
	if (!x.o->name[0])
		snprintf(x.o->name, sizeof(x.o->name), "%s-%u", type_names[x.type], per_type[x.type]);
	per_type[x.type]++;
	out_check(c, &x, item, path);
	name_at[idx] = x.at[K_NAME] ? x.at[K_NAME] : item;
	return true;
}

void cf_outputs(struct cf *c, const struct ynode *v)
{
	struct vg_config *cfg = c->cfg;
	const struct ynode *name_at[VG_OUTPUTS_MAX];
	unsigned per_type[VG_OUT_HTTP + 1] = { 0, 1, 1, 1 };
	char path[32];

	cfg->noutputs = 0;
	if (v->kind != YNODE_SEQ) {
		cf_fail(c, v, "outputs", "expected a list of outputs (- type: file ...)");
		return;
	}
	for (size_t i = 0; i < v->n; i++) {
		if (i == VG_OUTPUTS_MAX) {
			cf_fail(c, v->kids[i], "outputs", "more than %d outputs", VG_OUTPUTS_MAX);
			break;
		}
		if (cf_output(c, v->kids[i], i, per_type, name_at))
			cfg->noutputs++;
	}
	for (unsigned j = 0; j < cfg->noutputs; j++) {
		snprintf(path, sizeof(path), "outputs[%u].name", j);
		if (!strcmp(cfg->outputs[j].name, "store"))
			cf_fail(c, name_at[j], path, "'store' is the evidence store's name");
		for (unsigned i = 0; i < j; i++)
			if (!strcmp(cfg->outputs[i].name, cfg->outputs[j].name))
				cf_fail(c, name_at[j], path, "'%s' is the name of outputs[%u] too",
					cfg->outputs[j].name, i);
	}
}
