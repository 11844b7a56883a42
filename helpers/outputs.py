"""What a chapter stores in its notebook: computed values at a stated precision, never raw reprs.

A notebook's stored outputs are compared with a fresh execution by nbval. A float printed at full
precision (``0.6353809233901637``) carries its last binary digits into the stored text, and those
digits depend on which CPU kernel OpenBLAS picked at run time (Haswell, SkylakeX, ...), so the
comparison would hold only on machines like the one that executed the notebook. The remedy is at
the source: every value a chapter glues is rounded to :data:`STORED_SIGNIFICANT_DIGITS`
significant digits before it is stored. That is far more than any reader uses (the prose prints at
most four) and far fewer than the ~15 digits a kernel can disturb, so the stored form is the same
on every machine unless a value lies within about 1e-15 of a rounding boundary; the portability
check (``make test-portable``) re-executes every chapter under six kernels to catch such a case.

``glue(name, value)`` stands in for :func:`myst_nb.glue` and applies the rule (unlike myst-nb it
does not display the value in its own cell unless ``display=True``: the book's chapters show glued
values only where the prose places them): Python and NumPy
floats are rounded, and so are the floats inside tuples, lists, dicts, NumPy arrays and pandas
objects; integers, strings, booleans and figures pass through unchanged.
"""

from __future__ import annotations

import math
import numbers

__all__ = ["STORED_SIGNIFICANT_DIGITS", "stored_value", "glue"]

#: Significant digits kept in every glued float (``tests/test_output_precision.py`` enforces it).
STORED_SIGNIFICANT_DIGITS = 6


def _sig(sig) -> int:
    if isinstance(sig, bool) or not isinstance(sig, numbers.Integral) or not 1 <= sig <= 15:
        raise ValueError(f"sig must be a whole number from 1 to 15, got {sig!r}")
    return int(sig)


def _round_float(x: float, sig: int) -> float:
    if not math.isfinite(x) or x == 0:
        return float(x)
    return float(f"{x:.{sig}g}")


def stored_value(value, sig: int = STORED_SIGNIFICANT_DIGITS):
    """``value`` with every float in it rounded to ``sig`` significant digits.

    Floats (Python or NumPy) become Python floats whose repr has at most ``sig`` significant
    digits; NaN and infinities are kept as they are (they print the same on every machine).
    Containers are rebuilt with their elements rounded: tuples, lists and dicts recursively,
    NumPy float arrays element-wise, pandas Series/DataFrames column-wise (float columns only).
    NumPy integers and booleans become Python ones (myst-nb formats those); anything else (int,
    bool, str, None, a figure) is returned unchanged.
    """
    sig = _sig(sig)
    if type(value).__name__ in ("bool_", "bool") and type(value).__module__ == "numpy":
        return bool(value)
    if isinstance(value, bool) or value is None or isinstance(value, (str, bytes)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return _round_float(float(value), sig)
    if isinstance(value, tuple):
        return tuple(stored_value(v, sig) for v in value)
    if isinstance(value, list):
        return [stored_value(v, sig) for v in value]
    if isinstance(value, dict):
        return {k: stored_value(v, sig) for k, v in value.items()}
    module = type(value).__module__ or ""
    if module.startswith("numpy"):
        import numpy as np

        if isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.floating):
            return np.vectorize(lambda x: _round_float(float(x), sig), otypes=[float])(value) if value.size else value
        return value
    if module.startswith("pandas"):
        import pandas as pd

        if isinstance(value, pd.Series):
            if pd.api.types.is_float_dtype(value.dtype):
                return value.map(lambda x: _round_float(float(x), sig))
            return value
        if isinstance(value, pd.DataFrame):
            out = value.copy()
            for col in out.columns:
                if pd.api.types.is_float_dtype(out[col].dtype):
                    out[col] = out[col].map(lambda x: _round_float(float(x), sig))
            return out
    return value


def glue(name: str, value, display: bool = False, sig: int = STORED_SIGNIFICANT_DIGITS):
    """:func:`myst_nb.glue` of :func:`stored_value` (``value`` rounded to ``sig`` digits).

    The prose formats the glued value as it needs (``{glue:text}`name:.1f```); the stored record
    keeps ``sig`` significant digits, enough for any format the book uses.
    """
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"name must be a non-empty string, got {name!r}")
    if not isinstance(display, bool):
        raise ValueError(f"display must be True or False, got {display!r}")
    from myst_nb import glue as _myst_glue

    return _myst_glue(name, stored_value(value, sig), display=display)
