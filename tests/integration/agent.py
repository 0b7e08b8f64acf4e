"""Run the vigil agent (`vigil run ...`) and collect its JSON events.

stdout of the agent is JSON Lines (one event object per line), stderr is log
lines.  The agent is ready once a stderr line contains the word "ready".

    with Agent(["--some-flag"]) as a:
        ev = a.wait_for(all_of(is_type("exec"), by_pid(pid)))
    rc, log, final_stats = a.stop()   # (stop() is idempotent)

A stdout line that is not a JSON object is a test failure: it is recorded and
the first stop() raises AssertionError after the agent has been stopped.
"""

import json
import os
import re
import signal
import subprocess
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
READY_RE = re.compile(r"\bready\b", re.IGNORECASE)


def vigil_bin():
    """Path of the vigil binary: $VIGIL_BIN, else <repo>/build/vigil."""
    return os.environ.get("VIGIL_BIN") or os.path.join(REPO, "build", "vigil")


class AgentError(AssertionError):
    pass


def _tail(lines, n=20):
    lines = list(lines)
    return "\n".join(lines[-n:])


class Agent:
    def __init__(self, args=(), binary=None, env=None, ready_timeout=30, cwd=None):
        self.binary = binary or vigil_bin()
        self.args = list(args)
        self.env = dict(os.environ, **(env or {}))
        self.ready_timeout = ready_timeout
        self.cwd = cwd or REPO
        self.proc = None
        self._cond = threading.Condition()
        self._events = []
        self._bad_lines = []       # (line number, text, error)
        self._stderr = []
        self._stdout_eof = False
        self._ready = threading.Event()
        self._threads = []
        self._result = None
        self._raised = False
        self.killed = False        # stop() had to SIGKILL

    # -- lifecycle --------------------------------------------------------

    def start(self):
        if self.proc is not None:
            raise RuntimeError("agent already started")
        if not os.access(self.binary, os.X_OK):
            raise FileNotFoundError(f"vigil binary not found or not executable: {self.binary}")
        self.proc = subprocess.Popen([self.binary, "run", *self.args],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=self.env, cwd=self.cwd)
        for target, name in ((self._read_stdout, "stdout"), (self._read_stderr, "stderr")):
            t = threading.Thread(target=target, name=f"vigil-{name}", daemon=True)
            t.start()
            self._threads.append(t)
        deadline = time.monotonic() + self.ready_timeout
        while not self._ready.wait(0.05):
            if self.proc.poll() is not None:
                self._ready.wait(0.2)  # let the stderr reader catch up
                if self._ready.is_set():
                    break
                self._join_readers(2)
                raise AgentError(f"vigil exited with {self.proc.returncode} before it was "
                                 f"ready; stderr:\n{self.stderr_text()}")
            if time.monotonic() > deadline:
                self._kill()
                raise AgentError(f"vigil not ready after {self.ready_timeout}s; "
                                 f"stderr:\n{self.stderr_text()}")
        return self

    def _kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.killed = True
        self.proc.wait()
        self._join_readers(5)

    def _join_readers(self, timeout):
        for t in self._threads:
            t.join(timeout)

    def stop(self, sig=signal.SIGINT, timeout=15):
        """Signal the agent and wait (SIGKILL after ``timeout``).  Returns
        (returncode, stderr text, final_stats) where final_stats is the last
        event with type "stats" and final true, or None.  Raises AgentError
        (once) if stdout had lines that were not JSON objects."""
        if self.proc is None:
            return None
        if self._result is None:
            if self.proc.poll() is None:
                try:
                    self.proc.send_signal(sig)
                    self.proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    pass
            self._kill()
            finals = self.events(lambda e: e.get("type") == "stats" and e.get("final") is True)
            self._result = (self.proc.returncode, self.stderr_text(),
                            finals[-1] if finals else None)
        if self._bad_lines and not self._raised:
            self._raised = True
            shown = "\n".join(f"  line {n}: {text[:300]!r} ({err})"
                              for n, text, err in self._bad_lines[:10])
            raise AgentError(f"vigil wrote {len(self._bad_lines)} stdout line(s) that are "
                             f"not JSON objects:\n{shown}")
        return self._result

    def __enter__(self):
        if self.proc is None:
            self.start()
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            self.stop()
        except AgentError:
            if exc_type is None:
                raise
        return False

    # -- readers ----------------------------------------------------------

    def _read_stdout(self):
        n = 0
        try:
            for raw in self.proc.stdout:
                n += 1
                text = raw.decode("utf-8", errors="replace").rstrip("\n")
                try:
                    ev = json.loads(raw)
                    if not isinstance(ev, dict):
                        raise ValueError(f"not an object but {type(ev).__name__}")
                except ValueError as e:
                    with self._cond:
                        self._bad_lines.append((n, text, str(e)))
                    continue
                with self._cond:
                    self._events.append(ev)
                    self._cond.notify_all()
        finally:
            with self._cond:
                self._stdout_eof = True
                self._cond.notify_all()

    def _read_stderr(self):
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", errors="replace").rstrip("\n")
            with self._cond:
                self._stderr.append(line)
            if not self._ready.is_set() and READY_RE.search(line):
                self._ready.set()

    # -- queries ----------------------------------------------------------

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def stderr_text(self):
        with self._cond:
            return "\n".join(self._stderr)

    def bad_lines(self):
        with self._cond:
            return list(self._bad_lines)

    def events(self, pred=None):
        """Snapshot of the events so far (those matching pred, if given)."""
        with self._cond:
            evs = list(self._events)
        return [e for e in evs if _matches(pred, e)] if pred else evs

    def wait_all(self, pred, n, timeout=10):
        """Wait until ``n`` events match; returns the first n.  AssertionError
        on timeout or when the agent's stdout closes first."""
        deadline = time.monotonic() + timeout
        found, scanned = [], 0
        with self._cond:
            while True:
                while scanned < len(self._events) and len(found) < n:
                    if _matches(pred, self._events[scanned]):
                        found.append(self._events[scanned])
                    scanned += 1
                if len(found) >= n:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._stdout_eof:
                    break
                self._cond.wait(min(remaining, 0.5))
            total = len(self._events)
            last = self._events[-5:]
        why = "agent stdout closed" if self._stdout_eof else f"timeout {timeout}s"
        rc = self.proc.poll() if self.proc else None
        raise AssertionError(
            f"{why}: {len(found)}/{n} matching events among {total} seen "
            f"(agent returncode {rc}); last events:\n"
            + "\n".join("  " + json.dumps(e)[:500] for e in last)
            + f"\nstderr tail:\n{_tail(self.stderr_text().splitlines())}")

    def wait_for(self, pred, timeout=10):
        """First event matching pred (waiting up to timeout seconds)."""
        return self.wait_all(pred, 1, timeout)[0]


