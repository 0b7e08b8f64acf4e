"""HTTP side of the test API server: one handler per connection (HTTP/1.1,
keep-alive), TLS handshake in the connection's thread, the pod routes, lists
and watch streams.  State and test controls live in apiserver.ApiServer
(`self.server.api`); everything here reads them under api.cond.

Wire details copied from the real server because clients trip on them:
  - list items carry no kind/apiVersion (watch event objects do);
  - bodies over 2 KiB are sent chunked, like Go's net/http does for a
    handler that writes more than its buffer; over 128 KiB they are gzipped
    when the client accepts gzip (the API server's threshold);
  - one watch event is one chunk and one line; a watch that ends on its
    timeout ends the chunked body properly and the connection stays usable;
  - too old a resourceVersion for a watch is an HTTP 200 whose only event is
    an ERROR with a 410 Status; for a list it is an HTTP 410.
"""

import gzip
import hmac
import re
import socket
import ssl
import time
import uuid
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import store

GZIP_MIN = 128 * 1024
CHUNK_MIN = 2048
WRITE_CHUNK = 32 * 1024
_ROUTE = re.compile(r"/api/v1/(?:(watch)/)?(?:namespaces/([^/]+)/)?pods(?:/([^/]+))?/?")
_REASONS = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
            405: "MethodNotAllowed", 409: "AlreadyExists", 410: "Expired",
            429: "TooManyRequests", 500: "InternalError", 503: "ServiceUnavailable",
            504: "Timeout"}
CONTINUE_EXPIRED = (
    "The provided continue parameter is too old to display a consistent list result. You can "
    "start a new list without the continue parameter, or use the continue token in this "
    "response to retrieve the remainder of the results. Continuing with the provided token "
    "results in an inconsistent list - objects that were created, modified, or deleted between "
    "the time the first chunk was returned and now may show up in the list.")


def status_obj(code, message, reason=None, details=None, meta=None):
    """A metav1.Status, keys in the real order."""
    s = {"kind": "Status", "apiVersion": "v1", "metadata": meta or {}, "status": "Failure",
         "message": message, "reason": reason or _REASONS.get(code, "")}
    if details is not None:
        s["details"] = details
    s["code"] = code
    return s


def bookmark(rv, initial_end=False):
    meta = {"resourceVersion": str(rv), "creationTimestamp": None}
    if initial_end:
        meta["annotations"] = {"k8s.io/initial-events-end": "true"}
    return {"kind": "Pod", "apiVersion": "v1", "metadata": meta, "spec": {"containers": None},
            "status": {}}


def event_line(type_, obj_bytes):
    return b'{"type":"%s","object":%s}\n' % (type_.encode(), obj_bytes)


def hard_close(sock):
    """Drop the TCP connection without a TLS close_notify or a last chunk: what
    a client sees when the server dies or a load balancer cuts the stream.
    socket.socket.shutdown, not SSLSocket's: safe while another thread is
    inside an SSL read or write on this socket."""
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


_TRUE = ("1", "t", "T", "true", "TRUE", "True")  # Go's strconv.ParseBool


def _bool(v, name):
    if v in _TRUE:
        return True
    if v in ("", "0", "f", "F", "false", "FALSE", "False"):
        return False
    raise store.BadRequest(f"{name}: invalid value {v!r}")


def _int(v, name):
    try:
        return int(v) if v != "" else 0
    except ValueError:
        raise store.BadRequest(f"{name}: invalid value {v!r}") from None


