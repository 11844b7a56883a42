"""Printed numbers and the one tolerance rule used everywhere in the book.

A paper prints numbers at a chosen precision: ``59.3`` stands for some true value that the authors'
software *displayed* with one decimal. Every consistency check in this book asks the same question:
*could the true value we recompute have been displayed as this text?* This module answers it, once.

The tolerance rule (in words)
-----------------------------
A number printed with ``d`` decimals (``59.3`` has d = 1, ``88.0`` has d = 1, ``55`` has d = 0) is
accepted for a recomputed value when **either** of the two common ways of shortening a number to
``d`` decimals turns the recomputed value into exactly the printed text:

* **rounding** to the nearest: ``59.3`` stands for anything from 59.25 to 59.35, both ends included
  (so it does not matter whether the software rounds a tie such as 59.25 up or to even);
* **truncation** (cutting off the extra digits, as some spreadsheets and hand calculation do):
  ``59.3`` stands for anything from 59.3 up to, but not including, 59.4. For a negative number the
  cut is towards zero: ``-0.12`` stands for anything above -0.13 up to -0.12.

Together, a positive ``59.3`` accepts every value in [59.25, 59.4); a negative ``-0.12`` accepts
(-0.13, -0.115]; an unsigned zero ``0.0`` accepts [-0.05, 0.1). A value is called inconsistent only
when *neither* convention explains it. :func:`how_agrees` says which convention did.

Bounds such as ``< 0.001`` are read literally: the true value is below 0.001 (``≤`` and ``≥``
include the bound, ``<`` and ``>`` exclude it). We deliberately do **not** also accept a value that
would itself round to 0.001 (for example p = 0.0012): such a value is conventionally printed as
``0.001``, and reading ``<`` loosely would let a check pass with no convention to justify it. This
choice is used everywhere (percentages, p-values, estimates).

Computers store decimals with tiny errors (``100 * 29 / 100`` is 28.999999999999996). A value
within one part in 10^9 of a boundary (relative; absolute floor 1e-12 near zero) is treated as
exactly *on* that boundary: accepted at an included end, rejected at an excluded end. No other
slack is ever added; all other tolerance comes from the printed precision itself.

Parsing
-------
:func:`parse_number` reads the forms the papers use (``0.834``, ``< 0.001*``, ``p=0.040``,
``$p < 0.001$``, ``−0.12`` with a unicode minus, ``17.1 %``, ``.04``); :func:`parse_count_percent`
reads ``22/128 (21.9)``, ``16 (59.3)``, ``77 (98.7%)``; :func:`parse_interval` reads
``1.385–37.306``, ``4.77 to 1608.9`` and reports both readings of a hyphenated interval whose minus
sign may have been lost in typesetting (``-1.71-0.35``: is the upper bound 0.35 or -0.35?).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from numbers import Integral, Real

from helpers.validation import check_finite

__all__ = [
    "Printed",
    "CountPercent",
    "ParsedInterval",
    "ValueSet",
    "REL_TOL",
    "ABS_TOL",
    "parse_number",
    "as_printed",
    "parse_count_percent",
    "parse_interval",
    "value_set",
    "value_interval",
    "agrees",
    "how_agrees",
]

#: relative float tolerance at a boundary (see module docstring)
REL_TOL = 1e-9
#: absolute floor of that tolerance, for boundaries at or near zero
ABS_TOL = 1e-12

RELATIONS = ("=", "<", ">", "≤", "≥")
MODES = ("round", "truncate", "either")


@dataclass(frozen=True)
class Printed:
    """A number as printed: its text, value, printed decimals and relation (``=``, ``<``, ...).

    ``percent`` is True when the text carried a ``%`` sign (the value stays in percentage points:
    ``17.1 %`` has value 17.1). ``negative`` is True when the text carried a minus sign (kept
    separately so that ``-0.00`` is told apart from ``0.00``).
    """

    text: str
    value: float
    decimals: int
    relation: str = "="
    percent: bool = False
    negative: bool = False

    @property
    def step(self) -> float:
        """One unit in the last printed place, 10^-decimals."""
        return 10.0 ** (-self.decimals)


@dataclass(frozen=True)
class CountPercent:
    """A parsed ``count (percent)`` or ``count/total (percent)`` cell."""

    text: str
    count: int
    total: int | None
    percent: float
    decimals: int
    printed_percent: Printed


@dataclass(frozen=True)
class ParsedInterval:
    """A parsed interval. ``readings`` holds every plausible (low, high) pair, in order of
    preference (the reading as typeset first). When there is more than one reading, the text is
    ambiguous (a minus sign may have been lost) and :attr:`low` / :attr:`high` refuse to guess."""

    text: str
    readings: tuple[tuple[Printed, Printed], ...]

    @property
    def ambiguous(self) -> bool:
        return len(self.readings) > 1

    def _only(self) -> tuple[Printed, Printed]:
        if self.ambiguous:
            options = "; ".join(f"{lo.value:g} to {hi.value:g}" for lo, hi in self.readings)
            raise ValueError(f"interval {self.text!r} is ambiguous (a minus sign may be lost): {options}")
        return self.readings[0]

    @property
    def low(self) -> Printed:
        return self._only()[0]

    @property
    def high(self) -> Printed:
        return self._only()[1]


@dataclass(frozen=True)
class ValueSet:
    """An interval of true values, with each end included (closed) or excluded (open)."""

    low: float
    high: float
    low_closed: bool = True
    high_closed: bool = True

    def contains(self, value: float) -> bool:
        """Membership with the float tolerance of the module docstring."""
        return _above(value, self.low, self.low_closed) and _below(value, self.high, self.high_closed)

    def __str__(self) -> str:
        return f"{'[' if self.low_closed else '('}{self.low:g}, {self.high:g}{']' if self.high_closed else ')'}"


def _tol(a: float, b: float) -> float:
    if math.isinf(b):
        return 0.0
    return max(REL_TOL * max(abs(a), abs(b)), ABS_TOL)


def _above(value: float, low: float, closed: bool) -> bool:
    if low == -math.inf:
        return True
    t = _tol(value, low)
    return value >= low - t if closed else value > low + t


def _below(value: float, high: float, closed: bool) -> bool:
    if high == math.inf:
        return True
    t = _tol(value, high)
    return value <= high + t if closed else value < high - t


# --------------------------------------------------------------------------- parsing

_REL_WORDS = {
    "<=": "≤", ">=": "≥", "=<": "≤", "=>": "≥", "⩽": "≤", "⩾": "≥",
    r"\leq": "≤", r"\le": "≤", r"\geq": "≥", r"\ge": "≥", r"\lt": "<", r"\gt": ">",
    "&lt;": "<", "&gt;": ">",
}
_MINUS = "−‒–﹣－"  # unicode minus and dashes used as a minus sign in front of a number

_NUMBER_RE = re.compile(
    r"""^(?:p(?:\s*-?\s*values?)?\s*)?           # optional 'p' / 'p value' prefix
        (?P<rel>≤|≥|<|>|=)?\s*
        (?P<sign>[-+]?)\s*
        (?P<int>\d*)(?:\.(?P<frac>\d+))?\s*
        (?P<pct>%)?$""",
    re.VERBOSE | re.IGNORECASE,
)


#: the longest printed text parsed, in characters (a printed number or interval is short)
MAX_TEXT_CHARS = 200


def _check_length(text: str, name: str = "text") -> None:
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(f"{name} is {len(text)} characters long, above the limit of {MAX_TEXT_CHARS} "
                         f"for a printed number: {text[:40]!r}...")


def _normalise(text: str) -> str:
    _check_length(text)
    s = text.strip()
    s = s.replace("$", "").replace(r"\%", "%").replace("\u00a0", " ").replace("\u2009", " ")
    s = re.sub(r"<\s*/?\s*i\s*>", "", s)  # <i>p</i>
    for word, rel in sorted(_REL_WORDS.items(), key=lambda kv: -len(kv[0])):
        s = s.replace(word, rel)
    # footnote markers: *, †, ‡, §, ¶, #, ^{a}, ^*, superscript letters after a number
    s = re.sub(r"\^\{?[*a-z†‡§¶#]+\}?", "", s)
    s = re.sub(r"[*†‡§¶#]+$", "", s.strip())
    s = s.replace("·", ".")  # Lancet-style decimal point
    return s.strip()


def parse_number(text) -> Printed:
    """Parse one printed number, e.g. ``0.834``, ``< 0.001*``, ``p=0.040``, ``$p < 0.001$``,
    ``−0.12`` (unicode minus), ``17.1 %``, ``.04``.

    Returns a :class:`Printed` with the value, the number of printed decimals and the relation
    (``=`` unless the text says ``<``, ``>``, ``≤`` or ``≥``; LaTeX ``\\le``/``\\geq`` and ``<=``
    are understood). Footnote markers (``*``, ``†``, ``^a``) and ``$`` signs are ignored. Thousands
    separators and decimal commas are refused (``1,608`` could mean either). Raises ``ValueError``
    quoting the text that could not be parsed.
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a string of a printed number, got {text!r}")
    s = _normalise(text)
    # a dash or unicode minus directly before the digits is a minus sign
    s = re.sub(rf"(^|[≤≥<>=\s])[{_MINUS}](?=\s*[\d.])", r"\1-", s)
    m = _NUMBER_RE.match(s)
    if not m or not (m.group("int") or m.group("frac")):
        raise ValueError(f"text {text!r} could not be parsed as a printed number")
    digits = (m.group("int") or "0") + ("." + m.group("frac") if m.group("frac") else "")
    value = float(digits)
    negative = m.group("sign") == "-"
    if negative:
        value = -value
    decimals = len(m.group("frac") or "")
    return Printed(text=text, value=value, decimals=decimals, relation=m.group("rel") or "=",
                   percent=bool(m.group("pct")), negative=negative)


