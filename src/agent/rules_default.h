/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where vigil finds its default rule file (rules/vigil_rules.yaml in the source tree) when no
 * --rules is given: an administrator's copy first, then the installed one, then the one next
 * to a build tree's executable, so that build/vigil works from a checkout without installing.
 *
 *   /etc/vigil/rules/vigil_rules.yaml                  the administrator's copy
 *   $(PREFIX)/share/vigil/rules/vigil_rules.yaml       `make install` puts it there
 *   <directory of the executable>/../rules/vigil_rules.yaml
 *
 * User rules that customise the default set belong in /etc/vigil/rules.d/, loaded after it.
 */
#ifndef VIGIL_RULES_DEFAULT_H
#define VIGIL_RULES_DEFAULT_H

#include <stddef.h>

/* Set by the Makefile from PREFIX (make PREFIX=/usr install). */
#ifndef VIGIL_PREFIX
#define VIGIL_PREFIX "/usr/local"
#endif

#define VIGIL_RULES_DEFAULT_NAME "vigil_rules.yaml"
#define VIGIL_RULES_USER_DIR	 "/etc/vigil/rules.d"

/* The fixed candidates, in order; the executable's ../rules/ comes after them. */
#define VIGIL_RULES_DEFAULT_PATHS                                                                  \
	"/etc/vigil/rules/" VIGIL_RULES_DEFAULT_NAME,                                              \
	    VIGIL_PREFIX "/share/vigil/rules/" VIGIL_RULES_DEFAULT_NAME

/* The first readable default rule file, for the running executable (/proc/self/exe), into
 * out. Returns 0, -ENOENT when there is none, -ENAMETOOLONG when it does not fit in size. */
int rules_default__path(char *out, size_t size);

/* The same for an executable at exe (an absolute path; NULL: only the fixed candidates). */
int rules_default__path_for(const char *exe, char *out, size_t size);

#endif /* VIGIL_RULES_DEFAULT_H */
