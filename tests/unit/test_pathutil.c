/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>

#define UNIT_MAIN
#include "unit.h"
#include "pathutil.h"

static const char *res(const char *base, const char *path)
{
	static char out[256];

	if (path_resolve(base, path, out, sizeof(out)) < 0)
		return "<error>";
	return out;
}

UNIT_TEST(absolute_paths_are_normalised)
{
	CHECK_STR(res(NULL, "/etc/passwd"), "/etc/passwd");
	CHECK_STR(res("/tmp", "/etc//./passwd"), "/etc/passwd");
	CHECK_STR(res(NULL, "/a/b/../c"), "/a/c");
	CHECK_STR(res(NULL, "/../../x"), "/x");
	CHECK_STR(res(NULL, "/"), "/");
	CHECK_STR(res(NULL, "/a/b/"), "/a/b");
}

UNIT_TEST(relative_paths_join_their_base)
{
	CHECK_STR(res("/home/u", "f.txt"), "/home/u/f.txt");
	CHECK_STR(res("/home/u", "./a/../b"), "/home/u/b");
	CHECK_STR(res("/home/u", "../../../etc/shadow"), "/etc/shadow");
	CHECK_STR(res("/", "etc"), "/etc");
	CHECK_STR(res("/home/u", "."), "/home/u");
	CHECK_STR(res("/home/u", ""), "/home/u");
}

UNIT_TEST(unknown_base_keeps_the_path_relative)
{
	CHECK_STR(res(NULL, "a/./b"), "a/b");
	CHECK_STR(res("", "../x"), "../x");
	CHECK_STR(res(NULL, "a/.."), ".");
	CHECK_STR(res(NULL, "a/../../b"), "../b");
}

UNIT_TEST(small_buffers_are_reported)
{
	char out[8];

	CHECK_INT(path_resolve(NULL, "/abcdefghij", out, sizeof(out)), -ENOSPC);
	CHECK_INT((int)strlen(out), 7);
	CHECK_INT(path_resolve(NULL, NULL, out, sizeof(out)), -EINVAL);
	CHECK_INT(path_resolve(NULL, "/", out, 1), -EINVAL);
}

UNIT_TEST(filter_entries_are_exact_or_prefix)
{
	CHECK(path_filter_match("/etc/shadow", "/etc/shadow"));
	CHECK(!path_filter_match("/etc/shadow", "/etc/shadow-"));
	CHECK(path_filter_match("/proc/", "/proc/1/stat"));
	CHECK(!path_filter_match("/proc/", "/proc"));
	CHECK(path_filter_match("/usr/lib*", "/usr/lib64/x"));
	CHECK(path_filter_match("*", "/anything"));
}

int main(void)
{
	return unit_run();
}
