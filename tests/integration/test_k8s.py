"""Kubernetes enrichment end to end: the real agent, real runc containers in kubelet-style pod
cgroups, and the test API server (tests/k8s) serving pods whose uids and container ids are
those of the containers.

Every event is checked field by field against the pod object the API server served.
"""

import json
import os
import re
import socket
import sys
import time

import pytest

from agent import REPO, all_of, is_type

sys.path.insert(0, os.path.join(REPO, "tests", "k8s"))
import fixtures  # noqa: E402
from apiserver import ApiServer  # noqa: E402

NODE = "node-1"
HOLD_MS = 1000
IMAGE = "registry.example.com:5000/billing/api:2.3.1"


@pytest.fixture
def api(tmp_path):
    s = ApiServer(str(tmp_path / "api"), node=NODE, bookmark_interval=0.5)
    s.start()
    yield s
    s.stop()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_log(a, pattern, timeout=10, count=1):
    """Wait until `count` stderr lines match the regex; returns them."""
    rx = re.compile(pattern)
    deadline = time.monotonic() + timeout
    while True:
        hits = [ln for ln in a.stderr_text().splitlines() if rx.search(ln)]
        if len(hits) >= count:
            return hits
        if time.monotonic() > deadline:
            raise AssertionError(f"no stderr line matching {pattern!r} after {timeout}s:\n"
                                 + a.stderr_text()[-3000:])
        time.sleep(0.05)


def start_agent(agent, kubeconfig, *extra, synced=True):
    a = agent("--kubeconfig", kubeconfig, "--node", NODE, "--events", "process",
              "--k8s-hold", str(HOLD_MS), "--stats-interval", "1", *extra,
              env={"KUBERNETES_SERVICE_HOST": "", "KUBECONFIG": ""})
    if synced:
        wait_log(a, r"kubernetes: \d+ pods of node node-1 cached")
    return a


def billing_pod(c, **kw):
    """A Deployment pod whose uid and container id are runc container c's."""
    kw.setdefault("labels", {"tier": "backend"})
    kw.setdefault("containers", [{"name": "api", "image": IMAGE, "container_id": c.id,
                                  "privileged": False}])
    return fixtures.deployment_pod("billing-api", namespace="prod", node=NODE, uid=c.pod_uid,
                                   template_hash="7f9c8d6b5", annotations={"team": "payments"},
                                   service_account="billing", last_applied=True, **kw)


def exec_of(*args):
    return all_of(is_type("exec"), lambda e: e["process"]["arguments"] == list(args))


def expected_pod(pod, c, qos="besteffort"):
    m = pod["metadata"]
    owner = m["ownerReferences"][0]
    return {"uid": c.pod_uid, "qos": qos, "name": m["name"], "namespace": m["namespace"],
            "labels": m.get("labels", {}),
            "annotations": {k: v for k, v in m.get("annotations", {}).items()
                            if k != "kubectl.kubernetes.io/last-applied-configuration"},
            "workload": {"kind": "Deployment", "name": "billing-api"},
            "owner": {"kind": owner["kind"], "name": owner["name"]},
            "service_account": pod["spec"]["serviceAccountName"], "node": NODE}


def expected_container(pod, c, name):
    spec = next(x for x in pod["spec"]["containers"] if x["name"] == name)
    st = next(x for x in pod["status"]["containerStatuses"] if x["name"] == name)
    repo, _, tag = spec["image"].rpartition(":")
    return {"id": c.id, "runtime": "unknown", "name": name, "image": spec["image"],
            "image_repository": repo, "image_tag": tag,
            "image_digest": st["imageID"].partition("@")[2],
            "privileged": spec.get("securityContext", {}).get("privileged", False),
            "ephemeral": False}


def test_events_enriched_field_by_field(agent, api, tmp_path, container_factory):
    c = container_factory(["/bin/sh", "-c", "/bin/cat /etc/hostname >/dev/null"])
    pod = billing_pod(c, containers=[
        {"name": "api", "image": IMAGE, "container_id": fixtures.DEFAULT_IDS.hex64()},
        {"name": "debug", "image": "busybox:1.36", "container_id": c.id, "privileged": True}])
    api.set_pods([pod] + fixtures.population(NODE, 20, seed=7))
    a = start_agent(agent, api.write_kubeconfig(str(tmp_path / "kc"), auth="token-file"))
    c.run()
    for ev in (a.wait_for(exec_of("/bin/sh", "-c", "/bin/cat /etc/hostname >/dev/null")),
               a.wait_for(exec_of("/bin/cat", "/etc/hostname"))):
        assert ev["attribution"] == "complete"
        assert ev["pod"] == expected_pod(pod, c)
        assert ev["container"] == expected_container(pod, c, "debug")
        assert ev["container"]["privileged"] is True
        assert ev["container"]["image_tag"] == "1.36"
        assert ev["pod"]["owner"]["name"] == "billing-api-7f9c8d6b5"
    rc, _, stats = a.stop()
    k = stats["kubernetes"]
    assert k["source"] == "api" and k["pods"] == 21 and k["api"]["synced"] is True
    assert k["hold"]["held"] == 0 and k["evictions"] == 0


