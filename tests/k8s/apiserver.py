#!/usr/bin/python3
"""A test Kubernetes API server for pods: HTTPS, list and watch as the real
one speaks them, and controls for the failures a client must survive.

    with ApiServer(tmpdir, node="node-1") as api:
        api.set_pods([fixtures.deployment_pod("web", node="node-1")])
        api.write_kubeconfig(tmpdir + "/kubeconfig", auth="token-file")
        ... start the client ...
        api.wait_for_request(lambda r: r.kind == "watch")
        api.update_pod(pod)                 # MODIFIED at the next resourceVersion
        api.disconnect_watches()            # the client must re-watch from its last RV
        api.compact(); api.disconnect_watches()   # ... and relist after the 410

Served: GET /api/v1/pods and /api/v1/namespaces/NS/pods (list, ?watch=1),
/api/v1/namespaces/NS/pods/NAME, the deprecated /api/v1/watch/... forms, and
/version.  Auth: the current bearer token, or a client certificate the test CA
signed.  State and semantics: store.py; the wire: handler.py.

As a program, for benchmarks (prints `READY <url>`, serves until SIGTERM):
    python3 tests/k8s/apiserver.py --dir DIR --node NODE --pods 250 \\
        [--pad-bytes N] [--port P] [--churn RATE]
"""

import argparse
import base64
import collections
import copy
import json
import os
import secrets
import signal
import socket
import socketserver
import ssl
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import certs  # noqa: E402
import fixtures  # noqa: E402
import handler  # noqa: E402
import kubeconfig  # noqa: E402
import store  # noqa: E402

_LOGGED_HEADERS = ("authorization", "user-agent", "accept", "accept-encoding", "connection")


@dataclass
class Request:
    """One request as the server saw it.  status is None until answered (a
    watch is answered, 200, when its stream starts)."""
    seq: int
    time: float           # time.monotonic()
    method: str
    path: str
    query: dict           # last value of each parameter
    headers: dict         # lower-case names, _LOGGED_HEADERS only
    kind: str             # "list", "watch", "get" or "other"
    user: str = None      # "token", "x509:<CN>", None when not authenticated
    status: int = None
    bytes: int = 0        # body bytes sent (0 for a watch)


def fake_jwt(rng=secrets):
    """A token shaped like a bound service account token (three base64url
    parts), so clients handle the length and characters of real ones."""
    def b64(d):
        return base64.urlsafe_b64encode(d).rstrip(b"=").decode()
    head = b64(json.dumps({"alg": "RS256", "kid": rng.token_hex(20)}).encode())
    body = b64(json.dumps({"aud": ["https://kubernetes.default.svc"], "exp": 2000000000,
                           "iss": "https://kubernetes.default.svc", "jti": rng.token_hex(16),
                           "sub": "system:serviceaccount:kube-system:vigil"}).encode())
    return f"{head}.{body}.{b64(rng.token_bytes(256))}"


@dataclass(eq=False)  # hashed by identity: kept in a set
class _Watcher:
    controls: collections.deque = field(default_factory=collections.deque)


class _Server(ThreadingHTTPServer):
    daemon_threads = False   # server_close() joins every connection's thread
    block_on_close = True
    allow_reuse_address = True

    def __init__(self, addr, api, ctx):
        self.api = api
        self.conns = set()
        super().__init__(addr, handler.Handler)
        self.socket = ctx.wrap_socket(self.socket, server_side=True,
                                      do_handshake_on_connect=False)

    def server_bind(self):
        # not HTTPServer's, which resolves the host name (getfqdn): slow without DNS
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def process_request(self, request, client_address):
        with self.api.cond:
            self.conns.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self.api.cond:
            self.conns.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        self.api._conn_error(exc)
        if not isinstance(exc, OSError):  # a bug here, not a client hanging up
            traceback.print_exc()


class _Server6(_Server):
    address_family = socket.AF_INET6


