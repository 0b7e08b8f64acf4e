/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HTTP forwarders, run by a sink (sink.h): Falco's http_output (and Falcosidekick's "/"
 * endpoint), Elasticsearch/OpenSearch _bulk, and OTLP/HTTP JSON logs. Formats, URLs, status
 * handling: docs/outputs.md.
 *
 * One libcurl easy handle per sink, kept between requests so the connection stays alive;
 * dropped after a failure. Everything but sink_http__new runs in the sink's worker thread.
 */
#ifndef VIGIL_SINK_HTTP_H
#define VIGIL_SINK_HTTP_H

#include <stddef.h>

#include "config.h"
#include "sink.h"

/*
 * Check o (address: an http:// or https:// URL; format: "falco" (default), "elasticsearch" or
 * "otlp"; index, headers, TLS files) and make the implementation for sink__new. hostname is
 * the node's name (OTLP's k8s.node.name when a record has none). NULL with a message naming
 * the output and the field in err on bad input, or with "out of memory".
 *
 * Takes a reference on libcurl's global state (curl_global_init), given back by free: call it
 * from the thread that starts the agent, as k8s_watch__start does.
 */
void *sink_http__new(const struct vg_output *o, const char *hostname, char *err, size_t errsz);
extern const struct sink_ops sink_http_ops;

/* The URL requests go to (with /_bulk or /v1/logs added), for logs and tests. */
const char *sink_http__url(const void *impl);

#endif /* VIGIL_SINK_HTTP_H */
