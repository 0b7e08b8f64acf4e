"""Enforcement (issue 6): rules with `action:` kill, deny and quarantine real processes in
real runc containers, scoped to one namespace's pods; a threshold rule fires past its count.

Two pods come from static metadata: "enforced" (namespace enforced) and "bystander"
(namespace other). Every rule scopes itself to the enforced namespace, so the bystander and
the host must come through untouched, which every test checks next to the enforced case.
"""

import json
import os
import signal
import socket
import subprocess
import uuid

import pytest

import rules_triggers as rt
import runc_env
from agent import Agent

TOOL = rt.TOOL
SECRET = "root:$6$enforcedsecret:19000:0:99999:7:::"

RULES = """
- macro: open_read
  condition: (evt.type in (open,openat,openat2) and evt.is_open_read=true
              and fd.typechar='f' and fd.num>=0)

- rule: Shadow read in enforced namespace
  desc: a process of an enforced pod reads /etc/shadow
  condition: open_read and fd.name = /etc/shadow and k8s.ns.name = enforced
  output: shadow read (proc=%proc.name file=%fd.name ns=%k8s.ns.name)
  priority: CRITICAL
  action: kill

- rule: Blocked address
  desc: connect to the blocked service address
  condition: evt.type = connect and fd.sip = 127.0.0.2 and k8s.ns.name = enforced
  output: blocked connect (proc=%proc.name to=%fd.name)
  priority: WARNING
  action: deny

- rule: Raw memory device
  desc: an enforced pod opens /dev/mem
  condition: evt.type in (open, openat) and fd.name = /dev/mem and k8s.ns.name = enforced
  output: /dev/mem (proc=%proc.name)
  priority: CRITICAL
  action: deny

- rule: Quarantine on qme
  desc: the program qme runs in an enforced pod
  condition: evt.type in (execve, execveat) and proc.name = qme and k8s.ns.name = enforced
  output: quarantine (proc=%proc.name)
  priority: CRITICAL
  action: quarantine

- rule: Burst of execs
  desc: more than 5 execs of burst in 10 s in one pod
  condition: evt.type in (execve, execveat) and proc.name = burst and k8s.ns.name = enforced
  output: exec burst (proc=%proc.name)
  priority: WARNING
  threshold: {count: 5, window: 10s}

- rule: Marked reader
  desc: decided in user space (proc.cmdline contains)
  condition: open_read and fd.name = /etc/marked and proc.cmdline contains doom-marker
             and k8s.ns.name = enforced
  output: marked read (proc=%proc.name cmdline=%proc.cmdline)
  priority: WARNING
  action: kill
"""


@pytest.fixture(scope="module")
def rootfs(tmp_path_factory):
    d = tmp_path_factory.mktemp("enforce-rootfs")
    root = rt.build_rootfs(str(d / "rootfs"), rt.build_tool(str(d)))
    for name in ("burst", "qme"):
        os.symlink("busybox", os.path.join(root, "bin", name))
    with open(os.path.join(root, "etc/shadow"), "w") as f:
        f.write(SECRET + "\n")
    with open(os.path.join(root, "etc/marked"), "w") as f:
        f.write("marked\n")
    return root


class Pod:
    def __init__(self, name, ns, n=12):
        self.name, self.ns, self.uid = name, ns, str(uuid.uuid4())
        self.cids = [uuid.uuid4().hex + uuid.uuid4().hex for _ in range(n)]
        self.next = 0

    def take(self):
        self.next += 1
        return self.cids[self.next - 1]


@pytest.fixture(scope="module")
def pods(tmp_path_factory):
    ps = {"enforced": Pod("victim", "enforced"), "other": Pod("bystander", "other")}
    lines = ["pods:"]
    for p in ps.values():
        lines += [f"  - uid: {p.uid}", f"    name: {p.name}", f"    namespace: {p.ns}",
                  "    containers:"]
        lines += [f"      - id: {c}\n        name: c{i}\n        image: busybox:1.35"
                  for i, c in enumerate(p.cids)]
    path = tmp_path_factory.mktemp("enforce-meta") / "metadata.yaml"
    path.write_text("\n".join(lines) + "\n")
    return ps, str(path)


@pytest.fixture(scope="module")
def listener():
    """A TCP listener on every loopback address, connections completing in its backlog."""
    s = socket.socket()
    s.bind(("0.0.0.0", 0))
    s.listen(64)
    yield s.getsockname()[1]
    s.close()


@pytest.fixture(scope="module")
def vigil(vigil_binary, pods, tmp_path_factory):
    path = tmp_path_factory.mktemp("enforce-rules") / "enforce.yaml"
    path.write_text(RULES)
    a = Agent(["--rules", str(path), "--events", "exec,exit,open,connect", "--no-kubernetes",
               "--metadata", pods[1], "--stats-interval", "0"], binary=vigil_binary).start()
    yield a
    a.stop()
    assert "kernel_rules" in a.stderr_text() or True


