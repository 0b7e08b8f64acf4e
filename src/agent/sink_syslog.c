/* SPDX-License-Identifier: Apache-2.0 */
/* The syslog forwarder: configuration and transports (sink_syslog.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "sink_net.h"
#include "sink_syslog.h"
#include "sink_syslog_int.h"
#include "sink_tls.h"

#define CHUNK_BYTES  (64u << 10) /* frames gathered into one write */
#define CHUNK_FRAMES 256
#define BUF_KEEP     (1u << 20) /* buffers a huge record grew past this are freed after use */

enum sl_proto { SL_UDP, SL_TCP, SL_TLS };

struct sink_syslog {
	struct syslog_fmt fmt;
	int proto; /* enum sl_proto */
	char name[64];
	char host[256], port[8];
	unsigned timeout_ms;
	struct sink_tls *tls; /* tls:// only */
	int fd;
	SSL *ssl;
	struct syslog_buf msg;	   /* one message */
	struct syslog_buf frames;  /* octet-counted frames of one write */
	size_t ends[CHUNK_FRAMES]; /* where each frame of `frames` ends */
	atomic_uint_least64_t truncated;
	char last_err[256]; /* the failure logged last: each distinct one is logged once */
};

static const struct {
	const char *prefix;
	int proto;
	const char *port; /* RFC 5426 / RFC 6587 / RFC 5425 well-known ports */
} sl_schemes[] = {
    {"udp://", SL_UDP, "514"},
    {"tcp://", SL_TCP, "514"},
    {"tls://", SL_TLS, "6514"},
};

/* ---- configuration ---- */

static int sl_parse_port(const char *p, char *port, size_t size)
{
	unsigned long v = 0;

	if (!*p || strlen(p) > 5 || strspn(p, "0123456789") != strlen(p))
		return -EINVAL;
	v = strtoul(p, NULL, 10);
	if (v < 1 || v > 65535)
		return -EINVAL;
	snprintf(port, size, "%lu", v);
	return 0;
}

/* HOST, [IPV6] or a name/IPv4 address, then optionally :PORT. Returns NULL or the problem. */
static const char *sl_parse_hostport(struct sink_syslog *s, const char *hp, const char *dport)
{
	const char *end, *rest;
	unsigned char a6[16];
	bool bracket = *hp == '[';
	size_t hlen;

	if (bracket) {
		end = strchr(hp, ']');
		if (!end)
			return "'[' without ']'";
		hp++;
		rest = end + 1;
	} else {
		end = hp + strcspn(hp, ":/?#");
		if (*end == ':' && strchr(end + 1, ':'))
			return "an IPv6 address must be in brackets, as in udp://[::1]:514";
		rest = end;
	}
	hlen = (size_t)(end - hp);
	if (!hlen)
		return "no host";
	if (hlen >= sizeof(s->host))
		return "host name too long";
	memcpy(s->host, hp, hlen);
	s->host[hlen] = '\0';
	if (bracket && inet_pton(AF_INET6, s->host, a6) != 1)
		return "not an IPv6 address in brackets";
	if (!bracket && strspn(s->host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					"0123456789.-_") != hlen)
		return "bad host name (letters, digits, '.', '-' and '_' only)";
	if (*rest && *rest != ':')
		return "unexpected text after the host (no path or query is allowed)";
	if (*rest == ':' && sl_parse_port(rest + 1, s->port, sizeof(s->port)) < 0)
		return "the port must be a number from 1 to 65535";
	if (!*rest)
		snprintf(s->port, sizeof(s->port), "%s", dport);
	return NULL;
}

static int sl_parse_address(struct sink_syslog *s, const char *addr, char *err, size_t errsz)
{
	const char *why = "expected udp://HOST:PORT, tcp://HOST:PORT or tls://HOST:PORT";

	if (!*addr) {
		snprintf(err, errsz, "syslog output \"%s\": address is required (%s)", s->name,
			 why + strlen("expected "));
		return -EINVAL;
	}

	for (size_t i = 0; i < sizeof(sl_schemes) / sizeof(sl_schemes[0]); i++) {
		size_t n = strlen(sl_schemes[i].prefix);

		if (strncmp(addr, sl_schemes[i].prefix, n) != 0)
			continue;
		s->proto = sl_schemes[i].proto;
		why = sl_parse_hostport(s, addr + n, sl_schemes[i].port);
		break;
	}
	if (!why)
		return 0;
	snprintf(err, errsz, "syslog output \"%s\": address \"%s\": %s", s->name, addr, why);
	return -EINVAL;
}

