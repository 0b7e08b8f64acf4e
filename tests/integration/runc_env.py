"""Container helpers for vigil's integration tests: busybox rootfs, OCI bundles
run with runc, and kubelet-style cgroup paths.

Everything here is stdlib only and must run as root.  runc is used with its
default cgroupfs driver: it accepts any ``cgroupsPath`` and puts the container
in that path in every mounted hierarchy (v1 controllers and the cgroup2 mount),
creating missing directories on the way.  runc removes the container's own
(leaf) directory on delete but not the parents it created (``/kubepods/...``),
so this module remembers which directories it caused to be created and removes
them leaf-up when the last container using them is gone.

Things about runc 1.1.5 worth knowing (see also test_harness.py):
- The container's init is PID 1 of a new pid namespace, so signals it has no
  handler for are ignored, from inside (``kill -9 $$`` in ``sh -c`` does
  nothing) and, except SIGKILL/SIGSTOP, from outside (``runc kill ID TERM``
  does not stop ``sleep``).  Use SIGKILL or trap the signal in ``sh``.
- No cgroup namespace is created by default, so ``/proc/self/cgroup`` inside
  the container shows the full host path.
- ``runc run -d`` with non-terminal stdio hands its own stdio fds to the
  container: give it files, not pipes (a pipe stays open for the container's
  lifetime).  After runc exits the container init is re-parented to the host
  PID 1, which reaps it.
"""

import contextlib
import errno
import json
import os
import secrets
import shutil
import signal
import struct
import subprocess
import tempfile
import threading
import time
import uuid

RUNC = os.environ.get("RUNC") or shutil.which("runc") or "/usr/sbin/runc"
BUSYBOX = "/bin/busybox"

BUSYBOX_APPLETS = (
    "sh", "cat", "sleep", "echo", "true", "false", "ls", "env", "id", "head",
    "wc", "grep", "sort", "tr", "printf", "yes", "dd",
)

DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

QOS_CLASSES = ("besteffort", "burstable", "guaranteed")
RUNTIME_SCOPE_PREFIX = {
    "containerd": "cri-containerd",
    "crio": "crio",
    "docker": "docker",
}


# --------------------------------------------------------------------------
# cgroup mounts and ids


def _unescape_mount_field(s):
    # /proc/mounts escapes space, tab, newline and backslash as \ooo
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 4 <= len(s) and s[i + 1:i + 4].isdigit():
            out.append(chr(int(s[i + 1:i + 4], 8)))
            i += 4
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def cgroup_mounts():
    """All cgroup hierarchies as a list of (mountpoint, fstype, options),
    one entry per mount point, from /proc/mounts."""
    seen, result = set(), []
    with open("/proc/mounts") as f:
        for line in f:
            fields = line.split()
            if len(fields) < 4 or fields[2] not in ("cgroup", "cgroup2"):
                continue
            mnt = _unescape_mount_field(fields[1])
            if mnt in seen:
                continue
            seen.add(mnt)
            result.append((mnt, fields[2], fields[3]))
    return result


def cgroup2_mount():
    """Mount point of the cgroup v2 hierarchy (e.g. /sys/fs/cgroup/unified on
    a hybrid host, /sys/fs/cgroup on a unified one)."""
    for mnt, fstype, _ in cgroup_mounts():
        if fstype == "cgroup2":
            return mnt
    raise RuntimeError("no cgroup2 mount in /proc/mounts")


def cgroup_dir(cgroup_path, mount=None):
    """Filesystem directory of a cgroup path ('/kubepods/...') under a mount
    (the cgroup2 mount by default)."""
    if mount is None:
        mount = cgroup2_mount()
    return os.path.join(mount, cgroup_path.lstrip("/"))


def cgroup_id_of(path):
    """cgroup v2 id (what bpf_get_current_cgroup_id() returns) of a cgroup.

    ``path`` is either a cgroup path relative to the cgroup2 root
    ('/kubepods/besteffort/pod.../<id>', '/' for the root) or a filesystem
    path already under the cgroup2 mount.  The id is the kernfs inode number
    of the directory."""
    mount = cgroup2_mount()
    if os.path.isabs(path) and (path == mount or path.startswith(mount.rstrip("/") + "/")):
        fs_path = path
    else:
        fs_path = cgroup_dir(path, mount)
    return os.stat(fs_path).st_ino


# Relative cgroup paths ('/kubepods', '/kubepods/besteffort', ...) that did not
# exist before one of our containers was created, i.e. that runc made for us.
_created_lock = threading.Lock()
_created_cgroups = set()


