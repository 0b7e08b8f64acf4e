/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The watcher's hand-over queue: a bounded ring of (op, pod) updates from the watch thread
 * to the main thread, with an eventfd that is readable while updates wait. A full queue
 * makes the producer wait (counted): dropping an update would leave the pod cache wrong
 * until the next relist, and the API server holds the rest of the stream meanwhile.
 */
#ifndef VIGIL_K8S_QUEUE_H
#define VIGIL_K8S_QUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "k8s_watch.h"

struct k8s_update {
	enum k8s_op op;
	struct k8s_pod *pod;
};

struct k8s_queue {
	pthread_mutex_t lock;
	pthread_cond_t not_full;
	struct k8s_update *ring;
	size_t cap, head, len;
	int efd;	     /* eventfd, readable while len > 0 */
	bool closed;	     /* pushes fail, waiting producers return */
	uint64_t full_waits; /* pushes that found the queue full */
};

int k8s_queue__init(struct k8s_queue *q, size_t cap);
/* Frees the pods still queued. */
void k8s_queue__destroy(struct k8s_queue *q);
/* Append, waiting while full. -ECANCELED once closed: the caller still owns pod. */
int k8s_queue__push(struct k8s_queue *q, enum k8s_op op, struct k8s_pod *pod);
/* Wake and refuse producers from now on. Any thread. */
void k8s_queue__close(struct k8s_queue *q);
/* Take up to max updates in order; returns how many. */
size_t k8s_queue__pop(struct k8s_queue *q, struct k8s_update *out, size_t max);
uint64_t k8s_queue__full_waits(struct k8s_queue *q);

#endif /* VIGIL_K8S_QUEUE_H */
