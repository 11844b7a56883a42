"""helpers.outputs: every stored float is rounded to a stated number of significant digits."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, strategies as st

from helpers.outputs import STORED_SIGNIFICANT_DIGITS, stored_value


def test_rounds_the_reported_float():
    assert stored_value(0.6353809233901637) == 0.635381
    assert repr(stored_value(0.6353809233901637)) == "0.635381"
    assert stored_value(123456789.123) == 123457000.0
    assert stored_value(1.5e-12, sig=2) == 1.5e-12


def test_containers_and_numpy_and_pandas():
    value = {"a": (0.12345678, [np.float64(2.0 / 3.0)]), "b": "text", "c": 7, "d": True}
    assert stored_value(value) == {"a": (0.123457, [0.666667]), "b": "text", "c": 7, "d": True}
    arr = stored_value(np.array([1 / 3, 2 / 3]))
    assert arr.tolist() == [0.333333, 0.666667]
    frame = stored_value(pd.DataFrame({"x": [1 / 7], "k": ["a"], "n": [3]}))
    assert frame["x"].tolist() == [0.142857] and frame["k"].tolist() == ["a"] and frame["n"].tolist() == [3]
    assert stored_value(pd.Series([1 / 9])).tolist() == [0.111111]
    assert type(stored_value(np.int64(4))) is int and type(stored_value(np.bool_(True))) is bool


def test_non_finite_and_zero_kept():
    assert math.isnan(stored_value(float("nan")))
    assert stored_value(float("inf")) == float("inf")
    assert stored_value(0.0) == 0.0


@pytest.mark.parametrize("sig", [0, 16, 2.5, True, "6", None])
def test_bad_sig_is_refused_by_name(sig):
    with pytest.raises(ValueError, match="sig"):
        stored_value(1.0, sig=sig)


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300),
       st.integers(1, 15))
def test_rounding_is_idempotent_and_close(x, sig):
    once = stored_value(x, sig)
    assert stored_value(once, sig) == once
    assert len(repr(abs(once)).split("e")[0].replace(".", "").lstrip("0").rstrip("0") or "0") <= max(sig, 1) + 1
    assert math.isclose(once, x, rel_tol=10.0 ** (1 - sig), abs_tol=0.0) or x == 0