def test_kubectl_exec_attributed_to_its_pod(agent, api, tmp_path, container_factory):
    """A process entered into a running container (what `kubectl exec` makes the runtime do)
    is attributed to the pod and container."""
    c = container_factory(["/bin/sleep", "30"])
    pod = billing_pod(c)
    api.set_pods([pod])
    a = start_agent(agent, api.write_kubeconfig(str(tmp_path / "kc")))
    c.start_detached()
    c.exec(["/bin/cat", "/etc/hostname"])
    ev = a.wait_for(exec_of("/bin/cat", "/etc/hostname"))
    assert ev["attribution"] == "complete"
    assert ev["pod"] == expected_pod(pod, c)
    assert ev["container"] == expected_container(pod, c, "api")


def test_pod_update_and_delete_reach_later_events(agent, api, tmp_path, container_factory):
    c = container_factory(["/bin/sleep", "30"])
    pod = billing_pod(c)
    api.set_pods([pod])
    a = start_agent(agent, api.write_kubeconfig(str(tmp_path / "kc")))
    c.start_detached()
    c.exec(["/bin/echo", "before"])
    assert a.wait_for(exec_of("/bin/echo", "before"))["pod"]["labels"]["tier"] == "backend"

    def relabel(p):
        p["metadata"]["labels"]["tier"] = "frontend"
        p["metadata"]["labels"]["release"] = "canary"
    api.modify_pod("prod", pod["metadata"]["name"], relabel)
    deadline = time.monotonic() + 10
    n = 0
    while True:  # the update travels through the watch: poll until it shows
        n += 1
        c.exec(["/bin/echo", f"after-{n}"])
        ev = a.wait_for(exec_of("/bin/echo", f"after-{n}"))
        if ev["pod"]["labels"].get("release") == "canary" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert ev["pod"]["labels"] == {**pod["metadata"]["labels"], "tier": "frontend",
                                   "release": "canary"}
    assert ev["attribution"] == "complete"

    api.delete_pod("prod", pod["metadata"]["name"])
    time.sleep(1)
    c.exec(["/bin/echo", "deleted"])
    ev = a.wait_for(exec_of("/bin/echo", "deleted"), timeout=HOLD_MS / 1000 + 10)
    assert ev["attribution"] == "pending"
    assert ev["pod"] == {"uid": c.pod_uid, "qos": "besteffort"}
    assert ev["container"] == {"id": c.id, "runtime": "unknown"}


def test_event_waits_for_a_late_pod(agent, api, tmp_path, container_factory):
    """A container that runs before its pod is in the cache: its events are held and come out
    complete once the watch delivers the pod; a container whose pod never comes is written
    pending after the hold."""
    api.set_pods(fixtures.population(NODE, 5, seed=3))
    a = start_agent(agent, api.write_kubeconfig(str(tmp_path / "kc")))
    c = container_factory(["/bin/echo", "early-bird"])
    c.run()
    pod = billing_pod(c)
    api.add_pod(pod)
    ev = a.wait_for(exec_of("/bin/echo", "early-bird"), timeout=10)
    assert ev["attribution"] == "complete"
    assert ev["pod"] == expected_pod(pod, c)
    assert ev["container"] == expected_container(pod, c, "api")

    # the pod is known but its container has not started yet (no containerID in status)
    c2 = container_factory(["/bin/echo", "status-late"])
    pod2 = fixtures.bare_pod("late-status", namespace="prod", node=NODE, uid=c2.pod_uid,
                             containers=[{"name": "main", "image": "busybox:1.36",
                                          "container_id": None}])
    api.add_pod(pod2)
    time.sleep(0.5)
    c2.run()
    pod2 = fixtures.bare_pod("late-status", namespace="prod", node=NODE, uid=c2.pod_uid,
                             containers=[{"name": "main", "image": "busybox:1.36",
                                          "container_id": c2.id}])
    api.update_pod(pod2)
    ev = a.wait_for(exec_of("/bin/echo", "status-late"), timeout=10)
    assert ev["attribution"] == "complete"
    assert ev["container"]["name"] == "main"
    assert ev["pod"]["name"] == "late-status"
    assert ev["pod"]["workload"] == {"kind": "Pod", "name": "late-status"}

    c3 = container_factory(["/bin/echo", "orphan"])
    t0 = time.monotonic()
    c3.run()
    ev = a.wait_for(exec_of("/bin/echo", "orphan"), timeout=10)
    assert time.monotonic() - t0 >= HOLD_MS / 1000 * 0.8
    assert ev["attribution"] == "pending"
    assert ev["pod"] == {"uid": c3.pod_uid, "qos": "besteffort"}
    _, _, stats = a.stop()
    hold = stats["kubernetes"]["hold"]
    assert hold["resolved"] >= 2 and hold["expired"] >= 1 and hold["held"] == 0
    assert hold["overflow"] == 0


