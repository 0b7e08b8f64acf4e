// SPDX-License-Identifier: Apache-2.0
/* Unit tests of the record tail decoders: argv, component paths, vg_str bounds. */
#include <errno.h>

#define UNIT_MAIN
#include "unit.h"
#include "decode.h"

/* argv rendered as "[a|b|c]" with non-printable bytes as \xNN, to compare exactly. */
static const char *args_str(const char *buf, size_t len)
{
	static char out[256];
	struct args_iter it;
	const char *arg;
	size_t n, k = 0;
	int nargs = 0;

	args_iter_init(&it, buf, len);
	out[k++] = '[';
	while (args_iter_next(&it, &arg, &n)) {
		if (nargs++)
			out[k++] = '|';
		for (size_t i = 0; i < n && k < sizeof(out) - 8; i++) {
			unsigned char c = arg[i];

			if (c >= 0x20 && c < 0x7f)
				out[k++] = c;
			else
				k += snprintf(out + k, 5, "\\x%02x", c);
		}
	}
	out[k++] = ']';
	out[k] = '\0';
	/* the end stays the end */
	if (args_iter_next(&it, &arg, &n))
		return "(next after end)";
	return out;
}

#define ARGS(lit) args_str(lit, sizeof(lit) - 1)

UNIT_TEST(args_normal)
{
	CHECK_STR(ARGS("ls\0-l\0/tmp\0"), "[ls|-l|/tmp]");
	CHECK_STR(ARGS("sh\0"), "[sh]");
}

UNIT_TEST(args_empty)
{
	CHECK_STR(ARGS(""), "[]");
	CHECK_STR(args_str(NULL, 0), "[]");
	CHECK_STR(ARGS("\0"), "[]"); /* one empty argument */
	CHECK_STR(ARGS("a\0\0b\0"), "[a||b]");
	CHECK_STR(ARGS("\0\0a\0\0"), "[||a|]");
}

UNIT_TEST(args_empty_counted)
{
	struct args_iter it;
	const char *arg;
	size_t n = 99;
	int count = 0;

	args_iter_init(&it, "\0\0", 2);
	while (args_iter_next(&it, &arg, &n)) {
		CHECK_INT(n, 0);
		count++;
	}
	CHECK_INT(count, 2);
}

UNIT_TEST(args_truncated_last)
{
	static const char buf[] = "ls\0-la\0/very/long/pa";
	struct args_iter it;
	const char *arg;
	size_t n;

	CHECK_STR(ARGS("ls\0-la\0/very/long/pa"), "[ls|-la|/very/long/pa]");
	args_iter_init(&it, buf, sizeof(buf) - 1);
	CHECK_INT(args_iter_next(&it, &arg, &n), 1);
	CHECK_INT(args_iter_next(&it, &arg, &n), 1);
	CHECK_INT(args_iter_next(&it, &arg, &n), 1);
	CHECK(arg == buf + 7);
	CHECK_INT(n, 13);
	CHECK_INT(args_iter_next(&it, &arg, &n), 0);
	/* cut right after a NUL: no phantom argument */
	CHECK_STR(args_str(buf, 7), "[ls|-la]");
	/* cut inside the first argument */
	CHECK_STR(args_str(buf, 1), "[l]");
}

UNIT_TEST(args_odd_bytes)
{
	CHECK_STR(ARGS("\xff\x01\n\0\xc3\xa9\0"), "[\\xff\\x01\\x0a|\\xc3\\xa9]");
	CHECK_STR(ARGS("a b\tc\0"), "[a b\\x09c]");
}

static const char *path(const char *buf, size_t len, unsigned count, unsigned flags)
{
	static char out[128];
	int n = decode_path(buf, len, count, flags, out, sizeof(out));

	if (n < 0)
		snprintf(out, sizeof(out), "err %d", n);
	else if ((size_t)n != strlen(out))
		return "(bad length)";
	return out;
}

#define PATH(lit, count, flags) path(lit, sizeof(lit) - 1, count, flags)
#define ROOTED			(VG_STR_COMPONENTS | VG_STR_ROOTED)

UNIT_TEST(path_normal)
{
	char out[64];

	CHECK_STR(PATH("busybox\0bin\0", 2, ROOTED), "/bin/busybox");
	CHECK_INT(decode_path("busybox\0bin\0", 12, 2, ROOTED, out, sizeof(out)), 12);
	CHECK_STR(PATH("sh\0", 1, ROOTED), "/sh");
	CHECK_STR(PATH("python3.11\0bin\0local\0usr\0", 4, ROOTED), "/usr/local/bin/python3.11");
}

UNIT_TEST(path_root_only)
{
	CHECK_STR(PATH("", 0, ROOTED), "/");
	CHECK_STR(path(NULL, 0, 0, ROOTED), "/");
	/* components present but count 0: nothing is used */
	CHECK_STR(PATH("x\0", 0, ROOTED), "/");
}

UNIT_TEST(path_truncated)
{
	/* the walk hit its depth limit: not rooted, marked truncated */
	CHECK_STR(PATH("c\0b\0", 2, VG_STR_COMPONENTS | VG_STR_TRUNCATED), ".../b/c");
	CHECK_STR(PATH("c\0b\0", 2, VG_STR_COMPONENTS), ".../b/c");
	/* rooted but cut to fit: the top is missing all the same */
	CHECK_STR(PATH("c\0b\0", 2, ROOTED | VG_STR_TRUNCATED), ".../b/c");
	CHECK_STR(PATH("", 0, VG_STR_COMPONENTS | VG_STR_TRUNCATED), "...");
}

