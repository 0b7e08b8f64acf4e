// SPDX-License-Identifier: Apache-2.0
/*
 * redact: NAME=VALUE, NAME:VALUE and JSON forms, flags followed by their secret, URL user
 * info, Bearer tokens, mysql -pSECRET, words of sh -c strings; what must stay untouched;
 * argv blocks (terminators kept, a kernel-cut last argument), odd bytes, empty and very long
 * arguments, output buffers too small (cut, never leaking), bad patterns.
 */
#include <errno.h>
#include <stdlib.h>

#define UNIT_MAIN
#include "unit.h"
#include "redact.h"

static struct redactor *defaults(void)
{
	char err[256];
	struct redactor *r = redact__new(NULL, 0, err, sizeof(err));

	CHECK(r != NULL);
	return r;
}

/* The redacted form of a command line, in a static buffer. */
static const char *str(const struct redactor *r, const char *in, unsigned *hits)
{
	static char out[8192];

	redact__str(r, in, strlen(in), out, sizeof(out), hits);
	return out;
}

/* An argv given as "a|b|c" ('|' separates), redacted, back as "a|b|c". */
static const char *args(const struct redactor *r, const char *bars, unsigned *hits)
{
	static char out[8192];
	char in[4096];
	size_t n = strlen(bars), m;

	for (size_t i = 0; i <= n; i++)
		in[i] = bars[i] == '|' ? '\0' : bars[i];
	m = redact__args(r, in, n + 1, out, sizeof(out) - 1, hits);
	CHECK(m < sizeof(out));
	for (size_t i = 0; i + 1 < m; i++)
		if (out[i] == '\0')
			out[i] = '|';
	out[m ? m - 1 : 0] = '\0';
	CHECK(m == 0 || out[m - 1] == '\0');
	return out;
}

UNIT_TEST(name_value_forms)
{
	struct redactor *r = defaults();
	unsigned hits = 0;

	CHECK_STR(args(r, "app|--password=hunter2|-v", &hits), "app|--password=***|-v");
	CHECK_INT(hits, 1);
	CHECK_STR(args(r, "docker|run|-e|AWS_SECRET_ACCESS_KEY=abc/def+g|img", &hits),
		  "docker|run|-e|AWS_SECRET_ACCESS_KEY=***|img");
	CHECK_STR(args(r, "env|AWS_SESSION_TOKEN=xyz|GITHUB_TOKEN=ghp_1|HOME=/root|x", &hits),
		  "env|AWS_SESSION_TOKEN=***|GITHUB_TOKEN=***|HOME=/root|x");
	CHECK_INT(hits, 2);
	CHECK_STR(args(r, "psql|PGPASSWORD=pw|--db-Password=x", NULL), "psql|PGPASSWORD=***|--db-Password=***");
	CHECK_STR(args(r, "x|client_secret:abc|Api-Key=k|apikey=k2", NULL),
		  "x|client_secret:***|Api-Key=***|apikey=***");
	CHECK_STR(args(r, "curl|-d|{\"user\":\"a\",\"password\":\"p w\",\"n\":1}", NULL),
		  "curl|-d|{\"user\":\"a\",\"password\":\"***\",\"n\":1}");
	CHECK_STR(args(r, "curl|https://h/api?api_key=abc&format=json#frag", NULL),
		  "curl|https://h/api?api_key=***&format=json#frag");
	CHECK_STR(args(r, "tool|--secret='quoted value'|z", NULL), "tool|--secret='***'|z");
	redact__free(r);
}

UNIT_TEST(headers_and_bearer)
{
	struct redactor *r = defaults();
	unsigned hits;

	CHECK_STR(args(r, "curl|-H|Authorization: Bearer eyJhbGciOi.x.y|https://h", &hits),
		  "curl|-H|Authorization: Bearer ***|https://h");
	CHECK_INT(hits, 1);
	CHECK_STR(args(r, "curl|-H|authorization:Basic dXNlcjpwYXNz", NULL),
		  "curl|-H|authorization:Basic ***");
	CHECK_STR(args(r, "curl|-H|X-Auth-Token: t0k3n|u", NULL), "curl|-H|X-Auth-Token: ***|u");
	CHECK_STR(str(r, "wget --header 'bearer abc.def' http://x", &hits),
		  "wget --header 'bearer ***' http://x");
	CHECK_INT(hits, 1);
	CHECK_STR(str(r, "curl -H Authorization: Bearer abc -H X-Token: t u", &hits),
		  "curl -H Authorization: Bearer *** -H X-Token: *** u");
	CHECK_INT(hits, 2);
	/* a word that merely contains the letters */
	CHECK_STR(str(r, "cat /tmp/thebearer x", NULL), "cat /tmp/thebearer x");
	redact__free(r);
}

