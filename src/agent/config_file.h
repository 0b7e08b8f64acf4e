/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The YAML configuration file (docs/config.md): top-level keys that mirror the `vigil run`
 * options one to one (ringbuf_size: 4M is --ringbuf-size 4M), and the sections that have no
 * command-line form: store, metrics, stdout, redact, redact_extra and outputs.
 */
#ifndef VIGIL_CONFIG_FILE_H
#define VIGIL_CONFIG_FILE_H

#include <stddef.h>

#include "config.h"

#define CONFIG_FILE_ERRORS_MAX 20 /* errors reported from one file; more are counted */
#define CONFIG_MAX_AGE_S (3650ull * 86400) /* store.max_age, --store-max-age */
#define CONFIG_MAX_DEDUP_S 86400ull /* store.dedup_window, --store-dedup-window */
#define CONFIG_MAX_STORE_BYTES (1ull << 50) /* store.max_size, --store-max-size */

/* Read one file onto cfg, which already holds the defaults (config_defaults()). Every
 * setting written in the file replaces the default; a key with an empty value (`key:` or
 * `key: null`) keeps it. On failure returns -EINVAL (or a negative errno from reading it)
 * and writes into err every problem found, one per line, each as "FILE:LINE:COL: KEY:
 * what is wrong"; cfg may then be partly changed, and must only be freed. */
int config_file__load(const char *path, struct vg_config *cfg, char *err, size_t errsz);

/* Add a redaction pattern (checked by the caller) to cfg->redact; the first one added to an
 * empty list starts from the default patterns. -E2BIG when full, -ENOMEM. */
int config_file__redact_add(struct vg_config *cfg, const char *pattern);

/* `vigil config check FILE`: "FILE: ok", or the errors and exit status 1. */
int cli_config(int argc, char **argv);

#endif /* VIGIL_CONFIG_FILE_H */
