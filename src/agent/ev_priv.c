/* SPDX-License-Identifier: Apache-2.0 */
/* Placeholder until the priv event handler lands: records are counted as malformed. */
#include <errno.h>

#include "agent.h"

int agent_on_priv(struct agent *a, const struct vg_priv *r, size_t size)
{
	(void)a, (void)r, (void)size;
	return -EINVAL;
}