def test_watch_failures_are_logged_and_recovered(agent, api, tmp_path, container_factory):
    """Mid-stream disconnect, a malformed line, 410 Gone and a 401: each is logged, the agent
    keeps streaming, and the cache catches up with what changed meanwhile."""
    c = container_factory(["/bin/sleep", "60"])
    pod = billing_pod(c)
    api.set_pods([pod])
    a = start_agent(agent, api.write_kubeconfig(str(tmp_path / "kc")))
    c.start_detached()
    name = pod["metadata"]["name"]
    step = [0]

    def set_label(value):
        def fn(p):
            p["metadata"]["labels"]["step"] = value
        api.modify_pod("prod", name, fn)

    def label_shows(value, modify=True):
        if modify:
            set_label(value)
        deadline = time.monotonic() + 40  # the watcher's backoff grows up to 30 s
        while True:
            step[0] += 1
            c.exec(["/bin/echo", f"probe-{step[0]}"])
            ev = a.wait_for(exec_of("/bin/echo", f"probe-{step[0]}"), timeout=10)
            if ev["pod"]["labels"].get("step") == value:
                assert ev["attribution"] == "complete"
                return
            assert time.monotonic() < deadline, \
                f"label step={value} never arrived:\n" + a.stderr_text()[-3000:]
            time.sleep(0.2)

    lists = len(api.requests(kind="list"))
    mark = api.log_mark()
    api.disconnect_watches(mid_chunk=True)
    label_shows("after-disconnect")
    assert len(api.requests(kind="list")) == lists, "a plain disconnect must not relist"
    rewatch = api.wait_for_request(lambda r: r.kind == "watch", since=mark)
    assert int(rewatch.query["resourceVersion"]) > 0

    api.inject_malformed()
    wait_log(a, r"(?i)malformed|json")
    label_shows("after-malformed")

    api.fail_next(3, status=401)
    api.disconnect_watches()
    wait_log(a, r"401")
    label_shows("after-401")

    # the change happens while the watcher is away, and history is compacted past it
    api.set_bookmark_interval(3600)
    api.fail_next(1, status=503, kind="watch")
    api.disconnect_watches()
    set_label("after-410")
    api.compact()
    wait_log(a, r"(?i)too old")
    label_shows("after-410", modify=False)
    api.set_bookmark_interval(0.5)
    assert len(api.requests(kind="list")) > lists

    assert a.proc.poll() is None
    _, log, stats = a.stop()
    api_stats = stats["kubernetes"]["api"]
    assert api_stats["relists_410"] >= 1 and api_stats["parse_errors"] >= 1
    assert api_stats["errors"] >= 1 and api_stats["reconnects"] >= 3


def test_token_rotation(agent, api, tmp_path, container_factory):
    """The token file changes under the agent (service-account rotation): it reads it again."""
    c = container_factory(["/bin/sleep", "30"])
    pod = billing_pod(c)
    api.set_pods([pod])
    a = start_agent(agent, api.write_kubeconfig(str(tmp_path / "kc"), auth="token-file"))
    c.start_detached()
    api.set_token()  # old token refused from now on; the file has the new one
    api.disconnect_watches()
    api.modify_pod("prod", pod["metadata"]["name"],
                   lambda p: p["metadata"]["labels"].update(tier="rotated"))
    deadline = time.monotonic() + 15
    n = 0
    while True:
        n += 1
        c.exec(["/bin/echo", f"rot-{n}"])
        ev = a.wait_for(exec_of("/bin/echo", f"rot-{n}"), timeout=10)
        if ev["pod"].get("labels", {}).get("tier") == "rotated":
            break
        assert time.monotonic() < deadline, "never caught up after the token rotation"
        time.sleep(0.3)


