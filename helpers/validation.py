"""Argument checks shared by every public function in :mod:`helpers`.

Every check raises :class:`ValueError` whose message names the argument and the problem, so a
reader who passes a count above its total, a negative n, CI bounds in the wrong order or a p-value
outside (0, 1] gets a clear error instead of a silent wrong answer. Checks return the cleaned value
(an ``int`` for counts, a ``float`` for real numbers) so callers can write ``n = check_total(n)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Integral, Real

__all__ = [
    "MAX_COUNT",
    "check_count",
    "check_total",
    "check_count_le_total",
    "check_two_by_two",
    "check_probability",
    "check_p_value",
    "check_positive",
    "check_finite",
    "check_ci",
    "check_alpha",
    "check_flag",
    "check_whole",
    "check_decimals",
    "check_reals",
    "check_callable",
    "check_level",
    "LEVEL_RANGE",
    "check_work",
    "check_text",
    "check_mapping",
    "check_frame",
    "check_tables",
    "check_choice",
    "check_sequence",
]


#: the largest count or total accepted: bounds the work of every enumeration (candidate counts,
#: fragility, reconstructed tables) to seconds; far above any trial's size
MAX_COUNT = 1_000_000


def _short(value) -> str:
    """``repr(value)`` cut to 60 characters, for messages about huge inputs."""
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a broken __repr__ must not hide the real message
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 60 else text[:57] + "..."


def _is_integer_valued(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, Integral):
        return True
    if isinstance(value, Real):
        try:
            value = float(value)
        except (OverflowError, ValueError, TypeError):
            return False
        return math.isfinite(value) and value.is_integer()
    return False


def check_finite(value, name: str) -> float:
    """Return ``value`` as a float; raise if it is not a finite real number."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{name} must be a real number, got {_short(value)}")
    try:
        value = float(value)
    except (OverflowError, ValueError, TypeError):
        raise ValueError(f"{name} must be a finite real number, got {_short(value)} (too large for a float)") from None
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


def check_count(value, name: str) -> int:
    """Return ``value`` as an int; raise unless it is a whole number >= 0."""
    if not _is_integer_valued(value):
        raise ValueError(f"{name} must be a whole number (a count), got {_short(value)}")
    value = int(value)
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    if value > MAX_COUNT:
        raise ValueError(f"{name} must be at most {MAX_COUNT:,} (the limit that keeps the work bounded), "
                         f"got {_short(value)}")
    return value


def check_total(value, name: str) -> int:
    """Return ``value`` as an int; raise unless it is a whole number >= 1 (a group size)."""
    value = check_count(value, name)
    if value == 0:
        raise ValueError(f"{name} must be at least 1 (a total of zero has no proportion)")
    return value


def check_count_le_total(count, total, count_name: str, total_name: str) -> tuple[int, int]:
    """Check a count and its total together: both whole, total >= 1, count <= total."""
    count = check_count(count, count_name)
    total = check_total(total, total_name)
    if count > total:
        raise ValueError(f"{count_name} ({count}) exceeds {total_name} ({total})")
    return count, total


def check_two_by_two(events_a, total_a, events_b, total_b) -> tuple[int, int, int, int]:
    """Validate a 2x2 table given as events and totals of two groups (a and b)."""
    ea, na = check_count_le_total(events_a, total_a, "events_a", "total_a")
    eb, nb = check_count_le_total(events_b, total_b, "events_b", "total_b")
    return ea, na, eb, nb


def check_probability(value, name: str, *, open_low: bool = False, open_high: bool = False) -> float:
    """Return ``value`` as a float in [0, 1] (ends optionally open)."""
    check_flag(open_low, "open_low")
    check_flag(open_high, "open_high")
    value = check_finite(value, name)
    low_bad = value <= 0 if open_low else value < 0
    high_bad = value >= 1 if open_high else value > 1
    if low_bad or high_bad:
        lo = "(0" if open_low else "[0"
        hi = "1)" if open_high else "1]"
        raise ValueError(f"{name} must lie in {lo}, {hi}, got {value!r}")
    return value


