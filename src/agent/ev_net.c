/* SPDX-License-Identifier: Apache-2.0 */
/* Placeholder until the net event handler lands: records are counted as malformed. */
#include <errno.h>

#include "agent.h"

int agent_on_net(struct agent *a, const struct vg_net *r, size_t size)
{
	(void)a, (void)r, (void)size;
	return -EINVAL;
}
