"""Self-test of the test Kubernetes API server (tests/k8s/), with Python's
own http.client and ssl as the client: if these pass, a failure of vigil's
pod client against the server is the client's."""

import base64
import gzip
import http.client
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from urllib.parse import urlencode

import pytest

K8S_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "k8s")
sys.path.insert(0, K8S_DIR)

import apiserver  # noqa: E402
import fixtures  # noqa: E402

NODE_SEL = "spec.nodeName=node-1"


@pytest.fixture
def api(tmp_path):
    """A started server with 20 pods on node-1 and 4 on other nodes; stopped
    at teardown, which must leave no thread behind."""
    before = set(threading.enumerate())
    srv = apiserver.ApiServer(str(tmp_path / "api"), bookmark_interval=0.2).start()
    srv.set_pods(fixtures.population("node-1", 20, seed=3))
    yield srv
    srv.stop()
    left = [t for t in set(threading.enumerate()) - before if t.is_alive()]
    assert not left, f"threads left running: {left}"


def connect(api, cert=None, host="127.0.0.1", ca=None, timeout=5):
    ctx = ssl.create_default_context(cafile=ca or api.ca_path)
    if cert:
        ctx.load_cert_chain(*cert)
    return http.client.HTTPSConnection(host, api.port, context=ctx, timeout=timeout)


def get(api, path, params=None, token=True, conn=None, headers=None):
    """(response, body bytes); token True = the server's current token."""
    c = conn or connect(api)
    h = dict(headers or {})
    if token:
        h["Authorization"] = "Bearer " + (api.token if token is True else token)
    c.request("GET", path + ("?" + urlencode(params) if params else ""), headers=h)
    r = c.getresponse()
    return r, r.read()


def get_json(api, path, params=None, **kw):
    r, body = get(api, path, params, **kw)
    return r.status, json.loads(body)


def watch(api, params, path="/api/v1/pods", conn=None):
    c = conn or connect(api)
    c.request("GET", path + "?" + urlencode(dict(params, watch="1")),
              headers={"Authorization": "Bearer " + api.token})
    r = c.getresponse()
    assert r.status == 200
    assert r.getheader("Content-Type") == "application/json"
    assert r.getheader("Transfer-Encoding") == "chunked"
    return r


def next_event(resp):
    line = resp.readline()
    assert line, "stream ended"
    assert line.endswith(b"\n")
    return json.loads(line)


def events_until(resp, pred, limit=50):
    """Events, skipping bookmarks, up to and including the first for which pred holds."""
    out = []
    for _ in range(limit):
        ev = next_event(resp)
        if ev["type"] != "BOOKMARK":
            out.append(ev)
        if pred(ev):
            return out
    raise AssertionError(f"no such event in {limit}: {out}")


def node_pods(api, node="node-1"):
    return {p["metadata"]["name"] for p in api.pods() if p["spec"]["nodeName"] == node}


def relabel(value):
    def fn(p):
        p["metadata"]["labels"]["test"] = value
    return fn


# -- TLS and authentication ---------------------------------------------------

def test_tls_verified_against_the_ca_for_ip_and_localhost(api):
    for host in ("127.0.0.1", "localhost"):
        status, body = get_json(api, "/version", conn=connect(api, host=host))
        assert status == 200 and body["major"] == "1"


def test_expired_certificate_fails_verification(tmp_path):
    with apiserver.ApiServer(str(tmp_path), cert="expired") as srv:
        with pytest.raises(ssl.SSLCertVerificationError) as e:
            get(srv, "/version", conn=connect(srv))
        assert e.value.verify_code == 10  # X509_V_ERR_CERT_HAS_EXPIRED
        assert "certificate has expired" in e.value.verify_message
        # the same certificate with the dates ignored is fine: only the dates are wrong
        ctx = ssl.create_default_context(cafile=srv.ca_path)
        ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
        c = http.client.HTTPSConnection("127.0.0.1", srv.port, context=ctx, timeout=5)
        assert get(srv, "/version", conn=c)[0].status == 200


def test_untrusted_ca_fails_verification(api, tmp_path):
    other = apiserver.certs.make_certs(str(tmp_path / "other"))
    with pytest.raises(ssl.SSLCertVerificationError):
        get(api, "/version", conn=connect(api, ca=other.ca_cert))


