"""Client configuration files pointing at the test API server: a kubeconfig
and an in-cluster service account directory.

kubeconfig field names are client-go's (k8s.io/client-go/tools/clientcmd/api/v1
types.go): clusters[].cluster.{server, certificate-authority,
certificate-authority-data}, users[].user.{token, tokenFile,
client-certificate, client-key, client-certificate-data, client-key-data},
contexts[].context.{cluster, user, namespace}, current-context.  Note that
`tokenFile` is camelCase while every other field is dashed.

The service account directory has the layout the kubelet's AtomicWriter gives
a projected volume: the files live in a timestamped directory, `..data`
links to it, and `token`, `ca.crt`, `namespace` link through `..data`.
Rotation writes a new timestamped directory and renames a new `..data` link
over the old one, so a reader sees the old token or the new one, never half of
either, and a reader that kept the old file open keeps reading the old token.
"""

import base64
import datetime
import json
import os
import re
import shutil

_PLAIN = re.compile(r"[A-Za-z0-9._/+=-][A-Za-z0-9._/:+=@-]*")
_YAML_SPECIAL = {"true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"}


def _scalar(s):
    """A YAML scalar for s: plain when that cannot be read as anything but this
    string, else double-quoted (a JSON string is a valid YAML one)."""
    s = str(s)
    if _PLAIN.fullmatch(s) and s.lower() not in _YAML_SPECIAL \
            and not re.fullmatch(r"[-+]?[0-9._]+(e[-+]?[0-9]+)?", s, re.IGNORECASE):
        return s
    return json.dumps(s)


def _b64file(path):
    with open(path, "rb") as f:
        return base64.b64encode(f.read()).decode()


def write_atomic(path, data, mode=0o600):
    """Replace path by rename, so a reader never sees a partial file."""
    tmp = f"{path}.tmp{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w" if isinstance(data, str) else "wb") as f:
        f.write(data)
    os.rename(tmp, path)
    return path


def kubeconfig_text(server, ca_path, auth, token=None, token_path=None, client_cert=None,
                    client_key=None, inline_data=False, decoy=False, namespace="default"):
    """auth: "token" (inline), "token-file" (tokenFile) or "client-cert".
    decoy: list first a cluster, user and context that are not the current one
    (pointing at a closed port), as in a developer's kubeconfig, so a client
    that takes the first entry instead of current-context's fails."""
    if inline_data:
        cluster = [f"certificate-authority-data: {_b64file(ca_path)}"]
    else:
        cluster = [f"certificate-authority: {_scalar(ca_path)}"]
    cluster.append(f"server: {_scalar(server)}")
    if auth == "token":
        user = [f"token: {_scalar(token)}"]
    elif auth == "token-file":
        user = [f"tokenFile: {_scalar(token_path)}"]
    elif auth == "client-cert":
        if inline_data:
            user = [f"client-certificate-data: {_b64file(client_cert)}",
                    f"client-key-data: {_b64file(client_key)}"]
        else:
            user = [f"client-certificate: {_scalar(client_cert)}",
                    f"client-key: {_scalar(client_key)}"]
    else:
        raise ValueError(f"unknown auth {auth!r}")

    clusters, users, contexts = [], [], []
    if decoy:
        clusters.append(("decoy", ["insecure-skip-tls-verify: true",
                                   "server: https://127.0.0.1:1"]))
        users.append(("decoy-admin", ["token: decoy-token-not-valid"]))
        contexts.append(("decoy", ["cluster: decoy", "user: decoy-admin"]))
    clusters.append(("vigil-test", cluster))
    users.append(("vigil", user))
    contexts.append(("vigil-test", ["cluster: vigil-test", f"namespace: {namespace}",
                                    "user: vigil"]))

    def section(key, kind, entries):
        out = [f"{key}:"]
        for name, fields in entries:
            out.append(f"- {kind}:")
            out += [f"    {f}" for f in fields]
            out.append(f"  name: {name}")
        return out
    lines = ["apiVersion: v1"]
    lines += section("clusters", "cluster", clusters)
    lines += section("contexts", "context", contexts)
    lines += ["current-context: vigil-test", "kind: Config", "preferences: {}"]
    lines += section("users", "user", users)
    return "\n".join(lines) + "\n"


def _stamp_dir(d):
    now = datetime.datetime.now(datetime.timezone.utc)
    name = now.strftime("..%Y_%m_%d_%H_%M_%S.") + "%09d" % (now.microsecond * 1000)
    while os.path.exists(os.path.join(d, name)):  # two writes in one microsecond
        name += "0"
    return name


def write_service_account(d, token, ca_path, namespace="default"):
    """Create (or rotate, when it exists) a service account directory in d."""
    os.makedirs(d, exist_ok=True)
    data_link = os.path.join(d, "..data")
    old = os.readlink(data_link) if os.path.islink(data_link) else None
    stamp = _stamp_dir(d)
    os.mkdir(os.path.join(d, stamp), 0o755)
    with open(ca_path, "rb") as f:
        ca = f.read()
    for name, data, mode in (("ca.crt", ca, 0o644), ("namespace", namespace.encode(), 0o644),
                             ("token", token.encode(), 0o600)):
        fd = os.open(os.path.join(d, stamp, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
    tmp = os.path.join(d, "..data_tmp")
    if os.path.lexists(tmp):
        os.unlink(tmp)
    os.symlink(stamp, tmp)
    os.rename(tmp, data_link)
    for name in ("ca.crt", "namespace", "token"):
        link = os.path.join(d, name)
        if not os.path.islink(link):
            os.symlink(os.path.join("..data", name), link)
    if old:
        shutil.rmtree(os.path.join(d, old), ignore_errors=True)
    return d
