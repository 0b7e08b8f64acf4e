"""The command line and start-up errors, against the real binary."""

import subprocess

from agent import Agent, vigil_bin


def run(*args, **kw):
    return subprocess.run([vigil_bin(), *args], capture_output=True, text=True, timeout=30, **kw)


def test_help_on_every_command():
    top = run("--help")
    assert top.returncode == 0 and "usage: vigil <command>" in top.stdout
    for cmd in ("run", "version"):
        r = run(cmd, "--help")
        assert r.returncode == 0, r.stderr
        assert r.stdout.startswith(f"usage: vigil {cmd}")
    r = run("help")
    assert r.returncode == 0 and "commands:" in r.stdout


def test_version():
    r = run("version")
    assert r.returncode == 0
    assert r.stdout.startswith("vigil ") and "schema vigil/v1" in r.stdout


def test_usage_errors_name_the_option():
    r = run("bogus")
    assert r.returncode == 2 and "unknown command 'bogus'" in r.stderr
    r = run("run", "--ancestors", "x9")
    assert r.returncode == 2 and "--ancestors x9" in r.stderr
    r = run("run", "--ringbuf-size", "12Q")
    assert r.returncode == 2 and "--ringbuf-size 12Q" in r.stderr
    r = run("run", "--log-level", "loud")
    assert r.returncode == 2 and "--log-level loud" in r.stderr


def test_ringbuf_size_must_be_power_of_two():
    r = run("run", "--ringbuf-size", "3M")
    assert r.returncode == 1 and "power of two" in r.stderr


def test_not_root_is_an_actionable_error():
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                        "--inh-caps=-all", vigil_bin(), "run"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 1
    assert "run it as root, or grant CAP_BPF and CAP_PERFMON" in r.stderr
    assert "missing: CAP_BPF CAP_PERFMON" in r.stderr


def test_missing_btf_is_an_actionable_error(tmp_path):
    r = run("run", "--btf", str(tmp_path / "nope"))
    assert r.returncode == 1
    assert "no kernel BTF at" in r.stderr and "CONFIG_DEBUG_INFO_BTF" in r.stderr


def test_mounts_bpffs_and_tracefs_when_missing(tmp_path):
    """In a private mount namespace without bpffs and tracefs, vigil mounts both."""
    # Agent runs `<binary> run ...`; the wrapper scripts pass it through
    fixed = tmp_path / "inner"
    fixed.write_text("#!/bin/sh\n"
                     "umount -l /sys/fs/bpf 2>/dev/null\n"
                     "umount -l /sys/kernel/tracing 2>/dev/null\n"
                     "umount -l /sys/kernel/debug/tracing 2>/dev/null\n"
                     "if grep -qE ' (bpf|tracefs) ' /proc/mounts; then echo still-mounted >&2; exit 99; fi\n"
                     f"exec {vigil_bin()} \"$@\"\n")
    fixed.chmod(0o755)
    outer = tmp_path / "outer"
    outer.write_text(f"#!/bin/sh\nexec unshare -m --propagation private {fixed} \"$@\"\n")
    outer.chmod(0o755)
    a = Agent(binary=str(outer)).start()
    rc, log, final = a.stop()
    assert rc == 0, log
    assert "mounted bpf at /sys/fs/bpf" in log
    assert "mounted tracefs at /sys/kernel/tracing" in log
    assert final["final"] is True
