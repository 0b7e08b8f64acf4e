/* SPDX-License-Identifier: Apache-2.0 */
/* The file output: JSON lines appended to a file, rotated by size (docs/outputs.md). */
#ifndef VIGIL_SINK_FILE_H
#define VIGIL_SINK_FILE_H

#include <stddef.h>

#include "config.h"
#include "sink.h"

/* The implementation for o (type file); NULL with a message in err. */
void *sink_file__new(const struct vg_output *o, char *err, size_t errsz);
extern const struct sink_ops sink_file_ops;

#endif /* VIGIL_SINK_FILE_H */
