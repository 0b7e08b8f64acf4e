"""Pod objects shaped like a real API server returns them.

    pod = deployment_pod("web", namespace="prod", node="node-1")
    pod = make_pod("debug", containers=[{"name": "sh", "image": "busybox:1.36",
                                         "container_id": None}])   # not started yet
    pods = population("node-1", 250, pad_bytes=40_000)              # ~10 MB on node-1

Keys come in the order of the Go structs (ObjectMeta, PodSpec, Container,
PodStatus, ContainerStatus, ...), which is what the API server's JSON has;
`kubectl get -o json` sorts them alphabetically instead, so a parser that
relied on either order would be caught by one of the two.

Everything random (uids, container ids, name suffixes, IPs) comes from an Ids
object seeded explicitly, so a test sees the same pods on every run; owner
uids and template hashes are derived from names, so replicas of one
Deployment share their ReplicaSet.
"""

import copy
import datetime
import hashlib
import json
import random
import uuid

# k8s.io/apimachinery/pkg/util/rand: no vowels, no 0/1/3, so generated names spell no words
NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
SA_MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount"
BASE_TIME = datetime.datetime(2024, 5, 1, 8, 0, 0, tzinfo=datetime.timezone.utc)
_STARTED = object()  # container_id not given: the container runs, with a random id