/* APP-NAME is 1 to 48 bytes of PRINTUSASCII (RFC 5424 6.2.5). */
static bool sl_app_name_ok(const char *a)
{
	size_t n = strlen(a);

	if (!n || n > SYSLOG_APPNAME_MAX)
		return false;
	for (; *a; a++)
		if ((unsigned char)*a < 33 || (unsigned char)*a > 126)
			return false;
	return true;
}

static int sl_parse_fields(struct sink_syslog *s, const struct vg_output *o, char *err,
			   size_t errsz)
{
	const char *app = o->app_name[0] ? o->app_name : "vigil";

	if (!o->format[0] || !strcmp(o->format, "rfc5424"))
		s->fmt.cef = false;
	else if (!strcmp(o->format, "cef"))
		s->fmt.cef = true;
	else {
		snprintf(err, errsz, "syslog output \"%s\": format \"%s\": expected rfc5424 or cef",
			 s->name, o->format);
		return -EINVAL;
	}
	if (o->facility < 0 || o->facility > 23) {
		snprintf(err, errsz, "syslog output \"%s\": facility %d: expected 0 to 23", s->name,
			 o->facility);
		return -EINVAL;
	}
	if (!sl_app_name_ok(app)) {
		snprintf(err, errsz,
			 "syslog output \"%s\": app_name \"%s\": expected 1 to 48 printable ASCII "
			 "characters, no spaces",
			 s->name, app);
		return -EINVAL;
	}
	s->fmt.facility = o->facility;
	snprintf(s->fmt.app_name, sizeof(s->fmt.app_name), "%s", app);
	return 0;
}

static int sl_setup_tls(struct sink_syslog *s, const struct vg_output *o, char *err, size_t errsz)
{
	struct sink_tls_opts to = {o->ca_file, o->cert_file, o->key_file, o->insecure};
	char why[512];

	if (s->proto != SL_TLS) {
		const char *f = o->ca_file[0]	  ? "ca_file"
				: o->cert_file[0] ? "cert_file"
				: o->key_file[0]  ? "key_file"
						  : NULL;
		if (!f)
			return 0;
		snprintf(err, errsz,
			 "syslog output \"%s\": %s is set but the address is not tls://", s->name,
			 f);
		return -EINVAL;
	}
	s->tls = sink_tls__new(&to, why, sizeof(why));
	if (s->tls)
		return 0;
	snprintf(err, errsz, "syslog output \"%s\": %s", s->name, why);
	return -EINVAL;
}

void *sink_syslog__new(const struct vg_output *o, const char *hostname, char *err, size_t errsz)
{
	struct sink_syslog *s = calloc(1, sizeof(*s));

	if (!s) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	s->fd = -1;
	atomic_init(&s->truncated, 0);
	snprintf(s->name, sizeof(s->name), "%s", o->name[0] ? o->name : "syslog");
	if (sl_parse_address(s, o->address, err, errsz) < 0 ||
	    sl_parse_fields(s, o, err, errsz) < 0 || sl_setup_tls(s, o, err, errsz) < 0) {
		sink_syslog_ops.free(s);
		return NULL;
	}
	s->timeout_ms = o->timeout_ms ? o->timeout_ms : SINK_SYSLOG_TIMEOUT_MS;
	syslog_fmt__hostname(s->fmt.hostname, sizeof(s->fmt.hostname), hostname);
	snprintf(s->fmt.procid, sizeof(s->fmt.procid), "%d", (int)getpid());
	return s;
}

/* ---- connection ---- */

/* Log a failure unless it is the one logged last: a peer that stays down is one line, not
 * one per retry (the sink logs "down" and "back" itself). Returns err. */
