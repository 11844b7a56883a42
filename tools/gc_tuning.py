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
"""

from __future__ import annotations

import gc

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