class Ids:
    """Seeded source of the random-looking identifiers a pod carries."""

    def __init__(self, seed=1):
        self.rng = random.Random(seed)

    def uid(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hex64(self):
        return "%064x" % self.rng.getrandbits(256)

    def suffix(self, n=5):
        return "".join(self.rng.choice(NAME_ALPHABET) for _ in range(n))

    def job_number(self):
        # CronJob jobs are named after their scheduled time in minutes since the epoch
        return str(self.rng.randrange(28_000_000, 29_999_999))

    def ip(self, prefix="10.244"):
        return f"{prefix}.{self.rng.randrange(0, 255)}.{self.rng.randrange(2, 254)}"

    def seconds(self, lo, hi):
        return self.rng.randrange(lo, hi)


DEFAULT_IDS = Ids(1)


def stable_uid(*parts):
    """A uuid4-shaped uid derived from names (owners keep one uid across pods)."""
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def stable_suffix(n, *parts):
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    return "".join(NAME_ALPHABET[b % len(NAME_ALPHABET)] for b in digest[:n])


def ts(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def normalize_image(image):
    """Split an image as containerd reports it: 'nginx:1.25' ->
    ('docker.io/library/nginx', '1.25', None); a digest comes back third."""
    ref, _, digest = image.partition("@")
    slash, colon = ref.rfind("/"), ref.rfind(":")
    repo, tag = (ref[:colon], ref[colon + 1:]) if colon > slash else (ref, "latest")
    first = repo.split("/")[0]
    if "/" not in repo:
        repo = "docker.io/library/" + repo
    elif not ("." in first or ":" in first or first == "localhost"):
        repo = "docker.io/" + repo
    return repo, tag, digest or None


def _image_digest(image):
    _, _, digest = normalize_image(image)
    return digest or "sha256:" + hashlib.sha256(image.encode()).hexdigest()


def _resources(qos):
    if qos == "Guaranteed":
        r = {"cpu": "500m", "memory": "256Mi"}
        return {"limits": dict(r), "requests": dict(r)}
    if qos == "Burstable":
        return {"limits": {"memory": "512Mi"}, "requests": {"cpu": "100m", "memory": "128Mi"}}
    return {}


def _pad_env(ids, pad_bytes):
    """Environment variables adding about pad_bytes to the pod, counting the
    managedFields entry each one also gets, as on a real server."""
    env, fields, size, i = [], {}, 0, 0
    while size < pad_bytes:
        var = {"name": f"CONFIG_{i:04d}",
               "value": f"https://svc-{i:04d}.internal.example:8443/v1/{ids.hex64()[:96]}"}
        key = 'k:{"name":"%s"}' % var["name"]
        fields[key] = {".": {}, "f:name": {}, "f:value": {}}
        size += len(json.dumps(var, separators=(",", ":"))) + len(key) + 36
        env.append(var)
        i += 1
    return env, fields


def _container_spec(c, sa_volume, qos, env=None):
    spec = {"name": c["name"], "image": c["image"]}
    if c.get("command"):
        spec["command"] = list(c["command"])
    if c.get("ports"):
        spec["ports"] = [{"containerPort": p, "protocol": "TCP"} for p in c["ports"]]
    if env:
        spec["env"] = env
    spec["resources"] = _resources(qos)
    mounts = [dict(m) for m in c.get("volume_mounts", ())]
    mounts.append({"name": sa_volume, "readOnly": True, "mountPath": SA_MOUNT})
    spec["volumeMounts"] = mounts
    spec["terminationMessagePath"] = "/dev/termination-log"
    spec["terminationMessagePolicy"] = "File"
    spec["imagePullPolicy"] = "Always" if normalize_image(c["image"])[1] == "latest" \
        else "IfNotPresent"
    if c.get("security_context") is not None:
        spec["securityContext"] = copy.deepcopy(c["security_context"])
    elif c.get("privileged") is not None:
        spec["securityContext"] = {"privileged": bool(c["privileged"])}
    if c.get("ephemeral"):
        spec.update(stdin=True, tty=True)
        if c.get("target"):
            spec["targetContainerName"] = c["target"]
    return spec


def _container_status(c, started, kind):
    """kind: "app", "init" (runs to completion first) or "ephemeral"."""
    repo, tag, digest = normalize_image(c["image"])
    cid = c["container_id"]
    st = {"name": c["name"]}
    at = ts(started)
    if not cid:
        reason = "PodInitializing" if kind == "app" and c.get("_after_init") else \
            "ContainerCreating"
        st["state"] = {"waiting": {"reason": reason}}
    elif kind == "init":
        st["state"] = {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": at,
                                      "finishedAt": at, "containerID": "containerd://" + cid}}
    else:
        st["state"] = {"running": {"startedAt": at}}
    st["lastState"] = {}
    st["ready"] = bool(cid)
    st["restartCount"] = int(c.get("restart_count", 0))
    st["image"] = f"{repo}@{digest}" if digest and tag == "latest" else f"{repo}:{tag}"
    st["imageID"] = f"{repo}@{_image_digest(c['image'])}" if cid else ""
    if cid:
        st["containerID"] = "containerd://" + cid
    st["started"] = bool(cid) and kind != "init"
    return st


def _conditions(created, started, ready, not_ready, has_init):
    def cond(type_, ok, at, reason=None, message=None):
        c = {"type": type_, "status": "True" if ok else "False", "lastProbeTime": None,
             "lastTransitionTime": ts(at)}
        if not ok and reason:
            c.update(reason=reason, message=message)
        return c
    msg = "containers with unready status: [%s]" % " ".join(not_ready)
    return [cond("PodReadyToStartContainers", True, started),
            cond("Initialized", True, created if not has_init else started),
            cond("Ready", ready, started, "ContainersNotReady", msg),
            cond("ContainersReady", ready, started, "ContainersNotReady", msg),
            cond("PodScheduled", True, created)]


def _managed_fields(manager, created, started, labels, owner_uid, containers, env_fields,
                    pod_ip):
    meta = {"f:generateName": {}} if owner_uid else {}
    if labels:
        meta["f:labels"] = {".": {}, **{f"f:{k}": {} for k in sorted(labels)}}
    if owner_uid:
        meta["f:ownerReferences"] = {".": {}, 'k:{"uid":"%s"}' % owner_uid: {}}
    ctrs = {}
    for i, c in enumerate(containers):
        f = {".": {}, "f:image": {}, "f:imagePullPolicy": {}, "f:name": {}, "f:resources": {},
             "f:terminationMessagePath": {}, "f:terminationMessagePolicy": {}}
        if i == 0 and env_fields:
            f["f:env"] = {".": {}, **env_fields}
        ctrs['k:{"name":"%s"}' % c["name"]] = f
    spec = {"f:containers": ctrs, "f:dnsPolicy": {}, "f:enableServiceLinks": {},
            "f:restartPolicy": {}, "f:schedulerName": {}, "f:securityContext": {},
            "f:terminationGracePeriodSeconds": {}}
    conds = {'k:{"type":"%s"}' % t: {".": {}, "f:lastProbeTime": {}, "f:lastTransitionTime": {},
                                    "f:status": {}, "f:type": {}}
             for t in ("ContainersReady", "Initialized", "PodReadyToStartContainers", "Ready")}
    status = {"f:conditions": conds, "f:containerStatuses": {}, "f:hostIP": {}, "f:hostIPs": {},
              "f:phase": {}, "f:podIP": {},
              "f:podIPs": {".": {}, 'k:{"ip":"%s"}' % pod_ip: {".": {}, "f:ip": {}}},
              "f:startTime": {}}
    return [{"manager": manager, "operation": "Update", "apiVersion": "v1", "time": ts(created),
             "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": meta, "f:spec": spec}},
            {"manager": "kubelet", "operation": "Update", "apiVersion": "v1", "time": ts(started),
             "fieldsType": "FieldsV1", "fieldsV1": {"f:status": status},
             "subresource": "status"}]