def _ancestors_and_self(cgroup_path):
    parts = [p for p in cgroup_path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[:i]) for i in range(1, len(parts) + 1)]


def _note_cgroup_dirs(cgroup_path):
    """Record which directories along cgroup_path do not exist yet."""
    mounts = [m for m, _, _ in cgroup_mounts()]
    with _created_lock:
        for rel in _ancestors_and_self(cgroup_path):
            if rel in _created_cgroups:
                continue
            if not any(os.path.isdir(cgroup_dir(rel, m)) for m in mounts):
                _created_cgroups.add(rel)


def _rmdir_cgroup_everywhere(rel, mounts):
    """rmdir one cgroup in every hierarchy; True if it is gone everywhere."""
    gone = True
    for m in mounts:
        d = cgroup_dir(rel, m)
        for attempt in range(20):
            try:
                os.rmdir(d)
                break
            except FileNotFoundError:
                break
            except OSError as e:
                # EBUSY: tasks (maybe a dying one) still inside; retry briefly.
                if e.errno == errno.EBUSY and attempt < 19:
                    time.sleep(0.01)
                    continue
                gone = False  # ENOTEMPTY (a sibling's child) or still busy
                break
    return gone


def remove_cgroup_dirs(cgroup_path):
    """Remove cgroup_path's leaf and every ancestor that runc created for one
    of our containers, deepest first, in every hierarchy.  Busy or non-empty
    directories are left alone (another container still uses them)."""
    mounts = [m for m, _, _ in cgroup_mounts()]
    chain = _ancestors_and_self(cgroup_path)
    with _created_lock:
        for i, rel in enumerate(reversed(chain)):
            if i > 0 and rel not in _created_cgroups:
                break  # pre-existing directory: never touch it or above
            if _rmdir_cgroup_everywhere(rel, mounts):
                _created_cgroups.discard(rel)
            else:
                break


def cleanup_created_cgroups():
    """Remove every directory this module caused to be created (session end)."""
    mounts = [m for m, _, _ in cgroup_mounts()]
    with _created_lock:
        for rel in sorted(_created_cgroups, key=lambda p: p.count("/"), reverse=True):
            if _rmdir_cgroup_everywhere(rel, mounts):
                _created_cgroups.discard(rel)
        return sorted(_created_cgroups)  # what could not be removed


def cgroup_exists_anywhere(cgroup_path):
    """List of hierarchy mount points where cgroup_path exists."""
    return [m for m, _, _ in cgroup_mounts() if os.path.isdir(cgroup_dir(cgroup_path, m))]


# --------------------------------------------------------------------------
# kubelet naming


def new_ids():
    """(pod_uid, container_id): a uuid4 string and 64 hex characters."""
    return str(uuid.uuid4()), secrets.token_hex(32)


def kubelet_cgroup_path(pod_uid, container_id, qos="besteffort", driver="cgroupfs",
                        runtime="containerd"):
    """The cgroup path kubelet + the CRI runtime would give a container.

    cgroupfs: /kubepods/<qos>/pod<uid>/<id>  (guaranteed: /kubepods/pod<uid>/<id>)
    systemd:  /kubepods.slice/kubepods-<qos>.slice/kubepods-<qos>-pod<uid_>.slice/
              <prefix>-<id>.scope, uid dashes turned into underscores, prefix
              cri-containerd / crio / docker; guaranteed drops the qos level:
              /kubepods.slice/kubepods-pod<uid_>.slice/<prefix>-<id>.scope
    """
    if qos not in QOS_CLASSES:
        raise ValueError(f"qos must be one of {QOS_CLASSES}, not {qos!r}")
    if driver == "cgroupfs":
        if qos == "guaranteed":
            return f"/kubepods/pod{pod_uid}/{container_id}"
        return f"/kubepods/{qos}/pod{pod_uid}/{container_id}"
    if driver == "systemd":
        try:
            prefix = RUNTIME_SCOPE_PREFIX[runtime]
        except KeyError:
            raise ValueError(f"runtime must be one of {sorted(RUNTIME_SCOPE_PREFIX)}, "
                             f"not {runtime!r}") from None
        uid = pod_uid.replace("-", "_")
        scope = f"{prefix}-{container_id}.scope"
        if qos == "guaranteed":
            return f"/kubepods.slice/kubepods-pod{uid}.slice/{scope}"
        return (f"/kubepods.slice/kubepods-{qos}.slice/"
                f"kubepods-{qos}-pod{uid}.slice/{scope}")
    raise ValueError(f"driver must be 'cgroupfs' or 'systemd', not {driver!r}")