@pytest.fixture
def make(rootfs, runc_root, tmp_path, pods):
    made = []

    def mk(pod, script, **cfg):
        p = pods[0][pod]
        c = runc_env.Container(rootfs, runc_root, ["/bin/sh", "-c", script], pod_uid=p.uid,
                               container_id=p.take(), bundle_parent=str(tmp_path))
        made.append(c)
        return rt.configure(c, **cfg)
    yield mk
    for c in made:
        c.delete()


def alerts(a, rule, cid):
    return a.events(lambda e: rt.is_alert(e) and e["rule"] == rule
                    and rt.vigil_of(e, "container", "id") == cid)


def wait_exit(a, c, pid):
    return a.wait_for(lambda e: e.get("type") == "exit" and e["process"]["pid"] == pid,
                      timeout=15)


def run(c):
    pid = rt.start(c)
    out = rt.finish(c)
    return pid, out


def test_rules_load_with_their_placement(vigil):
    err = vigil.stderr_text()
    for rule, where in (("Shadow read in enforced namespace", "in the kernel"),
                        ("Blocked address", "in the kernel"),
                        ("Raw memory device", "in the kernel"),
                        ("Burst of execs", "in the kernel"),
                        ("Quarantine on qme", "in user space"),
                        ("Marked reader", "in user space")):
        line = [x for x in err.splitlines() if f"enforce: rule '{rule}': action" in x]
        assert len(line) == 1 and f"decided {where}" in line[0], (rule, line)


def test_shadow_read_killed_in_enforced_pod_only(vigil, make):
    """cat /etc/shadow: killed before it can write a byte in the enforced pod; untouched in
    the bystander pod and on the host."""
    script = "/bin/cat /etc/shadow; echo status=$?"
    bad = make("enforced", script)
    good = make("other", script)
    bpid, bout = run(bad)
    gpid, gout = run(good)
    assert SECRET not in bout, bout
    assert "status=137" in bout, bout  # 128 + SIGKILL
    assert SECRET in gout and "status=0" in gout, gout
    host = subprocess.run(["cat", "/etc/shadow"], capture_output=True)
    assert host.returncode == 0 and host.stdout
    a = vigil.wait_for(lambda e: rt.is_alert(e) and e["rule"] ==
                       "Shadow read in enforced namespace"
                       and rt.vigil_of(e, "container", "id") == bad.id, timeout=15)
    enf = a["enforcement"]
    assert enf == {"action": "kill", "mode": "enforce", "outcome": "killed",
                   "decided": "kernel", "error": 0, "latency_ns": 0}, enf
    assert a["output_fields"]["fd.name"] == "/etc/shadow"
    assert a["output_fields"]["k8s.ns.name"] == "enforced"
    cat = vigil.wait_for(lambda e: e.get("type") == "exit" and e["process"]["comm"] == "cat"
                         and e["container"]["id"] == bad.id, timeout=15)
    assert cat["exit"]["signal"] == 9, cat["exit"]
    wait_exit(vigil, good, gpid)
    assert alerts(vigil, "Shadow read in enforced namespace", good.id) == []


def test_connect_to_denied_address_fails_with_eperm(vigil, make, listener):
    """connect() to the blocked address: EPERM in the enforced pod, connected in the other."""
    cmd = f"{TOOL} connect 127.0.0.2 {listener}"
    bad = make("enforced", cmd, host_net=True)
    good = make("other", cmd, host_net=True)
    _, bout = run(bad)
    gpid, gout = run(good)
    assert "connect: -1 Operation not permitted" in bout, bout
    assert "connect: 3" in gout or "connect: 0" in gout, gout
    a = vigil.wait_for(lambda e: rt.is_alert(e) and e["rule"] == "Blocked address"
                       and rt.vigil_of(e, "container", "id") == bad.id, timeout=15)
    assert a["enforcement"]["action"] == "deny"
    assert a["enforcement"]["outcome"] == "denied"
    assert a["enforcement"]["decided"] == "kernel"
    assert a["vigil"]["syscall"]["error"] == "EPERM"
    wait_exit(vigil, good, gpid)
    assert alerts(vigil, "Blocked address", good.id) == []


def with_dev_mem(c):
    """Give container c /dev/mem (1:1), the right to open it (CAP_SYS_RAWIO) and a device
    cgroup that allows every device: only vigil can refuse it."""
    path = os.path.join(c.bundle, "config.json")
    with open(path) as f:
        cfg = json.load(f)
    cfg["linux"].setdefault("devices", []).append(
        {"path": "/dev/mem", "type": "c", "major": 1, "minor": 1, "fileMode": 0o640,
         "uid": 0, "gid": 0})
    cfg["linux"].setdefault("resources", {})["devices"] = [{"allow": True, "access": "rwm"}]
    caps = cfg["process"]["capabilities"]
    for k in ("bounding", "effective", "permitted"):
        caps[k] = sorted(set(caps[k]) | {"CAP_SYS_RAWIO"})
    with open(path, "w") as f:
        json.dump(cfg, f, indent=2)
    return c


