"""Fewer garbage collections in the test processes (pytest workers and the nbval kernels).

Python's cyclic collector runs a young-generation pass every 700 new container objects and, every
hundred of those, a full pass over every tracked object. In a pytest worker that has imported
SciPy, statsmodels, pandas and Matplotlib that is millions of objects: measured on the unit tests
(one process, ``make test``'s environment) the collector took 6.5-7.4 s of 50-58 s of CPU time,
about 5.3-5.9 s of it in full passes. With the objects that exist after the imports frozen
(:func:`gc.freeze`: kept, never scanned again) and a young generation of 10,000 objects it took
2.2-2.4 s. Objects are still collected, cycles included; the collector runs less often, and
memory grows by at most the young generation.

Nothing the tests compute depends on when the collector runs; stored notebook outputs are
compared byte for byte by nbval either way.

The book build does the same (``python tools/gc_tuning.py jupyter-book build ...`` runs the
``jupyter-book`` command with these settings; tools/build_identity.py builds that way): of a
6-7 s build the collector took 1.8-2.1 s, and 0.5 s with these settings. The two-build identity
check compares two such builds, and the site is the same file for file.
"""

from __future__ import annotations

import gc
import sys

#: (young generation, middle, old): the young generation 10,000 objects instead of 700
THRESHOLDS = (10_000, 10, 10)


def collect_less() -> None:
    """Raise the young generation's threshold (see the module docstring)."""
    gc.set_threshold(*THRESHOLDS)


def freeze_survivors() -> None:
    """Collect once, then freeze every object that is still alive (the imported modules, their
    tables and caches) so that later full passes skip them."""
    gc.collect()
    gc.freeze()


def main(argv: list[str]) -> int:
    """Run the console command ``argv`` (for example ``jupyter-book build ...``) in this process,
    with the collector set as for the tests."""
    if not argv:
        print("tools/gc_tuning.py:0: usage: python tools/gc_tuning.py COMMAND [ARGS...] (a console "
              "script, e.g. jupyter-book)", file=sys.stderr)
        return 2
    from importlib.metadata import entry_points

    found = [e for e in entry_points(group="console_scripts") if e.name == argv[0]]
    if not found:
        print(f"tools/gc_tuning.py:0: no console command {argv[0]!r} is installed", file=sys.stderr)
        return 2
    collect_less()
    sys.argv = list(argv)
    result = found[0].load()()
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