class HttpError(Exception):
    def __init__(self, code, message, details=None, meta=None, headers=()):
        super().__init__(message)
        self.status = status_obj(code, message, details=details, meta=meta)
        self.code, self.headers = code, headers


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 60  # an idle keep-alive connection, or a client that stopped reading

    def setup(self):
        self.request.settimeout(10)
        self.request.do_handshake()  # here, not in the accept loop: a slow client blocks no one
        super().setup()

    def log_message(self, fmt, *args):
        pass

    def version_string(self):
        return "vigil-test-apiserver"

    # -- responses ---------------------------------------------------------------

    def _chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def _send(self, code, body, headers=()):
        gz = len(body) > GZIP_MIN and "gzip" in self.headers.get("Accept-Encoding", "")
        if gz:
            body = gzip.compress(body, compresslevel=1)
        self.send_response(code)
        self.send_header("Audit-Id", str(uuid.uuid4()))
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Content-Type", "application/json")
        for k, v in headers:
            self.send_header(k, v)
        if gz:
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        if len(body) <= CHUNK_MIN:
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(0, len(body), WRITE_CHUNK):
                self._chunk(body[i:i + WRITE_CHUNK])
            self.wfile.write(b"0\r\n\r\n")
        return len(body)

    def _send_status(self, req, code, status, headers=()):
        body = status if isinstance(status, bytes) else store.dumps(status) + b"\n"
        self.server.api._done(req, code, self._send(code, body, headers))

    # -- requests ------------------------------------------------------------------

    def do_GET(self):
        api = self.server.api
        url = urlsplit(self.path)
        q = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        m = _ROUTE.fullmatch(url.path)
        kind = "other"
        if m:
            watch_path, ns, name = m.groups()
            # an invalid watch value is a list, which answers 400 for it
            if watch_path or q.get("watch", "") in _TRUE:
                kind = "watch"
            else:
                kind = "get" if name else "list"
        user = self._authenticate()
        req = api._log(self, url.path, q, kind, user)
        try:
            if url.path == "/version":  # public, as on a real cluster
                return self._send_status(req, 200, api.VERSION)
            if user is None:  # authentication comes before routing
                raise HttpError(401, "Unauthorized")
            if not m:
                raise HttpError(404, "the server could not find the requested resource",
                                details={})
            failure = api._take_failure(kind)
            if failure:
                return self._send_failure(req, kind, q, *failure)
            if kind == "watch":
                return self._watch(req, ns, name, q)
            if kind == "get":
                return self._get(req, ns, name)
            return self._list(req, ns, q)
        except store.BadRequest as e:
            self._send_status(req, 400, status_obj(400, str(e)))
        except HttpError as e:
            self._send_status(req, e.code, e.status, e.headers)

    def _refuse_method(self):
        """Only GET is served; the body of any other request is not read, so
        the connection cannot be reused."""
        self.close_connection = True
        req = self.server.api._log(self, urlsplit(self.path).path, {}, "other",
                                   self._authenticate())
        self._send_status(req, 405, status_obj(
            405, "the server does not allow this method on the requested resource",
            details={}))

    do_POST = do_PUT = do_PATCH = do_DELETE = _refuse_method

    def _authenticate(self):
        """"x509:<CN>" for a client certificate the CA signed (the handshake
        already refused any other), "token" for the current bearer token,
        None otherwise."""
        cert = self.request.getpeercert()
        if cert:
            cn = [v for rdn in cert.get("subject", ()) for k, v in rdn if k == "commonName"]
            return "x509:" + (cn[0] if cn else "")
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() == "bearer" and token and \
                hmac.compare_digest(token.encode(), self.server.api.token.encode()):
            return "token"
        return None

    def _send_failure(self, req, kind, q, code, body):
        headers = [("Retry-After", "1")] if code in (429, 503) else []
        if body is None:
            api = self.server.api
            meta, details = None, None
            if code == 410 and q.get("continue"):
                msg = CONTINUE_EXPIRED
                meta = {"continue": q["continue"]}
            elif code == 410:
                msg = f"too old resource version: {q.get('resourceVersion') or 1} ({api._floor()})"
            elif code == 403:
                msg = ('pods is forbidden: User "system:serviceaccount:kube-system:vigil" '
                       f'cannot {kind} resource "pods" in API group "" at the cluster scope')
                details = {"kind": "pods"}
            elif code == 429:
                msg, details = "Too many requests, please try again later.", \
                    {"retryAfterSeconds": 1}
            elif code == 500:
                msg = "Internal error occurred: injected by the test"
                details = {"causes": [{"message": "injected by the test"}]}
            else:
                msg = {401: "Unauthorized"}.get(code, f"injected failure {code}")
            body = status_obj(code, msg, details=details, meta=meta)
        elif isinstance(body, str):
            body = body.encode()
        elif isinstance(body, dict):
            body = store.dumps(body) + b"\n"
        self._send_status(req, code, body, headers)

    def _selector(self, ns, name, q):
        """predicate(obj) from the path's namespace and name and the selectors."""
        fields = store.parse_field_selector(q.get("fieldSelector", ""))
        labels = store.parse_label_selector(q.get("labelSelector", ""))
        return lambda o: ((ns is None or o["metadata"]["namespace"] == ns)
                          and (name is None or o["metadata"]["name"] == name)
                          and fields(o) and labels(o))

    def _get(self, req, ns, name):
        api = self.server.api
        with api.cond:
            rec = api._store.pods.get(f"{ns}/{name}")
        if rec is None:
            raise HttpError(404, f'pods "{name}" not found',
                            details={"name": name, "kind": "pods"})
        api._done(req, 200, self._send(200, rec.wire + b"\n"))

    # -- list ----------------------------------------------------------------------

    def _list_rv(self, st, q):
        """The RV a list without continue is served at (current state, or an
        older snapshot for resourceVersionMatch=Exact)."""
        rv_param, rvm = q.get("resourceVersion", ""), q.get("resourceVersionMatch", "")
        if rvm not in ("", "Exact", "NotOlderThan"):
            raise store.BadRequest(f'resourceVersionMatch: Unsupported value: "{rvm}": '
                                   'supported values: "Exact", "NotOlderThan"')
        if rv_param == "":
            if rvm:
                raise store.BadRequest("resourceVersionMatch is forbidden unless "
                                       "resourceVersion is provided")
            return st.rv
        if rv_param == "0" and rvm == "Exact":
            raise store.BadRequest('resourceVersionMatch "exact" is forbidden for '
                                   'resourceVersion "0"')
        try:
            n = int(rv_param)
        except ValueError:
            raise store.BadRequest(f"invalid resource version: {rv_param}") from None
        if n > st.rv:
            raise HttpError(504, f"Too large resource version: {n}, current: {st.rv}",
                            details={"causes": [{"reason": "ResourceVersionTooLarge",
                                                 "message": "Too large resource version"}],
                                     "retryAfterSeconds": 1})
        return n if rvm == "Exact" else st.rv

    def _list(self, req, ns, q):
        api = self.server.api
        api._stall_if_asked()
        _bool(q.get("watch", ""), "watch")
        limit = max(0, _int(q.get("limit", ""), "limit"))
        match = self._selector(ns, None, q)
        selective = bool(q.get("fieldSelector") or q.get("labelSelector"))
        cont = q.get("continue", "")
        with api.cond:
            st = api._store
            if cont:
                if q.get("resourceVersion"):
                    raise store.BadRequest("specifying resource version is not allowed when "
                                           "using continue")
                rv, start = store.decode_continue(cont)
            else:
                rv, start = self._list_rv(st, q), ""
            try:
                state = st.snapshot(rv)
            except store.TooOld as e:
                if not cont:
                    raise HttpError(410, str(e)) from None
                raise HttpError(410, CONTINUE_EXPIRED, meta={
                    "continue": store.encode_continue(st.rv, start)}) from None
            items, last, remaining = store.page(state, f"{ns}/" if ns else "", match, start,
                                                limit)
            api.stats["lists"] += 1
        meta = {"resourceVersion": str(rv)}
        if last is not None:
            meta["continue"] = store.encode_continue(rv, last + "\x00")
            if not selective:  # counting matches would cost a full scan: the real one skips it
                meta["remainingItemCount"] = remaining
        body = b"".join([b'{"kind":"PodList","apiVersion":"v1","metadata":', store.dumps(meta),
                         b',"items":[', b",".join(r.item for r in items), b"]}\n"])
        api._done(req, 200, self._send(200, body))

    # -- watch ---------------------------------------------------------------------

    def _watch(self, req, ns, name, q):
        api = self.server.api
        match = self._selector(ns, name, q)
        bookmarks = _bool(q.get("allowWatchBookmarks", ""), "allowWatchBookmarks")
        timeout = _int(q.get("timeoutSeconds", ""), "timeoutSeconds") or api.watch_timeout
        rv_param = q.get("resourceVersion", "")
        initial_events = _bool(q.get("sendInitialEvents", ""), "sendInitialEvents")
        if initial_events and (not bookmarks or q.get("resourceVersionMatch") != "NotOlderThan"):
            raise store.BadRequest("sendInitialEvents requires allowWatchBookmarks=true and "
                                   "resourceVersionMatch=NotOlderThan")
        with api.cond:
            st, initial, too_old = api._store, [], None
            if rv_param in ("", "0") or initial_events:
                # "get state and start at most recent": the current pods as ADDED first
                initial = [st.pods[k] for k in sorted(st.pods) if match(st.pods[k].obj)]
                cursor = st.rv
            else:
                try:
                    cursor = int(rv_param)
                except ValueError:
                    raise store.BadRequest(f"invalid resource version: {rv_param}") from None
                if cursor < st.floor:
                    too_old = store.TooOld(cursor, st.floor)
            watcher = api._watch_begin() if too_old is None else None
        try:
            self.send_response(200)
            self.send_header("Audit-Id", str(uuid.uuid4()))
            self.send_header("Cache-Control", "no-cache, private")
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            api._done(req, 200, 0)
            if too_old is not None:
                self._chunk(event_line("ERROR", store.dumps(status_obj(410, str(too_old)))))
                self.wfile.write(b"0\r\n\r\n")
                return
            for rec in initial:
                self._chunk(event_line("ADDED", rec.wire))
            if initial_events:
                self._chunk(event_line("BOOKMARK", store.dumps(bookmark(cursor, True))))
            self._stream(watcher, cursor, match, bookmarks, timeout)
        except (OSError, ssl.SSLError):
            self.close_connection = True  # the client went away
        finally:
            if watcher is not None:
                api._watch_end(watcher)

    def _next(self, watcher, cursor, deadline, next_bm):
        """Wait under the lock for something to do: (control, events, rv).
        events are all those after cursor up to rv, so a bookmark at rv after
        them promises nothing that was not sent."""
        api = self.server.api
        with api.cond:
            while True:
                if api.stopping:
                    return ("abort",), None, cursor
                if watcher.controls:
                    return watcher.controls.popleft(), None, cursor
                try:
                    evs = api._store.events_after(cursor)
                except store.TooOld:  # it fell behind the history: the real one ends it
                    return ("end",), None, cursor
                now = time.monotonic()
                if evs or (deadline and now >= deadline) or (next_bm and now >= next_bm):
                    return None, evs, api._store.rv
                waits = [t - now for t in (deadline, next_bm) if t]
                api.cond.wait(min(waits) if waits else None)

    def _stream(self, watcher, cursor, match, bookmarks, timeout):
        api = self.server.api
        start = time.monotonic()
        deadline = start + timeout if timeout else None
        next_bm = start + api.bookmark_interval if bookmarks else None
        while True:
            control, evs, rv = self._next(watcher, cursor, deadline, next_bm)
            if control:
                if self._control(control, cursor):
                    return
                continue
            for ev in evs:
                line = self._convert(ev, match)
                if line:
                    self._chunk(line)
                    api._count("events")
            cursor = max(cursor, rv)  # a watch from a future RV stays there
            now = time.monotonic()
            if deadline and now >= deadline:
                self.wfile.write(b"0\r\n\r\n")
                return
            if next_bm and now >= next_bm:
                self._chunk(event_line("BOOKMARK", store.dumps(bookmark(cursor))))
                api._count("bookmarks")
                next_bm = now + api.bookmark_interval

    def _control(self, control, cursor):
        """Run a test control; True when the stream is over."""
        what = control[0]
        try:
            if what == "malformed":
                self._chunk(control[1])
                return False
            if what == "end":
                self.wfile.write(b"0\r\n\r\n")
            elif what == "disconnect" and control[1] == "clean":
                self.wfile.write(b"0\r\n\r\n")
                hard_close(self.request)
            elif what == "disconnect" and control[1] == "mid_chunk":
                line = event_line("BOOKMARK", store.dumps(bookmark(cursor)))
                self.wfile.write(b"%x\r\n%s" % (len(line), line[:len(line) // 2]))
                hard_close(self.request)
            else:  # plain disconnect, or the server stops
                hard_close(self.request)
            self.close_connection = True
            return True
        finally:
            if len(control) > 2:
                control[2].set()

    @staticmethod
    def _convert(ev, match):
        """The event as a watcher with this selector sees it: a pod that starts
        matching is ADDED, one that stops matching is DELETED (with its previous
        content at the event's RV), as the API server's watch cache does."""
        cur = ev.type != "DELETED" and match(ev.rec.obj)
        old = ev.prev is not None and match(ev.prev.obj)
        if cur:
            return event_line("MODIFIED" if old else "ADDED", ev.rec.wire)
        if not old:
            return None
        if ev.type == "DELETED":
            return event_line("DELETED", ev.rec.wire)
        gone = dict(ev.prev.obj, metadata=dict(ev.prev.obj["metadata"],
                                               resourceVersion=str(ev.rv)))
        return event_line("DELETED", store.dumps(gone))
