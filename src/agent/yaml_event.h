/* SPDX-License-Identifier: Apache-2.0 */
/* What the two libyaml readers (yamljson.c, ynode.c) share about libyaml's events. */
#ifndef VIGIL_YAML_EVENT_H
#define VIGIL_YAML_EVENT_H

#include <yaml.h>

/* The anchor an event defines, or NULL: both readers refuse anchors and aliases, so that a
 * small file cannot expand into a huge tree. */
static inline const char *vg_yaml_anchor(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return (const char *)ev->data.scalar.anchor;
	case YAML_SEQUENCE_START_EVENT:
		return (const char *)ev->data.sequence_start.anchor;
	case YAML_MAPPING_START_EVENT:
		return (const char *)ev->data.mapping_start.anchor;
	default:
		return NULL;
	}
}

#endif /* VIGIL_YAML_EVENT_H */
