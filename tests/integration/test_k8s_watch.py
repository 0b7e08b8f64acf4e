"""The pod watcher (src/agent/k8s_watch*.c, k8s_http.c) against the test API
server (tests/k8s/apiserver.py), through build/k8s-watchtool, which prints
every update it drains as a JSON line.  What is checked: the order and
completeness of updates, the requests the server saw, the watcher's counters
and its log lines."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests", "k8s"))

import apiserver  # noqa: E402
import fixtures  # noqa: E402
import kubeconfig  # noqa: E402

WATCHTOOL = os.environ.get("VIGIL_WATCHTOOL") or os.path.join(REPO, "build", "k8s-watchtool")
NODE = "node-1"
LIMIT = 25  # K8S_LIST_LIMIT in src/agent/k8s_watch_int.h


@pytest.fixture(scope="module", autouse=True)
def watchtool_built():
    if not os.access(WATCHTOOL, os.X_OK):
        pytest.fail(f"{WATCHTOOL} missing: make build/k8s-watchtool")


class Tool:
    """build/k8s-watchtool running; its stdout lines parsed, its stderr kept."""

    def __init__(self, args, env=None, timeout_s=30):
        e = dict(os.environ, NODE_NAME=NODE)
        for k in ("KUBECONFIG", "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT",
                  "VIGIL_K8S_WATCH_TIMEOUT_S", "https_proxy", "HTTPS_PROXY", "http_proxy",
                  "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
            e.pop(k, None)
        if timeout_s is not None:
            e["VIGIL_K8S_WATCH_TIMEOUT_S"] = str(timeout_s)
        e.update(env or {})
        self.cond = threading.Condition()
        self.out, self.err = [], []
        self.proc = subprocess.Popen([WATCHTOOL, *args], env=e, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self._threads = [threading.Thread(target=self._read, args=(f, lst, parse), daemon=True)
                         for f, lst, parse in ((self.proc.stdout, self.out, True),
                                               (self.proc.stderr, self.err, False))]
        for t in self._threads:
            t.start()

    def _read(self, f, lst, parse):
        for line in f:
            item = json.loads(line) if parse else line.rstrip("\n")
            with self.cond:
                lst.append(item)
                self.cond.notify_all()

    def wait(self, pred, timeout=10, what="output"):
        """Wait until pred(self) is true; fail with the output so far."""
        with self.cond:
            if self.cond.wait_for(lambda: pred(self), timeout):
                return
            out, err = list(self.out), list(self.err)
        raise AssertionError(f"timed out waiting for {what}\nstdout: {out[-30:]}\n"
                             f"stderr: {err[-30:]}")

    def updates(self):
        with self.cond:
            return [o for o in self.out if "op" in o]

    def ops(self, since=0):
        return [(u["op"], u.get("name")) for u in self.updates()[since:]]

    def resyncs_ended(self):
        return sum(1 for u in self.updates() if u["op"] == "resync_end")

    def has_upsert(self, name, n=1):
        return sum(1 for u in self.updates() if u["op"] == "upsert" and u["name"] == name) >= n

    def log(self, *words):
        with self.cond:
            return [l for l in self.err if all(w in l for w in words)]

    def wait_log(self, *words, timeout=10):
        """The log lines with all of words, once there is one (stderr is read apart from
        stdout, so a line may arrive after updates printed later)."""
        self.wait(lambda t: t.log(*words), timeout, what=f"a log line with {words}")
        return self.log(*words)

    def stats(self):
        with self.cond:
            n = sum(1 for o in self.out if "stats" in o)
        self.proc.send_signal(signal.SIGUSR1)
        self.wait(lambda t: sum(1 for o in t.out if "stats" in o) > n, what="stats")
        with self.cond:
            return [o for o in self.out if "stats" in o][-1]["stats"]

    def stop(self):
        """SIGTERM; returns (final stats, stop latency in ms)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        for t in self._threads:
            t.join(5)
        assert rc == 0, f"watchtool exited {rc}: {self.err[-20:]}"
        stats = [o for o in self.out if "stats" in o][-1]["stats"]
        stopped = [o for o in self.out if "stopped" in o][-1]["stopped"]["ms"]
        return stats, stopped

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def api(tmp_path):
    with apiserver.ApiServer(str(tmp_path / "api"), node=NODE) as a:
        yield a


