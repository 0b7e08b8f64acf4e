/* SPDX-License-Identifier: Apache-2.0 */
/* Event selection: which event types are enabled (--events), and from that which BPF
 * programs to load and attach. Programs map to types through include/vigil/syscalls.h. */
#ifndef VIGIL_EVSEL_H
#define VIGIL_EVSEL_H

#include <stdbool.h>
#include <stdint.h>

#define EVSEL_BIT(type) (1ull << (type))

/* Parse a comma separated list of event types ("open", "connect") and groups ("process",
 * "file", "network", "privilege", "all" = "default"; "close" is only
 * written when named); a leading '-' removes one ("all,-close").
 * On error writes a message naming the bad item into err and returns -EINVAL. */
int evsel_parse(const char *list, uint64_t *mask, char *err, size_t errsz);
/* The types enabled when --events is not given. */
uint64_t evsel_default(void);
/* Types whose programs must run for `written` to be complete: lifecycle always (it feeds
 * attribution), close whenever something creates fds (it keeps the fd table true). */
uint64_t evsel_attached(uint64_t written);
/* Event type of a type name, or 0. */
int evsel_type(const char *name);
/* Types a BPF program (by name, e.g. "vg_x_openat", "vg_e_setuid", "vg_exec") can produce;
 * 0 when the program is unknown. Lifecycle programs are always needed (attribution). */
uint64_t evsel_prog_types(const char *prog_name);
/* Does the tracepoint of a program section ("tracepoint/syscalls/sys_exit_openat") exist
 * under tracefs? Non-tracepoint sections are assumed present. */
bool evsel_section_present(const char *tracefs, const char *section);

#endif /* VIGIL_EVSEL_H */
