"""Outputs beyond stdout, with the real agent and the real peers: the evidence store (SQLite)
and `vigil query`/`vigil report`, redaction, the file output, syslog to a real rsyslogd (TCP,
UDP, TLS, CEF; killed and restarted mid-run), the HTTP outputs against tests/http_receiver.py
(Falco JSON, Elasticsearch _bulk, OTLP) and the metrics endpoint.

Alerts come from a small rule on opening marker files, so each alert names its own file and
can be counted exactly at the receiving end.
"""

import json
import os
import sqlite3
import stat
import subprocess
import time

import pytest

from agent import Agent, vigil_bin
from http_receiver import HttpReceiver
from rsyslog_env import RsyslogEnv

RULES = """
- rule: Marker opened
  desc: a test process opened a marker file
  condition: evt.type in (open, openat) and proc.name in (cat, head) and fd.name startswith "/tmp/vigil-out-" and fd.name contains "marker"
  output: marker opened by %proc.name (file=%fd.name cmdline=%proc.cmdline)
  priority: WARNING
  tags: [test]
"""


@pytest.fixture
def env(tmp_path):
    """A rule file, a marker directory under /tmp and a store path, for one test."""
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    marks = f"/tmp/vigil-out-{os.getpid()}-{time.monotonic_ns()}"
    os.makedirs(marks)
    yield {"rules": str(rules), "dir": tmp_path, "marks": marks,
           "db": str(tmp_path / "store" / "vigil.db")}
    subprocess.run(["rm", "-rf", marks])


def touch_marker(env, name, args=()):
    """Open a marker file with cat (a real process); returns the path."""
    path = os.path.join(env["marks"], f"marker-{name}")
    with open(path, "w") as f:
        f.write("x\n")
    # head takes any further arguments as file names (after --), so secrets can ride along
    cmd = ["/usr/bin/head", "-q", "-c1", "--", path, *args] if args else ["/bin/cat", path]
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return path


def config(env, text):
    p = env["dir"] / "vigil.yaml"
    p.write_text(text)
    return str(p)


def agent_args(env, *extra):
    return ["--rules", env["rules"], "--no-kubernetes", "--store", env["db"],
            "--metrics-listen", "none", *extra]


def marker_alerts(agent):
    return agent.events(lambda e: e.get("rule") == "Marker opened")


def latest_stats(agent):
    stats = agent.events(lambda e: e.get("type") == "stats")
    return stats[-1] if stats else None


