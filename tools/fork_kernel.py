"""Start notebook kernels for nbval by forking one process that has already imported the libraries.

Every chapter's kernel spends about a second starting Python, ipykernel and importing pandas,
SciPy, statsmodels and Matplotlib before its first cell does any work. Under pytest the kernels of
one worker are instead forked from a *zygote*: a process that imported those libraries once, ran
no notebook code and holds no threads. Each fork is a fresh process, so no state passes from one
notebook to the next; it only skips the imports.

Three kinds of process:

* ``python tools/fork_kernel.py master SOCKET`` imports the libraries once for a whole pytest run
  (and computes :data:`WARM`), then forks one zygote per pytest process that asks for one
  (:func:`request_zygote`). The zygotes of one run thus share the imports, copy-on-write, while
  each forks the kernels of one pytest process only, one at a time.
* A zygote (:func:`_serve_loop`) listens on the Unix socket its request names; each connection
  sends one JSON line ``{"argv", "env", "cwd"}``, gets the kernel's process id back and, when the
  kernel exits, its exit status. A connection that closes first
  (its launcher was killed) kills its kernel.
* ``python tools/fork_kernel.py launch SOCKET -f CONNECTION_FILE`` is what the kernel spec runs
  (see :func:`write_kernel_spec`): a small process that stands for the kernel towards
  jupyter_client, forwarding SIGINT and SIGTERM to it and exiting with its status.

tests/conftest.py starts the master in the process that starts the run (the xdist controller, or
pytest without workers), asks it for one zygote per process that runs notebooks (each xdist
worker, or pytest without workers) and points ``JUPYTER_PATH`` at a kernel spec named ``python3``
that launches through that zygote.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

#: imported by the zygote before it forks: the libraries behind the chapters' first cells. Not
#: matplotlib.pyplot, nor a helper that imports it: pyplot picks its backend when imported, and
#: the inline backend hooks itself into the IPython shell it finds then, which exists only in the
#: kernel (so the figures would not be shown).
PRELOAD = ("ipykernel.kernelapp", "numpy", "pandas", "scipy.stats", "matplotlib", "matplotlib.figure",
           "statsmodels.genmod.generalized_linear_model", "helpers.data", "helpers.audit",
           "myst_nb.ext.glue", "tabulate")
#: what the master computes once, after the imports and before it forks any zygote: the data
#: package and its full audit. Both are memoised by helpers/ on the state of the data files
#: (helpers.data's fingerprint of paths, sizes and modification times), and the audit's model fits
#: and Fisher p-values are pure functions remembered per table (functools.lru_cache), so a kernel
#: that asks for them gets the result it would have computed itself, without computing it. A
#: kernel whose data files changed after the master started computes afresh.
WARM = (("helpers.data", "load_package"), ("helpers.audit", "run_audit"))
#: what ipykernel sets when MPLBACKEND is unset, before anything imports matplotlib
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
#: how long a launcher waits for the zygote to listen
STARTUP_TIMEOUT_S = 120


def _recv_line(conn: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            raise ConnectionError("closed before a full line")
        data += chunk
    return data


def _become_kernel(request: dict) -> None:
    """In the forked child: take the launcher's environment and directory, run ipykernel."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
        signal.signal(sig, signal.SIG_DFL)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    sys.argv = ["ipykernel_launcher", *request["argv"]]
    from ipykernel import kernelapp

    code = 1
    try:
        kernelapp.launch_new_instance(argv=request["argv"])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - to the zygote's log, since os._exit skips the usual report
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)  # never return into the zygote's loop