DEFAULT_TOLERATIONS = [
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
     "tolerationSeconds": 300},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
     "tolerationSeconds": 300},
]
DAEMONSET_TOLERATIONS = [
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"},
]
_OWNER_API = {"ReplicaSet": "apps/v1", "StatefulSet": "apps/v1", "DaemonSet": "apps/v1",
              "Job": "batch/v1", "ReplicationController": "v1", "Node": "v1"}


def make_pod(name, namespace="default", uid=None, node="node-1", owner=None, labels=None,
             annotations=None, service_account="default", containers=None, qos="BestEffort",
             pad_bytes=0, last_applied=False, phase=None, generate_name=None, ids=None,
             host_network=False, priority=0, priority_class=None, tolerations=None,
             volumes=None, restart_policy="Always", hostname=None, subdomain=None,
             affinity=None, created=None):
    """A Pod as the API returns it.

    owner: None, (kind, name) or (kind, name, uid): the controller ownerReference.
    containers: dicts with name, image, and optionally container_id (64 hex;
    None = not started yet: no containerID, state waiting ContainerCreating;
    absent = running with a random id), privileged (None = no securityContext),
    security_context, init, ephemeral (+ target), ports, command,
    volume_mounts, restart_count.
    pad_bytes: about that many bytes of environment variables (and their
    managedFields), the bulk that makes real pod lists large.
    last_applied: add a kubectl.kubernetes.io/last-applied-configuration
    annotation (the pod's spec as JSON, several KiB)."""
    ids = ids or DEFAULT_IDS
    uid = uid or ids.uid()
    created = created or BASE_TIME + datetime.timedelta(seconds=ids.seconds(0, 86400 * 20))
    started = created + datetime.timedelta(seconds=2)
    labels = dict(labels or {})
    if containers is None:
        containers = [{"name": "app", "image": "nginx:1.25.3"}]
    ctrs = []
    for c in containers:
        c = dict(c)
        c.setdefault("container_id", _STARTED)
        if c["container_id"] is _STARTED:
            c["container_id"] = ids.hex64()
        ctrs.append(c)
    init = [c for c in ctrs if c.get("init")]
    eph = [c for c in ctrs if c.get("ephemeral")]
    app = [c for c in ctrs if not c.get("init") and not c.get("ephemeral")]
    for c in app:
        c["_after_init"] = any(not i["container_id"] for i in init)
    not_ready = [c["name"] for c in app if not c["container_id"]]
    if phase is None:
        phase = "Running" if not not_ready else "Pending"
    pod_ip = ids.ip() if not host_network else None
    host_ip = "192.168.%d.%d" % (sum(node.encode()) % 250, 10 + len(node) % 200)
    pod_ip = pod_ip or host_ip
    sa_volume = "kube-api-access-" + ids.suffix()
    env, env_fields = _pad_env(ids, pad_bytes) if pad_bytes > 0 else ([], {})

    meta = {"name": name}
    if generate_name:
        meta["generateName"] = generate_name
    meta.update(namespace=namespace, uid=uid, resourceVersion="1",
                creationTimestamp=ts(created))
    if labels:
        meta["labels"] = labels
    owner_uid = None
    if owner:
        kind, oname = owner[0], owner[1]
        owner_uid = owner[2] if len(owner) > 2 else stable_uid(kind, namespace, oname)
        meta["ownerReferences"] = [{"apiVersion": _OWNER_API.get(kind, "apps/v1"), "kind": kind,
                                    "name": oname, "uid": owner_uid, "controller": True,
                                    "blockOwnerDeletion": True}]
    manager = "kube-controller-manager" if owner else "kubectl-client-side-apply"
    meta["managedFields"] = _managed_fields(manager, created, started, labels, owner_uid, app,
                                            env_fields, pod_ip)

    spec = {"volumes": [copy.deepcopy(v) for v in volumes or ()] + [
        {"name": sa_volume, "projected": {"sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt",
                           "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {
                "apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}],
            "defaultMode": 420}}]}
    if init:
        spec["initContainers"] = [_container_spec(c, sa_volume, qos) for c in init]
    spec["containers"] = [_container_spec(c, sa_volume, qos, env if i == 0 else None)
                          for i, c in enumerate(app)]
    if eph:
        spec["ephemeralContainers"] = [_container_spec(c, sa_volume, qos) for c in eph]
    spec.update(restartPolicy=restart_policy, terminationGracePeriodSeconds=30,
                dnsPolicy="ClusterFirstWithHostNet" if host_network else "ClusterFirst",
                serviceAccountName=service_account, serviceAccount=service_account,
                nodeName=node)
    if host_network:
        spec["hostNetwork"] = True
    spec["securityContext"] = {}
    if hostname:
        spec["hostname"] = hostname
    if subdomain:
        spec["subdomain"] = subdomain
    if affinity:
        spec["affinity"] = copy.deepcopy(affinity)
    spec["schedulerName"] = "default-scheduler"
    spec["tolerations"] = copy.deepcopy(tolerations or DEFAULT_TOLERATIONS)
    if priority_class:
        spec["priorityClassName"] = priority_class
    spec.update(priority=priority, enableServiceLinks=True, preemptionPolicy="PreemptLowerPriority")

    status = {"phase": phase,
              "conditions": _conditions(created, started, not not_ready, not_ready, bool(init)),
              "hostIP": host_ip, "hostIPs": [{"ip": host_ip}],
              "podIP": pod_ip, "podIPs": [{"ip": pod_ip}], "startTime": ts(created)}
    if init:
        status["initContainerStatuses"] = [_container_status(c, started, "init") for c in init]
    status["containerStatuses"] = [_container_status(c, started, "app") for c in app]
    status["qosClass"] = qos
    if eph:
        status["ephemeralContainerStatuses"] = [_container_status(c, started, "ephemeral")
                                                for c in eph]

    annotations = dict(annotations or {})
    if last_applied:
        applied = {"apiVersion": "v1", "kind": "Pod",
                   "metadata": {"annotations": {}, "labels": labels, "name": name,
                                "namespace": namespace},
                   "spec": {"containers": spec["containers"], "volumes": spec["volumes"]}}
        annotations["kubectl.kubernetes.io/last-applied-configuration"] = \
            json.dumps(applied, separators=(",", ":")) + "\n"
    if annotations:
        # ObjectMeta order: annotations come after labels, before ownerReferences
        rebuilt = {}
        for k, v in meta.items():
            if k in ("ownerReferences", "managedFields") and "annotations" not in rebuilt:
                rebuilt["annotations"] = annotations
            rebuilt[k] = v
        meta = rebuilt
    return {"kind": "Pod", "apiVersion": "v1", "metadata": meta, "spec": spec, "status": status}


