/* SPDX-License-Identifier: Apache-2.0 */
/* `vigil query` and `vigil report`: read the evidence store (docs/store.md). */
#ifndef VIGIL_CLI_STORE_H
#define VIGIL_CLI_STORE_H

/* Each returns the process exit status: 0, 1 on a failure reading the store, 2 on bad
 * options. */
int cli_query(int argc, char **argv);
int cli_report(int argc, char **argv);

#endif /* VIGIL_CLI_STORE_H */
