"""The pod state of the test API server: objects, resourceVersions, a bounded
event history, selectors and list pages.  No I/O and no locking: ApiServer
calls it under its own lock.

The model is etcd's, as the API server exposes it:
  - one global resourceVersion; every change takes the next one and writes it
    into the object's metadata.resourceVersion;
  - a history of the last `history` changes; a watch from RV r is served from
    it if every change after r is still there (r >= floor), else 410 Expired;
  - a list at an older RV (continue tokens, resourceVersionMatch=Exact) is
    rebuilt from the current state by undoing the history, so it is as
    consistent as etcd's snapshot and expires exactly when the history does.

Objects are stored with their JSON already encoded (once per change): a
10 MB list is then a join of byte strings, not 250 json.dumps calls.
"""

import base64
import binascii
import copy
import json
import re
from collections import deque
from dataclasses import dataclass

CONTINUE_VERSION = "meta.k8s.io/v1"


def dumps(obj):
    return json.dumps(obj, separators=(",", ":")).encode()


class Rec:
    """One stored version of a pod: the object and its two encodings (a list
    item carries no kind/apiVersion, a watch event object does)."""
    __slots__ = ("obj", "wire", "item", "key")

    def __init__(self, obj):
        self.obj = obj
        self.key = pod_key(obj)
        self.wire = dumps(obj)
        self.item = dumps({k: v for k, v in obj.items() if k not in ("kind", "apiVersion")})

    @property
    def rv(self):
        return int(self.obj["metadata"]["resourceVersion"])


@dataclass
class Event:
    rv: int
    type: str     # ADDED, MODIFIED, DELETED
    rec: Rec      # the new state (for DELETED: the last state, at the deletion's RV)
    prev: Rec     # the state before (None for ADDED)


class TooOld(Exception):
    """The history no longer reaches back to the requested RV."""

    def __init__(self, rv, floor):
        super().__init__(f"too old resource version: {rv} ({floor})")
        self.rv, self.floor = rv, floor


class BadRequest(ValueError):
    pass


def pod_key(obj):
    m = obj["metadata"]
    return f"{m['namespace']}/{m['name']}"


class PodStore:
    def __init__(self, history=1000, first_rv=100):
        self.rv = first_rv            # last RV handed out
        self.pods = {}                # key "ns/name" -> Rec
        self.events = deque()         # Event, RV order
        self.history = history
        self.floor = first_rv         # every change after floor is in events

    # -- changes -------------------------------------------------------------

    def _stamp(self, pod):
        self.rv += 1
        obj = copy.deepcopy(pod)
        obj.setdefault("kind", "Pod")
        obj.setdefault("apiVersion", "v1")
        obj["metadata"]["resourceVersion"] = str(self.rv)
        return Rec(obj)

    def _record(self, type_, rec, prev):
        ev = Event(self.rv, type_, rec, prev)
        self.events.append(ev)
        while len(self.events) > self.history:
            self.floor = self.events.popleft().rv
        return ev

    def add(self, pod):
        key = pod_key(pod)
        if key in self.pods:
            raise KeyError(f"pod {key} already exists")
        rec = self._stamp(pod)
        self.pods[key] = rec
        return self._record("ADDED", rec, None)

    def update(self, pod):
        key = pod_key(pod)
        prev = self.pods.get(key)
        if prev is None:
            raise KeyError(f"pod {key} does not exist")
        rec = self._stamp(pod)
        self.pods[key] = rec
        return self._record("MODIFIED", rec, prev)

    def delete(self, namespace, name):
        key = f"{namespace}/{name}"
        prev = self.pods.pop(key, None)
        if prev is None:
            raise KeyError(f"pod {key} does not exist")
        return self._record("DELETED", self._stamp(prev.obj), prev)

    def replace(self, pods):
        """New state without events: each pod gets its own RV as if created
        one after the other, and the history restarts after them."""
        self.pods = {}
        for p in pods:
            rec = self._stamp(p)
            if rec.key in self.pods:
                raise KeyError(f"pod {rec.key} given twice")
            self.pods[rec.key] = rec
        self.compact()

    def compact(self):
        self.events.clear()
        self.floor = self.rv

    # -- reading ------------------------------------------------------------

    def events_after(self, rv):
        """Events with RV > rv, oldest first; TooOld if some were dropped."""
        if rv < self.floor:
            raise TooOld(rv, self.floor)
        if not self.events or self.events[-1].rv <= rv:
            return []
        # events are few and RV-ordered; walk back from the newest
        out = []
        for ev in reversed(self.events):
            if ev.rv <= rv:
                break
            out.append(ev)
        out.reverse()
        return out

    def snapshot(self, rv):
        """key -> Rec as it was at rv (rv <= current), rebuilt by undoing the
        history; TooOld if the history does not reach back that far."""
        if rv >= self.rv:
            return self.pods
        state = dict(self.pods)
        for ev in reversed(self.events_after(rv)):
            if ev.type == "ADDED":
                del state[ev.rec.key]
            else:
                state[ev.rec.key] = ev.prev
        return state


