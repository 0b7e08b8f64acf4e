/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The syslog forwarder (docs/outputs.md, "syslog"), run by a sink (sink.h).
 *
 * Every record is one RFC 5424 message, "<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD
 * MSG", whose MSG is the record's JSON line (format rfc5424) or a CEF line (format cef).
 * Transports: udp:// (one datagram per message, cut at SINK_SYSLOG_UDP_MAX bytes and counted),
 * tcp:// and tls:// (RFC 6587 octet counting, "LEN SP MSG"). A record counts as delivered once
 * the kernel took all of its bytes: syslog has no acknowledgements.
 */
#ifndef VIGIL_SINK_SYSLOG_H
#define VIGIL_SINK_SYSLOG_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "sink.h"

/* Longest UDP message, header included: rsyslog's default maxMessageSize, and well below what
 * a datagram can carry on any path without IP fragmentation making loss likelier. */
#define SINK_SYSLOG_UDP_MAX    8192
#define SINK_SYSLOG_TIMEOUT_MS 5000 /* connect and write limit when o->timeout_ms is 0 */

/* The implementation for o (type VG_OUT_SYSLOG): address, format, facility, app_name and TLS
 * files checked (and the TLS files loaded) now. hostname is the HOSTNAME of every message
 * (the node). NULL with err naming the output and the field when o is wrong. */
void *sink_syslog__new(const struct vg_output *o, const char *hostname, char *err, size_t errsz);

extern const struct sink_ops sink_syslog_ops;

/* UDP messages cut to SINK_SYSLOG_UDP_MAX so far. Any thread. */
uint64_t sink_syslog__truncated(void *impl);

/* For tests: the message send() writes for rec, without framing, as a malloc'd NUL-terminated
 * string in *out (*len bytes). 0 or -ENOMEM. */
int sink_syslog__format(void *impl, const struct out_rec *rec, char **out, size_t *len);

#endif /* VIGIL_SINK_SYSLOG_H */
