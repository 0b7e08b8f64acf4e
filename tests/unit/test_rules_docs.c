// SPDX-License-Identifier: Apache-2.0
/*
 * docs/rules.md carries the field catalogue as `vigil rules fields --markdown` prints it,
 * between <!-- fields:begin --> and <!-- fields:end -->. This fails when the two differ, so the
 * documentation cannot fall behind the catalogue: refresh it with scripts/update-rules-doc.sh.
 */
#include <limits.h>
#include <stdlib.h>

#define UNIT_MAIN
#include "cli_rules.h"
#include "unit.h"
#include "unit_srcdir.h"

#define DOC_MAX (1u << 20)

static const char begin_marker[] = "\n<!-- fields:begin -->\n";
static const char end_marker[] = "\n<!-- fields:end -->\n";

/* The whole file, NUL terminated; NULL when it cannot be read or is too large. */
static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = f ? malloc(DOC_MAX + 1) : NULL;
	size_t n = buf ? fread(buf, 1, DOC_MAX + 1, f) : 0;

	if (f)
		fclose(f);
	if (!buf || n > DOC_MAX) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* s[0..len) without the blank lines around it */
static const char *trim(const char *s, size_t *len)
{
	while (*len && (*s == '\n' || *s == ' ')) {
		s++;
		(*len)--;
	}
	while (*len && (s[*len - 1] == '\n' || s[*len - 1] == ' '))
		(*len)--;
	return s;
}

/* Where two texts first differ, line by line, for the failure message. */
static void show_difference(const char *doc, size_t dlen, const char *gen, size_t glen)
{
	unsigned line = 1;
	size_t i = 0, ds, gs;

	while (i < dlen && i < glen && doc[i] == gen[i]) {
		if (doc[i] == '\n')
			line++;
		i++;
	}
	for (ds = i; ds > 0 && doc[ds - 1] != '\n'; ds--)
		;
	for (gs = i; gs > 0 && gen[gs - 1] != '\n'; gs--)
		;
	printf("  docs/rules.md's field table differs from `vigil rules fields --markdown` at "
	       "its line %u:\n    doc: %.*s\n    now: %.*s\n"
	       "  refresh it: make build/vigil && scripts/update-rules-doc.sh\n",
	       line, (int)strcspn(doc + ds, "\n"), doc + ds, (int)strcspn(gen + gs, "\n"),
	       gen + gs);
}

UNIT_TEST(field_table_matches_catalogue)
{
	char path[PATH_MAX], *doc = read_file(unit_srcpath(path, sizeof(path), "docs/rules.md"));
	char *gen = NULL, *b, *e;
	size_t glen = 0, dlen;
	const char *dt, *gt;
	FILE *mem;

	CHECK(doc != NULL);
	if (!doc)
		return;
	b = strstr(doc, begin_marker);
	e = b ? strstr(b, end_marker) : NULL;
	CHECK(b && e);
	mem = open_memstream(&gen, &glen);
	CHECK(mem != NULL);
	if (b && e && mem) {
		cli_rules_fields__markdown(mem);
		fclose(mem);
		b += strlen(begin_marker);
		dlen = (size_t)(e - b);
		dt = trim(b, &dlen);
		gt = trim(gen, &glen);
		if (dlen != glen || memcmp(dt, gt, glen))
			show_difference(dt, dlen, gt, glen);
		CHECK(dlen == glen && memcmp(dt, gt, glen) == 0);
		CHECK(strstr(gt, "| `proc.aname` | text | [N], optional | all |") != NULL);
	}
	free(gen);
	free(doc);
}

int main(void)
{
	return unit_run();
}