def deployment_pod(deploy, namespace="default", node="node-1", template_hash=None, suffix=None,
                   labels=None, ids=None, **kw):
    """A pod of Deployment `deploy`: owned by ReplicaSet <deploy>-<hash>, named
    <deploy>-<hash>-<5 chars>, labelled pod-template-hash=<hash>."""
    ids = ids or DEFAULT_IDS
    h = template_hash or stable_suffix(10, namespace, deploy)
    rs = f"{deploy}-{h}"
    lab = {"app": deploy, "pod-template-hash": h, **(labels or {})}
    return make_pod(f"{rs}-{suffix or ids.suffix()}", namespace=namespace, node=node,
                    owner=("ReplicaSet", rs), labels=lab, generate_name=rs + "-", ids=ids, **kw)


def statefulset_pod(sts, ordinal=0, namespace="default", node="node-1", labels=None, ids=None,
                    **kw):
    name = f"{sts}-{ordinal}"
    lab = {"app": sts, "apps.kubernetes.io/pod-index": str(ordinal),
           "controller-revision-hash": f"{sts}-{stable_suffix(10, namespace, sts)}",
           "statefulset.kubernetes.io/pod-name": name, **(labels or {})}
    kw.setdefault("volumes", [{"name": "data",
                               "persistentVolumeClaim": {"claimName": f"data-{name}"}}])
    return make_pod(name, namespace=namespace, node=node, owner=("StatefulSet", sts),
                    labels=lab, generate_name=sts + "-", hostname=name, subdomain=sts, ids=ids,
                    **kw)


