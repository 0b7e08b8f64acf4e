/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The syscalls busybox cannot make, for the rule tests (tests/integration/test_rules_stable.py).
 * Built static at test time and copied into the container's rootfs; one binary, the mode is the
 * first argument, or "ssh" when it is run under that name. Every mode exits 0 when it made its
 * calls (their results, errors included, are printed), 2 on bad usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void report(const char *what, long r)
{
	fprintf(stderr, "%s: %ld%s%s\n", what, r, r < 0 ? " " : "", r < 0 ? strerror(errno) : "");
}

/* A child that only waits to be traced or killed. */
static pid_t sleeper(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* A debugger's attach, or (peek) a request that neither attaches nor writes. */
static int do_ptrace(int attach)
{
	pid_t child = sleeper();
	if (attach) {
		report("PTRACE_ATTACH", ptrace(PTRACE_ATTACH, child, 0, 0));
		waitpid(child, NULL, 0);
		report("PTRACE_DETACH", ptrace(PTRACE_DETACH, child, 0, 0));
	} else {
		report("PTRACE_PEEKDATA", ptrace(PTRACE_PEEKDATA, child, 0, 0));
	}
	reap(child);
	return 0;
}

static int tcp_connect(const char *host, int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	int s = socket(AF_INET, SOCK_STREAM, 0);
	inet_pton(AF_INET, host, &a.sin_addr);
	report("connect", connect(s, (struct sockaddr *)&a, sizeof(a)));
	return s;
}

/* Connect to HOST PORT, then dup2 the socket onto each FD given: a reverse shell's plumbing. */
static int do_connect(int argc, char **argv)
{
	if (argc < 4)
		return 2;
	int s = tcp_connect(argv[2], atoi(argv[3]));
	for (int i = 4; i < argc; i++)
		report("dup2", dup2(s, atoi(argv[i])));
	return 0;
}

/* An ssh client's connection, with its server in the same network namespace: listen on
 * HOST:PORT, connect to it. */
static int do_ssh(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[2]))};
	int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	inet_pton(AF_INET, argv[1], &a.sin_addr);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	report("bind", bind(l, (struct sockaddr *)&a, sizeof(a)));
	report("listen", listen(l, 1));
	close(tcp_connect(argv[1], atoi(argv[2])));
	close(l);
	return 0;
}

/* Copy file src into fd. */
static int copy_into(const char *src, int fd)
{
	char buf[65536];
	ssize_t n;
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(fd, buf, n) != n)
			return -1;
	close(in);
	return n < 0 ? -1 : 0;
}

/* Run src's copy through its fd, as fexecve does: in a memfd (memexec SRC ARGV...), or in the
 * regular file dst (fileexec SRC DST ARGV...). */
static int do_fdexec(int memfd, int argc, char **argv)
{
	int first = memfd ? 3 : 4;
	if (argc <= first)
		return 2;
	int fd;
	if (memfd) {
		fd = memfd_create("payload", MFD_CLOEXEC);
	} else {
		fd = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
		if (fd >= 0 && copy_into(argv[2], fd) == 0) {
			close(fd);
			fd = open(argv[3], O_RDONLY | O_CLOEXEC);
		}
	}
	if (fd < 0 || (memfd && copy_into(argv[2], fd) < 0)) {
		report("payload", -1);
		return 1;
	}
	report("execveat", syscall(SYS_execveat, fd, "", argv + first, environ, AT_EMPTY_PATH));
	return 1;
}

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');
	if (strcmp(base ? base + 1 : argv[0], "ssh") == 0)
		return do_ssh(argc, argv);
	if (argc < 2)
		return 2;
	const char *m = argv[1];
	if (!strcmp(m, "packet"))
		report("socket", socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)));
	else if (!strcmp(m, "udp"))
		report("socket", socket(AF_INET, SOCK_DGRAM, 0));
	else if (!strcmp(m, "attach") || !strcmp(m, "peek"))
		return do_ptrace(!strcmp(m, "attach"));
	else if (!strcmp(m, "traceme"))
		report("PTRACE_TRACEME", ptrace(PTRACE_TRACEME, 0, 0, 0));
	else if (!strcmp(m, "connect"))
		return do_connect(argc, argv);
	else if (!strcmp(m, "memexec") || !strcmp(m, "fileexec"))
		return do_fdexec(!strcmp(m, "memexec"), argc, argv);
	else if (!strcmp(m, "finit") && argc > 2)
		report("finit_module", syscall(SYS_finit_module, open(argv[2], O_RDONLY), "", 0));
	else
		return 2;
	return 0;
}
