/* SPDX-License-Identifier: Apache-2.0 */
/* flagnames.h's tables for the replay's files, which use json-c and so cannot include it
 * (vigil's json.h has a json_bool function, json-c a json_bool type). rules_replay_names.c. */
#ifndef VIGIL_RULES_REPLAY_NAMES_H
#define VIGIL_RULES_REPLAY_NAMES_H

#include <stddef.h>
#include <stdint.h>

struct json_w;

/* "AF_INET" -> 2, "tcp" -> 6, or a number written as text; -1 when it is neither. */
int rr_af_value(const char *name);
int rr_proto_value(const char *name);
struct json_w *rr_flagw__new(void);
void rr_flagw__free(struct json_w *w);
/* open(2) flags as Falco shows them: "O_RDONLY|O_CLOEXEC"; the length, or -ENOSPC. */
int rr_open_flags_text(struct json_w *w, uint32_t flags, char *out, size_t size);

#endif /* VIGIL_RULES_REPLAY_NAMES_H */