def wait_stats(agent, pred, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        s = latest_stats(agent)
        if s and pred(s):
            return s
        time.sleep(0.2)
    raise AssertionError(f"stats never matched; last: {json.dumps(latest_stats(agent))[:2000]}")


def vigil(*args, check=True):
    r = subprocess.run([vigil_bin(), *args], capture_output=True, text=True, timeout=60)
    if check and r.returncode != 0:
        raise AssertionError(f"vigil {' '.join(args)}: rc {r.returncode}\n{r.stderr}")
    return r


# ---- the evidence store ----------------------------------------------------------------

def test_store_keeps_events_and_alerts_and_answers_queries(env):
    with Agent(agent_args(env, "--events", "open,exec")) as ag:
        path = touch_marker(env, "store")
        ag.wait_for(lambda e: e.get("rule") == "Marker opened", timeout=10)
        ag.wait_for(lambda e: e.get("type") == "open" and e["file"]["path"] == path)
        rc, log, final = ag.stop()
    assert rc == 0
    out = final["outputs"]["store"]
    assert out["kind"] == "store" and out["up"] is True
    assert out["delivered"]["alert"] >= 1 and out["delivered"]["event"] >= 2
    assert out["dropped"]["queue_full"] == {"event": 0, "alert": 0, "stats": 0}
    # root only
    mode = stat.S_IMODE(os.stat(env["db"]).st_mode)
    assert mode == 0o600, oct(mode)
    db = sqlite3.connect(env["db"])
    cols = [r[1] for r in db.execute("pragma table_info(records)")]
    for c in ("time_ns", "kind", "type", "priority", "rule", "namespace", "pod", "container",
              "comm", "binary", "pid", "uid", "path", "line"):
        assert c in cols, cols
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"
    rows = db.execute("select kind, type, rule, priority, comm, path, line from records "
                      "where path = ? and comm = 'cat'", (path,)).fetchall()
    kinds = sorted(r[0] for r in rows)
    assert kinds == [0, 1], rows  # the open event and its alert
    alert = [r for r in rows if r[0] == 1][0]
    assert alert[2] == "Marker opened" and alert[3] == 4 and alert[4] == "cat"
    assert json.loads(alert[6])["rule"] == "Marker opened"
    event = [r for r in rows if r[0] == 0][0]
    assert event[1] == "open" and event[4] == "cat"
    assert json.loads(event[6])["file"]["path"] == path

    # vigil query: JSON lines of what was stored, filtered
    r = vigil("query", "--db", env["db"], "--rule", "Marker opened", "--json")
    got = [json.loads(l) for l in r.stdout.splitlines()]
    assert len(got) == 1 and got[0]["rule"] == "Marker opened"
    assert got[0]["output_fields"]["fd.name"] == path
    r = vigil("query", "--db", env["db"], "--type", "open", "--path", env["marks"] + "/",
              "--proc", "cat", "--json")
    got = [json.loads(l) for l in r.stdout.splitlines()]
    assert sorted("rule" in g for g in got) == [False, True]  # the event and its alert
    r = vigil("query", "--db", env["db"], "--type", "open", "--path", env["marks"] + "/",
              "--proc", "cat", "--events", "--json")
    got = [json.loads(l) for l in r.stdout.splitlines()]
    assert [g["file"]["path"] for g in got] == [path]
    r = vigil("query", "--db", env["db"], "--path", path, "--since", "10m")
    assert path in r.stdout and "cat" in r.stdout  # the table
    r = vigil("query", "--db", env["db"], "--since", "yesterday", check=False)
    assert r.returncode != 0 and "--since" in r.stderr
    r = vigil("query", "--db", str(env["dir"] / "missing.db"), check=False)
    assert r.returncode != 0 and "missing.db" in r.stderr

    # vigil report: who read what under the directory
    r = vigil("report", "--db", env["db"], "--path", env["marks"] + "/", "--format", "csv")
    assert path in r.stdout and "cat" in r.stdout
    r = vigil("report", "--db", env["db"], "--path", env["marks"] + "/")
    assert r.stdout.startswith("#") and path in r.stdout


REPEAT_OPENS = """
import os, sys
for _ in range(40):
    os.close(os.open(sys.argv[1], os.O_RDONLY))
os.close(os.open(sys.argv[1], os.O_RDWR))
"""


def repeat_opens(path):
    """One process opens path 40 times read-only, then once read-write; returns its pid."""
    p = subprocess.run(["/usr/bin/python3", "-c", REPEAT_OPENS + "print(os.getpid())", path],
                       capture_output=True, text=True, check=True)
    return int(p.stdout)


def stored_opens(db, path):
    con = sqlite3.connect(db)
    rows = [json.loads(r[0]) for r in con.execute(
        "select line from records where kind = 0 and type = 'open' and path = ?", (path,))]
    con.close()
    return rows


def test_store_keeps_a_repeating_event_once_per_window(env):
    path = os.path.join(env["marks"], "repeated")
    with open(path, "w") as f:
        f.write("x\n")
    with Agent(agent_args(env, "--events", "open")) as ag:
        pid = repeat_opens(path)
        ag.wait_for(lambda e: e.get("type") == "open" and e["process"]["pid"] == pid and
                    e["file"]["flags"] & os.O_RDWR)
        rc, log, final = ag.stop()
    assert rc == 0
    # stdout has every open; the store the first read-only one and the read-write one
    seen = ag.events(lambda e: e.get("type") == "open" and e["process"]["pid"] == pid and
                     e["file"]["path"] == path)
    assert len(seen) == 41
    rows = stored_opens(env["db"], path)
    assert sorted(r["file"]["flags"] & 3 for r in rows) == [0, 2], rows
    assert all(r["process"]["pid"] == pid for r in rows)
    # the stored read-only open is the first one, with its own time and sequence number
    first = seen[0]
    ro = [r for r in rows if not r["file"]["flags"] & 3][0]
    assert (ro["time"], ro["seq"]) == (first["time"], first["seq"])
    assert final["store"]["repeats"] >= 39
    assert final["outputs"]["store"]["dropped"]["queue_full"]["event"] == 0

    # a window of 0 stores every one
    db0 = str(env["dir"] / "store0" / "vigil.db")
    with Agent(["--no-kubernetes", "--store", db0, "--metrics-listen", "none", "--events",
                "open", "--store-dedup-window", "0"]) as ag:
        pid = repeat_opens(path)
        ag.wait_for(lambda e: e.get("type") == "open" and e["process"]["pid"] == pid and
                    e["file"]["flags"] & os.O_RDWR)
        rc, log, final = ag.stop()
    assert rc == 0
    assert len(stored_opens(db0, path)) == 41
    assert final["store"]["repeats"] == 0


def test_secrets_are_redacted_everywhere(env):
    with Agent(agent_args(env, "--events", "exec")) as ag:
        touch_marker(env, "secret", args=("--password=hunter2", "token=abc123", "--key",
                                          "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI"))
        a = ag.wait_for(lambda e: e.get("rule") == "Marker opened", timeout=10)
        ex = ag.wait_for(lambda e: e.get("type") == "exec" and "--password=***" in
                         e["process"]["arguments"])
        rc, log, final = ag.stop()
    assert ex["process"]["arguments"][5:9] == ["--password=***", "token=***", "--key",
                                               "AWS_SECRET_ACCESS_KEY=***"]
    assert "hunter2" not in json.dumps(a) and "--password=***" in a["output"]
    assert final["caches"]["process"]["redacted"] >= 1
    db = sqlite3.connect(env["db"])
    leaked = db.execute("select count(*) from records where line like '%hunter2%' or "
                        "line like '%abc123%' or line like '%wJalrXUtnFEMI%'").fetchone()[0]
    assert leaked == 0
    assert db.execute("select count(*) from records where line like '%--password=***%'"
                      ).fetchone()[0] >= 2


# ---- file output -----------------------------------------------------------------------

def test_file_output_rotates_by_size(env):
    out = env["dir"] / "alerts.jsonl"
    cfg = config(env, f"""
outputs:
  - type: file
    path: {out}
    max_size: 2K
    keep: 2
""")
    with Agent(agent_args(env, "--config", cfg)) as ag:
        paths = [touch_marker(env, f"f{i}") for i in range(12)]
        for p in paths:
            ag.wait_for(lambda e, p=p: e.get("output_fields", {}).get("fd.name") == p)
        rc, log, final = ag.stop()
    assert final["outputs"]["file-1"]["delivered"]["alert"] == 12
    files = [out, env["dir"] / "alerts.jsonl.1", env["dir"] / "alerts.jsonl.2"]
    assert os.path.exists(files[1])
    assert not os.path.exists(env["dir"] / "alerts.jsonl.3")
    lines = []
    for f in files:
        if os.path.exists(f):
            lines += [json.loads(l) for l in open(f)]
    names = {l["output_fields"]["fd.name"] for l in lines}
    # what rotated out of keep: 2 is gone; what is kept is whole lines, newest included
    assert paths[-1] in names and names <= set(paths)


# ---- syslog to a real rsyslogd ----------------------------------------------------------

@pytest.fixture
def rsyslog():
    r = RsyslogEnv()
    r.start()
    r.wait_ready()
    yield r
    r.cleanup()


def test_syslog_tcp_udp_tls_cef(env, rsyslog):
    cfg = config(env, f"""
outputs:
  - type: syslog
    name: tcp
    address: {rsyslog.address("tcp")}
    facility: local4
  - type: syslog
    name: udp
    address: {rsyslog.address("udp")}
  - type: syslog
    name: tls-cef
    address: {rsyslog.address("tls")}
    format: cef
    ca_file: {rsyslog.ca_file}
""")
    with Agent(agent_args(env, "--config", cfg, "--node", "node-s")) as ag:
        path = touch_marker(env, "syslog")
        a = ag.wait_for(lambda e: e.get("rule") == "Marker opened", timeout=10)
        msgs = rsyslog.wait_for(3, timeout=15)
        rc, log, final = ag.stop()
    for name in ("tcp", "udp", "tls-cef"):
        assert final["outputs"][name]["delivered"]["alert"] == 1, final["outputs"][name]
        assert final["outputs"][name]["up"] is True
    by_port = {}
    for m in msgs:
        by_port.setdefault(m.get("inputname") or m.get("input") or "", []).append(m)
    raw = [m for m in msgs if "CEF:0|" not in json.dumps(m)]
    cef = [m for m in msgs if "CEF:0|" in json.dumps(m)]
    assert len(raw) == 2 and len(cef) == 1, msgs
    for m in raw:
        text = json.dumps(m)
        assert "vigil@32473" in text and "Marker opened" in text
        assert m.get("appname", m.get("app_name")) == "vigil"
        assert m.get("msgid") == "alert"
        assert m.get("hostname") == "node-s"
        body = m.get("msg", "").strip()
        assert json.loads(body)["output"] == a["output"]
    tcp = [m for m in raw if str(m.get("facility")) in ("local4", "20")]
    assert tcp, raw  # the tcp output's facility
    assert str(tcp[0].get("severity")) in ("warning", "4")
    c = json.dumps(cef[0])
    assert "CEF:0|vigil|vigil|" in c and "Marker opened" in c and path in c


def test_syslog_down_alerts_spill_and_arrive_exactly_once(env, rsyslog):
    cfg = config(env, f"""
outputs:
  - type: syslog
    name: siem
    address: {rsyslog.address("tcp")}
    backoff_max: 500ms
""")
    with Agent(agent_args(env, "--config", cfg, "--stats-interval", "1")) as ag:
        first = [touch_marker(env, f"up{i}") for i in range(5)]
        rsyslog.wait_for(5, timeout=15)
        rsyslog.kill()
        down = [touch_marker(env, f"down{i}") for i in range(5)]
        for p in down:
            ag.wait_for(lambda e, p=p: e.get("output_fields", {}).get("fd.name") == p)
        s = wait_stats(ag, lambda s: s["outputs"]["siem"]["spilled"] >= 5 and
                       not s["outputs"]["siem"]["up"])
        assert s["outputs"]["siem"]["spill_pending"] >= 5
        rsyslog.restart()
        rsyslog.wait_ready()
        later = [touch_marker(env, f"later{i}") for i in range(3)]
        wanted = first + down + later
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            got = [m for m in rsyslog.messages() if "Marker opened" in json.dumps(m)]
            if len(got) >= len(wanted):
                break
            time.sleep(0.2)
        rc, log, final = ag.stop()
    st = final["outputs"]["siem"]
    text = [json.dumps(m) for m in rsyslog.messages()]
    for p in wanted:
        n = sum(p in t for t in text)
        assert n == 1, f"{p} arrived {n} times; outputs: {st}"
    assert st["spilled"] >= 5 and st["unspilled"] == st["spilled"]
    assert st["spill_pending"] == 0
    assert st["dropped"]["queue_full"]["alert"] == 0 and st["dropped"]["at_stop"] == 0
    assert "peer down" in log and "peer back" in log


# ---- HTTP: Falco JSON, Elasticsearch _bulk, OTLP ----------------------------------------

@pytest.fixture
def receiver():
    r = HttpReceiver()
    r.start()
    yield r
    r.stop()


def test_http_falco_elasticsearch_otlp(env, receiver):
    cfg = config(env, f"""
outputs:
  - type: http
    name: sidekick
    url: {receiver.url}/
  - type: http
    name: es
    url: {receiver.url}
    format: elasticsearch
    index: vigil-test
    events: true
    alerts: false
  - type: http
    name: otel
    url: {receiver.url}/v1/logs
    format: otlp
""")
    with Agent(agent_args(env, "--config", cfg, "--events", "open")) as ag:
        path = touch_marker(env, "http")
        a = ag.wait_for(lambda e: e.get("rule") == "Marker opened", timeout=10)
        r = receiver
        r.wait_for(lambda: r.alerts() and r.otlp_records() and
                   any(d.get("file", {}).get("path") == path for d in r.bulk_docs()),
                   timeout=15)
        rc, log, final = ag.stop()
    assert receiver.errors() == []
    got = [x for x in receiver.alerts() if x.get("rule") == "Marker opened"]
    assert len(got) == 1 and got[0]["output"] == a["output"]
    docs = [d for d in receiver.bulk_docs("vigil-test")
            if d.get("file", {}).get("path") == path and d["process"]["comm"] == "cat"]
    assert len(docs) == 1 and docs[0]["type"] == "open" and "@timestamp" in docs[0]
    recs = receiver.otlp_records()
    assert any("Marker opened" in json.dumps(r) for r in recs)
    for name in ("sidekick", "es", "otel"):
        assert final["outputs"][name]["up"] is True
        assert final["outputs"][name]["send_errors"] == 0


def test_http_failing_peer_is_retried_and_counted(env, receiver):
    cfg = config(env, f"""
outputs:
  - type: http
    name: sidekick
    url: {receiver.url}/
    backoff_max: 300ms
""")
    with Agent(agent_args(env, "--config", cfg, "--stats-interval", "1")) as ag:
        receiver.set_mode("fail")
        path = touch_marker(env, "fail")
        wait_stats(ag, lambda s: s["outputs"]["sidekick"]["send_errors"] >= 2 and
                   not s["outputs"]["sidekick"]["up"])
        receiver.set_mode("ok")
        receiver.wait_for(lambda: any(x.get("output_fields", {}).get("fd.name") == path
                                      for x in receiver.alerts()), timeout=15)
        receiver.set_mode("reject")
        bad = touch_marker(env, "rejected")
        wait_stats(ag, lambda s: s["outputs"]["sidekick"]["dropped"]["rejected"] >= 1)
        rc, log, final = ag.stop()
    st = final["outputs"]["sidekick"]
    assert st["up"] is True or st["dropped"]["rejected"] >= 1
    assert [x["output_fields"]["fd.name"] for x in receiver.alerts()].count(path) == 1
    assert bad not in [x["output_fields"]["fd.name"] for x in receiver.alerts()]
    assert "peer down" in log


# ---- metrics -----------------------------------------------------------------------------

def test_metrics_endpoint_serves_the_agents_counters(env):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    args = ["--rules", env["rules"], "--no-kubernetes", "--store", env["db"],
            "--metrics-listen", f"127.0.0.1:{port}", "--bpf-stats"]
    with Agent(args) as ag:
        touch_marker(env, "metrics")
        ag.wait_for(lambda e: e.get("rule") == "Marker opened", timeout=10)
        import urllib.request
        base = f"http://127.0.0.1:{port}"
        assert urllib.request.urlopen(base + "/healthz").read().strip() == b"ok"
        assert urllib.request.urlopen(base + "/readyz").status == 200
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            text = urllib.request.urlopen(base + "/metrics").read().decode()
            if 'vigil_rule_alerts_total{rule="Marker opened",priority="warning"} 1' in text:
                break
            time.sleep(0.3)
        assert 'vigil_rule_alerts_total{rule="Marker opened",priority="warning"} 1' in text
        assert 'vigil_output_up{output="store"} 1' in text
        assert "process_resident_memory_bytes " in text
        assert 'vigil_kernel_events_seen_total{type="open"}' in text
        # --bpf-stats: each attached program's runs, counted by the kernel
        runs = [l for l in text.splitlines()
                if l.startswith('vigil_bpf_prog_run_total{prog="vg_x_openat"}')]
        assert runs and float(runs[0].split()[-1]) > 0, runs


def test_real_prometheus_scrapes_the_agent(env):
    """Debian's Prometheus scrapes the running agent; its API answers with our series."""
    from prom_env import PromEnv
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    args = ["--rules", env["rules"], "--no-kubernetes", "--store", env["db"],
            "--metrics-listen", f"127.0.0.1:{port}", "--events", "open"]
    with Agent(args) as ag, PromEnv(f"127.0.0.1:{port}") as prom:
        prom.wait_ready()
        prom.wait_target_up()
        for i in range(3):
            touch_marker(env, f"prom{i}")
        ag.wait_all(lambda e: e.get("rule") == "Marker opened", 3, timeout=10)
        v = prom.wait_value('vigil_rule_alerts_total{rule="Marker opened"}',
                            pred=lambda v: v is not None and v >= 3)
        assert v == 3
        assert prom.value('vigil_output_up{output="store"}') == 1
        assert prom.wait_value('sum(vigil_events_written_total{type="open"})',
                               pred=lambda v: v is not None and v >= 3) >= 3
        assert prom.value("process_resident_memory_bytes") > 1e6
        up = prom.targets()
        assert any(t.get("health") == "up" for t in up), up