# -- selectors ---------------------------------------------------------------

def _pod_field(obj, field):
    m, s, st = obj.get("metadata", {}), obj.get("spec", {}), obj.get("status", {})
    getters = {
        "metadata.name": lambda: m.get("name", ""),
        "metadata.namespace": lambda: m.get("namespace", ""),
        "spec.nodeName": lambda: s.get("nodeName", ""),
        "spec.restartPolicy": lambda: s.get("restartPolicy", ""),
        "spec.schedulerName": lambda: s.get("schedulerName", ""),
        "spec.serviceAccountName": lambda: s.get("serviceAccountName", ""),
        "spec.hostNetwork": lambda: "true" if s.get("hostNetwork") else "false",
        "status.phase": lambda: st.get("phase", ""),
        "status.podIP": lambda: st.get("podIP", ""),
        "status.nominatedNodeName": lambda: st.get("nominatedNodeName", ""),
    }
    return getters[field]()


POD_FIELDS = ("metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy",
              "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork",
              "status.phase", "status.podIP", "status.nominatedNodeName")


def parse_field_selector(text):
    """'spec.nodeName=n1,status.phase!=Failed' -> predicate(obj).  Only the
    fields the real server indexes for pods; others are rejected with the
    real server's message."""
    terms = []
    for term in filter(None, (t.strip() for t in text.split(","))):
        m = re.fullmatch(r"([^=!]+?)\s*(==|=|!=)\s*(.*)", term)
        if not m:
            raise BadRequest(f"invalid selector: '{text}'; can't understand '{term}'")
        field, op, value = m.groups()
        if field not in POD_FIELDS:
            raise BadRequest(f"field label not supported: {field}")
        terms.append((field, op != "!=", value))
    return lambda obj: all((_pod_field(obj, f) == v) == eq for f, eq, v in terms)


_LABEL_TERM = re.compile(r"\s*(!?)\s*([A-Za-z0-9._/-]+)\s*(?:(==|=|!=)\s*([A-Za-z0-9._-]*)|"
                         r"\s+(in|notin)\s*\(([^)]*)\))?\s*")


def parse_label_selector(text):
    """Equality (a=b, a!=b), existence (a, !a) and set (a in (x,y), a notin (x))."""
    terms, pos = [], 0
    while pos < len(text):
        m = _LABEL_TERM.match(text, pos)
        if not m or m.end() == pos:
            raise BadRequest(f"unable to parse requirement: {text[pos:]!r}")
        neg, key, op, val, setop, setvals = m.groups()
        if neg and (op or setop):
            raise BadRequest(f"unable to parse requirement: {m.group(0).strip()!r}")
        if op:
            terms.append((key, "in" if op != "!=" else "notin", {val}))
        elif setop:
            terms.append((key, setop, {v.strip() for v in setvals.split(",")}))
        else:
            terms.append((key, "!exists" if neg else "exists", None))
        pos = m.end()
        if pos < len(text):
            if text[pos] != ",":
                raise BadRequest(f"unable to parse requirement: {text[pos:]!r}")
            pos += 1

    def match(obj):
        labels = obj.get("metadata", {}).get("labels") or {}
        for key, op, vals in terms:
            ok = {"exists": lambda: key in labels, "!exists": lambda: key not in labels,
                  "in": lambda: labels.get(key) in vals,
                  "notin": lambda: labels.get(key) not in vals}[op]()
            if not ok:
                return False
        return True
    return match


# -- list pages ----------------------------------------------------------------

def encode_continue(rv, start):
    """Opaque to clients, like the real token: base64 of the snapshot's RV and
    the key the next page starts at (keys sort like etcd's)."""
    raw = json.dumps({"v": CONTINUE_VERSION, "rv": rv, "start": start}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_continue(token):
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        d = json.loads(raw)
        if d.get("v") != CONTINUE_VERSION or not isinstance(d.get("rv"), int) \
                or not isinstance(d.get("start"), str):
            raise ValueError("unknown fields")
        return d["rv"], d["start"]
    except (ValueError, binascii.Error, UnicodeDecodeError, AttributeError) as e:
        raise BadRequest(f"continue key is not valid: {e}") from None


def page(state, prefix, match, start_key, limit):
    """(items, next start key or None, keys remaining) of state (key -> Rec):
    the keys under prefix ("" or "ns/") from start_key on, in key order, up to
    limit (0 = all) pods that match.  Like the etcd-backed server, a full page
    gets a continue token whenever keys remain, matching or not, so the next
    page may come back empty."""
    keys = sorted(k for k in state if k.startswith(prefix) and k >= start_key)
    chosen, last = [], None
    for i, k in enumerate(keys):
        if limit and len(chosen) == limit:
            return chosen, last, len(keys) - i
        if match(state[k].obj):
            chosen.append(state[k])
        last = k
    return chosen, None, 0
