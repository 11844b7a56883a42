"""Shared parts of the audit: the table's columns, verdicts and check kinds, the tolerance helpers, and
the one way a row is written (:func:`_row`)."""

from __future__ import annotations

import math
import re

import pandas as pd

from helpers.formatting import MINUS
from helpers.printed import Printed, as_printed, value_set
from helpers.vocabulary import CHECK_QUESTIONS, VERDICT_WORDS


#: the columns of the audit table, in order (the first eight are those of the first audit)
COLUMNS = ("study", "location", "item", "check", "reported", "recomputed", "verdict", "detail",
           "basis", "consequence", "inspect_sr")
#: the only verdicts: the stated method reproduces the number; a named alternative does; nothing
#: does; it cannot be checked from the printed numbers
VERDICTS = ("consistent", "explained", "inconsistent", "unverifiable")
#: the values of the ``consequence`` column ("" for consistent and unverifiable rows)
CONSEQUENCES = ("", "none", "p crosses 0.05", "CI crosses the null", "direction")
#: every check name (documented in the module docstring)
CHECKS = ("percent", "percent-reachable", "arm-sum", "p-fisher", "p-chisq", "p-chisq-yates",
          "p-rxc-fisher", "p-rxc-chisq", "p-rule", "p-ttest01", "p-ttest", "p-median", "p-model", "crude-ratio",
          "ci-centre", "ci-p", "duplicate", "n-sum", "subset-n", "grim", "grimmer")

#: the INSPECT-SR check (Wilkinson et al. 2025, medRxiv 10.1101/2025.09.03.25334905, domain 4
#: "Inspecting results in the study") each check kind contributes to
INSPECT_SR = {
    **dict.fromkeys(("percent", "percent-reachable", "grim", "grimmer"),
                    "4.8 impossible means or percentages of integer data"),
    **dict.fromkeys(("arm-sum", "n-sum", "subset-n"), "4.6 inconsistent numbers of participants"),
    **dict.fromkeys(("p-fisher", "p-chisq", "p-chisq-yates", "p-rxc-fisher", "p-rxc-chisq", "p-rule",
                     "p-ttest01", "p-ttest", "p-median", "p-model", "crude-ratio", "ci-centre",
                     "ci-p", "duplicate"), "4.9 errors in the statistical results"),
}
#: the family ("kind of finding") of each check, the grouping every page counts by
FAMILIES = {
    **dict.fromkeys(("percent", "percent-reachable"), "percentages"),
    **dict.fromkeys(("arm-sum", "n-sum", "subset-n"), "sums"),
    **dict.fromkeys(("p-fisher", "p-chisq", "p-chisq-yates", "p-rxc-fisher", "p-rxc-chisq",
                     "p-ttest01", "p-ttest", "p-median", "p-model"), "p-values"),
    "p-rule": "choice of test",
    **dict.fromkeys(("crude-ratio", "ci-centre", "ci-p"), "estimates and intervals"),
    "duplicate": "duplicates",
    **dict.fromkeys(("grim", "grimmer"), "means of whole numbers"),
}

#: the plain-words question each check asks, and the verdicts in words: the book's one vocabulary
#: (helpers.vocabulary), re-exported here for the audit's users
CHECK_WORDS = CHECK_QUESTIONS

_REQUIRED = ("studies", "arms", "proportions", "comparisons", "continuous", "estimates")
_LOG_MEASURES = frozenset({"OR", "RR", "HR"})
_TEST_NAMES = {"fisher": "Fisher's exact test", "chisq": "Pearson's chi-square",
               "chisq_yates": "Pearson's chi-square with Yates' correction"}
_RXC_NAMES = {"fisher": "the Fisher–Freeman–Halton exact test", "chisq": "Pearson's chi-square"}
_LOCATION_ORDER = ("Abstract", "Table 1", "Table 2", "Table 3", "Table 4", "Table 5", "Results",
                   "Discussion", "Methods")
#: how many candidate counts (per arm) the p-value checks combine at most, when counts are inferred
_MAX_COMBINATIONS = 64


# --------------------------------------------------------------------------- small helpers

def _missing(x) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def _s(x) -> str:
    return "" if _missing(x) else str(x)


def _fmt_p(p: float) -> str:
    if p < 0.0001:
        return f"{p:.1e}"  # written "3.7 × 10⁻⁵" by _ours
    if p < 0.001:
        return f"{p:.5f}"
    return f"{p:.4f}"


def _g(x: float, sig: int = 4) -> str:
    """``x`` to ``sig`` significant digits (the minus sign is made true by :func:`_ours`)."""
    return f"{x:.{sig}g}"


# A verbatim quote of printed text is wrapped in these two marks, so that :func:`_ours` leaves
# it exactly as printed; :func:`_row` removes the marks.
_QUOTE_OPEN, _QUOTE_CLOSE = "\x02", "\x03"
_SUPERSCRIPT = str.maketrans("0123456789-+", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺")
#: a hyphen-minus used as a sign: not after a letter, digit, point or closing bracket
_SIGN = re.compile(r"(?<![\w.)\]%])-(?=\.?\d)")
_SCI = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)e([+-]\d+)\b")


def _verbatim(text) -> str:
    """Printed text quoted as printed (kept with its hyphens and dashes)."""
    return f"{_QUOTE_OPEN}{_s(text)}{_QUOTE_CLOSE}"


def _sci(m: re.Match) -> str:
    exp = str(int(m.group(2))).translate(_SUPERSCRIPT)
    return f"{m.group(1)} × 10{exp}"


