/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small OpenSSL client for outputs that run their own protocol over TLS (syslog tls://;
 * reusable by any sink with its own socket): TLS 1.2 or later, the peer's certificate verified
 * against a CA file or the system store and its name or IP address checked unless insecure,
 * an optional client certificate. Works on non-blocking sockets (sink_net.h) with a time limit
 * on every wait.
 *
 * OpenSSL writes to the socket with write(2): the process must ignore SIGPIPE (vigil run
 * does), or a peer that closed would kill it.
 */
#ifndef VIGIL_SINK_TLS_H
#define VIGIL_SINK_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>

struct sink_tls_opts {
	const char *ca_file;   /* "" or NULL: the system's default CA store */
	const char *cert_file; /* client certificate chain (PEM); "" or NULL: none */
	const char *key_file;  /* its key (PEM); "" or NULL: in cert_file */
	bool insecure;	       /* no verification of the peer at all (tests only) */
};

struct sink_tls;

/* The context, with files loaded now so that a bad one is reported at start-up. NULL with
 * err saying which file and why. */
struct sink_tls *sink_tls__new(const struct sink_tls_opts *o, char *err, size_t errsz);
void sink_tls__free(struct sink_tls *t);

/* TLS over the connected non-blocking socket fd to host (a name or an address literal, for
 * SNI and verification), within timeout_ms. 0 with *out set, or a negative errno with err
 * saying why (-EPROTO: the handshake or the verification failed). */
int sink_tls__handshake(struct sink_tls *t, int fd, const char *host, unsigned timeout_ms,
			SSL **out, char *err, size_t errsz);

/* As sink_net__write, through TLS. *written counts bytes the TLS layer took. */
int sink_tls__write(SSL *ssl, int fd, const void *buf, size_t len, unsigned timeout_ms,
		    size_t *written);

/* As sink_net__peer_closed: 1 when the peer closed (close_notify, FIN, reset or a broken
 * record), else 0. Records the peer sent (TLS 1.3 session tickets) are processed. */
int sink_tls__peer_closed(SSL *ssl, int fd);

/* Free the session without waiting for the peer (the socket is the caller's to close). */
void sink_tls__close(SSL *ssl);

#endif /* VIGIL_SINK_TLS_H */