def as_printed(value, name: str = "value", decimals: int | None = None) -> Printed:
    """Turn a printed string, a :class:`Printed` or a number into a :class:`Printed`.

    A string is parsed with :func:`parse_number`. A number is read at ``decimals`` when given;
    otherwise at the decimals of its shortest representation (``1.1`` → 1 decimal, ``88.0`` → 1,
    ``2`` → 0). Pass the printed text whenever trailing zeros matter (``1.10``).
    """
    if decimals is not None and (isinstance(decimals, bool) or not isinstance(decimals, Integral)
                                 or not 0 <= decimals <= 15):
        raise ValueError(f"decimals must be None or a whole number from 0 to 15, got {decimals!r}")
    if isinstance(value, Printed):
        return value
    if isinstance(value, str):
        try:
            return parse_number(value)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{name} must be a printed string or a number, got {value!r}")
    is_int = isinstance(value, Integral)
    value = check_finite(value, name)
    if decimals is None:
        if is_int:
            decimals = 0
        else:
            r = repr(value)
            if "e" in r or "E" in r:
                r = format(value, ".20f").rstrip("0")
            decimals = len(r.split(".")[1]) if "." in r else 0
    elif isinstance(decimals, bool) or not isinstance(decimals, Integral) or decimals < 0:
        raise ValueError(f"decimals must be a whole number >= 0, got {decimals!r}")
    text = f"{float(value):.{int(decimals)}f}"
    return Printed(text=text, value=float(text), decimals=int(decimals), relation="=",
                   negative=text.startswith("-"))


