"""The agent's metrics server (src/agent/metrics*.c, driven by metrics_tool.c with a stats
record from a file, no BPF) scraped by the real promtool and Prometheus, and the Grafana
dashboard's queries run against what Prometheus stored. No root needed; the agent's library
(build/libvigil.a) must be built."""

import json
import os
import re
import shutil
import subprocess
import urllib.request

import pytest

from prom_env import PROMETHEUS, PromEnv
from test_grafana_dashboard import exprs, load

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
LIB = os.path.join(ROOT, "build", "libvigil.a")
FIXTURE = os.path.join(ROOT, "tests", "unit", "fixtures", "metrics", "stats_full.json")
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"
LDLIBS = "-lbpf -lelf -lz -lcurl -ljson-c -lyaml -lsqlite3 -lssl -lcrypto -lpthread".split()

pytestmark = pytest.mark.skipif(not os.access(PROMETHEUS, os.X_OK),
                                reason=f"{PROMETHEUS} not found: apt-get install prometheus")


@pytest.fixture(scope="module")
def tool(tmp_path_factory):
    if not os.path.exists(LIB):
        pytest.skip(f"{LIB} not built (make build/vigil)")
    out = str(tmp_path_factory.mktemp("metrics-tool") / "metrics_tool")
    cmd = ["cc", "-std=gnu11", "-D_GNU_SOURCE", "-I" + os.path.join(ROOT, "src", "agent"),
           os.path.join(HERE, "metrics_tool.c"), LIB, "-o", out] + LDLIBS
    p = subprocess.run(cmd, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return out


class Served:
    def __init__(self, tool, stats_path, per_pod_max=None):
        args = [tool, "127.0.0.1:0", stats_path] + ([str(per_pod_max)] if per_pod_max else [])
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        line = self.proc.stdout.readline()
        m = re.match(r"port (\d+)", line)
        assert m, f"metrics_tool: {line!r} {self.proc.stderr.read() if not line else ''}"
        self.target = f"127.0.0.1:{m.group(1)}"

    def get(self, path):
        with urllib.request.urlopen(f"http://{self.target}{path}", timeout=5) as r:
            return r.status, r.headers.get("Content-Type"), r.read().decode()

    def stop(self):
        self.proc.terminate()
        assert self.proc.wait(10) == 0


@pytest.fixture
def stats_file(tmp_path):
    path = tmp_path / "stats.json"
    shutil.copy(FIXTURE, path)
    return path


@pytest.fixture
def served(tool, stats_file):
    s = Served(tool, str(stats_file), per_pod_max=2)
    yield s
    s.stop()


def test_promtool_accepts_the_scrape(served):
    status, ctype, body = served.get("/metrics")
    assert status == 200
    assert ctype == "text/plain; version=0.0.4; charset=utf-8"
    p = subprocess.run([PROMTOOL, "check", "metrics"], input=body, capture_output=True,
                       text=True)
    # promtool's linter: HELP, TYPE, _total on counters, units, naming conventions
    assert p.returncode == 0 and not p.stdout.strip() and not p.stderr.strip(), \
        p.stdout + p.stderr
    assert served.get("/healthz")[0] == 200
    assert served.get("/readyz")[0] == 200


def test_prometheus_scrapes_the_agent(served, stats_file):
    with PromEnv(served.target) as prom:
        t = prom.wait_target_up()
        assert t["lastError"] == ""
        assert prom.wait_value("vigil_rules_active") == 46
        assert prom.value("sum(vigil_alerts_total)") == 4
        assert prom.value('vigil_output_up{output="syslog-1"}') == 0
        assert prom.value('vigil_drops_total{stage="sink:syslog-1",reason="queue_full"}') == 10
        assert prom.value('vigil_rule_alerts_total{rule="Terminal shell in container"}') == 3
        assert prom.value('vigil_pod_events_total{namespace="_other"}') == 7
        assert prom.value('vigil_build_info{schema="vigil/v1"}') == 1
        # a new record reaches Prometheus at the next scrapes
        doc = json.loads(stats_file.read_text())
        doc["events"]["exec"] += 100
        stats_file.write_text(json.dumps(doc))
        assert prom.wait_value('vigil_events_received_total{type="exec"}',
                               lambda v: v == 112, timeout=10) == 112


# Families that exist only once something happened (the fixture cuts no series).
ONLY_WHEN_NONZERO = ("vigil_metrics_series_dropped_total",)


def substitute(expr):
    return (expr.replace('"$instance"', '".*"').replace("$__rate_interval", "1m")
            .replace("$__range", "5m"))


def test_dashboard_queries_return_data(served):
    """Every query of the dashboard runs in Prometheus and returns series, and every label it
    groups by is on them: a misspelt label or metric shows here."""
    with PromEnv(served.target) as prom:
        prom.wait_target_up()
        # rate() needs two samples in its window
        prom.wait_value("count_over_time(vigil_rules_active[1m])", lambda v: v and v >= 3)
        for title, expr in exprs(load()):
            q = substitute(expr)
            if title.startswith("variable "):
                q = "vigil_build_info"  # label_values() is Grafana's, not PromQL
            res = prom.query(q)
            if any(name in q for name in ONLY_WHEN_NONZERO):
                continue
            assert res, f"{title}: no data for {q}"
            for group in re.findall(r"\bby \(([^)]*)\)", q):
                for label in (s.strip() for s in group.split(",")):
                    assert any(label in r["metric"] for r in res), \
                        f"{title}: no series with label {label!r} from {q}: {res[:3]}"
