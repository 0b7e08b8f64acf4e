/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VIGIL_CLI_RULES_H
#define VIGIL_CLI_RULES_H

#include <stdio.h>

struct rules_set;
struct re_engine;

/* `vigil rules ...`: argv[0] is "rules". Returns the exit status: 0 when every file loaded
 * without errors (skipped rules are fine), 1 on errors, 2 on usage errors. */
int cli_rules(int argc, char **argv);

/* The parts of the subcommands, shared between their files. */

/* Every error and warning of a rule set, one a line: FILE:LINE:COLUMN: severity: message. */
void cli_rules__print_diags(const struct rules_set *rs, FILE *out);

/* `vigil rules test` (cli_rules_test.c); argv[0] is "test". */
extern const char rules_test_usage[];
int cli_rules_test(int argc, char **argv);

/* Replay the event lines of path ("-": stdin) through e: an alert per match on stdout, or
 * with explain (a rule compiled in e) its explanation for each event of its types; a summary
 * on stderr. Returns 0, or 1 when the events could not be read (cli_rules_replay.c). */
int cli_rules__replay(struct re_engine *e, const char *path, const char *explain);

/* `vigil rules fields [--markdown]`: argv[0] is "fields". The field catalogue, as text or as
 * the Markdown tables of docs/rules.md (cli_rules_fields__markdown writes those). */
int cli_rules_fields(int argc, char **argv);
void cli_rules_fields__markdown(FILE *out);

#endif /* VIGIL_CLI_RULES_H */
