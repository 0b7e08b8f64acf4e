"""The Grafana dashboard (deploy/grafana/vigil-dashboard.json) is valid, importable JSON whose
queries name only metrics the agent exports (the family table in src/agent/metrics_int.h).
Needs neither vigil nor root; test_metrics_prom.py runs the same queries in a real Prometheus."""

import json
import os
import re

import pytest

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DASHBOARD = os.path.join(ROOT, "deploy", "grafana", "vigil-dashboard.json")
FAMILIES = os.path.join(ROOT, "src", "agent", "metrics_int.h")

# What the dashboard must show (docs/metrics.md, "Dashboard").
REQUIRED = {
    "events/s by type": "vigil_events_received_total",
    "alerts/s by priority": "vigil_alerts_total",
    "top rules": "vigil_rule_alerts_total",
    "drops by stage/reason": "vigil_drops_total",
    "kernel filtered": "vigil_kernel_events_filtered_total",
    "kernel emitted": "vigil_kernel_events_emitted_total",
    "BPF run time": "vigil_bpf_prog_run_seconds_total",
    "BPF runs": "vigil_bpf_prog_run_total",
    "output health": "vigil_output_up",
    "output latency": "vigil_output_latency_seconds",
    "output queue": "vigil_output_queued",
    "output spill": "vigil_output_spill_pending",
    "store size": "vigil_store_bytes",
    "store rows": "vigil_store_rows",
    "cache fill": "vigil_cache_entries",
    "cache capacity": "vigil_cache_capacity",
    "cache evictions": "vigil_cache_evictions_total",
    "agent CPU": "process_cpu_seconds_total",
    "agent RSS": "process_resident_memory_bytes",
}

METRIC_RE = re.compile(r"\b((?:vigil|process)_[a-z0-9_]+)\b")


def families():
    """Metric family names, from the METRICS_FAMILIES table."""
    with open(FAMILIES) as f:
        names = re.findall(r'X\(\s*\w+,\s*"([a-z_:][a-z0-9_:]*)"', f.read())
    assert len(names) > 40, "METRICS_FAMILIES not found in metrics_int.h"
    return set(names)


def load():
    with open(DASHBOARD) as f:
        return json.load(f)


def all_panels(dash):
    for p in dash["panels"]:
        yield p
        yield from p.get("panels", [])


def exprs(dash):
    """(panel title, expr) of every query, the template variables' too."""
    for p in all_panels(dash):
        for t in p.get("targets", []):
            yield p["title"], t["expr"]
    for v in dash["templating"]["list"]:
        q = v.get("query")
        yield "variable " + v["name"], q["query"] if isinstance(q, dict) else q


def test_dashboard_is_importable():
    dash = load()
    assert dash["schemaVersion"] >= 36
    assert dash["uid"] and dash["title"]
    inputs = {i["name"]: i for i in dash["__inputs"]}
    assert inputs["DS_PROMETHEUS"]["pluginId"] == "prometheus"
    ids = [p["id"] for p in all_panels(dash)]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    for p in all_panels(dash):
        g = p["gridPos"]
        assert 0 <= g["x"] and g["x"] + g["w"] <= 24, p["title"]
        if p["type"] == "row":
            continue
        assert p["datasource"] == {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}, p["title"]
        assert p["targets"], p["title"]
        for t in p["targets"]:
            assert t["datasource"]["uid"] == "${DS_PROMETHEUS}", p["title"]
            assert t["refId"], p["title"]
            assert t["expr"].count("(") == t["expr"].count(")"), t["expr"]
    # no two panels overlap
    cells = {}
    for p in all_panels(dash):
        g = p["gridPos"]
        for x in range(g["x"], g["x"] + g["w"]):
            for y in range(g["y"], g["y"] + g["h"]):
                assert (x, y) not in cells, f"{p['title']} overlaps {cells[(x, y)]}"
                cells[(x, y)] = p["title"]


def test_every_expr_names_an_exported_metric():
    known = families()
    for title, expr in exprs(load()):
        names = METRIC_RE.findall(expr)
        assert names, f"{title}: no vigil metric in {expr!r}"
        unknown = [n for n in names if n not in known]
        assert not unknown, f"{title}: {unknown} not exported (src/agent/metrics_int.h)"


def test_every_panel_filters_by_agent():
    for title, expr in exprs(load()):
        if title.startswith("variable "):
            continue
        for sel in re.findall(r"\b(?:vigil|process)_[a-z0-9_]+(\{[^}]*\})?", expr):
            assert 'instance=~"$instance"' in sel, f"{title}: a selector without $instance: {expr}"


@pytest.mark.parametrize("what", sorted(REQUIRED))
def test_required_panels(what):
    used = {n for _, e in exprs(load()) for n in METRIC_RE.findall(e)}
    assert REQUIRED[what] in used, f"no panel shows {what} ({REQUIRED[what]})"
