/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The settings of `vigil run`: its options, and the config file keys that mirror them. Both
 * go through cli_run_option(), so a value means the same and is refused with the same words
 * wherever it is written; only the prefix differs ("vigil run: --ringbuf-size 12Q: ..." on the
 * command line, "vigil.yaml:3:15: ringbuf_size: ..." in a file).
 */
#ifndef VIGIL_CLI_RUN_H
#define VIGIL_CLI_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

#define CLI_RUN_HELP 1 /* cli_run_parse(): --help was given */

#define CLI_OPT_ARG 0x1 /* takes a value (else a switch) */
#define CLI_OPT_LIST 0x2 /* repeatable: each one adds an item */
#define CLI_OPT_NEG 0x4 /* a --no-X switch: the file's key is X, with true and false swapped */

extern const char cli_run_usage[];

/* Apply one option, by its long name ("ringbuf-size"), to cfg. value is NULL for a switch
 * given on the command line; "true" or "false" (yes/no, on/off) sets or clears one. where is
 * NULL for the command line, else "FILE:LINE:COL" of the value in a config file, and prefixes
 * the message written into err on failure. 0, -EINVAL, -ENOENT (no such option), -ENOMEM. */
int cli_run_option(const char *name, const char *value, struct vg_config *cfg,
		   const char *where, char *err, size_t errsz);

/* The option behind a top-level key of the config file ("ringbuf_size" -> "ringbuf-size",
 * "kubernetes" -> "no-kubernetes" with CLI_OPT_NEG) and its CLI_OPT_* flags; NULL when the
 * key is not an option's. */
const char *cli_run_file_option(const char *key, unsigned *flags);
/* The i-th option's config file key into buf ("" for command-line-only options such as
 * --config); false past the last option. For "did you mean". */
bool cli_run_file_key(unsigned i, char *buf, size_t bufsz);

/* The whole configuration of `vigil run` from its arguments (argv[0] is "run"): defaults,
 * then the --config file, then the other options, which win over the file. A list option
 * on the command line (--rules, --ignore-path, --scope, ...) replaces the file's list;
 * --redact adds to it. cfg is overwritten (config_free() a previous one first); call it
 * again with the same arguments to reload the file (it uses getopt: main thread only).
 * Returns 0, CLI_RUN_HELP, -EINVAL for a bad command line, -EBADMSG for a bad config file,
 * or -ENOMEM; on failure err holds the message(s) to print, one per line. */
int cli_run_parse(int argc, char **argv, struct vg_config *cfg, char *err, size_t errsz);

#endif /* VIGIL_CLI_RUN_H */
