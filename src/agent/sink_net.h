/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Plain sockets for outputs that run their own protocol (syslog; reusable by any sink): a
 * connect with a time limit, writes that wait at most a time limit for progress, and a check
 * that a connected stream's peer is still there. Sockets are non-blocking throughout, so no
 * call blocks past its limit; writes use MSG_NOSIGNAL, a dead peer is an error, not SIGPIPE.
 */
#ifndef VIGIL_SINK_NET_H
#define VIGIL_SINK_NET_H

#include <stdbool.h>
#include <stddef.h>

/* Resolve host:port and connect a non-blocking socket of socktype (SOCK_STREAM or
 * SOCK_DGRAM), trying every address in turn within timeout_ms in all. Returns the fd, or a
 * negative errno with err saying what failed ("connect 127.0.0.1:514: Connection refused"). */
int sink_net__connect(const char *host, const char *port, int socktype, unsigned timeout_ms,
		      char *err, size_t errsz);

/* Wait until fd is ready for events (POLLIN, POLLOUT); 0, -ETIMEDOUT or negative errno. */
int sink_net__wait(int fd, short events, unsigned timeout_ms);

/* Write buf[0..len) to a connected socket, waiting at most timeout_ms each time it accepts
 * nothing. *written is how many bytes went out, also on error. 0 or negative errno. */
int sink_net__write(int fd, const void *buf, size_t len, unsigned timeout_ms, size_t *written);

/*
 * Whether the peer of a connected stream closed it, without blocking: 1 closed (or reset),
 * 0 still open. Bytes the peer sent are read and discarded unless peek_only; with peek_only
 * (a TLS stream, whose records the TLS layer must read) 2 means bytes are waiting.
 */
int sink_net__peer_closed(int fd, bool peek_only);

/* True when s is an IPv4 or IPv6 address literal (no brackets). */
bool sink_net__is_ip(const char *s);

#endif /* VIGIL_SINK_NET_H */
