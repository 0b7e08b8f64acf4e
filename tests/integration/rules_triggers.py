"""Helpers for the rule tests (test_rules_stable.py): the rootfs the triggers run in, the
static helper for syscalls busybox cannot make, container settings, and alert checks.

Busybox facts the triggers rely on: every applet is /bin/busybox, and proc.name is the kernel's
comm, the basename of the file exec'd (/bin/debugfs -> busybox runs with comm "debugfs"; a
`#!/bin/sh` script /opt/app/nginx runs with comm "nginx"). busybox sh runs a command given
without a slash by re-executing /proc/self/exe (comm "exe") or inside the shell, so the scripts
always name commands by absolute path (/bin/cat), which the shell execs as given.
"""

import json
import os
import pty
import re
import select
import shutil
import subprocess
import time

import yaml

import runc_env

HERE = os.path.dirname(os.path.abspath(__file__))
RULES_FILE = os.environ.get("VIGIL_STABLE_RULES", "/work/shared/falco-rules/falco_rules.yaml")
TOOL_SRC = os.path.join(HERE, "rules_tool.c")
TOOL = "/usr/local/bin/vtool"
DEFAULT_CAPS = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]  # runc spec's
FALCO_PRIORITY = {"EMERGENCY": "Emergency", "ALERT": "Alert", "CRITICAL": "Critical",
                  "ERROR": "Error", "WARNING": "Warning", "NOTICE": "Notice",
                  "INFORMATIONAL": "Informational", "INFO": "Informational", "DEBUG": "Debug"}
OUTPUT_FIELD = re.compile(r"%([a-z][a-z0-9_.]*(?:\[[^\]]*\])?)")

# A stand-in server: what the rules see is the name it is installed under.
#   read SECONDS FILE   wait, then read FILE in this process (the shell's own open)
#   spawn CMD ARGS...   run a child
SERVER_SCRIPT = """#!/bin/sh
case "$1" in
read) /bin/sleep "$2"; read -r line < "$3" ;;
spawn) shift; "$@" ;;
esac
exit 0
"""
APPLETS = ("ln", "nc", "find", "shred", "rm", "cp", "ip", "mkdir", "debugfs", "chmod")


def load_rules(path=RULES_FILE):
    """The rule file's rules by name: priority, tags, output (the test's oracle)."""
    with open(path) as f:
        doc = yaml.safe_load(f)
    return {item["rule"]: item for item in doc if isinstance(item, dict) and "rule" in item}


def build_tool(outdir):
    """Compile rules_tool.c static; returns the binary's path."""
    out = os.path.join(outdir, "vtool")
    p = subprocess.run(["gcc", "-static", "-O1", "-Wall", "-o", out, TOOL_SRC],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"gcc -static rules_tool.c failed: {p.stderr}")
    return out


def _write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def build_rootfs(root, tool):
    """The busybox rootfs plus what the triggers need: applet links, /etc/shadow, /var/log,
    the stand-in servers, vtool and an 'ssh' client."""
    runc_env.build_rootfs(root)
    for name in APPLETS:
        link = os.path.join(root, "bin", name)
        if not os.path.lexists(link):
            os.symlink("busybox", link)
    _write(os.path.join(root, "etc/shadow"), "root:*:19000:0:99999:7:::\n", 0o640)
    os.makedirs(os.path.join(root, "var/log"), exist_ok=True)
    for name in ("nginx", "sshd", "myapp"):
        _write(os.path.join(root, "opt/app", name), SERVER_SCRIPT, 0o755)
    _write(os.path.join(root, "opt/app/payload.sh"), "#!/bin/sh\necho payload ran\n", 0o755)
    for dst in (TOOL, "/usr/bin/ssh"):
        os.makedirs(os.path.dirname(root + dst), exist_ok=True)
        shutil.copy2(tool, root + dst)
    return root


