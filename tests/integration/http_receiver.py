"""A test receiver for vigil's HTTP outputs (docs/outputs.md): Falco's
http_output / Falcosidekick ("/" and "/falco"), Elasticsearch _bulk
("<prefix>/_bulk") and OTLP/HTTP JSON logs ("/v1/logs").

    rx = HttpReceiver().start()            # or HttpReceiver(tls=True, cert_dir=...)
    ... run vigil with an output whose address is rx.url + "/_bulk" ...
    rx.wait_for(lambda: len(rx.bulk_docs()) >= 3)
    assert rx.errors() == []               # every request had the right format
    rx.set_mode("fail")                    # 500 from now on; "reject" 400;
    rx.set_mode("stall", seconds=3)        # answer 3 s late; "ok" again
    rx.down(); rx.up()                     # refuse connections, then listen again
    rx.stop()

Every request is recorded (path, headers, body, the status answered) and its
format checked for its endpoint; what is wrong goes to errors(), never to an
exception in the server thread. Only what was answered with 2xx counts in
alerts(), events(), bulk_docs() and otlp_records(). _bulk behaves like
Elasticsearch for "create" with an _id: a document id already stored in that
index answers 409 (version_conflict_engine_exception), so a re-send shows up
as such and is not stored twice; set_bulk_items() makes chosen items fail.

As a program it serves until SIGTERM or ^C and prints each request:
    python3 http_receiver.py [--port N] [--tls DIR]
"""

import gzip
import json
import os
import re
import signal
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PRIORITIES = ("Emergency", "Alert", "Critical", "Error", "Warning", "Notice",
              "Informational", "Debug")
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$")
ALERT_KEYS = {"time": str, "rule": str, "priority": str, "output": str,
              "output_fields": dict, "source": str, "tags": list, "hostname": str}
MODES = ("ok", "fail", "reject", "stall")


def check_alert(obj):
    """What is wrong with a Falco alert object (a list of strings)."""
    if not isinstance(obj, dict):
        return ["alert: not a JSON object"]
    errs = []
    for key, typ in ALERT_KEYS.items():
        if key not in obj:
            errs.append(f"alert: no {key}")
        elif not isinstance(obj[key], typ):
            errs.append(f"alert: {key} is {type(obj[key]).__name__}, not {typ.__name__}")
    if isinstance(obj.get("priority"), str) and obj["priority"] not in PRIORITIES:
        errs.append(f"alert: priority {obj['priority']!r}")
    if isinstance(obj.get("time"), str) and not RFC3339.match(obj["time"]):
        errs.append(f"alert: time {obj['time']!r} is not RFC 3339 UTC")
    if isinstance(obj.get("tags"), list) and not all(isinstance(t, str) for t in obj["tags"]):
        errs.append("alert: tags are not all strings")
    if "vigil" in obj and not isinstance(obj["vigil"], dict):
        errs.append("alert: vigil is not an object")
    return errs


def check_record(obj):
    """A vigil/v1 event or stats record, or a Falco alert: (kind, errors)."""
    if isinstance(obj, dict) and obj.get("schema") == "vigil/v1":
        errs = [f"record: no {k}" for k in ("type", "time", "node") if k not in obj]
        if isinstance(obj.get("time"), str) and not RFC3339.match(obj["time"]):
            errs.append(f"record: time {obj['time']!r} is not RFC 3339 UTC")
        return ("stats" if obj.get("type") == "stats" else "event"), errs
    return "alert", check_alert(obj)


def _attrs(lst, where, errs):
    """OTLP KeyValue list -> dict of string values."""
    out = {}
    if not isinstance(lst, list):
        errs.append(f"{where}: attributes is not a list")
        return out
    for kv in lst:
        val = kv.get("value") if isinstance(kv, dict) else None
        if not isinstance(kv, dict) or not isinstance(kv.get("key"), str) \
                or not isinstance(val, dict) or len(val) != 1:
            errs.append(f"{where}: bad attribute {kv!r}")
            continue
        out[kv["key"]] = val.get("stringValue", next(iter(val.values())))
    return out


