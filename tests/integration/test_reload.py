"""SIGHUP reload of the running agent: rules re-read and swapped between two records, outputs
added and removed, a bad file keeping the running configuration, settings that take a restart
named in the log, and enforcement that never pauses across a reload.
"""

import json
import os
import signal
import subprocess
import time

import pytest

from agent import Agent

RULE_A = """
- rule: Marker A
  desc: test
  condition: evt.type in (open, openat) and proc.name = cat and fd.name startswith "{d}/a-"
  output: A by %proc.name (file=%fd.name)
  priority: WARNING
"""
RULE_B = """
- rule: Marker B
  desc: test
  condition: evt.type in (open, openat) and proc.name = cat and fd.name startswith "{d}/b-"
  output: B by %proc.name (file=%fd.name)
  priority: NOTICE
"""
KILL = """
- rule: Killed marker
  desc: a host process opens the kill marker
  condition: evt.type in (open, openat) and fd.name = "{d}/kill-me" and proc.name = cat
             and container.id = host
  output: killed (proc=%proc.name file=%fd.name)
  priority: CRITICAL
  action: kill
  mode: {mode}
"""


@pytest.fixture
def d(tmp_path):
    marks = f"/tmp/vigil-reload-{os.getpid()}-{time.monotonic_ns()}"
    os.makedirs(marks)
    yield marks
    subprocess.run(["rm", "-rf", marks])


def cat(path):
    if not os.path.exists(path):
        with open(path, "w") as f:
            f.write("secret\n")
    return subprocess.run(["/bin/cat", path], capture_output=True)


def hup_and_wait(ag, word, count_before):
    """SIGHUP, then wait for the count_before+1-th log line with word."""
    ag.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if ag.stderr_text().count(word) > count_before:
            return
        time.sleep(0.05)
    raise AssertionError(f"no {word!r} after SIGHUP:\n{ag.stderr_text()[-3000:]}")


def test_reload_rules_and_outputs_bad_file_keeps_running(tmp_path, d):
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULE_A.format(d=d))
    cfg = tmp_path / "vigil.yaml"
    cfg.write_text(f"rules: [{rules}]\nstore:\n  path: {tmp_path}/s.db\n")
    out = tmp_path / "alerts.jsonl"
    args = ["--config", str(cfg), "--no-kubernetes", "--metrics-listen", "none"]
    with Agent(args) as ag:
        cat(f"{d}/a-1"), cat(f"{d}/b-1")
        ag.wait_for(lambda e: e.get("rule") == "Marker A")
        # rule B added, and a file output
        rules.write_text(RULE_A.format(d=d) + RULE_B.format(d=d))
        cfg.write_text(f"rules: [{rules}]\nstore:\n  path: {tmp_path}/s.db\n"
                       f"ring_buffer_size_ignored_here: 1\n")
        hup_and_wait(ag, "keeping the running", 0)  # an unknown key: refused whole
        cfg.write_text(f"rules: [{rules}]\nstore:\n  path: {tmp_path}/s.db\n"
                       f"ringbuf_size: 8M\noutputs:\n  - type: file\n    path: {out}\n")
        hup_and_wait(ag, "reload: done", 0)
        cat(f"{d}/b-2")
        b = ag.wait_for(lambda e: e.get("rule") == "Marker B")
        assert b["output_fields"]["fd.name"] == f"{d}/b-2"
        # a rule file that does not load keeps the running rules
        rules.write_text("- rule: broken\n  condition: evt.type = open and (\n")
        hup_and_wait(ag, "keeping the running", 1)
        cat(f"{d}/a-2"), cat(f"{d}/b-3")
        ag.wait_for(lambda e: e.get("output_fields", {}).get("fd.name") == f"{d}/b-3")
        ag.wait_for(lambda e: e.get("output_fields", {}).get("fd.name") == f"{d}/a-2")
        rc, log, final = ag.stop()
    assert rc == 0, log[-3000:]
    assert "ringbuf_size changed: it takes effect at the next restart" in log
    # only b-1 (before B existed) raised nothing
    names = [e["output_fields"]["fd.name"] for e in ag.events(lambda e: "rule" in e)]
    assert f"{d}/b-1" not in names and names.count(f"{d}/b-2") == 1
    filed = [json.loads(l)["output_fields"]["fd.name"] for l in open(out)]
    assert f"{d}/b-2" in filed and f"{d}/b-3" in filed and f"{d}/a-1" not in filed
    assert final["outputs"]["file-1"]["delivered"]["alert"] == len(filed)
    assert final["drops"]["seq_gaps"] == 0


