"""The configuration file against the real binary: `vigil config check`, `vigil run --config`
and the precedence of the command line (docs/config.md)."""

import os
import re
import subprocess

from agent import REPO, vigil_bin


def run(*args, **kw):
    return subprocess.run([vigil_bin(), *args], capture_output=True, text=True, timeout=30, **kw)


def test_shipped_example_is_valid():
    path = os.path.join(REPO, "deploy", "vigil.yaml")
    r = run("config", "check", path)
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"{path}: ok\n"


def test_check_reports_every_problem_with_its_place(tmp_path):
    f = tmp_path / "vigil.yaml"
    f.write_text("ancestors: 99\nstore:\n  max_age: 7x\nevnts: all\n"
                 "outputs:\n  - type: syslog\n    address: udp:/nope\n")
    r = run("config", "check", str(f))
    assert r.returncode == 1 and r.stdout == ""
    lines = r.stderr.splitlines()
    assert f"{f}:1:1: ancestors: expected a whole number from 0 to 64" in lines
    assert any(ln.startswith(f"{f}:3:3: store.max_age: expected a duration such as 7d")
               for ln in lines), lines
    assert f"{f}:4:1: evnts: unknown key; did you mean 'events'?" in lines
    assert any(re.match(re.escape(str(f)) + r":7:\d+: outputs\[0\]\.address: expected udp://", ln)
               for ln in lines), lines


def test_check_usage():
    r = run("config", "--help")
    assert r.returncode == 0 and r.stdout.startswith("usage: vigil config check FILE")
    assert run("config").returncode == 2
    assert run("config", "check").returncode == 2
    r = run("config", "check", "/nonexistent/vigil.yaml")
    assert r.returncode == 1 and "/nonexistent/vigil.yaml: cannot open" in r.stderr


def test_run_refuses_a_bad_file_before_loading_anything(tmp_path):
    f = tmp_path / "vigil.yaml"
    f.write_text("ringbuf_size: 12Q\n")
    r = run("run", "--config", str(f))
    assert r.returncode == 2
    assert f"{f}:1:1: ringbuf_size: expected a size such as 4M" in r.stderr
    r = run("run", "--config", str(tmp_path / "missing.yaml"))
    assert r.returncode == 2 and "cannot open" in r.stderr


def test_run_help_lists_the_new_options():
    r = run("run", "--help")
    for opt in ("--config FILE", "--store PATH", "--no-store", "--store-max-age",
                "--store-max-size", "--store-dedup-window", "--metrics-listen",
                "--redact PATTERN", "--no-stdout-events", "--no-stdout-alerts"):
        assert opt in r.stdout, opt


def test_command_line_beats_the_file(tmp_path):
    # btf is checked before anything is loaded: the error names the path that won
    f = tmp_path / "vigil.yaml"
    f.write_text(f"btf: {tmp_path / 'from-file'}\n")
    r = run("run", "--config", str(f))
    assert r.returncode == 1 and f"no kernel BTF at {tmp_path / 'from-file'}" in r.stderr
    r = run("run", "--btf", str(tmp_path / "from-cli"), "--config", str(f))
    assert r.returncode == 1 and f"no kernel BTF at {tmp_path / 'from-cli'}" in r.stderr