def test_unreachable_server_then_up(agent, tmp_path, container_factory):
    port = free_port()
    srv = ApiServer(str(tmp_path / "api"), node=NODE, port=port, bookmark_interval=0.5)
    kc = srv.write_kubeconfig(str(tmp_path / "kc"))
    a = start_agent(agent, kc, synced=False)
    wait_log(a, r"(?i)connect|refused")
    c = container_factory(["/bin/echo", "while-down"])
    c.run()
    ev = a.wait_for(exec_of("/bin/echo", "while-down"), timeout=10)
    assert ev["attribution"] == "pending"
    c2 = container_factory(["/bin/sleep", "30"])
    srv.set_pods([billing_pod(c2)])
    srv.start()
    try:
        wait_log(a, r"kubernetes: \d+ pods of node node-1 cached", timeout=40)
        c2.start_detached()
        c2.exec(["/bin/echo", "back-up"])
        assert a.wait_for(exec_of("/bin/echo", "back-up"))["attribution"] == "complete"
        assert a.proc.poll() is None
    finally:
        a.stop()
        srv.stop()


def test_expired_certificate_is_reported(agent, tmp_path):
    srv = ApiServer(str(tmp_path / "api"), node=NODE, cert="expired")
    srv.start()
    try:
        a = start_agent(agent, srv.write_kubeconfig(str(tmp_path / "kc")), synced=False)
        line = wait_log(a, r"(?i)expired")[0]
        assert srv.url in line or "127.0.0.1" in line
        assert a.proc.poll() is None
        rc, _, _ = a.stop()
        assert rc == 0
    finally:
        srv.stop()


def test_static_metadata_file(agent, tmp_path, container_factory):
    """--metadata in vigil's own YAML form, with no API server."""
    c = container_factory(["/bin/echo", "static"])
    path = tmp_path / "meta.yaml"
    path.write_text(f"""# vigil static metadata
pods:
  - uid: {c.pod_uid}
    name: web-1
    namespace: shop
    labels: {{app: web, "team": "a b"}}
    annotations: {{note: "x"}}
    workload: {{kind: StatefulSet, name: web}}
    service_account: web-sa
    node: {NODE}
    containers:
      - id: {c.id}
        name: nginx
        image: "nginx:1.25@sha256:{'ab' * 32}"
        privileged: true
""")
    a = agent("--no-kubernetes", "--metadata", str(path), "--events", "process")
    c.run()
    ev = a.wait_for(exec_of("/bin/echo", "static"))
    assert ev["attribution"] == "complete"
    assert ev["pod"] == {"uid": c.pod_uid, "qos": "besteffort", "name": "web-1",
                         "namespace": "shop", "labels": {"app": "web", "team": "a b"},
                         "annotations": {"note": "x"},
                         "workload": {"kind": "StatefulSet", "name": "web"},
                         "service_account": "web-sa",
                         "node": NODE}
    assert ev["container"] == {"id": c.id, "runtime": "unknown", "name": "nginx",
                               "image": f"nginx:1.25@sha256:{'ab' * 32}",
                               "image_repository": "nginx", "image_tag": "1.25",
                               "image_digest": "sha256:" + "ab" * 32, "privileged": True,
                               "ephemeral": False}
    _, _, stats = a.stop()
    assert stats["kubernetes"]["source"] == "static"


def test_static_metadata_kubectl_podlist(agent, tmp_path, container_factory):
    """--metadata with what `kubectl get pods -o json` prints."""
    c = container_factory(["/bin/echo", "podlist"])
    pod = billing_pod(c)
    path = tmp_path / "pods.json"
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [pod]}))
    a = agent("--no-kubernetes", "--metadata", str(path), "--events", "process")
    c.run()
    ev = a.wait_for(exec_of("/bin/echo", "podlist"))
    assert ev["attribution"] == "complete"
    assert ev["pod"] == expected_pod(pod, c)
    assert ev["container"] == expected_container(pod, c, "api")


def test_bad_inputs_name_the_file(vigil_binary, tmp_path):
    import subprocess
    bad = tmp_path / "bad.yaml"
    bad.write_text("pods:\n  - uid: x\n    name: [unclosed\n")
    r = subprocess.run([vigil_binary, "run", "--no-kubernetes", "--metadata", str(bad)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    assert str(bad) in r.stderr and re.search(r":\d+:\d+", r.stderr), r.stderr
    r = subprocess.run([vigil_binary, "run", "--kubeconfig", str(tmp_path / "missing")],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    assert str(tmp_path / "missing") in r.stderr, r.stderr


def test_no_kubernetes_configured_says_so_once(agent):
    a = agent("--events", "process", env={"KUBERNETES_SERVICE_HOST": "", "KUBECONFIG": ""})
    hits = wait_log(a, r"kubernetes: no kubeconfig")
    assert len(hits) == 1
    _, _, stats = a.stop()
    assert "kubernetes" not in stats