def daemonset_pod(ds, node="node-1", namespace="kube-system", labels=None, ids=None, **kw):
    ids = ids or DEFAULT_IDS
    lab = {"app": ds, "controller-revision-hash": stable_suffix(10, namespace, ds),
           "pod-template-generation": "1", **(labels or {})}
    affinity = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchFields": [
            {"key": "metadata.name", "operator": "In", "values": [node]}]}]}}}
    kw.setdefault("tolerations", DAEMONSET_TOLERATIONS)
    return make_pod(f"{ds}-{ids.suffix()}", namespace=namespace, node=node,
                    owner=("DaemonSet", ds), labels=lab, generate_name=ds + "-", ids=ids,
                    affinity=affinity, **kw)


def cronjob_pod(cronjob, job_number=None, namespace="default", node="node-1", labels=None,
                ids=None, **kw):
    """A pod of a Job that CronJob `cronjob` made: owner Job <cronjob>-<8 digits>."""
    ids = ids or DEFAULT_IDS
    job = f"{cronjob}-{job_number or ids.job_number()}"
    job_uid = stable_uid("Job", namespace, job)
    lab = {"batch.kubernetes.io/controller-uid": job_uid, "batch.kubernetes.io/job-name": job,
           "controller-uid": job_uid, "job-name": job, **(labels or {})}
    kw.setdefault("restart_policy", "OnFailure")
    return make_pod(f"{job}-{ids.suffix()}", namespace=namespace, node=node,
                    owner=("Job", job, job_uid), labels=lab, generate_name=job + "-", ids=ids,
                    **kw)


def bare_pod(name, namespace="default", node="node-1", labels=None, **kw):
    return make_pod(name, namespace=namespace, node=node, labels={"run": name, **(labels or {})},
                    **kw)


# -- a node's worth of pods, for benchmarks and the size tests -------------------

_NAMESPACES = ["default", "prod", "staging", "payments", "data", "monitoring", "search"]
_APPS = ["web", "api", "checkout", "cart", "search", "auth", "billing", "frontend", "worker",
         "gateway", "catalog", "inventory", "notify", "recommender", "ledger", "reports"]
_IMAGES = ["nginx:1.25.3", "docker.io/library/redis:7.2.4", "ghcr.io/example/api:v2.14.1",
           "python:3.12-slim", "quay.io/example/worker:2024.04.1", "busybox:1.36",
           "localhost:5000/team/app:dev", "postgres:16.2",
           "gcr.io/distroless/static-debian12@sha256:" + "7e" * 32]
