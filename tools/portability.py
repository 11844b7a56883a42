"""Portability check: every chapter's stored outputs reproduce under every OpenBLAS CPU kernel.

OpenBLAS (bundled with NumPy and SciPy, built with DYNAMIC_ARCH) picks its kernels by CPU at run
time, and ``OPENBLAS_CORETYPE`` forces a choice. Kernels may differ in the last bits of a
floating-point result, so a stored output reproduces on every machine only if it holds no more
precision than those bits allow (``helpers.outputs``). This script runs nbval, with the book's
figure check (``tools/nbval_figures.py``) and sanitize file, over every chapter notebook once per
configuration:

* ``OPENBLAS_CORETYPE`` = Prescott, Nehalem, Sandybridge, Haswell, SkylakeX, Zen;
* ``OPENBLAS_NUM_THREADS=1`` (single-threaded reductions, the kernel OpenBLAS picks itself).

A kernel the CPU cannot execute (SkylakeX needs AVX-512; forcing it on a CPU without AVX-512
kills the process with SIGILL) is **skipped with its reason**, read from ``/proc/cpuinfo``; the
report says so, and ``--strict`` turns a skip into a failure. For each run the report names the
core OpenBLAS says it is using (``openblas_get_corename``), because OpenBLAS maps some requests
to another kernel (Prescott runs the Katmai kernel; Zen runs Haswell's).

Usage::

    python tools/portability.py              # all configurations; exit 1 if any fails
    python tools/portability.py --only Haswell --only threads=1
    python tools/portability.py --list       # configurations and whether this CPU can run them

It is the slow tier's check (``make test-portable``, called by ``.ci/run`` and the workflow) and
stays out of ``make test``. Nothing is written inside the repository.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORETYPES = ("Prescott", "Nehalem", "Sandybridge", "Haswell", "SkylakeX", "Zen")
#: CPU flags (as /proc/cpuinfo spells them) each forced kernel executes.
REQUIRED_FLAGS = {
    "Prescott": ("pni",),  # SSE3: /proc/cpuinfo calls it "pni"
    "Nehalem": ("ssse3", "sse4_2"),
    "Sandybridge": ("avx",),
    "Haswell": ("avx2", "fma"),
    "SkylakeX": ("avx512f", "avx512bw", "avx512dq", "avx512vl"),
    "Zen": ("avx2", "fma"),
}
CORENAME_SNIPPET = r"""
import ctypes, glob, os, numpy
names = ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename", "openblas_get_corename64_",
         "openblas_get_corename")
here = os.path.dirname(numpy.__file__)
for lib in sorted(glob.glob(os.path.join(here, os.pardir, "numpy.libs", "*openblas*"))) + sorted(
        glob.glob(os.path.join(here, ".libs", "*openblas*"))):
    handle = ctypes.CDLL(lib)
    for name in names:
        if hasattr(handle, name):
            f = getattr(handle, name); f.restype = ctypes.c_char_p
            print(f().decode()); raise SystemExit
print("unknown")
"""


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> set[str] | None:
    """The CPU's feature flags, or None where /proc/cpuinfo is not readable (not Linux)."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return None


def configurations() -> list[tuple[str, dict[str, str]]]:
    """(label, extra environment) for every configuration the check runs."""
    configs = [(core, {"OPENBLAS_CORETYPE": core}) for core in CORETYPES]
    configs.append(("threads=1", {"OPENBLAS_NUM_THREADS": "1"}))
    return configs


def unsupported(label: str, flags: set[str] | None) -> str | None:
    """Why this CPU cannot run the configuration, or None if it can (or cannot tell)."""
    if flags is None or label not in REQUIRED_FLAGS:
        return None
    missing = [f for f in REQUIRED_FLAGS[label] if f not in flags]
    if missing:
        return f"this CPU lacks {', '.join(missing)} (forcing {label} would die with SIGILL)"
    return None