_CP_RE = re.compile(
    r"""^(?P<count>\d+)\s*(?:/\s*(?P<total>\d+))?\s*
        \(\s*(?P<pct>[^()]*?)\s*\)$""",
    re.VERBOSE,
)


def parse_count_percent(text) -> CountPercent:
    """Parse ``16 (59.3)``, ``22/128 (21.9)``, ``0 (0)``, ``77 (98.7%)``.

    Returns a :class:`CountPercent` (count, total or None, percent, its decimals, and the percent
    as a :class:`Printed`). Raises ``ValueError`` quoting the text when it has another shape or the
    count exceeds the printed total.
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a string such as '16 (59.3)', got {text!r}")
    s = _normalise(text)
    m = _CP_RE.match(s)
    if not m:
        raise ValueError(f"text {text!r} could not be parsed as 'count (percent)' or 'count/total (percent)'")
    try:
        pct = parse_number(m.group("pct"))
    except ValueError:
        raise ValueError(f"text {text!r}: the percentage {m.group('pct')!r} could not be parsed") from None
    if pct.relation != "=" or pct.negative:
        raise ValueError(f"text {text!r}: the percentage must be a plain non-negative number")
    count = int(m.group("count"))
    total = int(m.group("total")) if m.group("total") is not None else None
    if total is not None and count > total:
        raise ValueError(f"text {text!r}: count {count} exceeds total {total}")
    if pct.value > 100:
        raise ValueError(f"text {text!r}: the percentage {pct.value:g} is above 100")
    return CountPercent(text=text, count=count, total=total, percent=pct.value,
                        decimals=pct.decimals, printed_percent=pct)


_NUM = r"[-+]?\s*(?:\d+(?:\.\d*)?|\.\d+)\s*%?"
_INTERVAL_RE = re.compile(
    rf"^(?P<low>{_NUM})\s*(?P<sep>\bto\b|[-–—]|,|;|\.\.)\s*(?P<high>{_NUM})$", re.IGNORECASE
)


def parse_interval(text, estimate=None) -> ParsedInterval:
    """Parse a printed interval such as ``1.385–37.306``, ``0.62–1.96``, ``4.77 to 1608.9``,
    ``-1.73 to -0.22``, ``(0.32, 1.83)``.

    Separators: ``to``, en/em dash, hyphen, comma, semicolon. A unicode minus is always a sign.
    When a dash separates a *negative* lower bound from an unsigned upper bound (``-1.71-0.35``),
    the typesetting may have lost the upper bound's minus sign, so both readings are returned
    (``-1.71 to 0.35`` first, then ``-1.71 to -0.35``); :attr:`ParsedInterval.ambiguous` is then
    True. Readings whose lower bound exceeds the upper are discarded. If ``estimate`` (a printed
    string, :class:`Printed` or number) is given, readings whose bounds cannot contain it at the
    printed precision are discarded too. Raises ``ValueError`` when no reading remains.
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a string of a printed interval, got {text!r}")
    s = _normalise(text)
    s = re.sub(r"^[(\[]\s*|\s*[)\]]$", "", s)
    s = s.replace("−", "-")  # a unicode minus is unambiguously a sign
    m = _INTERVAL_RE.match(s)
    if not m:
        raise ValueError(f"text {text!r} could not be parsed as an interval 'low–high' or 'low to high'")
    low = parse_number(m.group("low").replace(" ", ""))
    high = parse_number(m.group("high").replace(" ", ""))
    candidates = [(low, high)]
    dash = m.group("sep") in ("-", "–", "—")
    high_unsigned = not m.group("high").lstrip().startswith(("-", "+"))
    if dash and low.negative and high_unsigned and high.value != 0:
        flipped = Printed("-" + high.text, -high.value, high.decimals, "=", high.percent, True)
        candidates.append((low, flipped))
    readings = [(lo, hi) for lo, hi in candidates if lo.value <= hi.value]
    if estimate is not None:
        est = as_printed(estimate, "estimate")
        e = value_set(est)
        readings = [(lo, hi) for lo, hi in readings
                    if _above(e.high, value_set(lo).low, True) and _below(e.low, value_set(hi).high, True)]
    if not readings:
        raise ValueError(f"text {text!r}: no reading has low <= high" +
                         (" and contains the estimate" if estimate is not None else ""))
    return ParsedInterval(text=text, readings=tuple(readings))