def _ours(text: str) -> str:
    """The book's number style (helpers.formatting) for the numbers the engine writes: a true
    minus sign "−" instead of a hyphen-minus, and "3.7 × 10⁻⁵" instead of "3.7e-05"; text between
    the quote marks of :func:`_verbatim` is kept exactly as printed, without the marks."""
    parts = re.split(f"({_QUOTE_OPEN}[^{_QUOTE_CLOSE}]*{_QUOTE_CLOSE})", text)
    return "".join(part[1:-1] if part.startswith(_QUOTE_OPEN)
                   else _SIGN.sub(MINUS, _SCI.sub(_sci, part)) for part in parts)


#: checks whose agreement is an exact equality of counts (no rounding involved)
_EXACT = frozenset({"n-sum", "arm-sum", "subset-n"})


def _row(out, study, location, item, check, reported, recomputed, verdict, detail, basis="",
         consequence=""):
    """One audit row. ``basis``: for a consistent row "rounding" or "truncation" (read from the
    detail's "truncation only" sentence when not given), "exact" for sums of counts; for an
    explained row the alternative that reproduces the number (required); for an inconsistent or
    unverifiable row what was tried or is missing (defaults to ""). ``consequence``: for explained
    and inconsistent rows, one of :data:`CONSEQUENCES` ("none" when not given)."""
    if verdict == "consistent" and not basis:
        basis = ("exact" if check in _EXACT else
                 "overlap of the printed values" if check == "duplicate" else
                 "truncation" if re.search(r"truncation only|only by truncation", detail) else
                 "rounding")
    if verdict == "explained" and not basis:  # pragma: no cover - a programming error
        raise RuntimeError(f"an explained {check} row must name its alternative")
    if verdict in ("explained", "inconsistent"):
        consequence = consequence or "none"
    else:
        consequence = ""
    out.append((_s(study), _s(location), _s(item), check, _s(reported), _ours(_s(recomputed)),
                verdict, _ours(detail), _ours(basis), consequence, INSPECT_SR[check]))


def _pct(x, decimals) -> Printed:
    return as_printed(float(x), "percent", int(decimals))


def _p(text) -> Printed:
    return as_printed(str(text), "p_printed")


def _overlap(a: Printed, b: Printed) -> bool:
    """Can two printed numbers stand for the same true value (their value sets overlap)?"""
    sa, sb = value_set(a), value_set(b)
    lo_ok = sa.high > sb.low or (sa.high == sb.low and sa.high_closed and sb.low_closed)
    hi_ok = sb.high > sa.low or (sb.high == sa.low and sb.high_closed and sa.low_closed)
    return lo_ok and hi_ok


def _words(item: str) -> tuple[str, ...]:
    s = item.lower().replace("–", "-").replace("—", "-")
    s = re.sub(r",?\s*(n/n \(%\)|n \(%\)|mean \(sd\)|median \(iqr\))\s*$", "", s)
    s = re.sub(r"[*†‡§¶#]+", "", s)
    s = re.sub(r"[^\w%<>≥≤.+-]+", " ", s)
    return tuple(w for w in s.split() if w)


def _contains(big: tuple, small: tuple) -> bool:
    n = len(small)
    return n > 0 and any(big[i:i + n] == small for i in range(len(big) - n + 1))


def _location_key(loc: str):
    return (_LOCATION_ORDER.index(loc) if loc in _LOCATION_ORDER else len(_LOCATION_ORDER), loc)


def _gap(lo: float, hi: float, vs) -> float:
    """Distance from the interval [lo, hi] to a set of printed values (0 when they meet)."""
    if hi < vs.low:
        return vs.low - hi
    if lo > vs.high:
        return lo - vs.high
    return 0.0


def _hair(lo: float, hi: float, printed: Printed, what: str, fmt=None) -> str:
    """The near-miss sentence: the recomputed range [lo, hi] misses the printed value's range by
    less than one unit in the printed value's last digit ('' otherwise, and for bounds)."""
    if printed.relation != "=":
        return ""
    vs = value_set(printed)
    gap = _gap(lo, hi, vs)
    if not 0 < gap < printed.step:
        return ""
    fmt = fmt or _fmt_p
    rec = fmt(lo) if math.isclose(lo, hi, rel_tol=1e-12, abs_tol=0) else f"{fmt(lo)} to {fmt(hi)}"
    return (f" It misses by a hair: {what} {rec}, while the printed {printed.text.strip()} stands "
            f"for {fmt(vs.low)} to {fmt(vs.high)} (less than one unit in its last printed digit "
            "apart).")


def _below(pp: Printed) -> bool:
    """Is the printed p below 0.05 (a bound "< x" with x <= 0.05 counts as below)?"""
    return pp.value <= 0.05 if pp.relation == "<" else pp.value < 0.05


def _p_consequence(values, pp: Printed) -> str:
    """"p crosses 0.05" when every recomputed p under the stated method lies on the other side of
    0.05 from the printed p, else "none"."""
    vals = [float(v) for v in values if v is not None and not math.isnan(float(v))]
    if vals and all((v < 0.05) != _below(pp) for v in vals):
        return "p crosses 0.05"
    return "none"


def _or_list(items: list[str]) -> str:
    """'a', 'a or b', 'a, b or c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _core(words: tuple) -> tuple:
    """Item words without a time qualifier ("90-day", "90d") or the word "score", so that
    "90-day mRS 0-2" (an effect) meets "mRS score 0–2" (its counts)."""
    return tuple(w for w in words if w != "score" and not re.fullmatch(r"\d+-?d(ay)?s?", w))
