/*
 * connectstorm: TCP connect + close to a listener on 127.0.0.1, N times from P workers, timed.
 * The storm brings its own listener: threads of the parent process accept each connection and
 * close it; the worker waits for that close, then closes too. One iteration is a socket, a
 * connect, an accept, a read and two closes, and walks both ends through the TCP states: the
 * network hooks, with no process churn.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "storm.h"

#define ACCEPT_WAIT_S 10 /* how long the listener may lag behind the last connect */

static const char usage[] =
    "usage: connectstorm [-n N] [-p P]\n"
    "  TCP connect to a listener of its own on 127.0.0.1, wait for its close and close, N times\n"
    "  (default 20000) from P parallel workers (default 2); as many threads accept and close.\n"
    "  Prints connects= wall_s= per_connect_us= rate_per_s=.\n";

struct listener {
	int fd;
	struct sockaddr_in addr; /* where the workers connect: 127.0.0.1, a kernel-chosen port */
	atomic_long accepted;	 /* connections accepted and closed, all threads */
	atomic_int err;		 /* first accept error (positive errno), 0 if none */
};

/* Accept and close until the process exits; a hard error stops this thread and is kept. */
static void *accept_loop(void *arg)
{
	struct listener *l = arg;

	for (;;) {
		int c = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			int none = 0;
			atomic_compare_exchange_strong(&l->err, &none, errno);
			return NULL;
		}
		close(c);
		atomic_fetch_add(&l->accepted, 1);
	}
}

/*
 * Listen on 127.0.0.1 (port chosen by the kernel) with the largest backlog allowed, so that
 * a listener a little behind never drops a handshake (a dropped SYN costs a 1 s retransmit),
 * and start @threads accepting threads. Returns 0 or a negative errno, after a message.
 */
static int listener__start(struct listener *l, int threads)
{
	socklen_t len = sizeof(l->addr);

	l->addr =
	    (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	l->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l->fd < 0 || bind(l->fd, (struct sockaddr *)&l->addr, sizeof(l->addr)) ||
	    listen(l->fd, SOMAXCONN) || getsockname(l->fd, (struct sockaddr *)&l->addr, &len)) {
		fprintf(stderr, "connectstorm: listening on 127.0.0.1: %s\n", strerror(errno));
		return -errno;
	}
	for (int i = 0; i < threads; i++) {
		pthread_t t;
		int err = pthread_create(&t, NULL, accept_loop, l);
		if (err) {
			fprintf(stderr, "connectstorm: starting the listener: %s\n", strerror(err));
			return -err;
		}
		pthread_detach(t);
	}
	return 0;
}

static int connect_once(const struct sockaddr_in *addr)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		fprintf(stderr, "connectstorm: socket: %s\n", strerror(errno));
		return -errno;
	}
	if (connect(s, (const struct sockaddr *)addr, sizeof(*addr))) {
		int err = errno;
		fprintf(stderr, "connectstorm: connect 127.0.0.1:%u: %s\n", ntohs(addr->sin_port),
			strerror(err));
		close(s);
		return -err;
	}
	/*
	 * Wait for the listener's close (EOF) before closing: the side that closes first keeps
	 * the connection in TIME_WAIT for 60 s, and on the client that would be the ephemeral
	 * port, which every later connect must search past. Run after run the search grows and
	 * the storm slows down whatever is attached; on the listener's side it costs nothing.
	 */
	char byte;
	ssize_t r;
	while ((r = read(s, &byte, 1)) < 0 && errno == EINTR)
		;
	if (r != 0) {
		fprintf(stderr, "connectstorm: waiting for the listener's close: %s\n",
			r < 0 ? strerror(errno) : "unexpected data");
		close(s);
		return r < 0 ? -errno : -EPROTO;
	}
	if (close(s)) {
		fprintf(stderr, "connectstorm: close: %s\n", strerror(errno));
		return -errno;
	}
	return 0;
}

static int connect_batch(long count, void *arg)
{
	for (long i = 0; i < count; i++) {
		int err = connect_once(arg);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Wait (untimed, after the storm) until the listener has accepted @want connections: a
 * connection the workers made but nobody accepted means the run did not do what it says.
 */
static int listener__drain(struct listener *l, long want)
{
	struct timespec tick = {.tv_nsec = 10 * 1000 * 1000};

	for (int i = 0; i < ACCEPT_WAIT_S * 100; i++) {
		if (atomic_load(&l->err))
			break;
		if (atomic_load(&l->accepted) >= want)
			return 0;
		nanosleep(&tick, NULL);
	}
	if (atomic_load(&l->err))
		fprintf(stderr, "connectstorm: accept: %s\n", strerror(atomic_load(&l->err)));
	fprintf(stderr, "connectstorm: %ld of %ld connections accepted\n",
		atomic_load(&l->accepted), want);
	return -EPROTO;
}

int main(int argc, char **argv)
{
	struct storm_opts o = {.prog = "connectstorm", .noun = "connect", .n = 20000, .workers = 2};
	static struct listener l;
	int help;

	int first = storm__parse(argc, argv, &o, usage, &help);
	if (first < 0)
		return help ? 0 : 2;
	if (first != argc) {
		fprintf(stderr, "%s", usage);
		return 2;
	}
	if (listener__start(&l, o.workers))
		return 1;
	/* Fail before timing, with one clear message, if loopback TCP does not work. */
	if (connect_once(&l.addr))
		return 1;
	if (storm__run(&o, connect_batch, &l.addr))
		return 1;
	/* The line is out already; a non-zero status tells the driver to discard it. */
	return listener__drain(&l, o.n + 1) ? 1 : 0;
}
