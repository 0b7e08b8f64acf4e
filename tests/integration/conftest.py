"""Fixtures for vigil's integration tests (root only; runc + busybox-static)."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import runc_env  # noqa: E402
from agent import Agent, vigil_bin  # noqa: E402

IS_ROOT = os.geteuid() == 0
ROOT_REASON = "vigil integration tests need root (runc, cgroups, eBPF): run them as root"


def pytest_collection_modifyitems(config, items):
    """Skip every test of this directory when not root or runc is missing."""
    here = os.path.dirname(os.path.abspath(__file__))
    reason = None
    if not IS_ROOT:
        reason = ROOT_REASON
    elif not os.access(runc_env.RUNC, os.X_OK):
        reason = f"runc not found ({runc_env.RUNC}): apt-get install runc"
    elif not os.path.exists(runc_env.BUSYBOX):
        reason = f"{runc_env.BUSYBOX} not found: apt-get install busybox-static"
    if reason is None:
        return
    mark = pytest.mark.skip(reason=reason)
    for item in items:
        if str(item.fspath).startswith(here + os.sep):
            item.add_marker(mark)


@pytest.fixture(scope="session")
def runc_root(tmp_path_factory):
    """Private runc state dir (--root) for this session.  At the end every
    container still known there is force-deleted and every cgroup directory
    the harness made is removed."""
    root = tmp_path_factory.mktemp("runc-root")
    yield str(root)
    runc_env.runc_cleanup_all(str(root))
    runc_env.cleanup_created_cgroups()


@pytest.fixture(scope="session")
def rootfs(tmp_path_factory):
    """A busybox rootfs built once per session."""
    return runc_env.build_rootfs(tmp_path_factory.mktemp("rootfs") / "rootfs")


@pytest.fixture(scope="session")
def bundles_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("bundles"))


@pytest.fixture
def container_factory(rootfs, runc_root, bundles_dir):
    """make(args, **kw) -> runc_env.Container (not yet started); keyword
    arguments are those of Container (pod_uid, container_id, cgroup_path, qos,
    driver, runtime, env, cwd, hostname, ...).  Every container made is
    deleted, and its cgroup directories removed, at teardown."""
    made = []

    def make(args, **kw):
        kw.setdefault("bundle_parent", bundles_dir)
        c = runc_env.Container(rootfs, runc_root, args, **kw)
        made.append(c)
        return c

    yield make
    errors = []
    for c in reversed(made):
        try:
            c.delete()
        except Exception as e:  # keep cleaning the others
            errors.append(f"{c!r}: {e}")
    if errors:
        raise RuntimeError("container cleanup failed:\n" + "\n".join(errors))


@pytest.fixture(scope="session")
def vigil_binary():
    path = vigil_bin()
    if not os.access(path, os.X_OK):
        pytest.skip(f"vigil binary not built yet: {path} (run `make` or set VIGIL_BIN)")
    return path


@pytest.fixture
def agent(vigil_binary):
    """start(*extra_args, env=None, ready_timeout=30) -> a running, ready
    Agent (`vigil run extra_args...`).  Agents still running are stopped at
    teardown; a stdout line that is not JSON fails the test there."""
    started = []

    def start(*args, env=None, ready_timeout=30):
        a = Agent(list(args), binary=vigil_binary, env=env, ready_timeout=ready_timeout)
        started.append(a)
        return a.start()

    yield start
    errors = []
    for a in reversed(started):
        try:
            if a.proc is not None:
                a.stop()
        except AssertionError as e:
            errors.append(str(e))
    if errors:
        pytest.fail("\n".join(errors))

