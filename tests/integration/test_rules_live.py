"""Rules on the live stream: `vigil run --rules`, Falco-format alerts, what is attached.

Each test writes its own small rule file, starts the real agent, makes real syscalls from
real processes and asserts the alert lines field by field.  The stable Falco rules have
their own tests (test_rules_stable.py); these cover the mechanics: alert format, output
templates, priorities, --min-priority, --alerts-output, --events none, the default rule
file, load errors and the stats record.
"""

import json
import os
import re
import subprocess
import time

import pytest

from agent import Agent, vigil_bin

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$")
OUT_TIME_RE = re.compile(r"^\d\d:\d\d:\d\d\.\d{9}: ")

RULES = """
- list: probe_names
  items: [vigil-probe-a, vigil-probe-b]

- macro: probe_exec
  condition: evt.type = execve and proc.name in (probe_names)

- rule: Probe executed
  desc: a test binary ran
  condition: probe_exec and proc.args contains "--fire"
  output: probe ran (proc=%proc.name args=%proc.args uid=%user.uid exe=%proc.exepath parent=%proc.pname missing=%fd.name)
  priority: WARNING
  tags: [test, T0000]

- rule: Probe opened marker
  desc: a test process opened the marker file
  condition: evt.type in (open, openat) and fd.name endswith "/vigil-marker" and evt.is_open_read=true
  output: marker opened by %proc.name (file=%fd.name flags=%evt.arg.flags)
  priority: DEBUG
  tags: [test]
"""


def alerts(agent, rule=None):
    return agent.events(lambda e: "rule" in e and (rule is None or e["rule"] == rule))


def probe(tmp_path, name):
    """A copy of /bin/true under a probe name: comm is the name."""
    path = tmp_path / name
    path.write_bytes(open("/bin/true", "rb").read())
    path.chmod(0o755)
    return str(path)


@pytest.fixture
def rules_file(tmp_path):
    p = tmp_path / "rules.yaml"
    p.write_text(RULES)
    return str(p)


def test_alert_format_and_output(tmp_path, rules_file):
    exe = probe(tmp_path, "vigil-probe-a")
    with Agent(["--rules", rules_file, "--no-kubernetes", "--node", "n-test"]) as ag:
        quiet = subprocess.run([exe, "--quiet"])
        fire = subprocess.Popen([exe, "--fire", "x"])
        fire.wait()
        a = ag.wait_for(lambda e: e.get("rule") == "Probe executed", timeout=10)
        # the quiet run came first and raised nothing (same rule, same binary)
        assert quiet.returncode == 0
        assert len(alerts(ag, "Probe executed")) == 1
    assert set(a) == {"hostname", "output", "output_fields", "priority", "rule", "source",
                      "tags", "time", "vigil"}
    assert a["hostname"] == "n-test"
    assert a["priority"] == "Warning"
    assert a["source"] == "syscall"
    assert a["tags"] == ["test", "T0000"]
    assert TIME_RE.match(a["time"])
    assert OUT_TIME_RE.match(a["output"])
    body = a["output"].split(": ", 1)[1]
    me = open("/proc/self/comm").read().strip()
    assert body == (f"Warning probe ran (proc=vigil-probe-a args=--fire x uid={os.getuid()} "
                    f"exe={exe} parent={me} missing=<NA>)")
    of = a["output_fields"]
    assert of["proc.name"] == "vigil-probe-a"
    assert of["proc.args"] == "--fire x"
    assert of["user.uid"] == os.getuid()
    assert of["proc.exepath"] == exe
    assert of["fd.name"] is None
    assert isinstance(of["evt.time"], int) and of["evt.time"] > 0
    v = a["vigil"]
    assert v["schema"] == "vigil/v1" and v["type"] == "exec"
    assert v["process"]["pid"] == fire.pid
    assert v["process"]["arguments"] == [exe, "--fire", "x"]


def test_events_none_writes_only_alerts(tmp_path, rules_file):
    exe = probe(tmp_path, "vigil-probe-b")
    marker = tmp_path / "vigil-marker"
    marker.write_text("x")
    with Agent(["--rules", rules_file, "--no-kubernetes"]) as ag:
        p = subprocess.Popen([exe, "--fire"])
        p.wait()
        subprocess.run(["cat", str(marker)], capture_output=True, check=True)
        ag.wait_for(lambda e: e.get("rule") == "Probe opened marker", timeout=10)
        ag.wait_for(lambda e: e.get("rule") == "Probe executed", timeout=10)
        rc, err, final = ag.stop()
    lines = [e for e in ag.events() if e.get("type") != "stats"]
    assert all("rule" in e for e in lines), lines[:3]
    opened = alerts(ag, "Probe opened marker")[0]
    assert opened["priority"] == "Debug"
    assert opened["output_fields"]["fd.name"] == str(marker)
    assert opened["output_fields"]["evt.arg.flags"].startswith("O_RDONLY")
    assert opened["vigil"]["type"] == "open"
    # only what the rules need is attached: exec and open (with lifecycle and close)
    assert re.search(r"ready: \d+ programs attached", err)
    rules = final["rules"]
    assert rules["active"] == 2
    assert rules["alerts"]["warning"] >= 1 and rules["alerts"]["debug"] >= 1
    assert rules["alert_errors"] == 0 and rules["alerts_dropped"] == 0