_DAEMONSETS = [("kube-proxy", "registry.k8s.io/kube-proxy:v1.29.4", True),
               ("calico-node", "docker.io/calico/node:v3.27.3", True),
               ("node-exporter", "quay.io/prometheus/node-exporter:v1.7.0", False),
               ("fluent-bit", "cr.fluentbit.io/fluent/fluent-bit:3.0.2", False)]


# what Deployment pod templates commonly carry (a rollout restart, scrape hints)
_TEMPLATE_ANNOTATIONS = {"kubectl.kubernetes.io/restartedAt": "2024-04-30T17:12:09Z",
                         "prometheus.io/scrape": "true", "prometheus.io/port": "9090"}


def _app_containers(ids, app, sidecar):
    cs = [{"name": app, "image": ids.rng.choice(_IMAGES), "ports": [8080]}]
    if sidecar:  # an istio-style mesh: a privileged-ish init container and a proxy
        cs.insert(0, {"name": "istio-init", "image": "docker.io/istio/proxyv2:1.21.2",
                      "init": True, "security_context": {
                          "capabilities": {"add": ["NET_ADMIN", "NET_RAW"], "drop": ["ALL"]},
                          "runAsUser": 0, "runAsNonRoot": False}})
        cs.append({"name": "istio-proxy", "image": "docker.io/istio/proxyv2:1.21.2",
                   "security_context": {"allowPrivilegeEscalation": False,
                                        "runAsUser": 1337, "readOnlyRootFilesystem": True}})
    return cs


def _node_pods(node, count, ids, pad_bytes, tag):
    pods = []
    for ds, image, priv in _DAEMONSETS[:count]:
        pods.append(daemonset_pod(ds, node=node, ids=ids, host_network=priv, qos="Burstable",
                                  priority_class="system-node-critical", priority=2000001000,
                                  containers=[{"name": ds, "image": image, "privileged": priv}],
                                  pad_bytes=pad_bytes))
    while len(pods) < count:
        ns, app = ids.rng.choice(_NAMESPACES), ids.rng.choice(_APPS)
        kw = dict(namespace=ns, node=node, ids=ids, pad_bytes=pad_bytes,
                  qos=ids.rng.choice(["BestEffort", "Burstable", "Burstable", "Guaranteed"]))
        roll = ids.rng.random()
        if roll < 0.10:
            pods.append(statefulset_pod(f"{app}-db-{tag}", ordinal=len(pods), containers=[
                {"name": "db", "image": "postgres:16.2"}], **kw))
        elif roll < 0.18:
            pods.append(cronjob_pod(f"{app}-cleanup", restart_policy="Never", containers=[
                {"name": "cleanup", "image": "busybox:1.36"}], **kw))
        elif roll < 0.22:
            # kubectl-applied, so it carries the large last-applied annotation
            pods.append(bare_pod(f"{app}-debug-{ids.suffix()}", last_applied=True, containers=[
                {"name": "debug", "image": "busybox:1.36", "privileged": True}], **kw))
        else:
            replicas = ids.rng.randrange(1, 5)
            sidecar = ids.rng.random() < 0.3
            for _ in range(min(replicas, count - len(pods))):
                pods.append(deployment_pod(f"{app}-{tag}", containers=_app_containers(
                    ids, app, sidecar), annotations=_TEMPLATE_ANNOTATIONS, **kw))
    return pods


def population(node, count, other_nodes=("node-2", "node-3"), other_count=None, pad_bytes=0,
               seed=1):
    """count pods on `node` (DaemonSets first, then Deployments, StatefulSets,
    CronJob Jobs and bare pods), plus other_count (default count // 5) spread
    over other_nodes, which a client watching `node` must never see."""
    ids = Ids(seed)
    pods = _node_pods(node, count, ids, pad_bytes, "a")
    if other_count is None:
        other_count = count // 5
    for i, other in enumerate(other_nodes):
        n = other_count // len(other_nodes) + (1 if i < other_count % len(other_nodes) else 0)
        pods += _node_pods(other, n, ids, 0, "b")
    return pods
