/* SPDX-License-Identifier: Apache-2.0 */
/* TLS clients for outputs over OpenSSL (sink_tls.h). */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "sink_net.h"
#include "sink_tls.h"

struct sink_tls {
	SSL_CTX *ctx;
	bool insecure;
};

static bool tls_set(const char *s)
{
	return s && *s;
}

static uint64_t tls_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* OpenSSL's reason for the first error queued (the root cause; later ones only say which
 * call failed), then an empty queue for the next operation of this thread. */
static const char *tls_reason(char *buf, size_t size)
{
	unsigned long e = ERR_peek_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	if (r)
		snprintf(buf, size, "%s", r);
	else if (e)
		ERR_error_string_n(e, buf, size);
	else
		snprintf(buf, size, "unknown error");
	ERR_clear_error();
	return buf;
}

/* A file named in the configuration must be readable: say so plainly rather than through
 * OpenSSL's "system library" error chain. */
static int tls_check_file(const char *field, const char *path, char *err, size_t errsz)
{
	if (access(path, R_OK) == 0)
		return 0;
	snprintf(err, errsz, "%s %s: %s", field, path, strerror(errno));
	return -errno;
}

static int tls_load_ca(struct sink_tls *t, const struct sink_tls_opts *o, char *err, size_t errsz)
{
	char why[256];

	if (o->insecure) {
		SSL_CTX_set_verify(t->ctx, SSL_VERIFY_NONE, NULL);
		return 0;
	}
	SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, NULL);
	if (!tls_set(o->ca_file)) {
		if (SSL_CTX_set_default_verify_paths(t->ctx) == 1)
			return 0;
		snprintf(err, errsz, "system CA store: %s", tls_reason(why, sizeof(why)));
		return -EINVAL;
	}
	if (tls_check_file("ca_file", o->ca_file, err, errsz) < 0)
		return -EINVAL;
	if (SSL_CTX_load_verify_locations(t->ctx, o->ca_file, NULL) == 1)
		return 0;
	snprintf(err, errsz, "ca_file %s: %s", o->ca_file, tls_reason(why, sizeof(why)));
	return -EINVAL;
}

static int tls_load_cert(struct sink_tls *t, const struct sink_tls_opts *o, char *err, size_t errsz)
{
	const char *key = tls_set(o->key_file) ? o->key_file : o->cert_file;
	char why[256];

	if (!tls_set(o->cert_file)) {
		if (!tls_set(o->key_file))
			return 0;
		snprintf(err, errsz, "key_file %s is set but cert_file is not", o->key_file);
		return -EINVAL;
	}
	if (tls_check_file("cert_file", o->cert_file, err, errsz) < 0 ||
	    tls_check_file("key_file", key, err, errsz) < 0)
		return -EINVAL;
	if (SSL_CTX_use_certificate_chain_file(t->ctx, o->cert_file) != 1) {
		snprintf(err, errsz, "cert_file %s: %s", o->cert_file,
			 tls_reason(why, sizeof(why)));
		return -EINVAL;
	}
	if (SSL_CTX_use_PrivateKey_file(t->ctx, key, SSL_FILETYPE_PEM) != 1) {
		snprintf(err, errsz, "key_file %s: %s", key, tls_reason(why, sizeof(why)));
		return -EINVAL;
	}
	if (SSL_CTX_check_private_key(t->ctx) != 1) {
		snprintf(err, errsz, "key_file %s does not match cert_file %s", key, o->cert_file);
		ERR_clear_error();
		return -EINVAL;
	}
	return 0;
}

struct sink_tls *sink_tls__new(const struct sink_tls_opts *o, char *err, size_t errsz)
{
	struct sink_tls *t = calloc(1, sizeof(*t));
	char why[256];

	if (!t) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	t->insecure = o->insecure;
	ERR_clear_error();
	t->ctx = SSL_CTX_new(TLS_client_method());
	if (!t->ctx || SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION) != 1) {
		snprintf(err, errsz, "TLS context: %s", tls_reason(why, sizeof(why)));
		goto fail;
	}
	/* partial writes: after a time-out the caller learns how much of a batch went out */
	SSL_CTX_set_mode(t->ctx,
			 SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (tls_load_ca(t, o, err, errsz) < 0 || tls_load_cert(t, o, err, errsz) < 0)
		goto fail;
	return t;
fail:
	sink_tls__free(t);
	return NULL;
}

void sink_tls__free(struct sink_tls *t)
{
	if (!t)
		return;
	SSL_CTX_free(t->ctx);
	free(t);
}