def test_bearer_token_and_rotation(api):
    for token in (False, "wrong", api.token + "x"):
        status, body = get_json(api, "/api/v1/pods", token=token)
        assert status == 401
        assert body == {"kind": "Status", "apiVersion": "v1", "metadata": {},
                        "status": "Failure", "message": "Unauthorized",
                        "reason": "Unauthorized", "code": 401}
    assert get_json(api, "/api/v1/pods")[0] == 200
    sa = api.write_service_account(os.path.join(api.dir, "sa"))
    old, old_data = api.token, os.readlink(os.path.join(sa, "..data"))
    new = api.set_token()
    assert new != old and api.token == new
    assert get_json(api, "/api/v1/pods", token=old)[0] == 401
    assert get_json(api, "/api/v1/pods", token=new)[0] == 200
    assert open(api.token_path).read() == new
    # the service account directory rotated the kubelet's way: a new ..data target
    assert open(os.path.join(sa, "token")).read() == new
    assert os.readlink(os.path.join(sa, "token")) == "..data/token"
    assert os.readlink(os.path.join(sa, "..data")) != old_data
    assert not os.path.exists(os.path.join(sa, old_data))
    assert open(os.path.join(sa, "namespace")).read() == "kube-system"
    assert open(os.path.join(sa, "ca.crt")).read() == open(api.ca_path).read()


def test_client_certificate_auth(api):
    c = connect(api, cert=(api.certs.client_cert, api.certs.client_key))
    status, body = get_json(api, "/api/v1/pods", token=False, conn=c)
    assert status == 200 and body["kind"] == "PodList"
    assert api.requests(kind="list")[-1].user == "x509:vigil"
    # a certificate from a CA the server does not trust is refused in the handshake
    c = connect(api, cert=(api.certs.untrusted_client_cert, api.certs.untrusted_client_key))
    with pytest.raises((ssl.SSLError, ConnectionError, http.client.RemoteDisconnected)):
        get(api, "/api/v1/pods", token=False, conn=c)


def test_unknown_path_and_bad_requests(api):
    status, body = get_json(api, "/api/v1/services")
    assert status == 404 and body["reason"] == "NotFound"
    status, body = get_json(api, "/api/v1/pods", {"fieldSelector": "spec.foo=bar"})
    assert status == 400 and body["reason"] == "BadRequest"
    assert body["message"] == "field label not supported: spec.foo"
    status, body = get_json(api, "/api/v1/pods", {"continue": "garbage", "limit": "5"})
    assert status == 400
    status, body = get_json(api, "/api/v1/namespaces/prod/pods/nope")
    assert status == 404 and body["details"] == {"name": "nope", "kind": "pods"}
    c = connect(api)
    c.request("DELETE", "/api/v1/namespaces/prod/pods/x",
              headers={"Authorization": "Bearer " + api.token})
    assert c.getresponse().status == 405


# -- lists ---------------------------------------------------------------------------

def test_list_filters_by_node_and_namespace(api):
    status, body = get_json(api, "/api/v1/pods", {"fieldSelector": NODE_SEL})
    assert status == 200
    assert body["kind"] == "PodList" and body["apiVersion"] == "v1"
    assert body["metadata"] == {"resourceVersion": api.resource_version()}
    names = {p["metadata"]["name"] for p in body["items"]}
    assert names == node_pods(api) and len(names) == 20
    assert all("kind" not in p and "apiVersion" not in p for p in body["items"])
    assert all(p["spec"]["nodeName"] == "node-1" for p in body["items"])
    assert len(get_json(api, "/api/v1/pods")[1]["items"]) == 24
    ns = "kube-system"
    status, body = get_json(api, f"/api/v1/namespaces/{ns}/pods", {"fieldSelector": NODE_SEL})
    assert {p["metadata"]["namespace"] for p in body["items"]} == {ns}
    assert len(body["items"]) == 4  # the DaemonSets
    one = body["items"][0]["metadata"]
    status, pod = get_json(api, f"/api/v1/namespaces/{ns}/pods/{one['name']}")
    assert status == 200 and pod["kind"] == "Pod" and pod["metadata"]["uid"] == one["uid"]