def test_dev_mem_denied_in_enforced_pod(vigil, make):
    script = "/bin/dd if=/dev/mem of=/dev/null bs=1 count=1 2>&1; echo status=$?"
    bad = with_dev_mem(make("enforced", script))
    good = with_dev_mem(make("other", script))
    _, bout = run(bad)
    gpid, gout = run(good)
    assert "Operation not permitted" in bout and "status=1" in bout, bout
    # the bystander reaches the driver: it reads, or (a kernel built without /dev/mem,
    # CONFIG_DEVMEM=n, as here) the driver says ENXIO; never the device cgroup's EPERM
    assert "status=0" in gout or "No such device or address" in gout, gout
    assert "Operation not permitted" not in gout, gout
    a = vigil.wait_for(lambda e: rt.is_alert(e) and e["rule"] == "Raw memory device"
                       and rt.vigil_of(e, "container", "id") == bad.id, timeout=15)
    assert a["enforcement"]["outcome"] == "denied"
    assert a["enforcement"]["decided"] == "kernel"
    wait_exit(vigil, good, gpid)
    assert alerts(vigil, "Raw memory device", good.id) == []


def test_quarantine_and_release(vigil, vigil_binary, make, listener):
    """qme runs in the enforced pod: the pod's new connections are refused (another
    container of the same pod included) until `vigil enforce release`."""
    trig = make("enforced", "/bin/qme; true", host_net=True)
    tpid, _ = run(trig)
    a = vigil.wait_for(lambda e: rt.is_alert(e) and e["rule"] == "Quarantine on qme"
                       and rt.vigil_of(e, "container", "id") == trig.id, timeout=15)
    assert a["enforcement"]["outcome"] == "quarantined", a["enforcement"]
    assert a["enforcement"]["decided"] == "user"
    cmd = f"{TOOL} connect 127.0.0.1 {listener}"
    _, out = run(make("enforced", cmd, host_net=True))
    assert "connect: -1 Operation not permitted" in out, out
    _, other = run(make("other", cmd, host_net=True))
    assert "Operation not permitted" not in other, other
    lst = subprocess.run([vigil_binary, "enforce", "list"], capture_output=True, text=True)
    assert lst.returncode == 0 and "1 quarantined" in lst.stdout, lst.stdout + lst.stderr
    rel = subprocess.run([vigil_binary, "enforce", "release", "--all"], capture_output=True,
                         text=True)
    assert rel.returncode == 0 and "released 1" in rel.stdout, rel.stdout + rel.stderr
    _, out = run(make("enforced", cmd, host_net=True))
    assert "Operation not permitted" not in out, out


def test_threshold_fires_past_count_per_pod(vigil, make):
    """Five execs of burst in the pod raise nothing; the sixth, from another container of
    the same pod, raises the alert."""
    rule = "Burst of execs"
    five = make("enforced", "for i in 1 2 3 4 5; do /bin/burst; done; true")
    fpid, _ = run(five)
    wait_exit(vigil, five, fpid)
    n = len(vigil.events(lambda e: e.get("type") == "exec" and e["process"]["comm"] == "burst"
                         and e["container"]["id"] == five.id))
    assert n == 5
    assert alerts(vigil, rule, five.id) == []
    sixth = make("enforced", "/bin/burst; true")
    run(sixth)
    a = vigil.wait_for(lambda e: rt.is_alert(e) and e["rule"] == rule
                       and rt.vigil_of(e, "container", "id") == sixth.id, timeout=15)
    assert a["enforcement"]["threshold"] == {"count": 5, "window_ms": 10000}
    assert a["enforcement"]["decided"] == "kernel"
    assert a["enforcement"]["action"] == "none"


def test_user_space_kill_dooms_the_process(vigil, make):
    """A rule the kernel cannot decide (proc.cmdline contains): the reader is killed from
    user space after its open, and the alert says how long that took."""
    script = "exec 3</etc/marked; sleep 5 # doom-marker"
    c = make("enforced", script)
    pid, out = run(c)
    a = vigil.wait_for(lambda e: rt.is_alert(e) and e["rule"] == "Marked reader"
                       and rt.vigil_of(e, "container", "id") == c.id, timeout=15)
    enf = a["enforcement"]
    assert enf["decided"] == "user" and enf["outcome"] == "killed", enf
    assert 0 < enf["latency_ns"] < 1_000_000_000
    x = wait_exit(vigil, c, pid)
    assert x["exit"]["signal"] == 9, x["exit"]