# --------------------------------------------------------------------------- the rule

def _check_printed(printed, name: str = "printed") -> Printed:
    if isinstance(printed, Printed):
        if printed.relation not in RELATIONS:
            raise ValueError(f"{name}.relation must be one of {RELATIONS}, got {printed.relation!r}")
        return printed
    if isinstance(printed, str):
        return as_printed(printed, name)
    raise ValueError(f"{name} must be printed text or a Printed (numbers carry no precision), got {printed!r}")


def _check_mode(mode) -> str:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    return mode


def value_set(printed, mode: str = "either") -> ValueSet:
    """The set of true values that print as ``printed`` (see the module docstring).

    With ``d`` decimals, step ``s = 10^-d`` and printed value ``v``:

    * ``round``: [v - s/2, v + s/2], both ends included;
    * ``truncate``: [v, v + s) for an unsigned ``v`` (including ``0``), (v - s, v] for a printed
      minus sign (truncation towards zero);
    * ``either``: the union, which is one interval because the two overlap:
      [v - s/2, v + s) unsigned, (v - s, v + s/2] with a minus sign.

    Bounds: ``< x`` → (-inf, x); ``≤ x`` → (-inf, x]; ``> x`` → (x, inf); ``≥ x`` → [x, inf);
    the mode does not apply to them.
    """
    p = _check_printed(printed)
    mode = _check_mode(mode)
    v = p.value
    if p.relation == "<":
        return ValueSet(-math.inf, v, False, False)
    if p.relation == "≤":
        return ValueSet(-math.inf, v, False, True)
    if p.relation == ">":
        return ValueSet(v, math.inf, False, False)
    if p.relation == "≥":
        return ValueSet(v, math.inf, True, False)
    step = p.step
    half = step / 2
    if mode == "round":
        return ValueSet(v - half, v + half, True, True)
    if not p.negative:
        if mode == "truncate":
            return ValueSet(v, v + step, True, False)
        return ValueSet(v - half, v + step, True, False)
    if mode == "truncate":
        return ValueSet(v - step, v, False, True)
    return ValueSet(v - step, v + half, False, True)


