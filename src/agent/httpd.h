/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pieces of a minimal HTTP/1.1 server (metrics.c uses them): listen address parsing,
 * reading one request with a deadline and a size cap, writing one response. Blocking sockets,
 * one request per connection (Connection: close), no request bodies.
 */
#ifndef VIGIL_HTTPD_H
#define VIGIL_HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define HTTPD_REQ_MAX 8192 /* request line and headers, at most */
#define HTTPD_TIMEOUT_MS 2000 /* to receive a request, and to send its response */

/* "HOST:PORT" -> address. HOST: an IPv4 address, [an IPv6 address], "localhost"
 * (127.0.0.1) or empty (0.0.0.0, all IPv4 interfaces); PORT 0..65535. 0 or -EINVAL with
 * the reason in err. */
int httpd__parse_addr(const char *spec, struct sockaddr_storage *ss, socklen_t *len, char *err,
		      size_t errsz);
/* A listening, non-blocking, close-on-exec socket on spec (SO_REUSEADDR), or a negative
 * errno with the reason in err. *port gets the bound port (useful with port 0). */
int httpd__listen(const char *spec, int *port, char *err, size_t errsz);

struct http_req {
	char method[16];
	char path[1024]; /* without the query string */
};

/* Read one request from fd within HTTPD_TIMEOUT_MS. Returns an HTTP status: 200 for a request
 * to answer, else the error status to send (400 garbage, 408 too slow, 414 URI too long, 431
 * too large, 505 not HTTP/1.x), or 0 when there is nothing to send: the peer went away or
 * sent nothing in time, or cancel_fd (>= 0) became readable. */
int httpd__read_request(int fd, int cancel_fd, struct http_req *req);
/* Write a whole response (Connection: close); body is left out for HEAD. extra_headers: ""
 * or lines each ending in "\r\n". 0 or negative errno. */
int httpd__respond(int fd, int status, const char *ctype, const char *extra_headers,
		   const char *body, size_t len, bool head);
/* Half-close and discard what the peer still sends (briefly), so the close does not reset
 * the connection before the peer read its response. Closes fd. */
void httpd__close(int fd);
const char *httpd__reason(int status);

#endif /* VIGIL_HTTPD_H */
