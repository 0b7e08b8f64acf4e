/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by sink_syslog.c (transport) and sink_syslog_fmt.c (messages); nobody else. */
#ifndef VIGIL_SINK_SYSLOG_INT_H
#define VIGIL_SINK_SYSLOG_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "sink.h"

#define SYSLOG_HOSTNAME_MAX 255 /* RFC 5424 HOSTNAME */
#define SYSLOG_APPNAME_MAX  48	/* RFC 5424 APP-NAME */
#define SYSLOG_SD_ID	    "vigil@32473"

/* A growing byte buffer; errors are sticky (-ENOMEM), checked once at the end. */
struct syslog_buf {
	char *p;
	size_t len, cap;
	int err;
};

void syslog_buf__put(struct syslog_buf *b, const char *s, size_t n);
void syslog_buf__puts(struct syslog_buf *b, const char *s);
void syslog_buf__putc(struct syslog_buf *b, char c);
void syslog_buf__printf(struct syslog_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void syslog_buf__free(struct syslog_buf *b);

/* What every message of one sink shares. */
struct syslog_fmt {
	int facility;				/* 0..23 */
	bool cef;				/* MSG is a CEF line instead of the JSON line */
	char hostname[SYSLOG_HOSTNAME_MAX + 1]; /* already PRINTUSASCII */
	char app_name[SYSLOG_APPNAME_MAX + 1];
	char procid[16];
};

/* Append rec's RFC 5424 message (without transport framing) to b; 0 or -ENOMEM. A line that
 * is not valid JSON is still sent, with only what the record itself says. */
int syslog_fmt__message(const struct syslog_fmt *f, const struct out_rec *rec,
			struct syslog_buf *b);

/* HOSTNAME for RFC 5424: bytes outside PRINTUSASCII (33..126) become '_', at most 255 of
 * them; "-" (the NILVALUE) when src is empty. */
void syslog_fmt__hostname(char *dst, size_t size, const char *src);

#endif /* VIGIL_SINK_SYSLOG_INT_H */