def check_p_value(value, name: str = "p") -> float:
    """Return a p-value as a float; raise unless 0 < p <= 1."""
    return check_probability(value, name, open_low=True)


def check_alpha(value, name: str = "alpha") -> float:
    """Return a significance level; raise unless 0 < alpha < 1."""
    return check_probability(value, name, open_low=True, open_high=True)


def check_positive(value, name: str) -> float:
    """Return ``value`` as a float; raise unless it is finite and > 0."""
    value = check_finite(value, name)
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {value!r}")
    return value


def check_ci(estimate, low, high, *, ratio: bool = False, names=("estimate", "ci_low", "ci_high"),
             require_inside: bool = True) -> tuple[float, float, float]:
    """Validate an estimate with its confidence interval.

    Raises if a bound is not finite, ``low > high`` (bounds in the wrong order), a ratio measure
    (OR, RR, HR) is not positive, or (when ``require_inside``) the estimate lies outside [low, high].
    ``estimate`` may be ``None`` when only the interval is checked.
    """
    check_flag(ratio, "ratio")
    check_flag(require_inside, "require_inside")
    est_name, low_name, high_name = names
    low = check_finite(low, low_name)
    high = check_finite(high, high_name)
    if low > high:
        raise ValueError(f"{low_name} ({low}) is above {high_name} ({high}): CI bounds in the wrong order")
    if ratio:
        for value, name in ((low, low_name), (high, high_name)):
            if value <= 0:
                raise ValueError(f"{name} must be positive for a ratio measure, got {value}")
    if estimate is None:
        return None, low, high
    estimate = check_finite(estimate, est_name)
    if ratio and estimate <= 0:
        raise ValueError(f"{est_name} must be positive for a ratio measure, got {estimate}")
    if require_inside and not (low <= estimate <= high):
        raise ValueError(f"{est_name} ({estimate}) lies outside its CI [{low}, {high}]")
    return estimate, low, high


def check_flag(value, name: str) -> bool:
    """Return ``value``; raise unless it is ``True`` or ``False`` (not 0/1, not a string)."""
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False, got {_short(value)}")
    return value


def check_whole(value, name: str, minimum: int = 0, maximum: int | None = None) -> int:
    """Return ``value`` as an int; raise unless it is a whole number in [minimum, maximum]
    (a setting such as a number of steps or of replicates; ``maximum`` bounds the work)."""
    if not _is_integer_valued(value):
        raise ValueError(f"{name} must be a whole number, got {_short(value)}")
    value = int(value)
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum:,} (the limit that keeps the work bounded), "
                         f"got {_short(value)}")
    return value


def check_decimals(value, name: str = "decimals", *, maximum: int = 15, allow_none: bool = True):
    """Return a number of printed decimals (``None`` when allowed); raise unless a whole number
    in [0, maximum] (a double carries no more than about 15 significant decimals)."""
    check_flag(allow_none, "allow_none")
    if value is None and allow_none:
        return None
    return check_whole(value, name, 0, maximum)


def check_reals(values, name: str, *, min_length: int = 1, max_length: int = MAX_COUNT,
                positive: bool = False):
    """Return ``values`` as a 1-d float NumPy array; raise unless it is a sequence of finite
    real numbers (optionally > 0) of a length in [min_length, max_length]."""
    import numpy as np

    check_flag(positive, "positive")
    if isinstance(values, (str, bytes)) or values is None or isinstance(values, Mapping):
        raise ValueError(f"{name} must be a sequence of numbers, got {_short(values)}")
    try:
        items = list(values)
    except TypeError:
        raise ValueError(f"{name} must be a sequence of numbers, got {_short(values)}") from None
    if not min_length <= len(items) <= max_length:
        raise ValueError(f"{name} must hold between {min_length} and {max_length:,} numbers, got {len(items)}")
    out = np.empty(len(items))
    for i, item in enumerate(items):
        if isinstance(item, (np.floating, np.integer)):
            item = item.item()
        out[i] = (check_positive if positive else check_finite)(item, f"{name}[{i}]")
    return out


def check_callable(value, name: str):
    """Return ``value``; raise unless it can be called."""
    if not callable(value):
        raise ValueError(f"{name} must be a function, got {_short(value)}")
    return value