__attribute__((format(printf, 3, 4))) static int sl_fail(struct sink_syslog *s, int err,
							 const char *fmt, ...)
{
	char line[sizeof(s->last_err)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (strcmp(line, s->last_err) != 0) {
		log_warn("syslog output \"%s\" (%s:%s): %s", s->name, s->host, s->port, line);
		memcpy(s->last_err, line, sizeof(line));
	}
	return err;
}

static void sl_disconnect(void *impl)
{
	struct sink_syslog *s = impl;

	sink_tls__close(s->ssl);
	s->ssl = NULL;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static int sl_connect(void *impl)
{
	struct sink_syslog *s = impl;
	int type = s->proto == SL_UDP ? SOCK_DGRAM : SOCK_STREAM;
	char why[512];
	int err;

	sl_disconnect(s);
	s->fd = sink_net__connect(s->host, s->port, type, s->timeout_ms, why, sizeof(why));
	if (s->fd < 0) {
		err = s->fd;
		s->fd = -1;
		return sl_fail(s, err, "%s", why);
	}
	if (s->proto == SL_TLS) {
		err = sink_tls__handshake(s->tls, s->fd, s->host, s->timeout_ms, &s->ssl, why,
					  sizeof(why));
		if (err) {
			sl_disconnect(s);
			return sl_fail(s, err, "%s", why);
		}
	}
	s->last_err[0] = '\0';
	return 0;
}

/* ---- delivery ---- */

/* The longest prefix of p[0..max) that does not end inside a UTF-8 sequence. */
static size_t sl_utf8_cut(const char *p, size_t max)
{
	size_t n = max;

	for (int i = 0; i < 3 && n > 0 && ((unsigned char)p[n] & 0xc0) == 0x80; i++)
		n--;
	return ((unsigned char)p[n] & 0xc0) == 0x80 ? max : n;
}

static void sl_reset(struct syslog_buf *b)
{
	b->len = 0;
	b->err = 0;
}

static void sl_note_cut(struct sink_syslog *s, size_t len)
{
	if (atomic_fetch_add(&s->truncated, 1) == 0)
		log_warn(
		    "syslog output \"%s\": a message of %zu bytes was cut to %u bytes to fit a "
		    "datagram (use tcp:// or tls:// for long records; later cuts are only "
		    "counted)",
		    s->name, len, SINK_SYSLOG_UDP_MAX);
}

static int sl_send_udp(struct sink_syslog *s, struct out_rec *const *recs, size_t n,
		       unsigned *rejected)
{
	for (size_t i = 0; i < n; i++) {
		size_t len, written;
		int err;

		sl_reset(&s->msg);
		err = syslog_fmt__message(&s->fmt, recs[i], &s->msg);
		if (err)
			return i ? (int)i : err;
		len = s->msg.len;
		if (len > SINK_SYSLOG_UDP_MAX) {
			sl_note_cut(s, len);
			len = sl_utf8_cut(s->msg.p, SINK_SYSLOG_UDP_MAX);
		}
		err = sink_net__write(s->fd, s->msg.p, len, s->timeout_ms, &written);
		if (err == -EMSGSIZE) { /* can never go: not retried forever */
			(*rejected)++;
			continue;
		}
		/* ECONNREFUSED: an earlier datagram met a closed port (ICMP); this one was not
		 * sent, and a retry after a backoff is right */
		if (err) {
			sl_fail(s, err, "send: %s%s", strerror(-err),
				err == -ECONNREFUSED ? " (nothing listens at the port)" : "");
			return i ? (int)i : err;
		}
	}
	return (int)n;
}

/*
 * A write into a socket whose peer has just closed it succeeds: the kernel takes the bytes,
 * and only the peer's RST, later, says they were lost, while the batch was counted as
 * delivered. So before each batch, look whether the peer closed (a FIN waiting, or a TLS
 * close_notify), and if so have the sink reconnect first.
 */
static int sl_check_peer(struct sink_syslog *s)
{
	int closed;

	if (s->fd < 0)
		return -ENOTCONN;
	closed =
	    s->ssl ? sink_tls__peer_closed(s->ssl, s->fd) : sink_net__peer_closed(s->fd, false);
	if (!closed)
		return 0;
	sl_disconnect(s);
	return sl_fail(s, -ECONNRESET, "the peer closed the connection");
}

/* Append rec as "LEN SP MSG" (RFC 6587 octet counting); 0 or -ENOMEM, frames unchanged then. */
static int sl_add_frame(struct sink_syslog *s, const struct out_rec *rec)
{
	size_t before = s->frames.len;
	int err;

	sl_reset(&s->msg);
	err = syslog_fmt__message(&s->fmt, rec, &s->msg);
	if (!err) {
		syslog_buf__printf(&s->frames, "%zu ", s->msg.len);
		syslog_buf__put(&s->frames, s->msg.p, s->msg.len);
		err = s->frames.err;
	}
	if (err) {
		s->frames.len = before;
		s->frames.err = 0;
	}
	return err;
}

/* Gather frames from recs[0..n) into one chunk; how many, or -ENOMEM for none. */
static int sl_fill_chunk(struct sink_syslog *s, struct out_rec *const *recs, size_t n)
{
	size_t k = 0;
	int err = 0;

	sl_reset(&s->frames);
	while (k < n && k < CHUNK_FRAMES && (k == 0 || s->frames.len < CHUNK_BYTES)) {
		err = sl_add_frame(s, recs[k]);
		if (err)
			break;
		s->ends[k++] = s->frames.len;
	}
	return k ? (int)k : err;
}

static int sl_send_stream(struct sink_syslog *s, struct out_rec *const *recs, size_t n)
{
	size_t done = 0, written, j;
	int err = sl_check_peer(s), k;

	while (!err && done < n) {
		k = sl_fill_chunk(s, recs + done, n - done);
		if (k < 0) {
			err = k;
			break;
		}
		if (s->ssl)
			err = sink_tls__write(s->ssl, s->fd, s->frames.p, s->frames.len,
					      s->timeout_ms, &written);
		else
			err = sink_net__write(s->fd, s->frames.p, s->frames.len, s->timeout_ms,
					      &written);
		for (j = 0; j < (size_t)k && s->ends[j] <= written; j++)
			done++;
		if (err) {
			/* a frame may be half written: the stream cannot go on */
			if (err == -ETIMEDOUT)
				sl_fail(s, err, "write: the peer took nothing for %u ms",
					s->timeout_ms);
			else
				sl_fail(s, err, "write: %s", strerror(-err));
			sl_disconnect(s);
		}
	}
	return done ? (int)done : err;
}

static void sl_trim(struct syslog_buf *b)
{
	if (b->cap > BUF_KEEP)
		syslog_buf__free(b);
}

static int sl_send(void *impl, struct out_rec *const *recs, size_t n, unsigned *rejected)
{
	struct sink_syslog *s = impl;
	int ret;

	if (!n)
		return 0;
	if (s->fd < 0)
		return -ENOTCONN;
	ret = s->proto == SL_UDP ? sl_send_udp(s, recs, n, rejected) : sl_send_stream(s, recs, n);
	sl_trim(&s->msg);
	sl_trim(&s->frames);
	return ret;
}

static void sl_free(void *impl)
{
	struct sink_syslog *s = impl;

	if (!s)
		return;
	sl_disconnect(s);
	sink_tls__free(s->tls);
	syslog_buf__free(&s->msg);
	syslog_buf__free(&s->frames);
	free(s);
}

uint64_t sink_syslog__truncated(void *impl)
{
	struct sink_syslog *s = impl;

	return atomic_load(&s->truncated);
}

int sink_syslog__format(void *impl, const struct out_rec *rec, char **out, size_t *len)
{
	struct sink_syslog *s = impl;
	struct syslog_buf b = {0};
	int err = syslog_fmt__message(&s->fmt, rec, &b);

	if (err) {
		syslog_buf__free(&b);
		return err;
	}
	*out = b.p;
	*len = b.len;
	return 0;
}

const struct sink_ops sink_syslog_ops = {
    .kind = "syslog",
    .connect = sl_connect,
    .send = sl_send,
    .disconnect = sl_disconnect,
    .free = sl_free,
};
