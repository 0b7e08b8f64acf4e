/* SPDX-License-Identifier: Apache-2.0 */
/*
 * YAML (and therefore JSON) documents -> json-c object trees.
 *
 * kubeconfig files, the static metadata file and kubectl's `-o yaml` output are YAML; the pod
 * code works on json-c trees. This converter is the one place that reads YAML with libyaml.
 * Scalars: plain scalars that look like YAML 1.2 core-schema null/bool/int/float become those
 * types; quoted scalars stay strings. Anchors and aliases are rejected (-EINVAL), as are
 * documents nested deeper than 64 levels, so a hostile file cannot blow up memory or the stack.
 */
#ifndef VIGIL_YAMLJSON_H
#define VIGIL_YAMLJSON_H

#include <stddef.h>

struct json_object;

/* Parse the first document of buf[0..len). On success *out holds a new reference and 0 is
 * returned. On failure returns -EINVAL (syntax, alias, too deep) or -ENOMEM and writes
 * "NAME:LINE:COLUMN: what" into err (NAME is `name`, e.g. the file path; lines and columns
 * count from 1). An empty document gives a json null object. */
int yamljson__parse(const char *name, const char *buf, size_t len, struct json_object **out,
		    char *err, size_t errsz);
/* Same for a file; files larger than max_bytes are -EFBIG. I/O errors name the file. */
int yamljson__parse_file(const char *path, size_t max_bytes, struct json_object **out,
			 char *err, size_t errsz);

#endif /* VIGIL_YAMLJSON_H */
