"""How the book prints numbers: one style on every page, in tables, prose and figure labels.

* Negative numbers use the true minus sign "−" (U+2212), never a hyphen, so that "−0.35" cannot
  be misread as a range dash and screen readers say "minus".
* Intervals are written "lo to hi" (never "lo–hi" or "lo-hi"), so that a negative bound is never
  glued to a dash: "−1.73 to −0.22".
* An estimate with its interval is "est (lo to hi)".
* Percentages carry "%" with no space; percentage-point differences say "points".
* p-values are printed with the number of decimals asked for; values below the smallest printable
  one are printed as "< 0.001" (for 3 decimals), never as "0.000".

These are presentation functions only: they never change a value, and they raise ValueError for
input that is not a finite number (a NaN would otherwise print as "nan" in a reader's table).
"""

from __future__ import annotations

import re

from helpers.validation import check_finite

__all__ = ["MINUS", "num", "signed", "interval", "estimate_ci", "percent", "p_value", "md_escape"]

MINUS = "\u2212"


#: the most decimals printed (a double holds about 15 significant digits)
MAX_DECIMALS = 15


def _decimals(decimals, name: str = "decimals") -> int:
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= MAX_DECIMALS:
        raise ValueError(f"{name} must be a whole number from 0 to {MAX_DECIMALS}, got {decimals!r}")
    return decimals


def _signs(signs):
    if not isinstance(signs, bool):
        raise ValueError(f"signs must be True or False, got {signs!r}")
    return signs


def num(value, decimals: int = 2) -> str:
    """``value`` rounded to ``decimals`` places, with a true minus sign ("−0.35")."""
    value = check_finite(value, "value")
    text = f"{value:.{_decimals(decimals)}f}"
    if text.startswith("-"):
        # "-0.00" after rounding is zero: print it without a sign.
        return text[1:] if float(text) == 0 else MINUS + text[1:]
    return text


def signed(value, decimals: int = 1) -> str:
    """Like :func:`num` but always signed ("+2.3", "−11.7", "0.0"): for differences."""
    text = num(value, decimals)
    return text if text.startswith(MINUS) or float(text) == 0 else "+" + text


def interval(low, high, decimals: int = 2, *, signs: bool = False) -> str:
    """An interval as "lo to hi" ("−1.73 to −0.22"); ``signs`` prefixes "+" to positive bounds."""
    low = check_finite(low, "low")
    high = check_finite(high, "high")
    if low > high:
        raise ValueError(f"low ({low}) is above high ({high}): interval bounds in the wrong order")
    fmt = signed if _signs(signs) else num
    return f"{fmt(low, decimals)} to {fmt(high, decimals)}"


def estimate_ci(estimate, low, high, decimals: int = 2, *, signs: bool = False) -> str:
    """An estimate with its interval: "1.10 (0.62 to 1.96)". The estimate is not required to lie
    inside: an NNT whose risk-difference interval crosses 0 has a confidence set of two pieces,
    printed by its bounds (see :class:`helpers.effects.NNT`)."""
    fmt = signed if _signs(signs) else num
    return f"{fmt(check_finite(estimate, 'estimate'), decimals)} ({interval(low, high, decimals, signs=signs)})"


def percent(value, decimals: int = 1, *, proportion: bool = False) -> str:
    """A percentage with "%" and no space ("48.8%"); ``proportion=True`` multiplies by 100."""
    value = check_finite(value, "value")
    if not isinstance(proportion, bool):
        raise ValueError(f"proportion must be True or False, got {proportion!r}")
    return num(100 * value if proportion else value, decimals) + "%"


def p_value(p, decimals: int = 3) -> str:
    """A p-value with ``decimals`` places; below 10**-decimals it prints "< 0.001" (for 3)."""
    p = check_finite(p, "p")
    if not 0 < p <= 1:
        raise ValueError(f"p must lie in (0, 1], got {p!r}")
    floor = 10.0 ** -_decimals(decimals)
    if p < floor:
        return f"< {floor:.{decimals}f}"
    return f"{p:.{decimals}f}"


def md_escape(text: str) -> str:
    """``text`` with Markdown's emphasis and code marks (``*``, ``_``, backtick) escaped, so that a
    paper's footnote asterisks print as asterisks."""
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    return re.sub(r"([*_`])", r"\\\1", text)