@pytest.fixture
def tools():
    started = []

    def start(*args, **kw):
        t = Tool(args, **kw)
        started.append(t)
        return t
    yield start
    for t in started:
        try:
            if t.proc.poll() is None:
                t.stop()  # a clean exit, so LeakSanitizer looks too (and fails the exit code)
        finally:
            t.kill()
        assert not [l for l in t.err if "Sanitizer" in l or "runtime error" in l], t.err[-40:]


def pods_on(api, node=NODE):
    return {p["metadata"]["name"]: p for p in api.pods() if p["spec"].get("nodeName") == node}


def synced_tool(api, tools, tmp_path, auth="token-file", **kw):
    # decoy: the first context points elsewhere; only current-context's may be used
    kc = api.write_kubeconfig(str(tmp_path / "kubeconfig"), auth=auth, decoy=True)
    t = tools("--kubeconfig", kc, **kw)
    t.wait(lambda t: t.resyncs_ended() >= 1, what="first list")
    api.wait_for_request(lambda r: r.kind == "watch" and r.status == 200)
    return t


def after_sync(t):
    ops = t.ops()
    return ops[ops.index(("resync_end", None)) + 1:]


def test_list_then_watch_in_order(api, tools, tmp_path):
    api.set_pods(fixtures.population(NODE, 8, seed=2))
    list_rv = api.resource_version()
    t = synced_tool(api, tools, tmp_path, timeout_s=None)
    ups = t.updates()
    assert ups[0]["op"] == "resync_begin" and ups[-1]["op"] == "resync_end"
    assert sorted(u["name"] for u in ups[1:-1]) == sorted(pods_on(api))
    lst = api.requests("list")[0]
    assert lst.query["limit"] == str(LIMIT) and lst.query["fieldSelector"] == f"spec.nodeName={NODE}"
    assert "resourceVersion" not in lst.query and lst.user == "token"
    w = api.requests("watch")[0]
    assert w.query["resourceVersion"] == list_rv
    assert w.query["allowWatchBookmarks"] == "true"
    assert 240 <= int(w.query["timeoutSeconds"]) <= 360
    assert w.headers["accept"] == "application/json"

    rvs = [api.add_pod(fixtures.bare_pod("a", node=NODE))]
    rvs.append(api.modify_pod("default", "a", lambda p: p["metadata"]["labels"].update(x="1")))
    api.add_pod(fixtures.bare_pod("elsewhere", node="node-2"))  # not ours: never seen
    rvs.append(api.delete_pod("default", "a"))
    t.wait(lambda t: any(o == ("delete", "a") for o in t.ops()), what="delete a")
    tail = [(u["op"], u["name"], u["rv"]) for u in t.updates()[len(ups):]]
    assert tail == [("upsert", "a", rvs[0]), ("upsert", "a", rvs[1]), ("delete", "a", rvs[2])]
    st, _ = t.stop()
    assert (st["lists"], st["list_pages"], st["events"], st["errors"]) == (1, 1, 3, 0)
    assert st["synced"] == 1 and st["synced_ns"] > 0


def test_paginated_list(api, tools, tmp_path):
    api.set_pods(fixtures.population(NODE, 2 * LIMIT + 1, other_count=0, seed=3))
    t = synced_tool(api, tools, tmp_path)
    lists = api.requests("list")
    assert len(lists) == 3 and "continue" not in lists[0].query
    assert all(r.query.get("continue") for r in lists[1:])
    names = [u["name"] for u in t.updates() if u["op"] == "upsert"]
    assert len(names) == len(set(names)) == 2 * LIMIT + 1
    st = t.stats()
    assert st["list_pages"] == 3 and st["lists"] == 1


def test_continue_410_restarts_the_list(api, tools, tmp_path):
    api.set_pods(fixtures.population(NODE, 2 * LIMIT + 10, other_count=0, seed=4))
    api.stall_next_list(0)    # page 1 at once
    api.stall_next_list(1.5)  # page 2 waits: meanwhile its snapshot is compacted away
    kc = api.write_kubeconfig(str(tmp_path / "kubeconfig"))
    t = tools("--kubeconfig", kc)
    api.wait_for_request(lambda r: r.kind == "list" and r.query.get("continue"))
    api.add_pod(fixtures.bare_pod("new", node=NODE))
    api.compact()
    t.wait(lambda t: t.resyncs_ended() >= 1, timeout=15, what="list")
    lists = api.requests("list")
    assert [bool(r.query.get("continue")) for r in lists] == [False, True, False, True, True]
    assert lists[1].status == 410
    ops = t.ops()
    begins = [i for i, o in enumerate(ops) if o[0] == "resync_begin"]
    assert len(begins) == 2 and begins[1] == LIMIT + 1  # page 1 of the first attempt, anew
    assert len(ops) - begins[1] == 1 + 2 * LIMIT + 11 + 1 and ops[-1] == ("resync_end", None)
    t.wait_log("continue token expired", "listing again")
    st = t.stats()
    assert st["relists_410"] == 1 and st["lists"] == 1 and st["list_pages"] == 4


