/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Discovery of the Kubernetes API server (k8s_config.h). Only reads files and the
 * environment; it logs nothing, so the caller decides how to report the result.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <json-c/json.h>

#include "k8s_config.h"
#include "yamljson.h"

#define KUBECONFIG_BYTES_MAX (4u << 20) /* embedded certificates make them a few 100 KiB */

struct kc_ctx {
	struct k8s_config *kc;
	const char *path; /* the kubeconfig, absolute */
	char dir[4096];	  /* its directory: relative paths inside are relative to it */
	char *err;
	size_t errsz;
};

static int kc_fail(struct kc_ctx *c, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "kubeconfig PATH: " + the message; returns rc so callers can `return kc_fail(...)`. */
static int kc_fail(struct kc_ctx *c, int rc, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(c->err, c->errsz, "kubeconfig %s: ", c->path);
	if (n >= 0 && (size_t)n < c->errsz) {
		va_start(ap, fmt);
		vsnprintf(c->err + n, c->errsz - n, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* A string member: 0 with *out NULL when absent or null, -EINVAL when it is not a string. */
static int kc_str(struct kc_ctx *c, json_object *obj, const char *key, const char *field,
		  const char **out)
{
	json_object *v;

	*out = NULL;
	if (!json_object_object_get_ex(obj, key, &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return kc_fail(c, -EINVAL, "%s.%s: not a string", field, key);
	*out = json_object_get_string(v);
	return 0;
}

/* A file must exist and be readable now; a typo should fail at start-up, not at each retry. */
static int check_file(const char *path, char *why, size_t whysz)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0) {
		rc = -errno;
		snprintf(why, whysz, "cannot read %s: %s", path, strerror(errno));
		return rc;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		snprintf(why, whysz, "%s is not a regular file", path);
	}
	close(fd);
	return rc;
}

/* A path member, made absolute against the kubeconfig's directory, checked readable. */
static int kc_path(struct kc_ctx *c, json_object *obj, const char *key, const char *field,
		   char *out, size_t outsz)
{
	const char *v;
	char why[4200];
	int rc, n;

	rc = kc_str(c, obj, key, field, &v);
	if (rc || !v || !*v)
		return rc;
	if (v[0] == '/')
		n = snprintf(out, outsz, "%s", v);
	else
		n = snprintf(out, outsz, "%s/%s", c->dir, v);
	if (n < 0 || (size_t)n >= outsz)
		return kc_fail(c, -ENAMETOOLONG, "%s.%s: path too long", field, key);
	rc = check_file(out, why, sizeof(why));
	if (rc)
		return kc_fail(c, rc, "%s.%s: %s", field, key, why);
	return 0;
}

static int b64_value(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

/* Standard base64, padding optional, line breaks ignored (as Go's decoder does). Returns a
 * NUL-terminated heap copy, or NULL if the text is not base64 or decodes to nothing. */
static char *b64_decode(const char *s)
{
	size_t len = strlen(s), n = 0, pad = 0;
	unsigned acc = 0, bits = 0;
	char *out = malloc(len / 4 * 3 + 4);

	for (size_t i = 0; out && i < len; i++) {
		int v = b64_value((unsigned char)s[i]);

		if (s[i] == '\n' || s[i] == '\r')
			continue;
		if (s[i] == '=' && ++pad <= 2)
			continue;
		if (v < 0 || pad)
			goto bad;
		acc = acc << 6 | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (char)(acc >> bits & 0xff);
		}
	}
	if (!out || n == 0 || bits >= 6 || (acc & ((1u << bits) - 1)))
		goto bad;
	out[n] = 0;
	return out;
bad:
	free(out);
	return NULL;
}

/* A *-data member: base64 of PEM. 0 with *out NULL when absent. */
static int kc_data(struct kc_ctx *c, json_object *obj, const char *key, const char *field,
		   char **out)
{
	const char *v;
	int rc;

	rc = kc_str(c, obj, key, field, &v);
	if (rc || !v || !*v)
		return rc;
	*out = b64_decode(v);
	if (!*out)
		return kc_fail(c, -EINVAL, "%s.%s: not base64 (or empty)", field, key);
	return 0;
}

/*
 * Find `name` in the list `list` ("clusters") and return its `inner` object ("cluster") and
 * its index. -ENOENT (no message) if there is no such entry; other errors name the field.
 */
static int kc_find(struct kc_ctx *c, json_object *root, const char *list, const char *inner,
		   const char *name, json_object **out, size_t *idx)
{
	json_object *arr, *item, *v;
	char field[64];

	if (!json_object_object_get_ex(root, list, &arr) ||
	    json_object_is_type(arr, json_type_null))
		return -ENOENT;
	if (!json_object_is_type(arr, json_type_array))
		return kc_fail(c, -EINVAL, "%s: not a list", list);
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		item = json_object_array_get_idx(arr, i);
		if (!json_object_object_get_ex(item, "name", &v) ||
		    !json_object_is_type(v, json_type_string) ||
		    strcmp(json_object_get_string(v), name) != 0)
			continue;
		snprintf(field, sizeof(field), "%s[%zu]", list, i);
		if (!json_object_object_get_ex(item, inner, out) ||
		    !json_object_is_type(*out, json_type_object))
			return kc_fail(c, -EINVAL, "%s.%s: missing or not a mapping", field, inner);
		*idx = i;
		return 0;
	}
	return -ENOENT;
}

/* Fields we cannot honour: failing names the field, where ignoring it would connect as
 * someone else or to something else than the user asked for. */
static const struct {
	const char *key, *why;
} unsupported_user[] = {
	{ "exec", "exec credential plugins are not supported; use a token, tokenFile or a "
		  "client certificate (for example a service account token)" },
	{ "auth-provider", "auth-provider plugins are not supported; use a token, tokenFile or "
			   "a client certificate" },
	{ "username", "basic authentication is not supported" },
	{ "password", "basic authentication is not supported" },
	{ "as", "impersonation is not supported" },
	{ "as-uid", "impersonation is not supported" },
	{ "as-groups", "impersonation is not supported" },
	{ "as-user-extra", "impersonation is not supported" },
}, unsupported_cluster[] = {
	{ "tls-server-name", "not supported: the server name must match its certificate" },
	{ "proxy-url", "not supported; libcurl honours $HTTPS_PROXY and $NO_PROXY instead" },
};

static int kc_user_auth_files(struct kc_ctx *c, json_object *user, const char *field)
{
	struct k8s_config *kc = c->kc;
	int rc;

	rc = kc_data(c, user, "client-certificate-data", field, &kc->cert_data);
	if (!rc && !kc->cert_data) /* -data overrides the path, as in client-go */
		rc = kc_path(c, user, "client-certificate", field, kc->cert_file,
			     sizeof(kc->cert_file));
	if (!rc)
		rc = kc_data(c, user, "client-key-data", field, &kc->key_data);
	if (!rc && !kc->key_data)
		rc = kc_path(c, user, "client-key", field, kc->key_file, sizeof(kc->key_file));
	if (rc)
		return rc;
	if ((kc->cert_data || kc->cert_file[0]) && !kc->key_data && !kc->key_file[0])
		return kc_fail(c, -EINVAL, "%s.client-key: missing (client-certificate is given)",
			       field);
	if ((kc->key_data || kc->key_file[0]) && !kc->cert_data && !kc->cert_file[0])
		return kc_fail(c, -EINVAL, "%s.client-certificate: missing (client-key is given)",
			       field);
	return 0;
}

static int kc_user(struct kc_ctx *c, json_object *user, const char *field)
{
	struct k8s_config *kc = c->kc;
	const char *token;
	json_object *v;
	int rc;

	for (size_t i = 0; i < sizeof(unsupported_user) / sizeof(unsupported_user[0]); i++) {
		if (json_object_object_get_ex(user, unsupported_user[i].key, &v) &&
		    !json_object_is_type(v, json_type_null))
			return kc_fail(c, -ENOTSUP, "%s.%s: %s", field, unsupported_user[i].key,
				       unsupported_user[i].why);
	}
	rc = kc_str(c, user, "token", field, &token);
	if (rc)
		return rc;
	if (token && *token) {
		/* documented: token takes precedence over tokenFile */
		kc->token = strdup(token);
		if (!kc->token)
			return kc_fail(c, -ENOMEM, "%s.token: out of memory", field);
	} else {
		rc = kc_path(c, user, "tokenFile", field, kc->token_file, sizeof(kc->token_file));
		if (rc)
			return rc;
	}
	return kc_user_auth_files(c, user, field);
}

/* "https://host:port[/prefix]" without trailing slashes. */
static int kc_server(struct kc_ctx *c, json_object *cluster, const char *field)
{
	const char *server;
	size_t n;
	int rc;

	rc = kc_str(c, cluster, "server", field, &server);
	if (rc)
		return rc;
	if (!server || !*server)
		return kc_fail(c, -EINVAL, "%s.server: missing", field);
	if (strncmp(server, "https://", 8) != 0 && strncmp(server, "http://", 7) != 0)
		return kc_fail(c, -EINVAL, "%s.server: \"%s\" is not an http(s) URL", field,
			       server);
	n = strlen(server);
	while (n > 8 && server[n - 1] == '/')
		n--;
	if (n >= sizeof(c->kc->server))
		return kc_fail(c, -ENAMETOOLONG, "%s.server: too long", field);
	memcpy(c->kc->server, server, n);
	c->kc->server[n] = 0;
	return 0;
}

static int kc_cluster(struct kc_ctx *c, json_object *cluster, const char *field)
{
	struct k8s_config *kc = c->kc;
	json_object *v;
	int rc;

	for (size_t i = 0; i < sizeof(unsupported_cluster) / sizeof(unsupported_cluster[0]); i++) {
		if (json_object_object_get_ex(cluster, unsupported_cluster[i].key, &v) &&
		    !json_object_is_type(v, json_type_null))
			return kc_fail(c, -ENOTSUP, "%s.%s: %s", field,
				       unsupported_cluster[i].key, unsupported_cluster[i].why);
	}
	rc = kc_server(c, cluster, field);
	if (!rc)
		rc = kc_data(c, cluster, "certificate-authority-data", field, &kc->ca_data);
	if (!rc && !kc->ca_data)
		rc = kc_path(c, cluster, "certificate-authority", field, kc->ca_file,
			     sizeof(kc->ca_file));
	if (rc)
		return rc;
	if (json_object_object_get_ex(cluster, "insecure-skip-tls-verify", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		if (!json_object_is_type(v, json_type_boolean))
			return kc_fail(c, -EINVAL, "%s.insecure-skip-tls-verify: not a boolean",
				       field);
		kc->insecure = json_object_get_boolean(v);
	}
	/* client-go refuses this pair too: which one did the user mean? */
	if (kc->insecure && (kc->ca_data || kc->ca_file[0]))
		return kc_fail(c, -EINVAL, "%s: insecure-skip-tls-verify together with a "
			       "certificate-authority: choose one", field);
	return 0;
}

/* current-context -> contexts[i].context.{cluster,user} -> the cluster and the user. */
static int kc_resolve(struct kc_ctx *c, json_object *root)
{
	const char *cur, *cluster_name, *user_name;
	json_object *ctx, *cluster, *user;
	char field[64];
	size_t ci, i;
	int rc;

	if (!json_object_is_type(root, json_type_object))
		return kc_fail(c, -EINVAL, "not a kubeconfig (the document is not a mapping)");
	rc = kc_str(c, root, "current-context", "", &cur);
	if (rc)
		return rc;
	if (!cur || !*cur)
		return kc_fail(c, -EINVAL, "current-context: missing");
	rc = kc_find(c, root, "contexts", "context", cur, &ctx, &ci);
	if (rc == -ENOENT)
		return kc_fail(c, rc, "current-context: no context named \"%s\" in contexts", cur);
	if (rc)
		return rc;
	snprintf(field, sizeof(field), "contexts[%zu].context", ci);
	rc = kc_str(c, ctx, "cluster", field, &cluster_name);
	if (!rc)
		rc = kc_str(c, ctx, "user", field, &user_name);
	if (rc)
		return rc;
	if (!cluster_name || !*cluster_name)
		return kc_fail(c, -EINVAL, "%s.cluster: missing", field);
	rc = kc_find(c, root, "clusters", "cluster", cluster_name, &cluster, &i);
	if (rc == -ENOENT)
		return kc_fail(c, rc, "%s.cluster: no cluster named \"%s\" in clusters", field,
			       cluster_name);
	if (rc)
		return rc;
	snprintf(field, sizeof(field), "clusters[%zu].cluster", i);
	rc = kc_cluster(c, cluster, field);
	if (rc || !user_name || !*user_name) /* no user: anonymous, the server decides */
		return rc;
	snprintf(field, sizeof(field), "contexts[%zu].context", ci);
	rc = kc_find(c, root, "users", "user", user_name, &user, &i);
	if (rc == -ENOENT)
		return kc_fail(c, rc, "%s.user: no user named \"%s\" in users", field, user_name);
	if (rc)
		return rc;
	snprintf(field, sizeof(field), "users[%zu].user", i);
	return kc_user(c, user, field);
}

/* Absolute path of the file and of its directory, so a later chdir changes nothing. */
static int kc_locate(struct kc_ctx *c, const char *path, char *abs, size_t abssz)
{
	char cwd[4096];
	char *slash;
	int n;

	if (path[0] == '/') {
		n = snprintf(abs, abssz, "%s", path);
	} else {
		if (!getcwd(cwd, sizeof(cwd)))
			return -errno;
		n = snprintf(abs, abssz, "%s/%s", cwd, path);
	}
	if (n < 0 || (size_t)n >= abssz || (size_t)n >= sizeof(c->dir))
		return -ENAMETOOLONG;
	snprintf(c->dir, sizeof(c->dir), "%s", abs);
	slash = strrchr(c->dir, '/');
	if (slash == c->dir)
		slash[1] = 0; /* "/config" lives in "/" */
	else
		*slash = 0;
	return 0;
}

static int kubeconfig__load(struct k8s_config *kc, const char *path, bool from_env, char *err,
			    size_t errsz)
{
	struct kc_ctx c = { .kc = kc, .path = path, .err = err, .errsz = errsz };
	char abs[4096], perr[512];
	json_object *root = NULL, *cur;
	int rc;

	rc = kc_locate(&c, path, abs, sizeof(abs));
	if (rc)
		return kc_fail(&c, rc, "cannot locate: %s", strerror(-rc));
	c.path = abs;
	rc = yamljson__parse_file(abs, KUBECONFIG_BYTES_MAX, &root, perr, sizeof(perr));
	if (rc) {
		snprintf(err, errsz, "kubeconfig: %s", perr); /* perr names the file */
		return rc;
	}
	rc = kc_resolve(&c, root);
	if (!rc) {
		kc->source = K8S_KUBECONFIG;
		json_object_object_get_ex(root, "current-context", &cur);
		snprintf(kc->origin, sizeof(kc->origin), "kubeconfig %s%s context %s", abs,
			 from_env ? " ($KUBECONFIG)" : "", json_object_get_string(cur));
	}
	json_object_put(root);
	return rc;
}

/* client-go's rest.InClusterConfig: https://HOST:PORT (IPv6 in brackets), token, ca.crt. */
static int in_cluster__load(struct k8s_config *kc, const char *host, const char *port,
			    const char *sa_dir, char *err, size_t errsz)
{
	bool v6 = strchr(host, ':') && host[0] != '[';
	char *end, why[4200];
	unsigned long p;
	int rc, n;

	errno = 0;
	p = strtoul(port, &end, 10);
	if (errno || *end || p == 0 || p > 65535 || !isdigit((unsigned char)port[0])) {
		snprintf(err, errsz, "in-cluster: KUBERNETES_SERVICE_PORT=\"%s\": not a port",
			 port);
		return -EINVAL;
	}
	n = snprintf(kc->server, sizeof(kc->server), v6 ? "https://[%s]:%lu" : "https://%s:%lu",
		     host, p);
	if (n < 0 || (size_t)n >= sizeof(kc->server)) {
		snprintf(err, errsz, "in-cluster: KUBERNETES_SERVICE_HOST: too long");
		return -ENAMETOOLONG;
	}
	if (strlen(sa_dir) + sizeof("/ca.crt") > sizeof(kc->ca_file)) {
		snprintf(err, errsz, "in-cluster: %s: path too long", sa_dir);
		return -ENAMETOOLONG;
	}
	snprintf(kc->token_file, sizeof(kc->token_file), "%s/token", sa_dir);
	snprintf(kc->ca_file, sizeof(kc->ca_file), "%s/ca.crt", sa_dir);
	rc = check_file(kc->token_file, why, sizeof(why));
	if (!rc)
		rc = check_file(kc->ca_file, why, sizeof(why));
	if (rc) {
		snprintf(err, errsz, "in-cluster (KUBERNETES_SERVICE_HOST=%s): service account: %s",
			 host, why);
		return rc;
	}
	kc->source = K8S_IN_CLUSTER;
	snprintf(kc->origin, sizeof(kc->origin), "in-cluster service account %s", sa_dir);
	return 0;
}

/* $NODE_NAME (the DaemonSet sets it from spec.nodeName), else the host name lower-cased,
 * which is what the kubelet registers when no --hostname-override is given. */
static int config__node(struct k8s_config *kc, char *err, size_t errsz)
{
	const char *env = getenv("NODE_NAME");

	if (env && *env) {
		if (strlen(env) >= sizeof(kc->node)) {
			snprintf(err, errsz, "NODE_NAME: longer than %zu bytes",
				 sizeof(kc->node) - 1);
			return -ENAMETOOLONG;
		}
		strcpy(kc->node, env);
		return 0;
	}
	if (gethostname(kc->node, sizeof(kc->node) - 1) < 0) {
		snprintf(err, errsz, "gethostname: %s (set NODE_NAME)", strerror(errno));
		return -errno;
	}
	for (char *s = kc->node; *s; s++)
		*s = (char)tolower((unsigned char)*s);
	return 0;
}

/* The first non-empty entry of a ':' separated list, into buf. */
static const char *first_of_list(const char *list, char *buf, size_t bufsz)
{
	const char *s = list, *e;

	while (*s == ':')
		s++;
	e = strchrnul(s, ':');
	if (e == s || (size_t)(e - s) >= bufsz)
		return e == s ? NULL : s; /* too long: pass it whole, the open will say so */
	memcpy(buf, s, e - s);
	buf[e - s] = 0;
	return buf;
}

static int config__source(struct k8s_config *kc, const char *kubeconfig, const char *sa_dir,
			  char *err, size_t errsz)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	const char *env = getenv("KUBECONFIG");
	char first[4096];

	if (kubeconfig && *kubeconfig)
		return kubeconfig__load(kc, kubeconfig, false, err, errsz);
	if (host && *host && port && *port)
		return in_cluster__load(kc, host, port, sa_dir, err, errsz);
	if (env && (env = first_of_list(env, first, sizeof(first))))
		return kubeconfig__load(kc, env, true, err, errsz);
	kc->source = K8S_NONE;
	snprintf(kc->origin, sizeof(kc->origin),
		 "none (no --kubeconfig, no $KUBERNETES_SERVICE_HOST/PORT, no $KUBECONFIG)");
	return 0;
}

int k8s_config__discover(struct k8s_config *kc, const char *kubeconfig, const char *sa_dir,
			 char *err, size_t errsz)
{
	int rc;

	memset(kc, 0, sizeof(*kc));
	if (errsz)
		err[0] = 0;
	rc = config__node(kc, err, errsz);
	if (!rc)
		rc = config__source(kc, kubeconfig, sa_dir ? sa_dir : K8S_SA_DIR, err, errsz);
	if (rc)
		k8s_config__free(kc); /* nothing half-filled reaches the caller */
	return rc;
}

/* Credentials do not outlive their use in freed heap memory. */
static void free_secret(char *s)
{
	if (s)
		explicit_bzero(s, strlen(s));
	free(s);
}

void k8s_config__free(struct k8s_config *kc)
{
	free_secret(kc->token);
	free(kc->ca_data);
	free(kc->cert_data);
	free_secret(kc->key_data);
	memset(kc, 0, sizeof(*kc));
}
