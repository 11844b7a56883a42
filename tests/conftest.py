"""Shared test set-up.

* Kernels started by nbval inherit the same deterministic environment as tools/execute.py
  (matplotlibrc, hash seed), so that stored outputs reproduce.
* nbval compares text outputs but skips PNG images; tools/nbval_figures.py, registered here as a
  plugin, adds the figure-reproduction check: after every nbval cell, the images the cell produced
  now must be byte-identical to the ones stored in the notebook.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

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


execute = _load_tool("execute")
execute.apply_kernel_env(ROOT)

nbval_figures = _load_tool("nbval_figures")


def pytest_configure(config):
    if not config.pluginmanager.has_plugin("nbval_figures"):
        config.pluginmanager.register(nbval_figures, "nbval_figures")