def test_disconnects_rewatch_from_last_rv(api, tools, tmp_path):
    """Abrupt, mid-chunk and clean cuts: each re-watches from the last RV it
    handed over; no relist, no event lost or repeated."""
    api.set_pods(fixtures.population(NODE, 3, seed=5))
    api.set_bookmark_interval(3600)  # only events move the RV here
    t = synced_tool(api, tools, tmp_path)
    expect = []
    for i, how in enumerate(({}, {"mid_chunk": True}, {"clean": True})):
        rv = api.add_pod(fixtures.bare_pod(f"before-{i}", node=NODE))
        t.wait(lambda t: t.has_upsert(f"before-{i}"), what=f"before-{i}")
        mark = api.log_mark()
        assert api.disconnect_watches(**how) == 1
        rv2 = api.add_pod(fixtures.bare_pod(f"after-{i}", node=NODE))
        t.wait(lambda t: t.has_upsert(f"after-{i}"), what=f"after-{i}")
        w = api.wait_for_request(lambda r: r.kind == "watch", since=mark)
        assert w.query["resourceVersion"] == rv, (how, w.query)
        expect += [("upsert", f"before-{i}"), ("upsert", f"after-{i}")]
        assert int(rv2) > int(rv)
    assert after_sync(t) == expect
    st, _ = t.stop()
    assert st["lists"] == 1 and st["relists_410"] == 0 and len(api.requests("list")) == 1
    assert st["watches"] == 4 and st["parse_errors"] == 0


def test_bookmarks_move_the_rv(api, tools, tmp_path):
    api.set_bookmark_interval(0.2)
    t = synced_tool(api, tools, tmp_path)
    api.add_pod(fixtures.bare_pod("other-node", node="node-2"))  # RV moves, no event for us
    rv = api.resource_version()
    time.sleep(0.8)
    mark = api.log_mark()
    api.disconnect_watches()
    w = api.wait_for_request(lambda r: r.kind == "watch", since=mark)
    assert w.query["resourceVersion"] == rv
    assert t.stats()["bookmarks"] >= 2


def test_compaction_410_relists_with_resync_markers(api, tools, tmp_path):
    api.set_pods([fixtures.bare_pod("x", node=NODE), fixtures.bare_pod("keep", node=NODE)])
    api.set_bookmark_interval(3600)
    t = synced_tool(api, tools, tmp_path)
    n = len(t.updates())
    api.fail_next(1, status=503, kind="watch")  # keeps it away while history goes
    api.disconnect_watches()
    api.delete_pod("default", "x")
    api.add_pod(fixtures.bare_pod("y", node=NODE))
    api.compact()
    t.wait(lambda t: t.resyncs_ended() >= 2, what="relist")
    assert t.ops(n) == [("resync_begin", None), ("upsert", "keep"), ("upsert", "y"),
                        ("resync_end", None)]
    t.wait_log("too old", "listing again")
    t.wait_log("HTTP 503")
    st = t.stats()
    assert st["relists_410"] == 1 and st["lists"] == 2
    assert len(api.requests("list")) == 2


def test_malformed_line_recovers_without_loss(api, tools, tmp_path):
    api.set_bookmark_interval(3600)
    t = synced_tool(api, tools, tmp_path)
    rv = api.add_pod(fixtures.bare_pod("a", node=NODE))
    t.wait(lambda t: t.has_upsert("a"))
    mark = api.log_mark()
    api.inject_malformed()
    api.add_pod(fixtures.bare_pod("b", node=NODE))  # may go down the broken stream first
    t.wait(lambda t: t.has_upsert("b"), what="b after the malformed line")
    lines = t.wait_log("malformed JSON", api.url)
    assert len(lines) == 1, t.err
    assert '\\"type\\":\\"ADDED\\",\\"object\\":{bad' in lines[0] and f"after resourceVersion {rv}" in lines[0]
    w = api.wait_for_request(lambda r: r.kind == "watch", since=mark)
    assert w.query["resourceVersion"] == rv
    assert after_sync(t) == [("upsert", "a"), ("upsert", "b")]
    st = t.stats()
    assert st["parse_errors"] == 1 and st["lists"] == 1