def configure(c, caps=(), uid=None, host_net=False, shm_exec=False, terminal=False):
    """Adjust container c's config.json: add capabilities, run as uid (its gid too), share
    the host's network, let /dev/shm allow exec, ask for a terminal."""
    path = os.path.join(c.bundle, "config.json")
    with open(path) as f:
        cfg = json.load(f)
    proc = cfg["process"]
    if caps:
        for k in ("bounding", "effective", "permitted"):
            proc["capabilities"][k] = sorted(set(proc["capabilities"][k]) | set(caps))
    if uid is not None:
        proc["user"] = {"uid": uid, "gid": uid}
    if host_net:
        cfg["linux"]["namespaces"] = [n for n in cfg["linux"]["namespaces"]
                                      if n["type"] != "network"]
    if shm_exec:
        for m in cfg["mounts"]:
            if m["destination"] == "/dev/shm":
                m["options"] = [o for o in m["options"] if o != "noexec"]
    proc["terminal"] = terminal
    with open(path, "w") as f:
        json.dump(cfg, f, indent=2)
    return c


def start(c):
    """Create and start container c in the background; returns its init's host pid."""
    c.create()
    pid = c.pid()
    c.start()
    return pid


def finish(c, timeout=20):
    """Wait for a start()ed container to stop; returns what it wrote (stdout + stderr)."""
    c.wait_status(("stopped", None), timeout=timeout)
    return c.stdout() + c.stderr()


def run(c, timeout=20):
    """start() and finish(): (init pid, output)."""
    pid = start(c)
    return pid, finish(c, timeout)


def run_tty(c, timeout=20):
    """`runc run` in the foreground on a new pseudo-terminal (what `kubectl exec -t` gives a
    shell): c must be configure()d with terminal=True. Returns (init pid, output)."""
    c._before_create()
    master, slave = pty.openpty()
    p = subprocess.Popen([runc_env.RUNC, "--root", c.runc_root, "run", "--bundle", c.bundle,
                          c.id], stdin=slave, stdout=slave, stderr=slave,
                         start_new_session=True)
    os.close(slave)
    out, pid, deadline = b"", None, time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pid is None:
            st = c.state()
            pid = st["pid"] if st and st.get("pid") else None
        if not select.select([master], [], [], 0.05)[0]:
            continue
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the terminal's last user is gone
            break
        if not data:
            break
        out += data
    os.close(master)
    p.wait(timeout)
    return pid, out.decode(errors="replace")


# -- alerts ---------------------------------------------------------------------------------

def is_alert(e):
    return "rule" in e


def vigil_of(e, *keys):
    v = e.get("vigil") or {}
    for k in keys:
        v = v.get(k) if isinstance(v, dict) else None
    return v


def alerts_in(agent, cid, pid=None):
    """Alerts raised so far by processes of container cid (and pid, if given)."""
    return agent.events(lambda e: is_alert(e) and vigil_of(e, "container", "id") == cid
                        and (pid is None or vigil_of(e, "process", "pid") == pid))


def check_alert(a, rule):
    """a is an alert of `rule` in Falco's format: priority, source, tags as the file says;
    output = time, priority, then the template rendered; output_fields has every field the
    template names; vigil has the event's process and container."""
    assert a["rule"] == rule["rule"]
    prio = FALCO_PRIORITY[str(rule["priority"]).strip().upper()]
    assert a["priority"] == prio, a
    assert a["source"] == "syscall"
    assert a["tags"] == rule["tags"]
    assert a["hostname"]
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$", a["time"]), a["time"]
    head = rule["output"].split("|")[0].strip()
    assert re.match(r"^\d\d:\d\d:\d\d\.\d{9}: " + prio + " " + re.escape(head), a["output"]), \
        a["output"]
    names = set(OUTPUT_FIELD.findall(rule["output"]))
    assert names <= set(a["output_fields"]), names - set(a["output_fields"])
    assert vigil_of(a, "process", "pid") > 0 and vigil_of(a, "container", "id")
