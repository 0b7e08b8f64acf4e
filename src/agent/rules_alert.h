/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Alerts in Falco's JSON output format (docs/alerts.md), so that Falcosidekick and other
 * consumers of Falco's json_output take them unchanged:
 *
 *   {"hostname":"node-1","output":"12:01:02.123456789: Warning A shell ... (user=root ...)",
 *    "output_fields":{"evt.time":1732190462123456789,"proc.name":"sh","user.name":"root",...},
 *    "priority":"Warning","rule":"Terminal shell in container","source":"syscall",
 *    "tags":["container","shell"],"time":"2026-11-21T12:01:02.123456789Z",
 *    "vigil":{...the event's vigil objects...}}
 *
 * `output` is the rule's template with every %field (and %field[arg], %evt.arg.NAME) replaced
 * by its value, prefixed by the event time (HH:MM:SS.nnnnnnnnn, UTC) and the priority, as Falco
 * prints it; a field with no value renders as <NA>, as in Falco. `output_fields` has every field
 * the template names, with its value (null when it has none), numbers as JSON numbers. The
 * extra key "vigil" carries what vigil knows beyond Falco's fields: the event line's process,
 * parent, container, pod and event-specific objects, as docs/events.md describes them.
 */
#ifndef VIGIL_RULES_ALERT_H
#define VIGIL_RULES_ALERT_H

#include <stddef.h>

#include "json.h"
#include "rules_load.h"
#include "rules_view.h"

#define RA_OUTPUT_MAX 8192 /* bytes of the rendered output; longer is cut with "..." */

/* Falco's spelling of a priority in alerts: "Emergency", ..., "Informational", "Debug". */
const char *rules_alert__priority(enum rules_priority p);

/* The rule's template rendered for ev, without the time and priority prefix. Returns the
 * length written (at most size-1, NUL terminated). */
size_t rules_alert__output(const struct rules_rule *r, const struct rv_event *ev, char *buf,
			   size_t size);

/* Write the whole alert object into w (after json_reset by the caller). `vigil_members` is
 * the raw JSON members (`"process":{...},"pod":{...}`, without braces) to put under "vigil",
 * or NULL/0 to leave the key out. Returns 0 or w->err. */
int rules_alert__render(struct json_w *w, const struct rules_rule *r, const struct rv_event *ev,
			const char *hostname, const char *vigil_members, size_t vigil_len);

/* The same, with `extra` raw JSON members (`"enforcement":{...}`) added at the top level,
 * before "vigil". */
int rules_alert__render_ex(struct json_w *w, const struct rules_rule *r,
			   const struct rv_event *ev, const char *hostname,
			   const char *vigil_members, size_t vigil_len, const char *extra,
			   size_t extra_len);

#endif /* VIGIL_RULES_ALERT_H */