def list_pages(api, params, limit):
    """All pages of a list: (items, [page metadata])."""
    items, metas, cont = [], [], None
    while True:
        p = dict(params, limit=str(limit))
        if cont:
            p["continue"] = cont
        status, body = get_json(api, "/api/v1/pods", p)
        assert status == 200, body
        items += body["items"]
        metas.append(body["metadata"])
        cont = body["metadata"].get("continue")
        if not cont:
            return items, metas
        assert len(body["items"]) == limit


def test_pagination_is_one_consistent_snapshot(api):
    expect = node_pods(api)
    first = get_json(api, "/api/v1/pods", {"fieldSelector": NODE_SEL, "limit": "6"})[1]
    rv = first["metadata"]["resourceVersion"]
    assert "remainingItemCount" not in first["metadata"]  # the real server omits it with a selector
    # changes after the first page do not show in the next ones
    victim = sorted(expect)[-1]
    ns = next(p["metadata"]["namespace"] for p in api.pods() if p["metadata"]["name"] == victim)
    api.delete_pod(ns, victim)
    api.add_pod(fixtures.bare_pod("zz-late", namespace="zz", node="node-1"))
    items, cont = list(first["items"]), first["metadata"]["continue"]
    while cont:
        body = get_json(api, "/api/v1/pods", {"fieldSelector": NODE_SEL, "limit": "6",
                                              "continue": cont})[1]
        assert body["metadata"]["resourceVersion"] == rv
        items += body["items"]
        cont = body["metadata"].get("continue")
    names = [p["metadata"]["name"] for p in items]
    assert len(names) == len(set(names)) and set(names) == expect


def test_pagination_without_selector_counts_remaining(api):
    items, metas = list_pages(api, {}, 10)
    assert len(items) == 24 and [m.get("remainingItemCount") for m in metas] == [14, 4, None]


def test_stale_continue_is_410_with_an_inconsistent_token(api):
    first = get_json(api, "/api/v1/pods", {"limit": "5"})[1]
    api.modify_pod(*_first_key(api), relabel("x"))
    api.compact()
    status, body = get_json(api, "/api/v1/pods", {"limit": "5",
                                                  "continue": first["metadata"]["continue"]})
    assert status == 410 and body["reason"] == "Expired" and body["code"] == 410
    assert body["message"].startswith("The provided continue parameter is too old")
    # the token in the Status continues from the next key, at the latest state
    status, rest = get_json(api, "/api/v1/pods", {"continue": body["metadata"]["continue"]})
    assert status == 200 and rest["metadata"]["resourceVersion"] == api.resource_version()
    assert len(first["items"]) + len(rest["items"]) == 24


def _first_key(api):
    p = api.pods()[0]["metadata"]
    return p["namespace"], p["name"]


def test_list_resource_version_semantics(api):
    rv = int(api.resource_version())
    api.modify_pod(*_first_key(api), relabel("y"))
    for params in ({"resourceVersion": "0"}, {"resourceVersion": str(rv)},
                   {"resourceVersion": str(rv), "resourceVersionMatch": "NotOlderThan"}):
        assert get_json(api, "/api/v1/pods", params)[1]["metadata"]["resourceVersion"] == \
            str(rv + 1)
    body = get_json(api, "/api/v1/pods", {"resourceVersion": str(rv),
                                          "resourceVersionMatch": "Exact"})[1]
    assert body["metadata"]["resourceVersion"] == str(rv)
    assert all(p["metadata"]["labels"].get("test") != "y" for p in body["items"])
    status, body = get_json(api, "/api/v1/pods", {"resourceVersion": str(rv + 100)})
    assert status == 504 and body["reason"] == "Timeout"
    api.compact()
    status, body = get_json(api, "/api/v1/pods", {"resourceVersion": str(rv),
                                                  "resourceVersionMatch": "Exact"})
    assert status == 410 and body["message"] == f"too old resource version: {rv} ({rv + 1})"