/* SNI for a name (not allowed for an address), and the identity the certificate must show. */
static int tls_set_peer(SSL *ssl, const char *host, bool insecure)
{
	bool ip = sink_net__is_ip(host);

	if (!ip && SSL_set_tlsext_host_name(ssl, host) != 1)
		return -EINVAL;
	if (insecure)
		return 0;
	if (ip)
		return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) == 1 ? 0 : -EINVAL;
	return SSL_set1_host(ssl, host) == 1 ? 0 : -EINVAL;
}

/* After an SSL call returned r (errno then was e): wait for what it needs, up to
 * timeout_ms. 0 to call it again, else a negative errno. */
static int tls_wait(SSL *ssl, int fd, int r, int e, unsigned timeout_ms)
{
	switch (SSL_get_error(ssl, r)) {
	case SSL_ERROR_WANT_READ:
		return sink_net__wait(fd, POLLIN, timeout_ms);
	case SSL_ERROR_WANT_WRITE:
		return sink_net__wait(fd, POLLOUT, timeout_ms);
	case SSL_ERROR_ZERO_RETURN:
		return -ECONNRESET;
	case SSL_ERROR_SYSCALL:
		return e ? -e : -ECONNRESET;
	default:
		return -EPROTO;
	}
}

static void tls_describe(SSL *ssl, int rc, char *err, size_t errsz)
{
	long v = SSL_get_verify_result(ssl);
	char why[256];

	if (v != X509_V_OK)
		snprintf(err, errsz, "certificate verification failed: %s",
			 X509_verify_cert_error_string(v));
	else if (rc == -EPROTO)
		snprintf(err, errsz, "TLS handshake: %s", tls_reason(why, sizeof(why)));
	else
		snprintf(err, errsz, "TLS handshake: %s", strerror(-rc));
	ERR_clear_error();
}

int sink_tls__handshake(struct sink_tls *t, int fd, const char *host, unsigned timeout_ms,
			SSL **out, char *err, size_t errsz)
{
	uint64_t deadline = tls_now_ms() + timeout_ms;
	SSL *ssl = SSL_new(t->ctx);
	int rc;

	ERR_clear_error();
	if (!ssl || SSL_set_fd(ssl, fd) != 1 || tls_set_peer(ssl, host, t->insecure) < 0) {
		snprintf(err, errsz, "TLS session for %s: out of memory or bad host name", host);
		SSL_free(ssl);
		return -ENOMEM;
	}
	for (;;) {
		uint64_t now = tls_now_ms();
		int r, e;

		errno = 0;
		r = SSL_connect(ssl);
		e = errno;
		if (r == 1)
			break;
		rc = now < deadline ? tls_wait(ssl, fd, r, e, (unsigned)(deadline - now))
				    : -ETIMEDOUT;
		if (rc < 0) {
			tls_describe(ssl, rc, err, errsz);
			SSL_free(ssl);
			return rc;
		}
	}
	*out = ssl;
	return 0;
}

int sink_tls__write(SSL *ssl, int fd, const void *buf, size_t len, unsigned timeout_ms,
		    size_t *written)
{
	const char *p = buf;
	size_t off = 0;
	int err = 0;

	while (off < len) {
		size_t n = 0;
		int r, e;

		ERR_clear_error();
		errno = 0;
		r = SSL_write_ex(ssl, p + off, len - off, &n);
		e = errno;
		if (r == 1) {
			off += n;
			continue;
		}
		err = tls_wait(ssl, fd, r, e, timeout_ms);
		if (err)
			break;
	}
	ERR_clear_error();
	*written = off;
	return err;
}

int sink_tls__peer_closed(SSL *ssl, int fd)
{
	char scratch[1024];

	for (int i = 0; i < 16; i++) {
		int st = sink_net__peer_closed(fd, true);
		size_t n;
		int r;

		if (st != 2 && !SSL_has_pending(ssl))
			return st;
		/* a record waits: a close_notify, a session ticket, or data we drop */
		ERR_clear_error();
		r = SSL_read_ex(ssl, scratch, sizeof(scratch), &n);
		if (r == 1)
			continue;
		switch (SSL_get_error(ssl, r)) {
		case SSL_ERROR_WANT_READ:
		case SSL_ERROR_WANT_WRITE:
			continue;
		default:
			ERR_clear_error();
			return 1;
		}
	}
	return 0;
}

void sink_tls__close(SSL *ssl)
{
	if (!ssl)
		return;
	/* one close_notify, not waiting for the peer's (OpenSSL sends nothing after a fatal
	 * error); the socket is non-blocking, so this cannot hang */
	if (SSL_is_init_finished(ssl))
		(void)SSL_shutdown(ssl);
	ERR_clear_error();
	SSL_free(ssl);
}