class ApiServer:
    VERSION = {"major": "1", "minor": "30", "gitVersion": "v1.30.2", "platform": "linux/amd64"}

    def __init__(self, dir, node="node-1", cert="valid", token=None, bookmark_interval=1.0,
                 history=1000, host="127.0.0.1", port=0, watch_timeout=None):
        if cert not in ("valid", "expired"):
            raise ValueError(f"cert: {cert!r}")
        self.dir, self.node, self.host, self.port = dir, node, host, port
        os.makedirs(dir, exist_ok=True)
        self.certs = certs.make_certs(os.path.join(dir, "pki"))
        self._cert_file = self.certs.server_cert if cert == "valid" else self.certs.expired_cert
        self.token = token or fake_jwt()
        self.token_path = kubeconfig.write_atomic(os.path.join(dir, "token"), self.token)
        self.bookmark_interval = bookmark_interval
        self.watch_timeout = watch_timeout       # for watches that give no timeoutSeconds
        self.cond = threading.Condition()        # guards everything below
        self.stopping = False
        self._store = store.PodStore(history)
        self._watchers = set()
        self.max_watchers = 0                    # most watch streams open at once
        self._log_entries = collections.deque(maxlen=100_000)
        self._seq = 0
        self._failures = collections.deque()     # (status, body, kind or None)
        self._stalls = collections.deque()
        self._sa_dirs = []
        self._errors = collections.deque(maxlen=1000)
        self.stats = collections.Counter()
        self._stop_event = threading.Event()
        self._httpd = self._thread = None

    # -- lifecycle -----------------------------------------------------------------

    @property
    def ca_path(self):
        return self.certs.ca_cert

    @property
    def url(self):
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"https://{host}:{self.port}"

    def start(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(self._cert_file, self.certs.server_key)
        ctx.verify_mode = ssl.CERT_OPTIONAL      # a client certificate is one way to log in
        ctx.load_verify_locations(self.certs.ca_cert)
        ctx.set_alpn_protocols(["http/1.1"])     # no h2 here: clients must not assume it
        cls = _Server6 if ":" in self.host else _Server
        self._httpd = cls((self.host, self.port), self, ctx)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,),
                                        name="k8s-apiserver", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Close every stream and connection at once and join every thread."""
        if self._httpd is None:
            return
        with self.cond:
            self.stopping = True
            self.cond.notify_all()
        self._stop_event.set()
        self._httpd.shutdown()
        with self.cond:
            conns = list(self._httpd.conns)
        for c in conns:  # wakes handlers blocked in a handshake, a read or a write
            handler.hard_close(c)
        self._httpd.server_close()
        self._thread.join()
        self._httpd = self._thread = None

    def __enter__(self):
        return self.start() if self._httpd is None else self

    def __exit__(self, *exc):
        self.stop()

    # -- pods ------------------------------------------------------------------------

    def _change(self, fn, *args):
        with self.cond:
            ev = fn(*args)
            self.cond.notify_all()
            return str(ev.rv)

    def add_pod(self, pod):
        """ADDED; returns the new resourceVersion."""
        return self._change(self._store.add, pod)

    def update_pod(self, pod):
        """MODIFIED (the pod is found by namespace/name); returns the new RV."""
        return self._change(self._store.update, pod)

    def modify_pod(self, namespace, name, fn):
        """update_pod(fn(copy of the current pod))."""
        with self.cond:
            pod = copy.deepcopy(self._store.pods[f"{namespace}/{name}"].obj)
            return self._change(self._store.update, fn(pod) or pod)

    def delete_pod(self, namespace, name):
        """DELETED, carrying the last state at a new RV; returns that RV."""
        return self._change(self._store.delete, namespace, name)

    def set_pods(self, pods):
        """Replace the state without events: each pod gets its own RV, the
        history restarts after them, a watch from an older RV gets 410 and
        open watches end (cleanly, as the real server ends a watcher that fell
        behind).  Returns the current RV."""
        with self.cond:
            self._store.replace(pods)
            self.cond.notify_all()
            return str(self._store.rv)

    def compact(self):
        """Forget the history, as etcd compaction does: watches and continue
        tokens from before now get 410.  Returns the current RV."""
        with self.cond:
            self._store.compact()
            return str(self._store.rv)

    def pods(self):
        with self.cond:
            return [copy.deepcopy(self._store.pods[k].obj) for k in sorted(self._store.pods)]

    def pod(self, namespace, name):
        with self.cond:
            return copy.deepcopy(self._store.pods[f"{namespace}/{name}"].obj)

    def resource_version(self):
        with self.cond:
            return str(self._store.rv)

    def _floor(self):
        with self.cond:
            return self._store.floor

    # -- failures and controls -----------------------------------------------------------

    def _signal_watchers(self, control, timeout):
        """Give every open stream a control and wait until each has run it."""
        with self.cond:
            watchers = list(self._watchers)
            dones = []
            for w in watchers:
                done = threading.Event()
                w.controls.append(control + (done,))
                dones.append(done)
            self.cond.notify_all()
        for d in dones:
            d.wait(timeout)
        return watchers

    def disconnect_watches(self, mid_chunk=False, clean=False, timeout=5):
        """Cut every open watch stream: abruptly between two events (no last
        chunk, no TLS close_notify), or in the middle of an event's chunk, or
        (clean) after a proper end of the body, as a real server's shutdown
        does.  Returns when they are closed, with how many there were."""
        how = "mid_chunk" if mid_chunk else ("clean" if clean else "abrupt")
        watchers = self._signal_watchers(("disconnect", how), timeout)
        with self.cond:
            self.cond.wait_for(lambda: not self._watchers.intersection(watchers), timeout)
        return len(watchers)

    def end_watches(self, timeout=5):
        """End every stream as a timeoutSeconds expiry does (the connection stays)."""
        return len(self._signal_watchers(("end",), timeout))

    def inject_malformed(self, text=b'{"type":"ADDED","object":{bad', timeout=5):
        """Write text (one line) into every open stream, which then goes on."""
        if isinstance(text, str):
            text = text.encode()
        if not text.endswith(b"\n"):
            text += b"\n"
        return len(self._signal_watchers(("malformed", text), timeout))

    def fail_next(self, n, status=500, body=None, kind=None):
        """The next n pod requests (of kind "list", "watch" or "get" if given)
        fail with this HTTP status and a Status body (body: dict, str or bytes
        to send instead).  410 for a list answers as for a stale continue."""
        with self.cond:
            self._failures.extend([(status, body, kind)] * n)

    def _take_failure(self, kind):
        with self.cond:
            for f in self._failures:
                if f[2] in (None, kind):
                    self._failures.remove(f)
                    return f[0], f[1]
        return None

    def stall_next_list(self, seconds):
        """The next list waits that long before answering (stop() cuts it short)."""
        with self.cond:
            self._stalls.append(seconds)

    def _stall_if_asked(self):
        with self.cond:
            s = self._stalls.popleft() if self._stalls else 0
        if s:
            self._stop_event.wait(s)

    def set_token(self, token=None):
        """Make token (a new one if None) the only valid one, and write it where
        the server wrote the old one (token_path, service account dirs), the
        way files are replaced on a node.  Returns it."""
        token = token or fake_jwt()
        with self.cond:
            self.token = token
            kubeconfig.write_atomic(self.token_path, token)
            for d, ns in self._sa_dirs:
                kubeconfig.write_service_account(d, token, self.ca_path, ns)
        return token

    def set_bookmark_interval(self, seconds):
        with self.cond:
            self.bookmark_interval = seconds
            self.cond.notify_all()

    # -- watches and the request log -------------------------------------------------------

    def _watch_begin(self):
        w = _Watcher()
        self._watchers.add(w)
        self.max_watchers = max(self.max_watchers, len(self._watchers))
        self.stats["watches"] += 1
        return w

    def _watch_end(self, w):
        with self.cond:
            self._watchers.discard(w)
            self.cond.notify_all()

    def watchers(self):
        """Watch streams open now."""
        with self.cond:
            return len(self._watchers)

    def _count(self, what):
        with self.cond:
            self.stats[what] += 1

    def _log(self, h, path, query, kind, user):
        hdrs = {k: h.headers[k] for k in _LOGGED_HEADERS if k in h.headers}
        with self.cond:
            self._seq += 1
            r = Request(self._seq, time.monotonic(), h.command, path, query, hdrs, kind, user)
            self._log_entries.append(r)
            self.cond.notify_all()
            return r

    def _done(self, req, status, nbytes):
        with self.cond:
            req.status, req.bytes = status, nbytes
            self.cond.notify_all()

    def _conn_error(self, exc):
        with self.cond:
            self._errors.append(f"{type(exc).__name__}: {exc}")

    def connection_errors(self):
        """Connections that failed before a request (TLS handshakes a client
        refused, certificates this server refused), as strings."""
        with self.cond:
            return list(self._errors)

    def requests(self, kind=None, since=0):
        """The request log (copies of its entries), optionally of one kind,
        from sequence number `since` on (see log_mark)."""
        with self.cond:
            return [copy.copy(r) for r in self._log_entries
                    if r.seq > since and (kind is None or r.kind == kind)]

    def log_mark(self):
        """A sequence number: requests(since=mark) are those made after now."""
        with self.cond:
            return self._seq

    def wait_for_request(self, predicate, timeout=5, since=0):
        """The first logged request after `since` for which predicate(r) holds,
        waiting up to timeout seconds; TimeoutError saying what was seen."""
        def find():
            return next((r for r in self._log_entries if r.seq > since and predicate(r)), None)
        with self.cond:
            if self.cond.wait_for(find, timeout):
                return copy.copy(find())
            seen = [(r.kind, r.path, r.query, r.status) for r in self._log_entries
                    if r.seq > since][-10:]
        raise TimeoutError(f"no matching request in {timeout} s; last seen: {seen}")

    # -- client configuration --------------------------------------------------------------

    def write_kubeconfig(self, path, auth="token", inline_data=False, decoy=False):
        """A kubeconfig for this server; auth "token", "token-file" or
        "client-cert"; inline_data uses the *-data fields instead of paths."""
        if self._httpd is None and not self.port:
            raise RuntimeError("start() the server first, or give it a port: the kubeconfig "
                               "needs one")
        text = kubeconfig.kubeconfig_text(
            self.url, self.ca_path, auth, token=self.token, token_path=self.token_path,
            client_cert=self.certs.client_cert, client_key=self.certs.client_key,
            inline_data=inline_data, decoy=decoy)
        return kubeconfig.write_atomic(path, text)

    def write_service_account(self, d, namespace="kube-system"):
        """A /var/run/secrets/kubernetes.io/serviceaccount look-alike in d
        (token, ca.crt, namespace), rotated by set_token()."""
        with self.cond:
            kubeconfig.write_service_account(d, self.token, self.ca_path, namespace)
            self._sa_dirs.append((d, namespace))
        return d


# -- the benchmark server --------------------------------------------------------------------

def _churn(api, node, rate, stop):
    """Relabel a random pod of node `rate` times a second until stop is set."""
    keys = [(p["metadata"]["namespace"], p["metadata"]["name"]) for p in api.pods()
            if p["spec"].get("nodeName") == node]
    if not keys:
        return
    rng = fixtures.Ids(7).rng
    start, n = time.monotonic(), 0
    while not stop.is_set():
        n += 1
        ns, name = rng.choice(keys)

        def relabel(p):
            p["metadata"].setdefault("labels", {})["vigil.test/churn"] = str(n)
        api.modify_pod(ns, name, relabel)
        delay = start + n / rate - time.monotonic()
        if delay > 0:
            stop.wait(delay)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dir", required=True, help="where certificates, token and kubeconfig go")
    ap.add_argument("--node", default="node-1")
    ap.add_argument("--pods", type=int, default=250, help="pods on --node")
    ap.add_argument("--other-pods", type=int, default=None,
                    help="pods on other nodes (default: pods / 5)")
    ap.add_argument("--pad-bytes", type=int, default=0, help="extra bytes per pod")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--churn", type=float, default=0.0, help="label updates per second")
    ap.add_argument("--auth", default="token-file", choices=("token", "token-file",
                                                              "client-cert"))
    ap.add_argument("--bookmark-interval", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)

    stop = threading.Event()
    for s in (signal.SIGTERM, signal.SIGINT):
        signal.signal(s, lambda *_: stop.set())
    api = ApiServer(args.dir, node=args.node, port=args.port,
                    bookmark_interval=args.bookmark_interval).start()
    try:
        api.set_pods(fixtures.population(args.node, args.pods, other_count=args.other_pods,
                                         pad_bytes=args.pad_bytes, seed=args.seed))
        api.write_kubeconfig(os.path.join(args.dir, "kubeconfig"), auth=args.auth)
        api.write_service_account(os.path.join(args.dir, "serviceaccount"))
        churn = None
        if args.churn > 0:
            churn = threading.Thread(target=_churn, args=(api, args.node, args.churn, stop),
                                     name="churn", daemon=True)
            churn.start()
        print(f"READY {api.url}", flush=True)
        while not stop.wait(1):
            pass
        if churn:
            churn.join()
    finally:
        api.stop()
    print(f"apiserver: {dict(api.stats)} max concurrent watches {api.max_watchers}, "
          f"{len(api.requests())} requests", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