def test_ten_megabyte_list(tmp_path):
    with apiserver.ApiServer(str(tmp_path)) as srv:
        srv.set_pods(fixtures.population("node-1", 250, pad_bytes=40_000))
        r, body = get(srv, "/api/v1/pods", {"fieldSelector": NODE_SEL})
        assert r.status == 200 and r.getheader("Transfer-Encoding") == "chunked"
        assert len(body) >= 10_000_000
        assert len(json.loads(body)["items"]) == 250
        r, zipped = get(srv, "/api/v1/pods", {"fieldSelector": NODE_SEL},
                        headers={"Accept-Encoding": "gzip"})
        assert r.getheader("Content-Encoding") == "gzip" and len(zipped) < len(body)
        assert gzip.decompress(zipped) == body


# -- watches -------------------------------------------------------------------------

def test_watch_from_rv_delivers_changes_in_order(api):
    rv = int(api.resource_version())
    pod = fixtures.deployment_pod("new", namespace="prod", node="node-1")
    api.add_pod(pod)
    api.modify_pod("prod", pod["metadata"]["name"], relabel("1"))
    api.add_pod(fixtures.bare_pod("elsewhere", node="node-2"))   # filtered out
    api.delete_pod("prod", pod["metadata"]["name"])
    r = watch(api, {"resourceVersion": str(rv), "fieldSelector": NODE_SEL})
    evs = events_until(r, lambda e: e["type"] == "DELETED")
    assert [e["type"] for e in evs] == ["ADDED", "MODIFIED", "DELETED"]
    assert [e["object"]["metadata"]["resourceVersion"] for e in evs] == \
        [str(rv + 1), str(rv + 2), str(rv + 4)]
    assert all(e["object"]["kind"] == "Pod" and e["object"]["apiVersion"] == "v1" for e in evs)
    assert evs[2]["object"]["metadata"]["labels"]["test"] == "1"  # the last state
    # live changes, and a pod moving onto and off the node as the watch cache shows them
    api.add_pod(fixtures.bare_pod("mover", node="node-2"))
    api.modify_pod("default", "mover", lambda p: p["spec"].update(nodeName="node-1"))
    moved_rv = api.modify_pod("default", "mover", lambda p: p["spec"].update(nodeName="node-3"))
    evs = events_until(r, lambda e: e["type"] == "DELETED")
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in evs] == \
        [("ADDED", "mover"), ("DELETED", "mover")]
    assert evs[1]["object"]["metadata"]["resourceVersion"] == moved_rv
    assert evs[1]["object"]["spec"]["nodeName"] == "node-1"  # the state that matched


def test_watch_from_a_future_rv_skips_what_comes_before_it(api):
    future = int(api.resource_version()) + 2
    r = watch(api, {"resourceVersion": str(future), "allowWatchBookmarks": "true"})
    assert next_event(r)["object"]["metadata"]["resourceVersion"] == str(future)  # bookmark
    for i in range(3):
        api.modify_pod(*_first_key(api), relabel(str(i)))
    ev = events_until(r, lambda e: True)[0]
    assert ev["object"]["metadata"]["resourceVersion"] == str(future + 1)


def test_watch_without_rv_starts_with_the_current_pods(api):
    r = watch(api, {"fieldSelector": NODE_SEL})
    added = [next_event(r) for _ in range(20)]
    assert {e["type"] for e in added} == {"ADDED"}
    assert {e["object"]["metadata"]["name"] for e in added} == node_pods(api)
    rv = api.modify_pod(*_node1_key(api), relabel("z"))
    ev = events_until(r, lambda e: True)[0]
    assert ev["type"] == "MODIFIED" and ev["object"]["metadata"]["resourceVersion"] == rv


def _node1_key(api):
    p = next(p for p in api.pods() if p["spec"]["nodeName"] == "node-1")["metadata"]
    return p["namespace"], p["name"]


def test_bookmarks_carry_the_current_rv(api):
    r = watch(api, {"resourceVersion": api.resource_version(), "allowWatchBookmarks": "true"})
    t0 = time.monotonic()
    ev = next_event(r)
    assert 0.1 < time.monotonic() - t0 < 1.0
    assert ev == {"type": "BOOKMARK", "object": {
        "kind": "Pod", "apiVersion": "v1",
        "metadata": {"resourceVersion": api.resource_version(), "creationTimestamp": None},
        "spec": {"containers": None}, "status": {}}}
    api.add_pod(fixtures.bare_pod("elsewhere", node="node-2"))
    ev = next_event(r)
    assert ev["type"] == "ADDED"
    assert next_event(r)["object"]["metadata"]["resourceVersion"] == api.resource_version()
    # without allowWatchBookmarks: none
    r = watch(api, {"resourceVersion": api.resource_version(), "timeoutSeconds": "1"})
    assert r.read() == b""


