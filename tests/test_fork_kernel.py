"""The forked kernels nbval runs under pytest (tools/fork_kernel.py, started by tests/conftest.py):
each is a fresh process that sees nothing of an earlier kernel, and a kernel whose launcher is
killed (as jupyter_client does when a kernel will not shut down) does not outlive it."""

from __future__ import annotations

import os
import time

import pytest

pytestmark = pytest.mark.skipif(
    "review-kernels-" not in os.environ.get("JUPYTER_PATH", ""),
    reason="forked kernels start only with --nbval (make test) and not with REVIEW_FORK_KERNELS=0")


def _run(kc, code: str) -> str:
    """The printed output of ``code`` run in the kernel behind client ``kc``."""
    outputs: list = []
    reply = kc.execute_interactive(code, timeout=60, output_hook=outputs.append)
    assert reply["content"]["status"] == "ok", reply["content"]
    return "".join(m["content"].get("text", "") for m in outputs if m["msg_type"] == "stream")


def test_forked_kernels_are_separate_fresh_processes():
    from jupyter_client.manager import start_new_kernel

    pids = []
    for code in ("leak = 1; import os; print(os.getpid(), 'leak' in dir())",
                 "import os; print(os.getpid(), 'leak' in dir())"):
        km, kc = start_new_kernel(kernel_name="python3")
        try:
            pid, seen = _run(kc, code).split()
            assert seen == ("True" if not pids else "False")
            pids.append(int(pid))
            assert int(pid) != km.provisioner.process.pid  # the kernel is the fork, not the launcher
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    assert len(set(pids)) == 2 and os.getpid() not in pids


def test_a_killed_launcher_takes_its_kernel_with_it():
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3")
    pid = int(_run(kc, "import os; print(os.getpid())").strip())
    kc.stop_channels()
    km.provisioner.process.kill()  # SIGKILL: nothing can be forwarded
    km.provisioner.process.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail(f"kernel {pid} outlived its launcher")
    km.cleanup_resources()


def _parent_of(pid: int) -> int:
    with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
        return int(handle.read().rsplit(")", 1)[1].split()[1])


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads process parents from /proc")
def test_kernels_come_from_this_process_own_zygote_forked_from_the_run_master():
    from jupyter_client.manager import start_new_kernel

    from conftest import MASTER_ENV

    km, kc = start_new_kernel(kernel_name="python3")
    try:
        kernel, zygote = map(int, _run(kc, "import os; print(os.getpid(), os.getppid())").split())
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    master = _parent_of(zygote)
    run = os.getppid() if os.environ.get("PYTEST_XDIST_WORKER") else os.getpid()
    assert len({kernel, zygote, master, os.getpid()}) == 4
    assert _parent_of(master) == run, "the master is started by the process that starts the run"
    assert MASTER_ENV not in os.environ, "a pytest run started by a test must start its own master"
