/* SPDX-License-Identifier: Apache-2.0 */
/* The syslog sink over TLS to an OpenSSL server in a thread, with a certificate made here for
 * 127.0.0.1: verification by CA file and address, refusal of a wrong name, insecure, client
 * certificates, and a server's close_notify seen before the next batch. */
#define UNIT_MAIN
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "syslog_fixture.h"
#include "unit.h"

static char g_dir[] = "/tmp/vigil-tls-test-XXXXXX";
static char g_cert[PATH_MAX], g_key[PATH_MAX];
static X509 *g_x509;
static EVP_PKEY *g_pkey;

/* A self-signed P-256 certificate with subjectAltName IP:127.0.0.1, written to g_cert and
 * g_key (PEM). */
static int make_cert(void)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	FILE *f;

	g_pkey = EVP_EC_gen("P-256");
	g_x509 = X509_new();
	if (!g_pkey || !g_x509 || !mkdtemp(g_dir))
		return -1;
	X509_set_version(g_x509, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(g_x509), 1);
	X509_gmtime_adj(X509_getm_notBefore(g_x509), -3600);
	X509_gmtime_adj(X509_getm_notAfter(g_x509), 86400);
	X509_set_pubkey(g_x509, g_pkey);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(g_x509), "CN", MBSTRING_ASC,
				   (const unsigned char *)"vigil test", -1, -1, 0);
	X509_set_issuer_name(g_x509, X509_get_subject_name(g_x509));
	X509V3_set_ctx(&ctx, g_x509, g_x509, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, "IP:127.0.0.1");
	if (!ext || !X509_add_ext(g_x509, ext, -1) || !X509_sign(g_x509, g_pkey, EVP_sha256()))
		return -1;
	X509_EXTENSION_free(ext);
	snprintf(g_cert, sizeof(g_cert), "%s/cert.pem", g_dir);
	snprintf(g_key, sizeof(g_key), "%s/key.pem", g_dir);
	f = fopen(g_cert, "w");
	if (!f || !PEM_write_X509(f, g_x509) || fclose(f))
		return -1;
	f = fopen(g_key, "w");
	if (!f || !PEM_write_PrivateKey(f, g_pkey, NULL, NULL, 0, NULL, NULL) || fclose(f))
		return -1;
	return 0;
}

/* One TLS connection served in a thread: everything read until the client closes, or, with
 * close_early, a close_notify sent right after the handshake. */
struct server {
	int lfd, port;
	bool close_early, want_client_cert;
	bool handshake_ok, got_client_cert;
	atomic_bool notified; /* close_early: the close_notify was sent */
	char *buf;
	size_t len, cap;
	pthread_t th;
};

static void *server_main(void *arg)
{
	struct server *sv = arg;
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	int fd = accept(sv->lfd, NULL, NULL);
	SSL *ssl;
	size_t n;
	int one = 1;

	SSL_CTX_use_certificate(ctx, g_x509);
	SSL_CTX_use_PrivateKey(ctx, g_pkey);
	if (sv->want_client_cert) {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
		X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), g_x509);
	}
	ssl = SSL_new(ctx);
	/* no Nagle: the close_notify must not wait for the ACK of the session tickets */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	SSL_set_fd(ssl, fd);
	sv->handshake_ok = SSL_accept(ssl) == 1;
	if (sv->handshake_ok) {
		X509 *peer = SSL_get1_peer_certificate(ssl);

		sv->got_client_cert = peer != NULL;
		X509_free(peer);
	}
	if (sv->handshake_ok && sv->close_early) {
		SSL_shutdown(ssl);
		atomic_store(&sv->notified, true);
		usleep(100000); /* keep the socket open: only the close_notify says it */
	}
	while (sv->handshake_ok && !sv->close_early) {
		if (sv->len + 4096 > sv->cap) {
			sv->cap = sv->cap ? sv->cap * 2 : 65536;
			sv->buf = realloc(sv->buf, sv->cap);
		}
		if (!sv->buf || SSL_read_ex(ssl, sv->buf + sv->len, 4096, &n) != 1)
			break;
		sv->len += n;
	}
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	return NULL;
}

static int server_start(struct server *sv)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);

	sv->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sv->lfd < 0 || bind(sv->lfd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(sv->lfd, 4) < 0 || getsockname(sv->lfd, (struct sockaddr *)&a, &al) < 0)
		return -1;
	sv->port = ntohs(a.sin_port);
	return pthread_create(&sv->th, NULL, server_main, sv) == 0 ? 0 : -1;
}

/* After the client hung up; sv->buf stays for the checks (free it). */
static void server_end(struct server *sv)
{
	pthread_join(sv->th, NULL);
	close(sv->lfd);
}

static void *new_tls_sink(const char *host, int port, const char *ca, bool insecure)
{
	struct vg_output o;
	char addr[128], err[512] = "";
	void *s;

	snprintf(addr, sizeof(addr), "tls://%s:%d", host, port);
	output_init(&o, addr, "");
	snprintf(o.ca_file, sizeof(o.ca_file), "%s", ca);
	o.insecure = insecure;
	s = sink_syslog__new(&o, "vm", err, sizeof(err));
	if (!s)
		printf("  sink_syslog__new(%s): %s\n", addr, err);
	return s;
}

