"""tools/gc_tuning.py: the collector settings reach the test processes, and its command runner
refuses what it cannot run with one line."""

from __future__ import annotations

import gc
import subprocess
import sys

from conftest import ROOT, _load_tool

gc_tuning = _load_tool("gc_tuning")


def test_the_test_process_collects_less_and_froze_its_imports():
    assert gc.get_threshold() == gc_tuning.THRESHOLDS
    assert gc.get_freeze_count() > 10_000  # the imported libraries, frozen after collection


def test_runner_refuses_no_command_and_an_unknown_one():
    for args, expect in (([], "usage:"), (["no-such-command-xyz"], "no console command 'no-such-command-xyz'")):
        proc = subprocess.run([sys.executable, str(ROOT / "tools" / "gc_tuning.py"), *args],
                              capture_output=True, text=True, cwd=ROOT)
        assert proc.returncode == 2 and proc.stdout == ""
        assert len(proc.stderr.strip().splitlines()) == 1 and expect in proc.stderr, proc.stderr


def test_runner_runs_a_console_command_with_its_exit_status():
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "gc_tuning.py"), "jupyter-book", "--version"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0 and "Jupyter Book" in proc.stdout, proc.stdout + proc.stderr