UNIT_TEST(flag_then_value)
{
	struct redactor *r = defaults();
	unsigned hits;

	CHECK_STR(args(r, "mysql|--password|hunter2|-h|db", &hits), "mysql|--password|***|-h|db");
	CHECK_INT(hits, 1);
	CHECK_STR(args(r, "app|--client-secret|s|--api-key|k", &hits),
		  "app|--client-secret|***|--api-key|***");
	CHECK_INT(hits, 2);
	CHECK_STR(args(r, "app|--token|with spaces in it|x", NULL), "app|--token|***|x");
	/* psql --password prompts: the next option is not a secret */
	CHECK_STR(args(r, "psql|--password|-h|db", NULL), "psql|--password|-h|db");
	/* last argument: nothing to redact */
	CHECK_STR(args(r, "app|--password", &hits), "app|--password");
	CHECK_INT(hits, 0);
	/* --password-file names a file, not a secret */
	CHECK_STR(args(r, "app|--password-file|/etc/pw", NULL), "app|--password-file|/etc/pw");
	redact__free(r);
}

UNIT_TEST(urls)
{
	struct redactor *r = defaults();
	unsigned hits;

	CHECK_STR(args(r, "git|clone|https://bob:s3cr3t@git.example.com/r.git", &hits),
		  "git|clone|https://bob:***@git.example.com/r.git");
	CHECK_INT(hits, 1);
	CHECK_STR(args(r, "psql|postgres://u:p@ss@db:5432/x", NULL), "psql|postgres://u:***@db:5432/x");
	CHECK_STR(args(r, "curl|http://host:8080/path|ssh://git@github.com/a", &hits),
		  "curl|http://host:8080/path|ssh://git@github.com/a");
	CHECK_INT(hits, 0);
	CHECK_STR(args(r, "x|http://u:@h/", NULL), "x|http://u:@h/");
	redact__free(r);
}

UNIT_TEST(mysql_and_sshpass)
{
	struct redactor *r = defaults();

	CHECK_STR(args(r, "/usr/bin/mysql|-uroot|-pS3cret|db", NULL), "/usr/bin/mysql|-uroot|-p***|db");
	CHECK_STR(args(r, "mysql|-p|db", NULL), "mysql|-p|db"); /* prompts */
	CHECK_STR(args(r, "kubectl|exec|db|--|mysqldump|-pX|all", NULL),
		  "kubectl|exec|db|--|mysqldump|-p***|all");
	CHECK_STR(args(r, "sshpass|-p|pw|ssh|h", NULL), "sshpass|-p|***|ssh|h");
	CHECK_STR(args(r, "sshpass|-ppw|ssh|h", NULL), "sshpass|-p***|ssh|h");
	/* -p means something else elsewhere */
	CHECK_STR(args(r, "mkdir|-p|/a|-pz", NULL), "mkdir|-p|/a|-pz");
	CHECK_STR(args(r, "ssh|-p2222|h", NULL), "ssh|-p2222|h");
	redact__free(r);
}

UNIT_TEST(shell_strings)
{
	struct redactor *r = defaults();
	unsigned hits;

	CHECK_STR(args(r, "sh|-c|mysql -u root -ppw db && curl --token abc http://x", &hits),
		  "sh|-c|mysql -u root -p*** db && curl --token *** http://x");
	CHECK_INT(hits, 2);
	CHECK_STR(str(r, "app --password 'two words' --token=\"a b\" next", &hits),
		  "app --password '***' --token=\"***\" next");
	CHECK_INT(hits, 2);
	CHECK_STR(str(r, "sh -c \"export PASSWORD=abc; run\"", NULL),
		  "sh -c \"export PASSWORD=*** run\""); /* a value ends at a blank */
	CHECK_STR(str(r, "  spaced\t\tout  ", NULL), "  spaced\t\tout  ");
	redact__free(r);
}

UNIT_TEST(left_alone)
{
	struct redactor *r = defaults();
	unsigned hits;
	const char *keep[] = {
		"ls|-la|/etc",
		"docker|run|-v|/run/secrets/token:/token:ro|img",
		"app|--tokens=5|passwordless=true|--secret-name=x",
		"kubectl|get|secret|-o|yaml",
		"app|password=|token:",
		"c++|Token::x|a:b",
	};

	for (unsigned i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		CHECK_STR(args(r, keep[i], &hits), keep[i]);
		CHECK_INT(hits, 0);
	}
	redact__free(r);
}

UNIT_TEST(own_patterns)
{
	char *pats[] = { "--db-pass=", "MY_KEY" };
	char err[256];
	struct redactor *r = redact__new(pats, 2, err, sizeof(err));

	CHECK(r != NULL);
	if (!r)
		return;
	CHECK_STR(args(r, "a|--db-pass=x|--DB_PASS|y|my-key:z|password=keep", NULL),
		  "a|--db-pass=***|--DB_PASS|***|my-key:***|password=keep");
	/* built-ins stay on */
	CHECK_STR(args(r, "a|https://u:p@h", NULL), "a|https://u:***@h");
	redact__free(r);
}