def wait_watchers(api, n, timeout=2.0):
    end = time.monotonic() + timeout
    while api.watchers() != n and time.monotonic() < end:
        time.sleep(0.01)
    return api.watchers() == n


def test_timeout_seconds_ends_the_stream_cleanly(api):
    c = connect(api)
    t0 = time.monotonic()
    r = watch(api, {"resourceVersion": api.resource_version(), "timeoutSeconds": "1",
                    "allowWatchBookmarks": "1"}, conn=c)
    body = r.read()  # a complete chunked body: no IncompleteRead
    assert 0.9 < time.monotonic() - t0 < 2
    assert all(json.loads(ln)["type"] == "BOOKMARK" for ln in body.splitlines())
    # the server's handler thread unregisters the watch just after the last chunk it
    # wrote: give it a moment rather than race it
    assert wait_watchers(api, 0)
    assert get_json(api, "/api/v1/pods", conn=c)[0] == 200  # same connection, kept alive


def test_too_old_rv_is_an_error_event(api):
    rv = api.resource_version()
    api.modify_pod(*_first_key(api), relabel("a"))
    floor = api.compact()
    r = watch(api, {"resourceVersion": rv, "allowWatchBookmarks": "true"})
    assert json.loads(r.read()) == {"type": "ERROR", "object": {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": f"too old resource version: {rv} ({floor})", "reason": "Expired",
        "code": 410}}
    # from the current RV it works
    r = watch(api, {"resourceVersion": floor, "timeoutSeconds": "1"})
    assert r.read() == b""


def test_set_pods_ends_open_watches(api):
    rv = api.resource_version()
    r = watch(api, {"resourceVersion": rv})
    api.set_pods([fixtures.bare_pod("fresh", node="node-1")])
    assert r.read() == b""  # ended properly: the client re-watches...
    ev = next_event(watch(api, {"resourceVersion": rv}))
    assert ev["type"] == "ERROR" and ev["object"]["code"] == 410  # ... and must relist


def test_bounded_history_expires_old_rvs(tmp_path):
    with apiserver.ApiServer(str(tmp_path), history=5) as srv:
        srv.set_pods([fixtures.bare_pod("p", node="node-1")])
        rv = int(srv.resource_version())
        for i in range(8):
            srv.modify_pod("default", "p", relabel(str(i)))
        ev = next_event(watch(srv, {"resourceVersion": str(rv)}))
        assert ev["type"] == "ERROR" and ev["object"]["code"] == 410
        r = watch(srv, {"resourceVersion": str(rv + 3)})  # the oldest RV still served
        assert next_event(r)["object"]["metadata"]["resourceVersion"] == str(rv + 4)


def test_fail_next(api):
    api.fail_next(2, 500)
    for _ in range(2):
        status, body = get_json(api, "/api/v1/pods")
        assert status == 500 and body["reason"] == "InternalError"
    assert get_json(api, "/api/v1/pods")[0] == 200
    api.fail_next(1, 429, kind="watch")
    assert get_json(api, "/api/v1/pods")[0] == 200  # a list: not this one's kind
    r, body = get(api, "/api/v1/pods", {"watch": "1"})
    assert r.status == 429 and r.getheader("Retry-After") == "1"
    api.fail_next(1, 410, kind="list")
    status, body = get_json(api, "/api/v1/pods", {"limit": "2", "continue": "abc"})
    assert status == 410 and body["metadata"]["continue"] == "abc"
    api.fail_next(1, 503, body=b"<html>upstream down</html>")
    r, body = get(api, "/api/v1/pods")
    assert r.status == 503 and body == b"<html>upstream down</html>"
    assert [q.status for q in api.requests()][-7:] == [500, 500, 200, 200, 429, 410, 503]


