/*
 * killbench: how fast an enforcement rule kills, and whether anything leaks first.
 *
 *   killbench kernel N PATH   a child opens PATH, then reads it and writes what it read to a
 *                             pipe; vigil's kernel path kills it at the open's entry
 *   killbench user N PATH     a child opens PATH, then makes syscalls until it is killed;
 *                             vigil's user-space path (doom map + pidfd) kills it
 *
 * Times are from just before the child's open to the parent's waitpid() returning, so they
 * include the child's death and the parent's wake-up. Prints per mode: runs, killed, leaked
 * bytes (read through the pipe), p50/p99/max in microseconds.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

static void child(int user, const char *path, int wfd, volatile unsigned long long *t0)
{
	char buf[256];
	ssize_t n;
	int fd;

	*t0 = now_ns();
	fd = open(path, O_RDONLY);
	if (fd < 0)
		_exit(3);
	if (user) {
		for (int i = 0; i < 2000000; i++) /* syscalls until doomed; ~2 s at most */
			getppid();
		_exit(0);
	}
	n = read(fd, buf, sizeof(buf));
	if (n > 0 && write(wfd, buf, n) != n)
		_exit(4);
	_exit(0);
}

int main(int argc, char **argv)
{
	unsigned long long *lat, *t0;
	long n, killed = 0, leaked = 0;
	int user;

	if (argc != 4 || (strcmp(argv[1], "kernel") && strcmp(argv[1], "user"))) {
		fprintf(stderr, "usage: killbench kernel|user N PATH\n");
		return 2;
	}
	user = !strcmp(argv[1], "user");
	n = atol(argv[2]);
	lat = calloc(n > 0 ? n : 1, sizeof(*lat));
	t0 = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (n <= 0 || !lat || t0 == MAP_FAILED)
		return 2;
	for (long i = 0; i < n; i++) {
		int p[2], st;
		char buf[256];
		ssize_t r;
		pid_t pid;

		if (pipe(p))
			return 1;
		if ((pid = fork()) == 0) {
			close(p[0]);
			child(user, argv[3], p[1], t0);
		}
		close(p[1]);
		waitpid(pid, &st, 0);
		lat[i] = now_ns() - *t0;
		while ((r = read(p[0], buf, sizeof(buf))) > 0)
			leaked += r;
		close(p[0]);
		killed += WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
	}
	qsort(lat, n, sizeof(*lat), cmp);
	printf("mode=%s runs=%ld killed=%ld leaked_bytes=%ld p50_us=%.1f p99_us=%.1f max_us=%.1f\n",
	       argv[1], n, killed, leaked, lat[n / 2] / 1e3, lat[(n * 99) / 100] / 1e3,
	       lat[n - 1] / 1e3);
	return 0;
}