# --------------------------------------------------------------------------
# rootfs


def _is_static_elf(path):
    with open(path, "rb") as f:
        hdr = f.read(64)
        if hdr[:4] != b"\x7fELF" or hdr[4] != 2:  # 64-bit only
            return False
        endian = "<" if hdr[5] == 1 else ">"
        phoff, = struct.unpack_from(endian + "Q", hdr, 32)
        phentsize, phnum = struct.unpack_from(endian + "HH", hdr, 54)
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
    for i in range(phnum):
        p_type, = struct.unpack_from(endian + "I", ph, i * phentsize)
        if p_type == 3:  # PT_INTERP
            return False
    return True


def build_rootfs(dir):
    """Create a busybox rootfs in ``dir`` (created if missing); returns its
    absolute path."""
    root = os.path.abspath(dir)
    if not os.path.exists(BUSYBOX):
        raise RuntimeError(f"{BUSYBOX} not found (apt-get install busybox-static)")
    if not _is_static_elf(BUSYBOX):
        raise RuntimeError(f"{BUSYBOX} is not statically linked (need busybox-static)")
    for d in ("bin", "proc", "dev", "sys", "tmp", "etc", "root"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    os.chmod(os.path.join(root, "tmp"), 0o1777)
    shutil.copy2(BUSYBOX, os.path.join(root, "bin", "busybox"))
    for applet in BUSYBOX_APPLETS:
        link = os.path.join(root, "bin", applet)
        if os.path.lexists(link):
            os.unlink(link)
        os.symlink("busybox", link)
    with open(os.path.join(root, "etc", "passwd"), "w") as f:
        f.write("root:x:0:0:root:/root:/bin/sh\n"
                "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
    with open(os.path.join(root, "etc", "group"), "w") as f:
        f.write("root:x:0:\nnogroup:x:65534:\n")
    return root


# --------------------------------------------------------------------------
# runc


def runc(runc_root, *args, timeout=30, check=True, input_devnull=True):
    """Run ``runc --root runc_root args...``; returns CompletedProcess (text)."""
    cmd = [RUNC, "--root", str(runc_root), *map(str, args)]
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL if input_devnull else None,
                       capture_output=True, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed with {p.returncode}: "
                           f"{p.stderr.strip() or p.stdout.strip()}")
    return p


def runc_list(runc_root):
    """Container ids known to runc under runc_root."""
    p = runc(runc_root, "list", "--format", "json")
    data = json.loads(p.stdout or "null")
    return [c["id"] for c in (data or [])]


def runc_cleanup_all(runc_root):
    """Force-delete every container under runc_root; returns their ids."""
    ids = runc_list(runc_root) if os.path.isdir(runc_root) else []
    for cid in ids:
        runc(runc_root, "delete", "--force", cid, check=False)
    return ids


def _sig_arg(sig):
    if isinstance(sig, str):
        return sig
    return str(int(sig))


class Container:
    """One OCI bundle and the runc container made from it.

    ``args`` is the process argv.  The cgroup path is ``cgroup_path`` if given,
    else kubelet_cgroup_path(pod_uid, container_id, qos, driver, runtime), with
    pod_uid/container_id made by new_ids() when not given.  The runc container
    name is the 64-hex container id.  The shared rootfs is used read-write;
    with ``private_tmp`` (default) /tmp is a per-container tmpfs so that
    containers do not see each other's files.

    Use as a context manager (delete() on exit) or let the container_factory
    fixture clean up.
    """

    def __init__(self, rootfs, runc_root, args, *, pod_uid=None, container_id=None,
                 cgroup_path=None, qos="besteffort", driver="cgroupfs",
                 runtime="containerd", env=None, cwd="/", hostname=None,
                 annotations=None, private_tmp=True, bundle_parent=None):
        gen_uid, gen_id = new_ids()
        self.pod_uid = pod_uid or gen_uid
        self.id = container_id or gen_id
        self.cgroup_path = cgroup_path or kubelet_cgroup_path(
            self.pod_uid, self.id, qos=qos, driver=driver, runtime=runtime)
        self.runc_root = str(runc_root)
        self.rootfs = os.path.abspath(rootfs)
        self.args = list(args)
        self.bundle = tempfile.mkdtemp(prefix=f"bundle-{self.id[:12]}-", dir=bundle_parent)
        self.stdout_path = os.path.join(self.bundle, "stdout.log")
        self.stderr_path = os.path.join(self.bundle, "stderr.log")
        self._proc = None          # foreground `runc run` (spawn())
        self._started = False
        self._deleted = False
        self._write_config(env, cwd, hostname or f"c-{self.id[:12]}", annotations,
                           private_tmp)

    # -- bundle ---------------------------------------------------------

    def _write_config(self, env, cwd, hostname, annotations, private_tmp):
        subprocess.run([RUNC, "spec", "--bundle", self.bundle], check=True,
                       capture_output=True)
        path = os.path.join(self.bundle, "config.json")
        with open(path) as f:
            cfg = json.load(f)
        proc = cfg["process"]
        proc["terminal"] = False
        proc["args"] = self.args
        proc["cwd"] = cwd
        full_env = [DEFAULT_PATH]
        if isinstance(env, dict):
            full_env += [f"{k}={v}" for k, v in env.items()]
        elif env:
            full_env += list(env)
        proc["env"] = full_env
        cfg["root"] = {"path": self.rootfs, "readonly": False}
        cfg["hostname"] = hostname
        cfg["linux"]["cgroupsPath"] = self.cgroup_path
        ann = {"io.kubernetes.pod.uid": self.pod_uid,
               "io.kubernetes.container.id": self.id}
        ann.update(annotations or {})
        cfg["annotations"] = ann
        if private_tmp:
            cfg["mounts"].append({"destination": "/tmp", "type": "tmpfs",
                                  "source": "tmpfs",
                                  "options": ["nosuid", "nodev", "mode=1777", "size=65536k"]})
        with open(path, "w") as f:
            json.dump(cfg, f, indent=2)
        self.config = cfg

    def _runc(self, *args, **kw):
        return runc(self.runc_root, *args, **kw)

    def _before_create(self):
        if self._started:
            raise RuntimeError(f"container {self.id} already started")
        self._started = True
        _note_cgroup_dirs(self.cgroup_path)

    # -- foreground -----------------------------------------------------

    def spawn(self):
        """Start ``runc run`` in the foreground without waiting; stdout and
        stderr are pipes read by wait().  Returns the Popen."""
        self._before_create()
        self._proc = subprocess.Popen(
            [RUNC, "--root", self.runc_root, "run", "--bundle", self.bundle, self.id],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        return self._proc

    def wait(self, timeout=30):
        """Wait for a spawn()ed container: (returncode, stdout, stderr).  A
        container killed by signal N gives 128+N (runc's convention).  On
        timeout the container is killed and deleted, then TimeoutExpired is
        raised."""
        if self._proc is None:
            raise RuntimeError("wait() without spawn()")
        try:
            out, err = self._proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as e:
            self.delete()
            self._proc.kill()
            out, err = self._proc.communicate()
            raise subprocess.TimeoutExpired(e.cmd, timeout, output=out, stderr=err) from None
        rc = self._proc.returncode
        # `runc run` deletes the container itself; make sure, and drop cgroups.
        self.delete()
        return rc, out, err

    def run(self, timeout=30):
        """``runc run`` in the foreground: (returncode, stdout, stderr)."""
        self.spawn()
        return self.wait(timeout)

    # -- detached -------------------------------------------------------

    def _stdio(self):
        return (subprocess.DEVNULL, open(self.stdout_path, "ab"),
                open(self.stderr_path, "ab"))

    def start_detached(self, timeout=30):
        """``runc run -d``: the container runs in the background with stdin
        /dev/null and stdout/stderr appended to files in the bundle (see
        stdout()/stderr(); runc's own errors land in the stderr file too)."""
        self._before_create()
        stdin, out, err = self._stdio()
        with out, err:
            p = subprocess.run([RUNC, "--root", self.runc_root, "run", "-d",
                                "--bundle", self.bundle, self.id],
                               stdin=stdin, stdout=out, stderr=err, timeout=timeout)
        if p.returncode != 0:
            msg = self.stderr()
            self.delete()
            raise RuntimeError(f"runc run -d {self.id} failed ({p.returncode}): {msg}")
        return self

    def create(self, timeout=30):
        """``runc create``: the init process exists (pid() works, it is `runc
        init` blocked before exec) but the user process has not been exec'd
        yet; call start() to exec it.  Stdio as in start_detached()."""
        self._before_create()
        stdin, out, err = self._stdio()
        with out, err:
            p = subprocess.run([RUNC, "--root", self.runc_root, "create",
                                "--bundle", self.bundle, self.id],
                               stdin=stdin, stdout=out, stderr=err, timeout=timeout)
        if p.returncode != 0:
            msg = self.stderr()
            self.delete()
            raise RuntimeError(f"runc create {self.id} failed ({p.returncode}): {msg}")
        return self

    def start(self, timeout=30):
        """``runc start`` after create()."""
        self._runc("start", self.id, timeout=timeout)
        return self

    def stdout(self):
        """What a detached container wrote to stdout so far."""
        return _read(self.stdout_path)

    def stderr(self):
        return _read(self.stderr_path)

    def exec(self, args, timeout=30, env=None, cwd=None):
        """``runc exec`` a process in the running container and wait:
        (returncode, stdout, stderr)."""
        cmd = [RUNC, "--root", self.runc_root, "exec"]
        for k, v in (env or {}).items():
            cmd += ["--env", f"{k}={v}"]
        if cwd:
            cmd += ["--cwd", cwd]
        cmd += [self.id, *args]
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=timeout)
        return p.returncode, p.stdout, p.stderr

    def exec_detached(self, args, timeout=30):
        """``runc exec -d``; returns the host pid of the new process."""
        pidfile = os.path.join(self.bundle, f"exec-{secrets.token_hex(4)}.pid")
        stdin, out, err = self._stdio()
        with out, err:
            p = subprocess.run([RUNC, "--root", self.runc_root, "exec", "-d",
                                "--pid-file", pidfile, self.id, *args],
                               stdin=stdin, stdout=out, stderr=err, timeout=timeout)
        if p.returncode != 0:
            raise RuntimeError(f"runc exec -d failed ({p.returncode}): {self.stderr()}")
        return int(_read(pidfile).strip())

    # -- state ----------------------------------------------------------

    def state(self):
        """``runc state`` as a dict, or None if runc does not know the id."""
        p = self._runc("state", self.id, check=False)
        if p.returncode != 0:
            return None
        return json.loads(p.stdout)

    def status(self):
        st = self.state()
        return st["status"] if st else None

    def pid(self):
        """Host pid of the container's init process."""
        st = self.state()
        if not st:
            raise RuntimeError(f"container {self.id} does not exist")
        return st["pid"]

    def wait_status(self, statuses, timeout=10):
        """Poll until status() is in ``statuses`` (None = gone); returns it."""
        if isinstance(statuses, str) or statuses is None:
            statuses = (statuses,)
        deadline = time.monotonic() + timeout
        while True:
            s = self.status()
            if s in statuses:
                return s
            if time.monotonic() > deadline:
                raise TimeoutError(f"container {self.id} is {s!r}, wanted {statuses}")
            time.sleep(0.01)

    def kill(self, sig=signal.SIGKILL, all=False):
        """``runc kill``.  Note the init is a pid-namespace init: signals it has
        no handler for (other than SIGKILL) are ignored."""
        args = ["kill"] + (["--all"] if all else []) + [self.id, _sig_arg(sig)]
        self._runc(*args)

    def cgroup_dir(self, mount=None):
        return cgroup_dir(self.cgroup_path, mount)

    def cgroup_id(self):
        return cgroup_id_of(self.cgroup_path)

    def delete(self):
        """Force-delete (kills what is left), reap a foreground runc, and
        remove the cgroup directories made for it.  Idempotent."""
        if self._deleted:
            return
        self._deleted = True
        try:
            if self._started:
                p = self._runc("delete", "--force", self.id, check=False)
                if p.returncode != 0 and "does not exist" not in (p.stderr + p.stdout) \
                        and self.state() is not None:
                    raise RuntimeError(f"runc delete {self.id}: {p.stderr.strip()}")
            if self._proc is not None and self._proc.poll() is None:
                try:
                    self._proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self._proc.kill()
                    self._proc.wait()
        finally:
            if self._started:
                remove_cgroup_dirs(self.cgroup_path)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.delete()
        return False

    def __repr__(self):
        return f"<Container {self.id[:12]} {self.cgroup_path} {self.args!r}>"


def _read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def pid_alive(pid):
    """True if pid exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@contextlib.contextmanager
def container(rootfs, runc_root, args, **kw):
    c = Container(rootfs, runc_root, args, **kw)
    try:
        yield c
    finally:
        c.delete()