UNIT_TEST(tls_verified_roundtrip)
{
	struct server sv = {0};
	struct out_rec *r = fixture_rec("alert.json", OUT_ALERT, 4);
	unsigned rejected = 0;
	void *s;
	char *want, frame[8192];

	CHECK(server_start(&sv) == 0);
	s = new_tls_sink("127.0.0.1", sv.port, g_cert, false);
	CHECK_INT(sink_syslog_ops.connect(s), 0);
	usleep(20000); /* the server's TLS 1.3 session tickets arrive: not a close */
	CHECK_INT(sink_syslog_ops.send(s, &r, 1, &rejected), 1);
	CHECK_INT(sink_syslog_ops.send(s, &r, 1, &rejected), 1);
	sink_syslog_ops.disconnect(s);
	server_end(&sv);
	want = format_rec(s, r);
	snprintf(frame, sizeof(frame), "%zu %s", strlen(want), want);
	CHECK(sv.len == 2 * strlen(frame));
	CHECK(sv.buf && memcmp(sv.buf, frame, strlen(frame)) == 0);
	format_free(want);
	free(sv.buf);
	free(r);
	sink_syslog_ops.free(s);
}

UNIT_TEST(tls_wrong_name_or_ca_is_refused)
{
	struct server sv = {0};
	void *s;

	/* the certificate is for 127.0.0.1, not localhost */
	CHECK(server_start(&sv) == 0);
	s = new_tls_sink("localhost", sv.port, g_cert, false);
	CHECK_INT(sink_syslog_ops.connect(s), -EPROTO);
	server_end(&sv);
	sink_syslog_ops.free(s);
	/* the system store does not know our CA */
	memset(&sv, 0, sizeof(sv));
	CHECK(server_start(&sv) == 0);
	s = new_tls_sink("127.0.0.1", sv.port, "", false);
	CHECK_INT(sink_syslog_ops.connect(s), -EPROTO);
	server_end(&sv);
	sink_syslog_ops.free(s);
	/* insecure: anything goes */
	memset(&sv, 0, sizeof(sv));
	CHECK(server_start(&sv) == 0);
	s = new_tls_sink("localhost", sv.port, "", true);
	CHECK_INT(sink_syslog_ops.connect(s), 0);
	sink_syslog_ops.disconnect(s);
	server_end(&sv);
	CHECK(sv.handshake_ok);
	free(sv.buf);
	sink_syslog_ops.free(s);
}

UNIT_TEST(tls_client_certificate)
{
	struct server sv = {.want_client_cert = true};
	struct vg_output o;
	char addr[64], err[512] = "";
	void *s;

	CHECK(server_start(&sv) == 0);
	snprintf(addr, sizeof(addr), "tls://127.0.0.1:%d", sv.port);
	output_init(&o, addr, "");
	snprintf(o.ca_file, sizeof(o.ca_file), "%s", g_cert);
	snprintf(o.cert_file, sizeof(o.cert_file), "%s", g_cert);
	snprintf(o.key_file, sizeof(o.key_file), "%s", g_key);
	s = sink_syslog__new(&o, "vm", err, sizeof(err));
	CHECK(s != NULL);
	CHECK_INT(sink_syslog_ops.connect(s), 0);
	sink_syslog_ops.disconnect(s);
	server_end(&sv);
	CHECK(sv.handshake_ok && sv.got_client_cert);
	free(sv.buf);
	sink_syslog_ops.free(s);
	/* a key that is not the certificate's */
	snprintf(o.key_file, sizeof(o.key_file), "%s", g_cert);
	CHECK(sink_syslog__new(&o, "vm", err, sizeof(err)) == NULL);
	CHECK(strstr(err, "key_file") != NULL);
}

UNIT_TEST(tls_close_notify_is_seen_before_writing)
{
	struct server sv = {.close_early = true};
	struct out_rec *r = fixture_rec("stats.json", OUT_STATS, 6);
	unsigned rejected = 0;
	void *s;

	CHECK(server_start(&sv) == 0);
	s = new_tls_sink("127.0.0.1", sv.port, g_cert, false);
	CHECK_INT(sink_syslog_ops.connect(s), 0);
	for (int i = 0; i < 200 && !atomic_load(&sv.notified); i++)
		usleep(10000);
	usleep(10000); /* the close_notify crosses the loopback */
	CHECK_INT(sink_syslog_ops.send(s, &r, 1, &rejected), -ECONNRESET);
	server_end(&sv);
	free(r);
	sink_syslog_ops.free(s);
}

int main(void)
{
	int rc;

	signal(SIGPIPE, SIG_IGN);
	if (make_cert() < 0) {
		printf("cannot make a test certificate\n");
		return 1;
	}
	rc = unit_run();
	unlink(g_cert);
	unlink(g_key);
	rmdir(g_dir);
	X509_free(g_x509);
	EVP_PKEY_free(g_pkey);
	return rc;
}