def test_min_priority_and_alerts_output(tmp_path, rules_file):
    exe = probe(tmp_path, "vigil-probe-a")
    marker = tmp_path / "vigil-marker"
    marker.write_text("x")
    out = tmp_path / "alerts.jsonl"
    with Agent(["--rules", rules_file, "--no-kubernetes", "--min-priority", "notice",
                "--alerts-output", str(out), "--events", "exec"]) as ag:
        subprocess.run(["cat", str(marker)], capture_output=True, check=True)
        p = subprocess.Popen([exe, "--fire"])
        p.wait()
        ag.wait_for(lambda e: e.get("type") == "exec" and e["process"]["pid"] == p.pid)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and "Probe executed" not in out.read_text():
            time.sleep(0.05)
        rc, err, final = ag.stop()
    got = [json.loads(line) for line in out.read_text().splitlines()]
    assert [a["rule"] for a in got] == ["Probe executed"]  # DEBUG rule left out
    assert not alerts(ag)  # nothing on the event stream
    assert final["rules"]["active"] == 1


def test_rule_file_error_is_fatal_and_named(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("- rule: Broken\n  desc: x\n  condition: proc.name = (\n  output: x\n"
                   "  priority: WARNING\n")
    p = subprocess.run([vigil_bin(), "run", "--rules", str(bad), "--no-kubernetes"],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode != 0
    assert f"{bad}:3:" in p.stderr
    assert "vigil does not start" in p.stderr


def test_skipped_rule_is_a_warning(tmp_path, rules_file):
    extra = tmp_path / "z.yaml"
    extra.write_text("- rule: Needs a field vigil lacks\n  desc: x\n"
                     "  condition: evt.type = execve and proc.vpgid.name = sshd\n"
                     "  output: x\n  priority: WARNING\n")
    with Agent(["--rules", rules_file, "--rules", str(extra), "--no-kubernetes"]) as ag:
        rc, err, final = ag.stop()
    assert rc == 0
    assert "Needs a field vigil lacks" in err and "proc.vpgid.name" in err
    assert final["rules"]["active"] == 2


def test_default_rules_load():
    with Agent(["--no-kubernetes", "--events", "exec"]) as ag:
        rc, err, final = ag.stop()
    assert rc == 0
    assert re.search(r"rules: \S*vigil_rules\.yaml: (\d+) rules: \1 loaded, 0 disabled, "
                     r"0 skipped, 0 with errors", err), err
    assert final["rules"]["active"] > 30


def _open_n(path, n):
    for _ in range(n):
        os.close(os.open(path, os.O_RDONLY))


def _filtered_rules(final, t="open"):
    return final["kernel"].get("filtered", {}).get("rules", {}).get(t, 0)


@pytest.mark.parametrize("mode", ["prefilter", "no-prefilter", "events-open"])
def test_kernel_prefilter_open(tmp_path, mode):
    """A rule on one path: the kernel drops opens of other paths (counted as filtered 'rules'),
    unless the prefilter is off or open events are asked for; the rule fires either way."""
    watched, other = tmp_path / "watched.conf", tmp_path / "other.conf"
    watched.write_text("w")
    other.write_text("o")
    rules = tmp_path / "r.yaml"
    rules.write_text(f"""
- rule: Watched file opened
  desc: test
  condition: evt.type in (open, openat) and fd.name = {watched}
  output: opened %fd.name by %proc.name
  priority: NOTICE
""")
    args = ["--rules", str(rules), "--no-kubernetes"]
    args += {"prefilter": [], "no-prefilter": ["--no-rule-prefilter"],
             "events-open": ["--events", "open"]}[mode]
    with Agent(args) as ag:
        _open_n(str(other), 200)
        _open_n(str(watched), 3)
        ag.wait_all(lambda e: e.get("rule") == "Watched file opened", 3, timeout=10)
        rc, err, final = ag.stop()
    hits = alerts(ag, "Watched file opened")
    assert len(hits) == 3 and all(h["output_fields"]["fd.name"] == str(watched) for h in hits)
    assert all(h["vigil"]["process"]["pid"] == os.getpid() for h in hits)
    if mode == "prefilter":
        assert "open events prefiltered in the kernel" in err
        assert _filtered_rules(final) >= 200
    else:
        assert "prefiltered in the kernel" not in err
        assert _filtered_rules(final) == 0
        assert final["events"]["open"] >= 203
    if mode == "events-open":
        assert len(ag.events(lambda e: e.get("type") == "open" and
                             e["file"]["path"] == str(other))) == 200


def test_kernel_prefilter_passes_unnormalised_paths(tmp_path):
    """Paths the kernel cannot judge lexically go to user space, where the rule sees the
    resolved fd.name: a relative path and a path with '..' both raise the alert."""
    d = tmp_path / "d"
    d.mkdir()
    watched = d / "watched.conf"
    watched.write_text("w")
    rules = tmp_path / "r.yaml"
    rules.write_text(f"""
- rule: Watched file opened
  desc: test
  condition: evt.type in (open, openat) and fd.name = {watched}
  output: opened %fd.name (raw %fd.nameraw)
  priority: NOTICE
""")
    with Agent(["--rules", str(rules), "--no-kubernetes"]) as ag:
        subprocess.run(["cat", "watched.conf"], cwd=str(d), check=True, capture_output=True)
        subprocess.run(["cat", f"{d}/../d/watched.conf"], check=True, capture_output=True)
        subprocess.run(["cat", f"{d}//watched.conf"], check=True, capture_output=True)
        got = ag.wait_all(lambda e: e.get("rule") == "Watched file opened", 3, timeout=10)
        ag.stop()
    raws = sorted(a["output_fields"]["fd.nameraw"] for a in got)
    assert raws == sorted(["watched.conf", f"{d}/../d/watched.conf", f"{d}//watched.conf"])
    assert all(a["output_fields"]["fd.name"] == str(watched) for a in got)