def test_disconnect_watches_and_the_request_log(api):
    rv = api.resource_version()
    streams = [watch(api, {"resourceVersion": rv}) for _ in range(2)]
    assert api.watchers() == 2 and api.max_watchers == 2
    assert api.disconnect_watches() == 2
    assert api.watchers() == 0
    for r in streams:
        with pytest.raises((http.client.IncompleteRead, http.client.HTTPException,
                            ConnectionError)):
            r.read()
    mark = api.log_mark()
    r = watch(api, {"resourceVersion": rv})
    req = api.wait_for_request(lambda q: q.kind == "watch" and q.status == 200, since=mark)
    assert req.query["resourceVersion"] == rv and req.user == "token"
    assert req.headers["authorization"] == "Bearer " + api.token
    assert api.requests(kind="list", since=mark) == []
    with pytest.raises(TimeoutError):
        api.wait_for_request(lambda q: q.kind == "list", timeout=0.2, since=mark)


def raw_watch(api, query):
    """A watch over a raw TLS socket, to see the bytes http.client hides."""
    ctx = ssl.create_default_context(cafile=api.ca_path)
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", api.port), timeout=5),
                        server_hostname="127.0.0.1")
    s.sendall(f"GET /api/v1/pods?watch=1&{urlencode(query)} HTTP/1.1\r\nHost: x\r\n"
              f"Authorization: Bearer {api.token}\r\n\r\n".encode())
    return s


def read_to_eof(s):
    data = b""
    while True:
        try:
            b = s.recv(65536)
        except (ssl.SSLEOFError, ConnectionResetError):
            return data  # no close_notify: the abrupt end under test
        if not b:
            return data
        data += b


def test_disconnect_mid_chunk(api):
    s = raw_watch(api, {"resourceVersion": api.resource_version()})
    api.wait_for_request(lambda q: q.kind == "watch" and q.status == 200)
    api.disconnect_watches(mid_chunk=True)
    data = read_to_eof(s)
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    assert b" 200 " in head.split(b"\r\n")[0]
    size, _, rest = body.partition(b"\r\n")
    assert 0 < len(rest) < int(size, 16)  # a chunk promised more than came


def test_inject_malformed(api):
    r = watch(api, {"resourceVersion": api.resource_version()})
    assert api.inject_malformed() == 1
    assert r.readline() == b'{"type":"ADDED","object":{bad\n'
    rv = api.modify_pod(*_first_key(api), relabel("after"))
    assert next_event(r)["object"]["metadata"]["resourceVersion"] == rv  # the stream goes on


def test_stall_next_list_and_stop_is_quick(tmp_path):
    srv = apiserver.ApiServer(str(tmp_path)).start()
    before = set(threading.enumerate())
    srv.stall_next_list(0.4)
    t0 = time.monotonic()
    assert get_json(srv, "/api/v1/pods")[0] == 200
    assert time.monotonic() - t0 >= 0.4
    # a stalled list, an open watch and an idle keep-alive connection: stop cuts them all
    srv.stall_next_list(30)
    stalled = connect(srv)
    stalled.request("GET", "/api/v1/pods", headers={"Authorization": "Bearer " + srv.token})
    r = watch(srv, {})
    idle = connect(srv)
    get(srv, "/version", conn=idle)
    srv.wait_for_request(lambda q: q.kind == "list" and q.status is None)
    t0 = time.monotonic()
    srv.stop()
    assert time.monotonic() - t0 < 1
    assert not [t for t in set(threading.enumerate()) - before if t.is_alive()]
    with pytest.raises((http.client.HTTPException, ConnectionError, ssl.SSLError)):
        r.read()


# -- client configuration and the program ---------------------------------------------------

