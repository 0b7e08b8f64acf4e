/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VIGIL_CLI_RULES_H
#define VIGIL_CLI_RULES_H

/* `vigil rules ...`: argv[0] is "rules". Returns the exit status: 0 when every file loaded
 * without errors (skipped rules are fine), 1 on errors, 2 on usage errors. */
int cli_rules(int argc, char **argv);

#endif /* VIGIL_CLI_RULES_H */
