/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VIGIL_CLI_H
#define VIGIL_CLI_H

/* Parse the command line and run the command; returns the process exit status. */
int cli_main(int argc, char **argv);
/* cli_enforce.c: vigil enforce list|release */
int cli_enforce(int argc, char **argv);

#endif /* VIGIL_CLI_H */