def value_interval(printed, mode: str = "either") -> tuple[float, float]:
    """``(low, high)`` of :func:`value_set`; which ends are included is stated there."""
    vs = value_set(printed, mode)
    return vs.low, vs.high


def agrees(value, printed, mode: str = "either") -> bool:
    """True when the true value ``value`` prints as ``printed`` under ``mode``
    (``round``, ``truncate`` or ``either``; the rule of the module docstring)."""
    value = check_finite(value, "value")
    mode = _check_mode(mode)
    p = _check_printed(printed)
    if mode == "either" and p.relation == "=":
        # the union of the two conventions, each with its own boundary tolerance, exactly as
        # how_agrees reads it (so agrees(v, t) == (how_agrees(v, t) is not None) at any precision)
        return value_set(p, "round").contains(value) or value_set(p, "truncate").contains(value)
    return value_set(p, mode).contains(value)


def how_agrees(value, printed) -> str | None:
    """Which convention turns ``value`` into ``printed``: ``"rounding"``, ``"truncation"``,
    ``"both"`` or ``None`` (neither: inconsistent). For a bound (``< 0.001``) the conventions do
    not apply, so a value satisfying it gives ``"both"``."""
    value = check_finite(value, "value")
    r = value_set(printed, "round").contains(value)
    t = value_set(printed, "truncate").contains(value)
    if r and t:
        return "both"
    if r:
        return "rounding"
    if t:
        return "truncation"
    return None
