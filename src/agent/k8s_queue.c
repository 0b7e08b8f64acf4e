/* SPDX-License-Identifier: Apache-2.0 */
/* Bounded update queue from the watch thread to the main thread (k8s_queue.h). */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "k8s_pod.h"
#include "k8s_queue.h"

int k8s_queue__init(struct k8s_queue *q, size_t cap)
{
	int rc;

	*q = (struct k8s_queue){ .cap = cap, .efd = -1 };
	if (!cap)
		return -EINVAL;
	q->ring = calloc(cap, sizeof(*q->ring));
	if (!q->ring)
		return -ENOMEM;
	q->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (q->efd < 0) {
		rc = -errno;
		free(q->ring);
		q->ring = NULL;
		return rc;
	}
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->not_full, NULL);
	return 0;
}

void k8s_queue__destroy(struct k8s_queue *q)
{
	if (!q->ring)
		return;
	for (size_t i = 0; i < q->len; i++)
		k8s_pod__free(q->ring[(q->head + i) % q->cap].pod);
	free(q->ring);
	q->ring = NULL;
	close(q->efd);
	pthread_cond_destroy(&q->not_full);
	pthread_mutex_destroy(&q->lock);
}

static void queue__signal(int efd)
{
	uint64_t one = 1;

	/* EAGAIN only if the counter is near 2^64: it is readable then, which is all we want */
	if (write(efd, &one, sizeof(one)) < 0)
		return;
}

int k8s_queue__push(struct k8s_queue *q, enum k8s_op op, struct k8s_pod *pod)
{
	pthread_mutex_lock(&q->lock);
	if (q->len == q->cap && !q->closed)
		q->full_waits++;
	while (q->len == q->cap && !q->closed)
		pthread_cond_wait(&q->not_full, &q->lock);
	if (q->closed) {
		pthread_mutex_unlock(&q->lock);
		return -ECANCELED;
	}
	q->ring[(q->head + q->len) % q->cap] = (struct k8s_update){op, pod};
	q->len++;
	pthread_mutex_unlock(&q->lock);
	queue__signal(q->efd);
	return 0;
}

void k8s_queue__close(struct k8s_queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->closed = true;
	pthread_cond_broadcast(&q->not_full);
	pthread_mutex_unlock(&q->lock);
}

size_t k8s_queue__pop(struct k8s_queue *q, struct k8s_update *out, size_t max)
{
	uint64_t cnt;
	size_t n = 0;
	bool more;

	/* clear the eventfd first: a push after this point sets it again */
	if (read(q->efd, &cnt, sizeof(cnt)) < 0)
		cnt = 0;
	pthread_mutex_lock(&q->lock);
	while (n < max && q->len) {
		out[n++] = q->ring[q->head];
		q->head = (q->head + 1) % q->cap;
		q->len--;
	}
	more = q->len > 0;
	if (n)
		pthread_cond_signal(&q->not_full);
	pthread_mutex_unlock(&q->lock);
	if (more)
		queue__signal(q->efd); /* still readable: the caller's poll comes back */
	return n;
}

uint64_t k8s_queue__full_waits(struct k8s_queue *q)
{
	uint64_t n;

	pthread_mutex_lock(&q->lock);
	n = q->full_waits;
	pthread_mutex_unlock(&q->lock);
	return n;
}