#: the range of confidence (or credible) levels accepted: beyond it the critical value is 0 or
#: so large that an interval means nothing (and 1e-300 would divide by zero)
LEVEL_RANGE = (0.01, 1 - 1e-9)


def check_level(value, name: str = "level") -> float:
    """Return a confidence level as a float; raise unless 0.01 <= level <= 1 - 1e-9 (e.g. 0.95)."""
    value = check_finite(value, name)
    low, high = LEVEL_RANGE
    if not low <= value <= high:
        raise ValueError(f"{name} must be a confidence level between {low} and {high} (e.g. 0.95), "
                         f"got {value!r}")
    return value


def check_work(size: int, limit: int, what: str, names: str) -> None:
    """Refuse up front an input whose work grows with ``size`` beyond ``limit`` (a few seconds),
    naming the arguments (``names``) and the limit; ``what`` says what is enumerated."""
    if size > limit:
        raise ValueError(f"{names} = {size:,} is above the limit of {limit:,} for {what} "
                         "(the limit keeps the work to a few seconds)")


def check_text(value, name: str, *, empty: bool = False) -> str:
    """Return ``value``; raise unless it is a string (non-blank unless ``empty``)."""
    check_flag(empty, "empty")
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text (a str), got {_short(value)}")
    if not empty and not value.strip():
        raise ValueError(f"{name} must not be empty")
    return value


def check_mapping(value, name: str, what: str = "a mapping") -> Mapping:
    """Return ``value``; raise unless it is a mapping (a dict); ``what`` says which one."""
    if not isinstance(value, Mapping):
        raise ValueError(f"{name} must be {what}, got {_short(value)}")
    return value


def check_frame(value, name: str, columns=(), what: str = "a table"):
    """Return ``value``; raise unless it is a pandas DataFrame with every column of ``columns``
    (an index level of that name counts); ``what`` says which table is expected."""
    import pandas as pd

    if not isinstance(value, pd.DataFrame):
        raise ValueError(f"{name} must be {what} (a pandas DataFrame), got {_short(value)}")
    have = set(value.columns) | {n for n in value.index.names if n is not None}
    missing = [c for c in columns if c not in have]
    if missing:
        raise ValueError(f"{name} must be {what}: it lacks the columns {missing}")
    return value


def check_tables(value, name: str, tables, what: str = "helpers.data.load_package()"):
    """Return ``value``; raise unless it is a mapping holding a DataFrame under every key of
    ``tables`` (the result of ``what``)."""
    import pandas as pd

    if not isinstance(value, Mapping):
        raise ValueError(f"{name} must be the result of {what}, got {_short(value)}")
    missing = [t for t in tables if not isinstance(value.get(t), pd.DataFrame)]
    if missing:
        raise ValueError(f"{name} must be the result of {what}: it has no table {missing}")
    return value


def check_choice(value, name: str, allowed) -> str:
    """Return ``value``; raise unless it is one of ``allowed`` (listed in the message)."""
    allowed = list(allowed)
    try:
        ok = value in allowed
    except TypeError:  # an unhashable value against a set-like
        ok = False
    if isinstance(value, bool) or not ok:
        shown = ", ".join(map(repr, allowed[:12])) + (", ..." if len(allowed) > 12 else "")
        raise ValueError(f"{name} must be one of {shown}; got {_short(value)}")
    return value


def check_sequence(value, name: str, *, min_length: int = 0, max_length: int = MAX_COUNT) -> list:
    """Return ``value`` as a list; raise unless it is a sequence (not a string, a mapping or a
    single object) of a length in [min_length, max_length]."""
    if isinstance(value, (str, bytes, Mapping)) or value is None:
        raise ValueError(f"{name} must be a sequence (a list), got {_short(value)}")
    try:
        items = list(value)
    except TypeError:
        raise ValueError(f"{name} must be a sequence (a list), got {_short(value)}") from None
    if not min_length <= len(items) <= max_length:
        raise ValueError(f"{name} must hold between {min_length} and {max_length:,} items, got {len(items)}")
    return items