def _otlp_record(rec, where, errs):
    for key in ("timeUnixNano", "observedTimeUnixNano"):
        if key in rec and not (isinstance(rec[key], str) and rec[key].isdigit()):
            errs.append(f"{where}: {key} {rec.get(key)!r} is not a decimal string")
    if "observedTimeUnixNano" not in rec:
        errs.append(f"{where}: no observedTimeUnixNano")
    sev = rec.get("severityNumber")
    if not isinstance(sev, int) or not 1 <= sev <= 24:
        errs.append(f"{where}: severityNumber {sev!r}")
    if not isinstance(rec.get("severityText"), str):
        errs.append(f"{where}: no severityText")
    body = rec.get("body", {}).get("stringValue") if isinstance(rec.get("body"), dict) else None
    line = None
    if not isinstance(body, str):
        errs.append(f"{where}: body is not a stringValue")
    else:
        try:
            line = json.loads(body)
        except ValueError:
            errs.append(f"{where}: body is not a JSON line")
    attrs = _attrs(rec.get("attributes", []), where, errs)
    if attrs.get("vigil.kind") not in ("event", "alert", "stats"):
        errs.append(f"{where}: vigil.kind {attrs.get('vigil.kind')!r}")
    elif line is not None:
        kind, lerrs = check_record(line)
        errs.extend(f"{where}: {e}" for e in lerrs)
        if kind != attrs["vigil.kind"]:
            errs.append(f"{where}: vigil.kind {attrs['vigil.kind']} but the body is {kind}")
        if kind == "alert" and attrs.get("vigil.rule") != line.get("rule"):
            errs.append(f"{where}: vigil.rule differs from the alert's rule")
    return {"time_unix_nano": rec.get("timeUnixNano"), "severity_number": sev,
            "severity_text": rec.get("severityText"), "attributes": attrs,
            "body": body, "line": line}


def check_otlp(doc):
    """(records, errors) of an ExportLogsServiceRequest; each record carries its
    resource attributes under "resource"."""
    errs, out = [], []
    rls = doc.get("resourceLogs") if isinstance(doc, dict) else None
    if not isinstance(rls, list) or not rls:
        return out, ["otlp: no resourceLogs list"]
    for i, rl in enumerate(rls):
        where = f"otlp: resourceLogs[{i}]"
        res = _attrs((rl.get("resource") or {}).get("attributes"), where, errs) \
            if isinstance(rl, dict) else {}
        if res.get("service.name") != "vigil":
            errs.append(f"{where}: service.name {res.get('service.name')!r}")
        if not res.get("k8s.node.name"):
            errs.append(f"{where}: no k8s.node.name")
        sls = rl.get("scopeLogs") if isinstance(rl, dict) else None
        if not isinstance(sls, list) or not sls:
            errs.append(f"{where}: no scopeLogs")
            continue
        for j, sl in enumerate(sls):
            if (sl.get("scope") or {}).get("name") != "vigil":
                errs.append(f"{where}.scopeLogs[{j}]: scope.name is not vigil")
            recs = sl.get("logRecords")
            if not isinstance(recs, list) or not recs:
                errs.append(f"{where}.scopeLogs[{j}]: no logRecords")
                continue
            for k, rec in enumerate(recs):
                r = _otlp_record(rec, f"{where}.scopeLogs[{j}].logRecords[{k}]", errs)
                r["resource"] = res
                out.append(r)
    return out, errs