UNIT_TEST(path_empty_component)
{
	CHECK_STR(PATH("busybox\0\0usr\0", 3, ROOTED), "/usr/?/busybox");
	CHECK_STR(PATH("\0bin\0", 2, ROOTED), "/bin/?");
	CHECK_STR(PATH("\0", 1, ROOTED), "/?");
	CHECK_STR(PATH("\0\0", 2, ROOTED), "/?/?");
}

UNIT_TEST(path_out_too_small)
{
	char out[16];

	memset(out, 'x', sizeof(out));
	CHECK_INT(decode_path("busybox\0bin\0", 12, 2, ROOTED, out, 5), -ENOSPC);
	CHECK_STR(out, "/bin");
	CHECK(out[5] == 'x'); /* nothing written past outsz */
	CHECK_INT(decode_path("busybox\0bin\0", 12, 2, ROOTED, out, 12), -ENOSPC);
	CHECK_STR(out, "/bin/busybo");
	CHECK_INT(decode_path("busybox\0bin\0", 12, 2, ROOTED, out, 13), 12);
	CHECK_STR(out, "/bin/busybox");
	CHECK_INT(decode_path("busybox\0bin\0", 12, 2, ROOTED, out, 1), -ENOSPC);
	CHECK_STR(out, "");
	CHECK_INT(decode_path("", 0, 0, ROOTED, out, 1), -ENOSPC);
	CHECK_STR(out, "");
	CHECK_INT(decode_path("c\0", 2, 1, 0, out, 3), -ENOSPC);
	CHECK_STR(out, "..");
}

UNIT_TEST(path_count_exceeds_buffer)
{
	/* the top components are the ones missing */
	CHECK_STR(PATH("busybox\0bin\0", 5, ROOTED), ".../bin/busybox");
	CHECK_STR(PATH("", 0, ROOTED) /* sanity */, "/");
	CHECK_STR(PATH("", 3, ROOTED), "...");
	CHECK_STR(path(NULL, 0, 2, ROOTED), "...");
}

UNIT_TEST(path_count_below_buffer)
{
	CHECK_STR(PATH("a\0b\0c\0", 2, ROOTED), "/b/a");
	CHECK_STR(PATH("a\0b\0c\0garbage", 3, ROOTED), "/c/b/a");
}

UNIT_TEST(path_missing_final_nul)
{
	/* the last (topmost) name was cut mid-way, so the path is not known complete */
	CHECK_STR(PATH("busybox\0bin", 2, ROOTED), ".../bin/busybox");
	CHECK_STR(PATH("busybox\0bi", 3, ROOTED), ".../bi/busybox");
	CHECK_STR(PATH("busyb", 1, ROOTED), ".../busyb");
	/* what follows the counted components does not matter */
	CHECK_STR(PATH("busybox\0bin\0us", 2, ROOTED), "/bin/busybox");
}

UNIT_TEST(path_odd_bytes_pass_through)
{
	CHECK_STR(PATH("a b\n\xff\0d\0", 2, ROOTED), "/d/a b\n\xff");
}

UNIT_TEST(path_unreachable_same_text)
{
	CHECK_STR(PATH("busybox\0bin\0", 2, ROOTED | VG_STR_UNREACHABLE), "/bin/busybox");
}

UNIT_TEST(path_bad_args)
{
	char out[8];

	CHECK_INT(decode_path("a\0", 2, 1, ROOTED, NULL, 8), -EINVAL);
	CHECK_INT(decode_path("a\0", 2, 1, ROOTED, out, 0), -EINVAL);
	CHECK_INT(decode_path(NULL, 2, 1, ROOTED, out, sizeof(out)), -EINVAL);
}

UNIT_TEST(str_check)
{
	size_t hdr = sizeof(struct vg_exec), rec = hdr + 100;

	CHECK_INT(decode_str_check(0, 0, hdr, rec), 0);	    /* absent */
	CHECK_INT(decode_str_check(hdr, 100, hdr, rec), 0); /* the whole tail */
	CHECK_INT(decode_str_check(hdr + 99, 1, hdr, rec), 0);
	CHECK_INT(decode_str_check(hdr + 100, 0, hdr, rec), 0); /* empty, at the end */
	CHECK_INT(decode_str_check(hdr, 101, hdr, rec), -EINVAL);
	CHECK_INT(decode_str_check(hdr + 100, 1, hdr, rec), -EINVAL);
	CHECK_INT(decode_str_check(hdr + 101, 0, hdr, rec), -EINVAL);
	CHECK_INT(decode_str_check(hdr - 1, 1, hdr, rec), -EINVAL); /* inside the fixed part */
	CHECK_INT(decode_str_check(0, 5, hdr, rec), -EINVAL);
	CHECK_INT(decode_str_check(8, 0, hdr, rec), -EINVAL);
	CHECK_INT(decode_str_check(65535, 65535, hdr, rec), -EINVAL); /* no wrap */
	CHECK_INT(decode_str_check(65535, 0, 16, 65535), 0);	      /* empty, at the end */
	CHECK_INT(decode_str_check(65535, 1, 16, 65535), -EINVAL);
	CHECK_INT(decode_str_check(65535, 1, 16, 65536), 0);
	CHECK_INT(decode_str_check(20, 4, 24, 16), -EINVAL); /* record shorter than its header */
}

int main(void)
{
	return unit_run();
}