UNIT_TEST(bad_patterns)
{
	char err[256];
	char *empty[] = { "--=" }, *space[] = { "pass word" }, *eq[] = { "a=b" };
	char big[200];
	char *bigp[] = { big };

	CHECK(!redact__new(empty, 1, err, sizeof(err)));
	CHECK(strstr(err, "'--='") && strstr(err, "no name"));
	CHECK(!redact__new(space, 1, err, sizeof(err)));
	CHECK(strstr(err, "only letters"));
	CHECK(!redact__new(eq, 1, err, sizeof(err)));
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	CHECK(!redact__new(bigp, 1, err, sizeof(err)));
	CHECK(strstr(err, "too long"));
	CHECK_INT(redact__check("token=", err, sizeof(err)), 0);
	CHECK_INT(redact__check("AWS_SECRET_ACCESS_KEY", err, sizeof(err)), 0);
	CHECK_INT(redact__check("x y", err, sizeof(err)), -EINVAL);
}

UNIT_TEST(blocks)
{
	struct redactor *r = defaults();
	char out[64];
	/* the last argument cut by the kernel: no terminator */
	const char cut[] = "app\0--password\0hunt";
	const char odd[] = "\xff\xfe\0token=\x01\x80\0\0";
	size_t n;
	unsigned hits;

	n = redact__args(r, cut, sizeof(cut) - 1, out, sizeof(out), &hits);
	CHECK_INT(n, 18);
	CHECK(!memcmp(out, "app\0--password\0***", 18));
	CHECK_INT(hits, 1);
	n = redact__args(r, odd, sizeof(odd) - 1, out, sizeof(out), &hits);
	CHECK_INT(n, 14);
	CHECK(!memcmp(out, "\xff\xfe\0token=***\0\0", 14));
	CHECK_INT(redact__args(r, "", 0, out, sizeof(out), &hits), 0);
	CHECK_INT(hits, 0);
	n = redact__args(r, "\0\0", 2, out, sizeof(out), NULL); /* empty arguments */
	CHECK_INT(n, 2);
	redact__free(r);
}

UNIT_TEST(small_buffers)
{
	struct redactor *r = defaults();
	const char in[] = "app\0--password=hunter2\0";
	const char want[] = "app\0--password=***\0";
	char out[64];
	size_t full = sizeof(want) - 1;

	for (size_t sz = 0; sz <= full; sz++) {
		memset(out, 'Z', sizeof(out));
		CHECK_INT(redact__args(r, in, sizeof(in) - 1, out, sz, NULL), full);
		CHECK(!memcmp(out, want, sz));
		CHECK(out[sz] == 'Z');
		CHECK(!memmem(out, sz, "hunt", 4));
	}
	for (size_t sz = 0; sz < 24; sz++) {
		memset(out, 'Z', sizeof(out));
		CHECK_INT(redact__str(r, "x --password=hunter2", 20, out, sz, NULL), 16);
		if (sz) {
			CHECK_INT(strlen(out), sz - 1 < 16 ? sz - 1 : 16);
			CHECK(!strncmp(out, "x --password=***", sz - 1));
		}
		CHECK(out[sz] == 'Z');
	}
	redact__free(r);
}

UNIT_TEST(long_and_many)
{
	struct redactor *r = defaults();
	size_t n = 1 << 20, m;
	char *in = malloc(n), *out = malloc(n + 64);
	unsigned hits;

	if (!in || !out)
		return;
	/* one huge argument of separators and names: linear, and every value found */
	for (size_t i = 0; i < n; i++)
		in[i] = "token=a:"[i % 8];
	in[n - 1] = '\0';
	m = redact__args(r, in, n, out, n + 64, &hits);
	CHECK(m > 0 && m <= n + 64);
	CHECK(hits > 0);
	CHECK(!memmem(out, m, "=a", 2));
	/* a long secret */
	memcpy(in, "password=", 9);
	memset(in + 9, 'x', n - 10);
	in[n - 1] = '\0';
	m = redact__args(r, in, n, out, n, &hits);
	CHECK_INT(m, 13);
	CHECK(!memcmp(out, "password=***", 13));
	free(in);
	free(out);
	redact__free(r);
}

/* Random bytes drawn from an alphabet rich in separators: no crash, no overrun, the returned
 * length is what was written, and a cut output is a prefix of the full one. */
UNIT_TEST(random_input)
{
	static const char alpha[] = "=: \t\0-_/@?&#'\"pPbBtokenTOKENpasswordBearer\xff\x80mysql";
	struct redactor *r = defaults();
	char in[256], full[2048], cut[2048];
	unsigned seed = 12345, hits;

	for (int round = 0; round < 20000; round++) {
		size_t n = (seed = seed * 1103515245 + 12345) % sizeof(in), m, k;

		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245 + 12345;
			in[i] = alpha[(seed >> 8) % (sizeof(alpha) - 1)];
		}
		m = redact__args(r, in, n, full, sizeof(full), &hits);
		CHECK(m <= sizeof(full));
		k = (seed >> 4) % (m + 1);
		CHECK_INT(redact__args(r, in, n, cut, k, NULL), m);
		CHECK(!memcmp(cut, full, k));
		m = redact__str(r, in, n, full, sizeof(full), NULL);
		CHECK(m < sizeof(full) && full[m] == '\0');
	}
	redact__free(r);
}

int main(void)
{
	return unit_run();
}