def test_event_longer_than_16mib_is_dropped_and_rewatched(api, tools, tmp_path):
    api.set_bookmark_interval(3600)
    t = synced_tool(api, tools, tmp_path)
    api.inject_malformed(b'{"type":"ADDED","object":{"pad":"' + b"x" * (17 << 20) + b'"}}')
    api.add_pod(fixtures.bare_pod("b", node=NODE))
    t.wait(lambda t: t.has_upsert("b"), timeout=20)
    t.wait_log("longer than 16 MiB")
    assert t.stats()["parse_errors"] == 1


def test_unauthorized_then_token_rotated(api, tools, tmp_path):
    kc = api.write_kubeconfig(str(tmp_path / "kubeconfig"), auth="token-file")
    kubeconfig.write_atomic(api.token_path, "not-the-token")
    t = tools("--kubeconfig", kc)
    api.wait_for_request(lambda r: r.status == 401)
    time.sleep(2)  # 0.5 + 1 s of backoff: more than one attempt
    assert len([r for r in api.requests() if r.status == 401]) >= 2
    lines = t.log("warn", "HTTP 401")
    assert len(lines) == 1 and api.url in lines[0] and "Unauthorized" in lines[0], t.err
    api.set_token()
    t.wait(lambda t: t.resyncs_ended() >= 1, timeout=10, what="recovery")
    t.wait_log("connected again")
    assert t.stats()["errors"] >= 2


def test_backoff_doubles_and_failures_are_logged_once(api, tools, tmp_path):
    api.fail_next(4, status=503, kind="list")
    kc = api.write_kubeconfig(str(tmp_path / "kubeconfig"))
    t = tools("--kubeconfig", kc)
    t.wait(lambda t: t.resyncs_ended() >= 1, timeout=15, what="list after 4 failures")
    times = [r.time for r in api.requests("list")]
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert len(gaps) == 4
    for gap, want in zip(gaps, (0.5, 1, 2, 4)):  # jittered by +-20 %
        assert want * 0.8 - 0.05 <= gap <= want * 1.2 + 0.25, gaps
    t.wait_log("connected again after 4 failed attempts", "HTTP 503")
    lines = t.log("warn", "HTTP 503")
    assert len(lines) == 1 and api.url in lines[0] and "list: HTTP 503" in lines[0], t.err


def test_in_cluster_token_rotation_is_picked_up(api, tools, tmp_path):
    sa = api.write_service_account(str(tmp_path / "sa"))
    env = {"KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": str(api.port)}
    t = tools("--sa-dir", sa, env=env)
    t.wait(lambda t: t.resyncs_ended() >= 1, what="list")
    assert t.out[0]["discover"]["source"] == "in-cluster"
    api.wait_for_request(lambda r: r.kind == "watch" and r.status == 200)
    api.set_token()  # the old token is refused from now on
    mark = api.log_mark()
    api.disconnect_watches()
    api.add_pod(fixtures.bare_pod("after-rotation", node=NODE))
    t.wait(lambda t: t.has_upsert("after-rotation"))
    assert [r.status for r in api.requests(since=mark)] == [200]  # no 401 first


