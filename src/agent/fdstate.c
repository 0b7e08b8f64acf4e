/* SPDX-License-Identifier: Apache-2.0 */
/* The agent's fd state. Until the fd table lands this keeps nothing and describes every fd
 * as unknown (null), which is what the output says for an fd vigil has not seen. */
#include "agent.h"

void agent_fd_opened(struct agent *a, uint32_t tgid, int32_t fd, const char *what,
		     uint32_t ino_mode, bool cloexec)
{
	(void)a, (void)tgid, (void)fd, (void)what, (void)ino_mode, (void)cloexec;
}

void agent_fd_socket(struct agent *a, uint32_t tgid, int32_t fd, const struct vg_net *n,
		     bool cloexec)
{
	(void)a, (void)tgid, (void)fd, (void)n, (void)cloexec;
}

void agent_fd_dup(struct agent *a, uint32_t tgid, int32_t oldfd, int32_t newfd, bool cloexec)
{
	(void)a, (void)tgid, (void)oldfd, (void)newfd, (void)cloexec;
}

void agent_fd_closed(struct agent *a, uint32_t tgid, int32_t fd)
{
	(void)a, (void)tgid, (void)fd;
}

void agent_fd_describe(struct agent *a, const char *key, uint32_t tgid, int32_t fd)
{
	(void)tgid, (void)fd;
	json_key(&a->json, key);
	json_raw(&a->json, "null");
}
