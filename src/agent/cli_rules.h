/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VIGIL_CLI_RULES_H
#define VIGIL_CLI_RULES_H

#include <stdio.h>

/* `vigil rules ...`: argv[0] is "rules". Returns the exit status: 0 when every file loaded
 * without errors (skipped rules are fine), 1 on errors, 2 on usage errors. */
int cli_rules(int argc, char **argv);

/* `vigil rules fields [--markdown]`: argv[0] is "fields". The field catalogue, as text or as
 * the Markdown tables of docs/rules.md (cli_rules_fields__markdown writes those). */
int cli_rules_fields(int argc, char **argv);
void cli_rules_fields__markdown(FILE *out);

#endif /* VIGIL_CLI_RULES_H */