def reader(d):
    """A loop of cat on the kill marker, each printing its exit status."""
    return subprocess.Popen(["/bin/sh", "-c", f"while :; do cat {d}/kill-me; echo rc=$?; done"],
                            stdout=subprocess.PIPE, text=True)


def statuses(proc):
    proc.kill()
    out = proc.communicate()[0]
    return out, [l for l in out.splitlines() if l.startswith("rc=")]


def test_reload_never_pauses_enforcement_and_switches_modes(tmp_path, d):
    rules = tmp_path / "rules.yaml"
    rules.write_text(KILL.format(d=d, mode="enforce"))
    with open(f"{d}/kill-me", "w") as f:  # before the agent: this process must not be killed
        f.write("secret\n")
    args = ["--rules", str(rules), "--no-kubernetes", "--metrics-listen", "none",
            "--store", f"{tmp_path}/s.db"]
    with Agent(args) as ag:
        assert cat(f"{d}/kill-me").returncode == -signal.SIGKILL
        # readers run all through a reload that keeps the rule: every one is killed
        r = reader(d)
        time.sleep(0.5)
        hup_and_wait(ag, "reload: done", 0)
        time.sleep(0.5)
        out, rcs = statuses(r)
        assert len(rcs) > 5 and set(rcs) == {"rc=137"}, out[-300:]
        assert "secret" not in out
        # enforce -> monitor, live: the reader is left alone, and no alert is written
        rules.write_text(KILL.format(d=d, mode="monitor"))
        hup_and_wait(ag, "reload: done", 1)
        assert "mode enforce -> monitor (kernel policy switched)" in ag.stderr_text()
        c = cat(f"{d}/kill-me")
        assert c.returncode == 0 and c.stdout == b"secret\n"
        # monitor -> alert: a dry run, reported by the kernel's judgement
        rules.write_text(KILL.format(d=d, mode="alert"))
        hup_and_wait(ag, "reload: done", 2)
        assert cat(f"{d}/kill-me").returncode == 0
        dry = ag.wait_for(lambda e: e.get("rule") == "Killed marker" and
                          e["enforcement"]["outcome"] == "dry-run")
        assert dry["enforcement"]["mode"] == "alert"
        # and back to enforce: from the reload on, every reader is killed
        rules.write_text(KILL.format(d=d, mode="enforce"))
        hup_and_wait(ag, "reload: done", 3)
        r = reader(d)
        time.sleep(1)
        out, rcs = statuses(r)
        assert len(rcs) > 5 and set(rcs) == {"rc=137"}, out[-300:]
        # what is enforced changed (the condition): refused, the running rule stays
        rules.write_text(KILL.format(d=d, mode="enforce").replace("proc.name = cat",
                                                                  "proc.name in (cat, tac)"))
        hup_and_wait(ag, "take a restart", 0)
        assert cat(f"{d}/kill-me").returncode == -signal.SIGKILL
        rc, log, final = ag.stop()
    alerts = ag.events(lambda e: e.get("rule") == "Killed marker")
    outcomes = {a["enforcement"]["outcome"] for a in alerts}
    assert outcomes == {"killed", "dry-run"}, [a["enforcement"] for a in alerts]
    assert all(a["enforcement"]["decided"] == "kernel" for a in alerts)