def check_bulk(body):
    """([(action, index, id, doc)], errors) of a _bulk NDJSON body."""
    errs, out = [], []
    if not body.endswith(b"\n"):
        errs.append("bulk: the body does not end with a newline")
    lines = body.decode("utf-8", "replace").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) % 2:
        errs.append(f"bulk: {len(lines)} lines, not action/document pairs")
    for i in range(0, len(lines) - 1, 2):
        try:
            action, doc = json.loads(lines[i]), json.loads(lines[i + 1])
        except ValueError as e:
            errs.append(f"bulk: line {i + 1} or {i + 2}: not JSON ({e})")
            continue
        if not isinstance(action, dict) or len(action) != 1 \
                or next(iter(action)) not in ("create", "index"):
            errs.append(f"bulk: line {i + 1}: not a create/index action: {lines[i][:100]}")
            continue
        op, meta = next(iter(action.items()))
        if not isinstance(meta, dict) or not isinstance(meta.get("_index"), str):
            errs.append(f"bulk: line {i + 1}: no _index")
            continue
        kind, derrs = check_record(doc)
        errs.extend(f"bulk: line {i + 2}: {e}" for e in derrs)
        if isinstance(doc, dict) and "@timestamp" in doc and doc.get("@timestamp") != doc.get("time"):
            errs.append(f"bulk: line {i + 2}: @timestamp differs from time")
        out.append((op, meta["_index"], meta.get("_id"), doc))
    return out, errs


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as libcurl uses it

    def log_message(self, fmt, *args):  # quiet; requests are recorded instead
        pass

    def setup(self):
        super().setup()
        self.server.rx._conn_opened(self.connection)

    def finish(self):
        try:
            super().finish()
        finally:
            self.server.rx._conn_closed(self.connection)

    def _body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if not size:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("Content-Encoding", "").lower() == "gzip":
            data = gzip.decompress(data)
        return data

    def do_POST(self):
        body = self._body()
        status, reply = self.server.rx._handle(self.path, dict(self.headers.items()), body)
        if status is None:  # down while stalled: say nothing
            self.close_connection = True
            return
        data = json.dumps(reply).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.close_connection = True

    def do_GET(self):
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class HttpReceiver:
    def __init__(self, port=0, tls=False, cert_dir=None, client_auth=False):
        """tls: serve HTTPS with a certificate for 127.0.0.1/localhost from a
        test CA (self.ca_cert), made in cert_dir; client_auth: require a client
        certificate from that CA (self.client_cert / self.client_key)."""
        self.port = port
        self.tls = tls
        self.client_auth = client_auth
        self._lock = threading.Lock()
        self._reqs = []
        self._errors = []
        self._ids = {}  # index -> set of _id, as Elasticsearch keeps them
        self._mode, self._stall = "ok", 0.0
        self._bulk_items = []  # statuses for the next _bulk items
        self._otlp_partial = 0
        self._conns = set()
        self._srv = self._thread = None
        self._wake = threading.Event()
        self.certs = None
        if tls:
            sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
                os.path.abspath(__file__))), "k8s"))
            import certs  # tests/k8s/certs.py
            self.certs = certs.make_certs(cert_dir or _tmpdir())

    # -- life cycle ---------------------------------------------------------
    @property
    def url(self):
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    @property
    def ca_cert(self):
        return self.certs.ca_cert if self.certs else None

    @property
    def client_cert(self):
        return self.certs.client_cert if self.certs else None

    @property
    def client_key(self):
        return self.certs.client_key if self.certs else None

    def start(self):
        self.up()
        return self

    def up(self):
        """Listen (again, on the same port after down())."""
        if self._srv:
            return self
        srv = _Server(("127.0.0.1", self.port), _Handler)
        srv.rx = self
        if self.tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(self.certs.server_cert, self.certs.server_key)
            if self.client_auth:
                ctx.verify_mode = ssl.CERT_REQUIRED
                ctx.load_verify_locations(self.certs.ca_cert)
            srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
        self.port = srv.server_address[1]
        self._srv = srv
        self._wake.clear()
        self._thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"http-receiver-{self.port}", daemon=True)
        self._thread.start()
        return self

    def down(self):
        """Stop listening and cut every open connection: a client finds the
        port closed until up()."""
        srv, self._srv = self._srv, None
        if not srv:
            return
        self._wake.set()  # stalled answers give up
        srv.shutdown()
        srv.server_close()
        self._thread.join(5)
        with self._lock:
            conns = list(self._conns)
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def stop(self):
        self.down()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _conn_opened(self, c):
        with self._lock:
            self._conns.add(c)

    def _conn_closed(self, c):
        with self._lock:
            self._conns.discard(c)

    # -- behaviour ----------------------------------------------------------
    def set_mode(self, mode, seconds=0.0):
        """ok: 2xx; fail: 500; reject: 400; stall: answer (2xx) after `seconds`."""
        if mode not in MODES:
            raise ValueError(f"mode {mode!r}: one of {MODES}")
        with self._lock:
            self._mode, self._stall = mode, float(seconds)

    def set_bulk_items(self, statuses):
        """The next _bulk items get these statuses (429, 400, 503, ...) in order
        instead of 201; only 2xx items are stored."""
        with self._lock:
            self._bulk_items = list(statuses)

    def set_otlp_partial(self, rejected):
        """The next OTLP request answers partialSuccess with this many rejected."""
        with self._lock:
            self._otlp_partial = int(rejected)

    # -- request handling ---------------------------------------------------
    def _handle(self, path, headers, body):
        with self._lock:
            mode, stall = self._mode, self._stall
        if mode == "stall" and self._wake.wait(stall):
            return None, None
        endpoint = _endpoint(path)
        rec = {"time": time.time(), "path": path, "endpoint": endpoint, "headers": headers,
               "body": body, "items": [], "errors": []}
        ctype = _header(headers, "Content-Type").split(";")[0].strip().lower()
        want = "application/x-ndjson" if endpoint == "bulk" else "application/json"
        if endpoint and ctype != want:
            rec["errors"].append(f"{path}: Content-Type {ctype!r}, not {want}")
        if endpoint is None:
            rec["errors"].append(f"{path}: not an endpoint of Falco, _bulk or OTLP")
            status, reply = 404, {"error": "no such endpoint"}
        elif mode == "fail":
            status, reply = 500, {"error": "receiver in fail mode"}
        elif mode == "reject":
            status, reply = 400, {"error": "receiver in reject mode"}
        else:
            status, reply = 200, None
        parse = {"falco": self._falco, "bulk": self._bulk, "otlp": self._otlp}.get(endpoint)
        if parse:
            reply2 = parse(rec, store=200 <= status < 300)
            reply = reply if reply is not None else reply2
        rec["status"] = status
        with self._lock:
            self._reqs.append(rec)
            self._errors.extend(rec["errors"])
        return status, reply

    def _falco(self, rec, store):
        try:
            obj = json.loads(rec["body"])
        except ValueError as e:
            rec["errors"].append(f"{rec['path']}: body is not JSON ({e})")
            return {}
        kind, errs = check_record(obj)
        rec["errors"].extend(f"{rec['path']}: {e}" for e in errs)
        if store:
            rec["items"].append((kind, obj))
        return {}

    def _bulk(self, rec, store):
        docs, errs = check_bulk(rec["body"])
        rec["errors"].extend(errs)
        items = []
        with self._lock:
            for op, index, doc_id, doc in docs:
                status = self._bulk_items.pop(0) if self._bulk_items else 201
                ids = self._ids.setdefault(index, set())
                if store and status == 201 and op == "create" and doc_id in ids:
                    status = 409
                item = {"_index": index, "_id": doc_id, "status": status}
                if status >= 300:
                    item["error"] = {"type": "version_conflict_engine_exception"
                                     if status == 409 else "test_injected",
                                     "reason": f"status {status} from the receiver"}
                elif store:
                    if doc_id:
                        ids.add(doc_id)
                    rec["items"].append((index, doc))
                items.append({op: item})
        return {"took": 1, "errors": any(i[next(iter(i))]["status"] >= 300 for i in items),
                "items": items}

    def _otlp(self, rec, store):
        try:
            doc = json.loads(rec["body"])
        except ValueError as e:
            rec["errors"].append(f"{rec['path']}: body is not JSON ({e})")
            return {}
        records, errs = check_otlp(doc)
        rec["errors"].extend(errs)
        with self._lock:
            partial, self._otlp_partial = self._otlp_partial, 0
        if store:
            rec["items"].extend(records)
        if partial:
            return {"partialSuccess": {"rejectedLogRecords": str(partial),
                                       "errorMessage": "rejected by the test receiver"}}
        return {}

    # -- what was received --------------------------------------------------
    def requests(self, endpoint=None):
        with self._lock:
            return [r for r in self._reqs if endpoint is None or r["endpoint"] == endpoint]

    def errors(self):
        with self._lock:
            return list(self._errors)

    def alerts(self):
        """Falco alerts accepted on / or /falco, in order."""
        return [o for r in self.requests("falco") for k, o in r["items"] if k == "alert"]

    def events(self):
        """vigil/v1 events and stats records accepted on / or /falco."""
        return [o for r in self.requests("falco") for k, o in r["items"] if k != "alert"]

    def bulk_docs(self, index=None):
        """Documents stored through _bulk (each once), in order."""
        return [d for r in self.requests("bulk") for ix, d in r["items"]
                if index is None or ix == index]

    def otlp_records(self):
        """OTLP log records accepted, each a dict: time_unix_nano,
        severity_number, severity_text, attributes, body, line (parsed),
        resource (attributes)."""
        return [x for r in self.requests("otlp") for x in r["items"]]

    def wait_for(self, predicate, timeout=10.0, interval=0.05):
        """predicate()'s first true value; AssertionError after timeout."""
        end = time.monotonic() + timeout
        while True:
            v = predicate()
            if v:
                return v
            if time.monotonic() > end:
                raise AssertionError(f"timed out after {timeout}s waiting for {predicate}")
            time.sleep(interval)


def _endpoint(path):
    p = path.split("?", 1)[0].rstrip("/")
    if p in ("", "/falco"):
        return "falco"
    if p.endswith("/_bulk"):
        return "bulk"
    if p == "/v1/logs":
        return "otlp"
    return None


def _header(headers, name):
    for k, v in headers.items():
        if k.lower() == name.lower():
            return v
    return ""


def _tmpdir():
    import tempfile
    return tempfile.mkdtemp(prefix="vigil-http-rx-")


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--tls", metavar="DIR", help="serve HTTPS; certificates written to DIR")
    args = ap.parse_args(argv)
    rx = HttpReceiver(port=args.port, tls=bool(args.tls), cert_dir=args.tls).start()
    print(f"listening on {rx.url}" + (f" (CA {rx.ca_cert})" if rx.tls else ""), flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    seen = 0
    try:
        while not done.wait(0.2):
            reqs = rx.requests()
            for r in reqs[seen:]:
                print(f"{r['status']} {r['path']} {len(r['body'])} bytes, "
                      f"{len(r['items'])} items, errors: {r['errors'] or 'none'}", flush=True)
            seen = len(reqs)
    except KeyboardInterrupt:
        pass
    rx.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
