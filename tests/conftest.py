"""Shared test set-up.

* Kernels started by nbval inherit the same deterministic environment as tools/execute.py
  (matplotlibrc, hash seed), so that stored outputs reproduce.
* nbval compares text outputs but skips PNG images; tools/nbval_figures.py, registered here as a
  plugin, adds the figure-reproduction check: after every nbval cell, the images the cell produced
  now must be byte-identical to the ones stored in the notebook.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "tools"


def _load_tool(name: str):
    """Import tools/<name>.py as a module (tools/ is scripts, not a package)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# Property tests: no per-example deadline (statsmodels GLM fits are slow on a loaded 2-core CI
# machine, and a timing failure is not a property failure), derandomised so that every run,
# here and in CI, tries the same examples, and no example database written into the tree.
#
# Two budgets. The fast tier (`make test`) tries FAST_EXAMPLES examples per property unless a test
# sets its own smaller number: enough to exercise each property's branches, since the examples are
# derandomised and hypothesis tries the boundary values first. The slow tier (`make test-slow`,
# run by .ci/run) sets REVIEW_THOROUGH=1 and reruns every property test with THOROUGH_EXAMPLES
# (tests that set their own budget get it multiplied by THOROUGH_FACTOR, see `examples`).
FAST_EXAMPLES = 25
THOROUGH_EXAMPLES = 200
THOROUGH_FACTOR = 5
THOROUGH = os.environ.get("REVIEW_THOROUGH") == "1"
_common = dict(deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("review", max_examples=FAST_EXAMPLES, **_common)
settings.register_profile("thorough", max_examples=THOROUGH_EXAMPLES, **_common)
settings.load_profile("thorough" if THOROUGH else "review")


def examples(n: int) -> int:
    """A property test's own example budget: ``n`` in the fast tier, ``n * THOROUGH_FACTOR`` in the slow."""
    return n * THOROUGH_FACTOR if THOROUGH else n

execute = _load_tool("execute")
execute.apply_kernel_env(ROOT)

gc_tuning = _load_tool("gc_tuning")
gc_tuning.collect_less()

nbval_figures = _load_tool("nbval_figures")


def _schedule_class(item) -> int:
    """0: the book build and browser walk (one unit of ~20 s); 1: units that run notebook kernels;
    2: the rest."""
    path = Path(str(item.fspath))
    if path.name == "test_book_site.py":
        return 0
    if path.suffix == ".ipynb" or path.name == "test_notebooks.py":
        return 1
    return 2


def pytest_collection_modifyitems(session, config, items):
    """Longest units first, so that two workers finish together (the Makefile runs pytest-xdist
    with ``--dist loadfile --no-loadscope-reorder``, which hands out files in this order). Within a
    class, files with more tests come first, as pytest-xdist's own reordering would do."""
    counts: dict[str, int] = {}
    for item in items:
        counts[str(item.fspath)] = counts.get(str(item.fspath), 0) + 1
    order = {id(item): i for i, item in enumerate(items)}
    items.sort(key=lambda item: (_schedule_class(item), -counts[str(item.fspath)], str(item.fspath), order[id(item)]))


@pytest.fixture()
def real_audit():
    """``run_audit()`` of this repository's data package: computed once per test process and
    state of the files (run_audit remembers it; about half a second each time), a copy per test.
    tests/test_audit.py::test_deterministic runs the audit twice from a package and compares."""
    from helpers.audit import run_audit

    return run_audit()


def pytest_collection_finish(session):
    """The test modules and their libraries are imported: freeze them out of the collector's
    full passes (tools/gc_tuning.py)."""
    gc_tuning.freeze_survivors()


def pytest_configure(config):
    if not config.pluginmanager.has_plugin("nbval_figures"):
        config.pluginmanager.register(nbval_figures, "nbval_figures")
    _start_forked_kernels(config)


#: the environment variable through which the pytest-xdist controller tells its workers where
#: the kernels' master listens (tools/fork_kernel.py); each worker removes it from its own
#: environment, so that a pytest run started by a test starts its own
MASTER_ENV = "REVIEW_KERNEL_MASTER"


def _start_forked_kernels(config) -> None:
    """nbval's kernels forked from processes that imported the libraries (tools/fork_kernel.py).

    The process that starts the run (the pytest-xdist controller, or pytest without workers)
    starts one *master*, which imports the libraries once. Each process that runs notebooks (an
    xdist worker, or pytest without workers) asks it for its own zygote, a fork of the master
    that forks that process's kernels one at a time; one zygote never forks two kernels at once
    (a zygote shared by both workers, tried in stop 24 of issue #14, lost one kernel at start-up
    in about 25 runs, ``Kernel died before replying to kernel_info``; the cause was not found).
    A traceback in a zygote's or the master's log is printed at the end. Only with ``--nbval``;
    ``REVIEW_FORK_KERNELS=0`` turns it off (each kernel then starts Python and imports everything
    itself, as tools/execute.py does). The kernel spec ``python3`` is replaced for the worker and
    the processes it starts, through ``JUPYTER_PATH``.
    """
    if not getattr(config.option, "nbval", False) or os.environ.get("REVIEW_FORK_KERNELS") == "0":
        return
    import shutil
    import tempfile

    fork_kernel = _load_tool("fork_kernel")

    def print_tracebacks(log: Path) -> None:
        text = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
        if "Traceback" in text:  # a kernel or zygote that failed: its traceback, before the folder goes
            sys.stderr.write(f"\n--- kernel log ({log}) ---\n{text[-4000:]}\n")

    controller = os.environ.get("PYTEST_XDIST_WORKER") is None and getattr(config.option, "numprocesses", None)
    master_path = None if controller else os.environ.pop(MASTER_ENV, None)
    if master_path is None:  # this process starts the run: the master is ours
        folder = Path(tempfile.mkdtemp(prefix="review-master-"))
        master_path = str(folder / "master.sock")
        master = fork_kernel.start_master(master_path, cwd=ROOT, log=folder / "master.log")

        def stop_master():
            master.kill()
            master.wait()
            print_tracebacks(folder / "master.log")
            shutil.rmtree(folder, ignore_errors=True)

        config.add_cleanup(stop_master)
        if controller:  # the workers, started after this, ask it for their zygotes
            os.environ[MASTER_ENV] = master_path
            return
    folder = Path(tempfile.mkdtemp(prefix="review-kernels-"))
    socket_path = str(folder / "zygote.sock")
    fork_kernel.write_kernel_spec(folder, socket_path)
    request = fork_kernel.request_zygote(master_path, socket_path, log=folder / "zygote.log", watch=os.getpid())
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(folder), os.environ.get("JUPYTER_PATH")]))

    def stop():
        pid = fork_kernel.zygote_pid(request, timeout=5)
        if pid is not None:
            try:
                os.kill(pid, signal.SIGKILL)  # the master reaps it
            except ProcessLookupError:
                pass
        print_tracebacks(folder / "zygote.log")
        shutil.rmtree(folder, ignore_errors=True)

    config.add_cleanup(stop)