def test_in_cluster_ipv6(tmp_path, tools):
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    with apiserver.ApiServer(str(tmp_path / "api6"), node=NODE, host="::1") as api:
        api.set_pods([fixtures.bare_pod("v6", node=NODE)])
        sa = api.write_service_account(str(tmp_path / "sa"))
        env = {"KUBERNETES_SERVICE_HOST": "::1", "KUBERNETES_SERVICE_PORT": str(api.port)}
        t = tools("--sa-dir", sa, env=env)
        t.wait(lambda t: t.has_upsert("v6"))
        assert t.out[0]["discover"]["server"] == f"https://[::1]:{api.port}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_server_then_up(tmp_path, tools):
    api = apiserver.ApiServer(str(tmp_path / "api"), node=NODE, port=free_port())
    kc = kubeconfig.write_atomic(str(tmp_path / "kubeconfig"), kubeconfig.kubeconfig_text(
        api.url, api.ca_path, "token", token=api.token))
    t = tools("--kubeconfig", kc)
    t.wait(lambda t: t.log("warn", api.url), what="a connect failure")
    time.sleep(1.6)
    lines = t.log("warn", api.url)
    assert len(lines) == 1 and "onnect" in lines[0], t.err  # "Couldn't connect" / "refused"
    with api:
        api.set_pods([fixtures.bare_pod("late", node=NODE)])
        t.wait(lambda t: t.has_upsert("late"), timeout=10, what="recovery")
        t.wait_log("connected again")
        st = t.stats()
        assert st["errors"] >= 2 and st["reconnects"] >= 2


def test_expired_certificate_is_a_clear_tls_error(tmp_path, tools):
    with apiserver.ApiServer(str(tmp_path / "api"), node=NODE, cert="expired") as api:
        kc = api.write_kubeconfig(str(tmp_path / "kubeconfig"))
        t = tools("--kubeconfig", kc)
        t.wait(lambda t: t.log("warn", api.url), what="TLS failure")
        line = t.log("warn", api.url)[0]
        assert "certificate has expired" in line, line
        assert api.requests() == []


@pytest.mark.parametrize("inline", [False, True])
def test_client_certificate_auth(api, tools, tmp_path, inline):
    api.set_pods([fixtures.bare_pod("c", node=NODE)])
    kc = api.write_kubeconfig(str(tmp_path / "kubeconfig"), auth="client-cert",
                              inline_data=inline)
    t = tools("--kubeconfig", kc)
    t.wait(lambda t: t.has_upsert("c"))
    assert api.requests("list")[0].user.startswith("x509:")
    assert "authorization" not in api.requests("list")[0].headers


def test_250_pods_in_a_10mb_list(api, tools, tmp_path):
    pods = fixtures.population(NODE, 250, pad_bytes=40000, seed=6)
    api.set_pods(pods)
    mine = [p for p in pods if p["spec"]["nodeName"] == NODE]
    assert sum(len(json.dumps(p)) for p in mine) >= 10_000_000
    t0 = time.monotonic()
    t = synced_tool(api, tools, tmp_path)
    took = time.monotonic() - t0
    assert len([u for u in t.updates() if u["op"] == "upsert"]) == 250
    st = t.stats()
    # the list comes in pages of LIMIT pods, so no page is a 10 MB tree in memory
    assert st["list_pages"] >= 250 // LIMIT and st["pod_errors"] == 0
    assert 0 < st["list_bytes"] < 10_000_000 * 2 * LIMIT // 250
    assert took < 15


def test_stop_is_prompt(api, tools, tmp_path):
    # mid-watch: an idle stream
    t = synced_tool(api, tools, tmp_path)
    _, ms = t.stop()
    assert ms < 100
    # mid-list: the server holds the response
    api.stall_next_list(30)
    mark = api.log_mark()
    t = tools("--kubeconfig", str(tmp_path / "kubeconfig"))
    api.wait_for_request(lambda r: r.kind == "list", since=mark)
    time.sleep(0.3)
    _, ms = t.stop()
    assert ms < 100
    # mid-backoff: nothing listens
    kc = kubeconfig.write_atomic(str(tmp_path / "dead"), kubeconfig.kubeconfig_text(
        f"https://127.0.0.1:{free_port()}", api.ca_path, "token", token="t"))
    t = tools("--kubeconfig", kc)
    t.wait(lambda t: t.log("warn", "127.0.0.1"), what="a failure")
    _, ms = t.stop()
    assert ms < 100


def test_discovery_errors_are_reported(tools, tmp_path):
    p = tmp_path / "kc"
    p.write_text("current-context: c\ncontexts: [{name: c, context: {cluster: k, user: u}}]\n"
                 "clusters: [{name: k, cluster: {server: 'https://h'}}]\n"
                 "users: [{name: u, user: {exec: {command: x}}}]\n")
    r = subprocess.run([WATCHTOOL, "--kubeconfig", str(p)], capture_output=True, text=True,
                       timeout=10)
    assert r.returncode == 2
    assert f"kubeconfig {p}: users[0].user.exec: exec credential plugins are not supported" \
        in r.stderr
