"""Start notebook kernels for nbval by forking one process that has already imported the libraries.

Every chapter's kernel spends about a second starting Python, ipykernel and importing pandas,
SciPy, statsmodels and Matplotlib before its first cell does any work. Under pytest the kernels of
one worker are instead forked from a *zygote*: a process that imported those libraries once, ran
no notebook code and holds no threads. Each fork is a fresh process, so no state passes from one
notebook to the next; it only skips the imports.

Two roles:

* ``python tools/fork_kernel.py serve SOCKET`` is the zygote. It listens on the Unix socket
  ``SOCKET``; each connection sends one JSON line ``{"argv", "env", "cwd"}``, gets the kernel's
  process id back and, when the kernel exits, its exit status. A connection that closes first
  (its launcher was killed) kills its kernel.
* ``python tools/fork_kernel.py launch SOCKET -f CONNECTION_FILE`` is what the kernel spec runs
  (see :func:`write_kernel_spec`): a small process that stands for the kernel towards
  jupyter_client, forwarding SIGINT and SIGTERM to it and exiting with its status.

tests/conftest.py starts one zygote per pytest process that runs notebooks (each xdist worker, or
pytest without workers) and points ``JUPYTER_PATH`` at a kernel spec named ``python3`` that
launches through it.
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


def serve(path: str) -> None:
    import importlib

    # matplotlib reads MPLBACKEND when it is imported; in each kernel ipykernel sets it before
    # that (kernelapp.init_gui_pylab) unless the environment has it, so do the same here.
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    for name in PRELOAD:
        importlib.import_module(name)
    import gc_tuning  # tools/, this script's folder

    gc_tuning.collect_less()  # inherited by every kernel, with the frozen imports
    gc_tuning.freeze_survivors()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(16)
    kernels: dict[socket.socket, int] = {}  # launcher connection -> its kernel's pid
    killed: set[int] = set()  # kernels killed because their launcher went away, not yet reaped
    parent = os.getppid()
    while True:
        if os.getppid() != parent:  # the pytest process that started us is gone: so are we
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


def launch(path: str, argv: list[str]) -> int:
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:  # the zygote may still be importing; the socket appears at bind(), before listen()
        try:
            conn.connect(path)
            break
        except (FileNotFoundError, ConnectionRefusedError):
            if time.monotonic() > deadline:
                print(f"{__file__}:0: no kernel zygote listening on {path} after {STARTUP_TIMEOUT_S} s",
                      file=sys.stderr)
                return 1
            time.sleep(0.01)
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


def write_kernel_spec(folder: Path, socket_path: str) -> Path:
    """A ``kernels/python3/kernel.json`` under ``folder`` that launches through the zygote."""
    spec = folder / "kernels" / "python3"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, str(Path(__file__).resolve()), "launch", socket_path, "-f", "{connection_file}"],
        "display_name": "Python 3 (forked)", "language": "python", "interrupt_mode": "signal",
    }), encoding="utf-8")
    return folder


def start_zygote(socket_path: str, cwd: Path, log: Path) -> subprocess.Popen:
    """Start the zygote (it imports :data:`PRELOAD`, then listens; :func:`launch` waits for it).

    Its output and that of the kernels it forks (not the cells' output, which goes to the client)
    are appended to ``log``.
    """
    with open(log, "ab") as out:
        return subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "serve", socket_path], cwd=cwd,
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "serve":
        serve(sys.argv[2])
    elif len(sys.argv) >= 3 and sys.argv[1] == "launch":
        sys.exit(launch(sys.argv[2], sys.argv[3:]))
    else:
        print(f"{__file__}:0: usage: fork_kernel.py serve SOCKET | launch SOCKET -f CONNECTION_FILE",
              file=sys.stderr)
        sys.exit(2)