def test_kubeconfig_fields(api, tmp_path):
    def kc(**kw):
        return open(api.write_kubeconfig(str(tmp_path / "kc"), **kw)).read()

    text = kc(auth="token")
    for line in ("apiVersion: v1", "kind: Config", "current-context: vigil-test",
                 f"    server: {api.url}", f"    certificate-authority: {api.ca_path}",
                 f"    token: {api.token}", "    cluster: vigil-test", "    user: vigil",
                 "  name: vigil-test", "  name: vigil", "clusters:", "users:", "contexts:"):
        assert line in text.splitlines(), (line, text)
    assert f"    tokenFile: {api.token_path}" in kc(auth="token-file").splitlines()
    text = kc(auth="client-cert")
    assert f"    client-certificate: {api.certs.client_cert}" in text.splitlines()
    assert f"    client-key: {api.certs.client_key}" in text.splitlines()
    text = kc(auth="client-cert", inline_data=True)
    fields = dict(re.findall(r"^\s+([a-z-]+-data): (\S+)$", text, re.M))
    for key, path in (("certificate-authority-data", api.ca_path),
                      ("client-certificate-data", api.certs.client_cert),
                      ("client-key-data", api.certs.client_key)):
        assert base64.b64decode(fields[key]) == open(path, "rb").read()
    text = kc(auth="token", decoy=True)
    assert text.index("name: decoy") < text.index("name: vigil-test")
    assert "current-context: vigil-test" in text


def test_fixture_shapes():
    ids = fixtures.Ids(5)
    p = fixtures.deployment_pod("web", namespace="prod", ids=ids, containers=[
        {"name": "init", "image": "busybox:1.36", "init": True},
        {"name": "app", "image": "nginx:1.25", "privileged": True},
        {"name": "late", "image": "ghcr.io/x/y:2", "container_id": None}])
    m = p["metadata"]
    h = m["labels"]["pod-template-hash"]
    assert re.fullmatch(rf"web-{h}-[{fixtures.NAME_ALPHABET}]{{5}}", m["name"])
    assert m["ownerReferences"][0] == {"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                       "name": f"web-{h}", "uid": m["ownerReferences"][0]["uid"],
                                       "controller": True, "blockOwnerDeletion": True}
    st = p["status"]
    assert st["phase"] == "Pending" and st["qosClass"] == "BestEffort"
    init, app, late = st["initContainerStatuses"][0], *st["containerStatuses"]
    assert re.fullmatch(r"containerd://[0-9a-f]{64}", app["containerID"])
    assert re.fullmatch(r"docker\.io/library/nginx@sha256:[0-9a-f]{64}", app["imageID"])
    assert app["image"] == "docker.io/library/nginx:1.25" and "running" in app["state"]
    assert init["state"]["terminated"]["reason"] == "Completed"
    assert "containerID" not in late and late["state"] == {"waiting": {
        "reason": "ContainerCreating"}}
    assert p["spec"]["containers"][0]["securityContext"] == {"privileged": True}
    c = fixtures.cronjob_pod("backup", ids=ids)
    assert re.fullmatch(r"backup-\d{8}", c["metadata"]["ownerReferences"][0]["name"])
    assert c["metadata"]["ownerReferences"][0]["kind"] == "Job"
    s = fixtures.statefulset_pod("db", 2)
    assert s["metadata"]["name"] == "db-2" and s["spec"]["hostname"] == "db-2"
    assert "ownerReferences" not in fixtures.bare_pod("solo")["metadata"]


def test_benchmark_program(tmp_path):
    d = str(tmp_path / "bench")
    proc = subprocess.Popen([sys.executable, os.path.join(K8S_DIR, "apiserver.py"), "--dir", d,
                             "--node", "node-7", "--pods", "30", "--churn", "50"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("READY https://127.0.0.1:"), (line, proc.stderr.read())
        port = int(line.rsplit(":", 1)[1])
        text = open(os.path.join(d, "kubeconfig")).read()
        assert f"server: https://127.0.0.1:{port}" in text and "tokenFile:" in text
        srv = type("Srv", (), {"port": port, "ca_path": os.path.join(d, "pki", "ca.crt"),
                               "token": open(os.path.join(d, "token")).read()})
        status, body = get_json(srv, "/api/v1/pods", {"fieldSelector": "spec.nodeName=node-7"})
        assert status == 200 and len(body["items"]) == 30
        assert len(get_json(srv, "/api/v1/pods")[1]["items"]) == 36  # + 30 / 5 elsewhere
        r = watch(srv, {"resourceVersion": body["metadata"]["resourceVersion"],
                        "fieldSelector": "spec.nodeName=node-7"})
        ev = next_event(r)
        assert ev["type"] == "MODIFIED" and "vigil.test/churn" in ev["object"]["metadata"]["labels"]
    finally:
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(5)
    assert rc == 0