def _preload() -> None:
    """Import :data:`PRELOAD`, call :data:`WARM` and freeze the survivors out of the collector (tools/gc_tuning.py)."""
    import importlib

    # matplotlib reads MPLBACKEND when it is imported; in each kernel ipykernel sets it before
    # that (kernelapp.init_gui_pylab) unless the environment has it, so do the same here.
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    for name in PRELOAD:
        importlib.import_module(name)
    for module, function in WARM:
        getattr(importlib.import_module(module), function)()
    import gc_tuning  # tools/, this script's folder

    gc_tuning.collect_less()  # inherited by every kernel, with the frozen imports
    gc_tuning.freeze_survivors()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _serve_loop(path: str, watch: int | None) -> None:
    """Listen on ``path`` and fork one kernel per connection, one at a time. Return when the
    process ``watch`` is gone (``None``: when this process's parent is)."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(16)
    kernels: dict[socket.socket, int] = {}  # launcher connection -> its kernel's pid
    killed: set[int] = set()  # kernels killed because their launcher went away, not yet reaped
    parent = os.getppid()
    while True:
        if (os.getppid() != parent) if watch is None else not _alive(watch):
            # the pytest process we fork for is gone: so are we
            for pid in kernels.values():
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            return
        readable, _, _ = select.select([server, *kernels], [], [], 0.1)
        for conn in readable:
            if conn is server:
                client, _ = server.accept()
                request = json.loads(_recv_line(client))
                pid = os.fork()
                if pid == 0:
                    server.close()
                    for other in kernels:
                        other.close()
                    client.close()
                    _become_kernel(request)
                kernels[client] = pid
                client.sendall(f"{pid}\n".encode())
            else:  # the launcher went away (it sends nothing else): its kernel goes too
                pid = kernels.pop(conn)
                os.kill(pid, signal.SIGKILL)  # not yet reaped, so the pid is still this child's
                killed.add(pid)
                conn.close()
        for conn, pid in list(kernels.items()):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                code = os.waitstatus_to_exitcode(status)
                try:
                    conn.sendall(f"{code}\n".encode())
                except OSError:
                    pass
                conn.close()
                del kernels[conn]
        for pid in list(killed):  # reap only our own: waitpid(-1) could take a tracked kernel's status
            if os.waitpid(pid, os.WNOHANG)[0]:
                killed.discard(pid)


def master(path: str) -> None:
    """The zygotes' parent: import :data:`PRELOAD` once, then fork one zygote per request.

    It listens on ``path`` before importing, so that a request made while it imports waits in
    the socket's queue. Each connection sends one JSON line ``{"socket", "watch", "log"}`` and gets
    the new zygote's process id back. The zygote (:func:`_serve_loop`) writes its output and its
    kernels' to ``log``, forks kernels only for the process ``watch`` and ends when that process
    is gone. The master ends when its own parent is.
    """
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(16)
    _preload()
    zygotes: set[int] = set()
    parent = os.getppid()
    while os.getppid() == parent:
        readable, _, _ = select.select([server], [], [], 0.1)
        if readable:
            client, _ = server.accept()
            try:
                request = json.loads(_recv_line(client))
            except (ConnectionError, ValueError):
                client.close()
                continue
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                server.close()
                client.close()
                code = 1
                try:
                    log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
                    os.dup2(log, 1)
                    os.dup2(log, 2)
                    os.close(log)
                    _serve_loop(request["socket"], watch=int(request["watch"]))
                    code = 0
                except BaseException:  # noqa: BLE001 - to the zygote's log, since os._exit skips the usual report
                    import traceback

                    traceback.print_exc()
                finally:
                    sys.stdout.flush()
                    sys.stderr.flush()
                    os._exit(code)
            zygotes.add(pid)
            try:
                client.sendall(f"{pid}\n".encode())
            except OSError:
                pass
            client.close()
        for pid in list(zygotes):
            if os.waitpid(pid, os.WNOHANG)[0]:
                zygotes.discard(pid)
    for pid in zygotes:  # our parent is gone
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def launch(path: str, argv: list[str]) -> int:
    conn = _connect(path)
    if conn is None:
        print(f"{__file__}:0: no kernel zygote listening on {path} after {STARTUP_TIMEOUT_S} s", file=sys.stderr)
        return 1
    conn.sendall((json.dumps({"argv": argv, "env": dict(os.environ), "cwd": os.getcwd()}) + "\n").encode())
    pid = int(_recv_line(conn))

    def forward(signum, frame):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    try:
        return int(_recv_line(conn))
    except ConnectionError:
        return 1


def _connect(path: str) -> socket.socket | None:
    """A connection to the Unix socket ``path``, waiting up to :data:`STARTUP_TIMEOUT_S` for it
    (a zygote may still be importing: the socket appears at bind(), before listen())."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        try:
            conn.connect(path)
            return conn
        except (FileNotFoundError, ConnectionRefusedError):
            if time.monotonic() > deadline:
                conn.close()
                return None
            time.sleep(0.01)


def write_kernel_spec(folder: Path, socket_path: str) -> Path:
    """A ``kernels/python3/kernel.json`` under ``folder`` that launches through the zygote."""
    spec = folder / "kernels" / "python3"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, str(Path(__file__).resolve()), "launch", socket_path, "-f", "{connection_file}"],
        "display_name": "Python 3 (forked)", "language": "python", "interrupt_mode": "signal",
    }), encoding="utf-8")
    return folder


def start_master(socket_path: str, cwd: Path, log: Path) -> subprocess.Popen:
    """Start the zygotes' parent (:func:`master`); its own output is appended to ``log``."""
    with open(log, "ab") as out:
        return subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "master", socket_path], cwd=cwd,
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)


def request_zygote(master_path: str, socket_path: str, log: Path, watch: int) -> socket.socket:
    """Ask the master on ``master_path`` for a zygote listening on ``socket_path``, forking for the
    process ``watch`` and writing to ``log``. Returns at once, without waiting for the master to
    finish importing: read the zygote's process id from the returned connection with
    :func:`zygote_pid` when it is needed."""
    conn = _connect(master_path)
    if conn is None:
        raise RuntimeError(f"{__file__}:0: no kernel master listening on {master_path} after {STARTUP_TIMEOUT_S} s")
    conn.sendall((json.dumps({"socket": socket_path, "watch": watch, "log": str(log)}) + "\n").encode())
    return conn


def zygote_pid(conn: socket.socket, timeout: float = STARTUP_TIMEOUT_S) -> int | None:
    """The process id the master sent back on ``conn`` (from :func:`request_zygote`), or None if
    it closed the connection or sent nothing within ``timeout`` seconds."""
    conn.settimeout(timeout)
    try:
        return int(_recv_line(conn))
    except (ConnectionError, OSError, ValueError):
        return None
    finally:
        conn.close()


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "master":
        master(sys.argv[2])
    elif len(sys.argv) >= 3 and sys.argv[1] == "launch":
        sys.exit(launch(sys.argv[2], sys.argv[3:]))
    else:
        print(f"{__file__}:0: usage: fork_kernel.py master SOCKET | launch SOCKET -f CONNECTION_FILE",
              file=sys.stderr)
        sys.exit(2)
