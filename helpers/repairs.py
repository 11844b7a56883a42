"""Single-typo repairs: which one-character change to a printed ratio, its CI or its p would make
all of them agree?

When an odds ratio, its 95% CI and its p disagree (the estimate is far from the geometric centre of
the CI, or the CI implies another p), a misprint of one character is a common explanation. This
module enumerates, for each of the four printed numbers, every text one edit away from it and
keeps the candidates for which both checks of :mod:`helpers.consistency` pass:

* :func:`helpers.consistency.ci_centre_check` (estimate at the geometric centre of its CI);
* :func:`helpers.consistency.ci_p_check` (the p implied by the CI, Altman & Bland, BMJ
  2011;343:d2304, agrees with the printed p),

both with the one tolerance rule of :mod:`helpers.printed` (rounding or truncation at printed
precision). Edits (Damerau's four kinds of single error, Damerau FJ, Commun ACM 1964;7:171-6):
replace one digit by another, insert one digit anywhere, delete one digit, swap two adjacent
characters; plus moving the decimal point to another position. A repair is a *candidate*, not a
correction: several can fit, and only the authors' output can say which, if any, is right.
"""

from __future__ import annotations

import re

import pandas as pd

from helpers.consistency import ci_centre_check, ci_p_check
from helpers.printed import as_printed

__all__ = ["single_edits", "ratio_ci_repairs"]

_DIGITS = "0123456789"
_PLAIN = re.compile(r"^\d+(\.\d+)?$|^\.\d+$")


def _check_text(text, name):
    if not isinstance(text, str) or len(text) > 40 or not _PLAIN.match(text.strip()):
        raise ValueError(f"{name} must be a plain printed number of at most 40 characters such as '4.044', "
                         f"got {text[:60] + '...' if isinstance(text, str) and len(text) > 60 else text!r}")
    return text.strip()


def single_edits(text) -> list[str]:
    """Every plain number text (digits with at most one decimal point, no leading zero before
    another digit) one edit away from ``text``: digit replaced, digit inserted, digit deleted,
    adjacent characters swapped, or the decimal point moved. Sorted, without ``text`` itself."""
    t = _check_text(text, "text")
    out = set()
    for i in range(len(t)):
        if t[i] in _DIGITS:
            for d in _DIGITS:
                out.add(t[:i] + d + t[i + 1:])
            out.add(t[:i] + t[i + 1:])
    for i in range(len(t) + 1):
        for d in _DIGITS:
            out.add(t[:i] + d + t[i:])
    for i in range(len(t) - 1):
        out.add(t[:i] + t[i + 1] + t[i] + t[i + 2:])
    if "." in t:
        bare = t.replace(".", "")
        for i in range(1, len(bare)):
            out.add(bare[:i] + "." + bare[i:])
        out.add(bare)
    good = {s for s in out if _PLAIN.match(s) and not s.startswith(".") and not re.match(r"^0\d", s) and s != t}
    return sorted(good, key=lambda s: (float(s), s))


def _coherent(est, lo, hi, p):
    try:
        if not (0 < float(lo) < float(hi)) or float(est) <= 0 or not 0 < float(p) <= 1:
            return None
        centre = ci_centre_check(est, lo, hi)
        cip = ci_p_check(est, lo, hi, p)
    except ValueError:
        return None
    return centre, cip


def ratio_ci_repairs(estimate, ci_low, ci_high, p) -> pd.DataFrame:
    """Single-character repairs of a printed ratio, CI and p that make them coherent.

    Arguments are the printed texts (``"2.549"``, ``"0.463"``, ``"4.044"``, ``"0.282"``). Returns
    one row per candidate: ``field`` (estimate, ci_low, ci_high or p), ``printed``, ``repaired``,
    the geometric ``centre`` and implied ``implied_p`` after the repair, and ``edits_tried`` (how
    many texts were tried for that field, repeated on each row; see also ``.attrs["tried"]``). A
    first row with field ``"(as printed)"`` is included when the printed numbers are already
    coherent. ``.attrs["tried"]`` holds ``{field: number of edits tried}``.
    """
    fields = {"estimate": _check_text(estimate, "estimate"), "ci_low": _check_text(ci_low, "ci_low"),
              "ci_high": _check_text(ci_high, "ci_high"), "p": _check_text(p, "p")}
    as_printed(fields["p"], "p")
    rows, tried = [], {}
    base = _coherent(*fields.values())
    if base and all(r.verdict == "consistent" for r in base):
        rows.append({"field": "(as printed)", "printed": "", "repaired": "",
                     "centre": base[0].centre, "implied_p": base[1].p})
    for name, text in fields.items():
        edits = single_edits(text)
        tried[name] = len(edits)
        for e in edits:
            trial = dict(fields)
            trial[name] = e
            res = _coherent(*trial.values())
            if res and all(r.verdict == "consistent" for r in res):
                rows.append({"field": name, "printed": text, "repaired": e,
                             "centre": res[0].centre, "implied_p": res[1].p})
    df = pd.DataFrame(rows, columns=["field", "printed", "repaired", "centre", "implied_p"])
    df.attrs["tried"] = tried
    return df