def _matches(pred, ev):
    # Events of other types lack the keys a predicate looks at: no match.
    try:
        return bool(pred(ev))
    except (KeyError, TypeError, IndexError, AttributeError):
        return False


# -- predicate helpers ------------------------------------------------------

def _get(ev, *keys):
    for k in keys:
        if not isinstance(ev, dict):
            return None
        ev = ev.get(k)
    return ev


def is_type(t):
    return lambda e: e.get("type") == t


def by_pid(pid):
    return lambda e: _get(e, "process", "pid") == pid


def by_parent_pid(pid):
    return lambda e: _get(e, "parent", "pid") == pid


def by_binary(name):
    """process.binary equals name, or its basename does when name has no '/'."""
    def pred(e):
        b = _get(e, "process", "binary")
        if not isinstance(b, str):
            return False
        return b == name or ("/" not in name and b.rsplit("/", 1)[-1] == name)
    return pred


def with_args(*args):
    """process.arguments starts with args."""
    return lambda e: list(_get(e, "process", "arguments") or [])[:len(args)] == list(args)


def in_container(container_id):
    return lambda e: _get(e, "container", "id") == container_id


def in_pod(pod_uid):
    return lambda e: _get(e, "pod", "uid") == pod_uid


def all_of(*preds):
    return lambda e: all(p(e) for p in preds)


def any_of(*preds):
    return lambda e: any(_matches(p, e) for p in preds)
