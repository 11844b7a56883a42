"""Check families ``grim`` and ``grimmer``: can a printed mean (and SD) of whole numbers exist?

For a row of ``continuous.csv`` summarised as mean (SD) whose values are whole numbers (column
``values`` = ``integer``: a count such as the number of retrieval attempts, or a score), GRIM
(Brown & Heathers 2017) asks whether any whole-number total over ``n`` patients gives a mean that
prints as the printed mean, and GRIMMER (Anaya 2016) whether some such set of ``n`` whole numbers
also has a sample SD that prints as the printed SD (:mod:`helpers.granularity`, tested against
hand-worked cases and R's scrutiny). Both use the book's one tolerance rule: a printed number
stands for every value that rounds or truncates to it. A row without ``n`` is unverifiable.
See :mod:`helpers.audit` for the table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from helpers.audit.common import _missing, _row, _s
from helpers.granularity import MAX_N, grim, grimmer
from helpers.printed import agrees, as_printed


def _text(x, decimals) -> str:
    return f"{float(x):.{int(decimals)}f}"


def _basis(fits, n: int, mean: str, sd: str | None) -> str:
    """"rounding" when some fitting set of whole numbers prints as the row by rounding every
    number, else "truncation" (the fits were found under either convention)."""
    m = as_printed(mean, "mean")
    s = None if sd is None else as_printed(sd, "sd")
    for fit in fits:
        if s is None:
            if agrees(fit / n, m, "round"):
                return "rounding"
            continue
        t, q = fit
        if agrees(t / n, m, "round") and agrees(math.sqrt(max(q - t * t / n, 0) / (n - 1)), s, "round"):
            return "rounding"
    return "truncation"


def _grim_rows(pkg: Mapping, out: list) -> None:
    cont = pkg["continuous"]
    if "values" not in cont.columns:
        return
    for r in cont.itertuples(index=False):
        if _s(r.values) != "integer" or r.summary != "mean_sd" or _missing(r.centre) or _missing(r.decimals):
            continue
        item = f"{r.item} ({r.arm})"
        mean = _text(r.centre, r.decimals)
        sd = None if _missing(r.sd) else _text(r.sd, r.decimals)
        reported = mean if sd is None else f"{mean} ({sd})"
        if _missing(r.n) or not 1 <= int(r.n) <= MAX_N:
            why = "The group size is not printed" if _missing(r.n) else f"The group size {r.n} is outside 1 to {MAX_N:,}"
            _row(out, r.study, r.location, item, "grim", mean, "", "unverifiable",
                 f"{why}, so the mean of whole numbers cannot be checked.")
            continue
        n = int(r.n)
        g = grim(mean, n)
        _row(out, r.study, r.location, item, "grim", mean,
             f"sums of whole numbers over {n}: {', '.join(map(str, g.fits[:4])) or 'none'}",
             g.verdict, g.detail, _basis(g.fits, n, mean, None) if g.fits else "",
             "none" if g.verdict == "inconsistent" else "")
        if sd is None:
            continue
        if n < 2:
            _row(out, r.study, r.location, item, "grimmer", reported, "", "unverifiable",
                 "A sample SD needs at least two patients.")
            continue
        gg = grimmer(mean, sd, n)
        found = (f"{len(gg.fits)} (sum, sum of squares) pair(s) of {n} whole numbers"
                 if gg.fits else "no set of whole numbers")
        _row(out, r.study, r.location, item, "grimmer", reported, found, gg.verdict, gg.detail,
             _basis(gg.fits, n, mean, sd) if gg.fits else "", "none" if gg.verdict == "inconsistent" else "")


def run(pkg, arm_n: dict, out: list, state: dict) -> None:
    """Registry entry."""
    _grim_rows(pkg, out)