def corename(env: dict[str, str]) -> str:
    proc = subprocess.run([sys.executable, "-c", CORENAME_SNIPPET], env=env, capture_output=True, text=True,
                          timeout=120)
    if proc.returncode != 0:
        return f"crashed (exit {proc.returncode})"
    return proc.stdout.strip() or "unknown"


def nbval_command(notebooks: list[Path], workers: int) -> list[str]:
    """pytest running nbval over ``notebooks`` with the book's figure check and sanitize file.

    ``-p conftest`` loads ``tests/conftest.py`` (kernel environment, figure plugin) without
    collecting the unit tests; the pytest cache is off so nothing is written in the tree.
    """
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "conftest",
           "--nbval", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg"]
    if workers > 1:
        cmd += ["-n", str(workers), "--dist", "loadfile"]
    return cmd + [str(p.relative_to(ROOT)) for p in notebooks]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", default=[], metavar="LABEL",
                        help="run only this configuration (repeatable): a core type or threads=1")
    parser.add_argument("--strict", action="store_true", help="a configuration this CPU cannot run fails")
    parser.add_argument("--list", action="store_true", help="list the configurations and exit")
    parser.add_argument("--workers", type=int, default=2, help="pytest-xdist workers per run (default 2)")
    args = parser.parse_args(argv)

    configs = configurations()
    labels = [label for label, _ in configs]
    for label in args.only:
        if label not in labels:
            print(f"tools/portability.py: --only: unknown configuration {label!r}; choose from {', '.join(labels)}",
                  file=sys.stderr)
            return 2
    if args.workers < 1:
        print(f"tools/portability.py: --workers: must be at least 1, got {args.workers}", file=sys.stderr)
        return 2
    if args.only:
        configs = [c for c in configs if c[0] in args.only]
    flags = cpu_flags()
    if args.list:
        for label, extra in configs:
            reason = unsupported(label, flags)
            print(f"{label:12s} {' '.join(f'{k}={v}' for k, v in extra.items()):32s} "
                  f"{'skip: ' + reason if reason else 'runs here'}")
        return 0

    notebooks = sorted((ROOT / "chapters").glob("*.ipynb"))
    if not notebooks:
        print("tools/portability.py: chapters/: no notebooks to check", file=sys.stderr)
        return 2
    base = dict(os.environ)
    for key in ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS"):
        base.pop(key, None)
    base["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "tests"), str(ROOT), base.get("PYTHONPATH")]))

    rows, failed, skipped = [], [], []
    for label, extra in configs:
        reason = unsupported(label, flags)
        if reason:
            rows.append((label, "-", "SKIPPED", 0.0, reason))
            skipped.append(label)
            continue
        env = {**base, **extra}
        core = corename(env)
        start = time.perf_counter()
        proc = subprocess.run(nbval_command(notebooks, args.workers), cwd=ROOT, env=env,
                              capture_output=True, text=True)
        seconds = time.perf_counter() - start
        tail = (proc.stdout.strip().splitlines() or [""])[-1]
        status = "passed" if proc.returncode == 0 else "FAILED"
        rows.append((label, core, status, seconds, tail))
        if proc.returncode != 0:
            failed.append(label)
            print(f"--- {label}: nbval output (last 60 lines) ---", file=sys.stderr)
            print("\n".join((proc.stdout + proc.stderr).splitlines()[-60:]), file=sys.stderr)

    print(f"Portability check: nbval (text and figures) over {len(notebooks)} chapter notebooks")
    print(f"{'configuration':14s} {'OpenBLAS core':14s} {'result':8s} {'seconds':>7s}  detail")
    for label, core, status, seconds, detail in rows:
        print(f"{label:14s} {core:14s} {status:8s} {seconds:7.1f}  {detail}")
    if skipped:
        print(f"{len(skipped)} configuration(s) skipped because this CPU cannot run them: {', '.join(skipped)}")
    if failed:
        print(f"FAILED under: {', '.join(failed)}")
        return 1
    if skipped and args.strict:
        print("--strict: a skipped configuration counts as a failure")
        return 1
    print("Every configuration this CPU can run reproduces every stored output.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
