"""Granularity checks of summary statistics of whole-number data: GRIM, GRIMMER and DEBIT.

* **GRIM** (Brown & Heathers, Soc Psychol Personal Sci 2017;8:363-9): the mean of ``n``
  whole numbers is a whole number (the sum) divided by ``n``; a printed mean that no sum of
  ``n`` whole numbers rounds (or truncates) to is impossible.
* **GRIMMER** (Anaya, PeerJ Preprints 2016;4:e2400v1): with the sum ``S`` fixed by GRIM, the sum
  of squares ``Q = (n - 1) SD^2 + S^2 / n`` of whole numbers is a whole number with the parity of
  ``S`` (x^2 and x are both odd or both even); a printed SD that no such ``Q`` gives is
  impossible.
* **DEBIT** (Heathers & Brown, PsyArXiv 2019, "DEBIT: a simple consistency test for binary
  data"): the mean of ``n`` values coded 0/1 is ``k / n`` and their sample SD is
  ``sqrt(n / (n - 1) * p (1 - p))`` with ``p = k / n``; a printed mean and SD that no ``k``
  gives together are impossible.

Every comparison uses the book's one tolerance rule (:func:`helpers.printed.agrees`: rounding or
truncation at the printed decimals). The functions return ``"consistent"`` or ``"inconsistent"``
with the values that fit. They apply only to data recorded as whole numbers (a score, a count of
passes, a yes/no item); the data package does not yet say which continuous items are, so the audit
does not run them on its own (see the integration note in the project's issue #16).

Worked cases (``tests/test_granularity.py``): Brown & Heathers' illustration, a mean of 5.19 from
28 whole numbers (145/28 = 5.179, 146/28 = 5.214: neither prints as 5.19); 1, 2, 3, 4, 5
(mean 3.00, SD 1.58 = sqrt(2.5)); ten 0/1 values with three ones (mean 0.30, SD 0.48 =
sqrt(10/9 x 0.21)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from helpers.printed import Printed, agrees, as_printed, value_set

__all__ = ["GranularityResult", "grim", "grimmer", "debit"]


@dataclass(frozen=True)
class GranularityResult:
    """``verdict`` is ``consistent`` or ``inconsistent``; ``fits`` the whole-number sums (GRIM),
    (sum, sum of squares) pairs (GRIMMER) or counts of ones (DEBIT) that reproduce the printed
    numbers."""
    verdict: str
    fits: tuple
    detail: str


#: the largest sample size (and number of items) searched: GRIM, GRIMMER and DEBIT are tests for
#: small samples, and the search grows with n
MAX_N = 100_000


def _n(n, name: str = "n") -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{name} must be a whole number >= 1, got {n!r}"[:120])
    if n > MAX_N:
        raise ValueError(f"{name} must be at most {MAX_N:,} (the limit that keeps the search to seconds), "
                         f"got {n:,}"[:160])
    return n


def _printed(x, name: str) -> Printed:
    if isinstance(x, Printed):
        return x
    if not isinstance(x, str):
        raise ValueError(f"{name} must be the printed text (e.g. '5.19') or a Printed, got {x!r}")
    return as_printed(x, name)


def grim(mean, n, items: int = 1) -> GranularityResult:
    """GRIM: can a mean of ``n`` whole-number responses (each the sum of ``items`` whole-number
    items, ``items`` >= 1) print as ``mean``? ``mean`` is the printed text."""
    n, items = _n(n), _n(items, "items")
    if n * items > MAX_N:
        raise ValueError(f"n × items must be at most {MAX_N:,}, got {n * items:,}")
    m = _printed(mean, "mean")
    vs = value_set(m)
    total = n * items
    lo, hi = math.floor(vs.low * total) - 1, math.ceil(vs.high * total) + 1
    fits = tuple(s for s in range(lo, hi + 1) if agrees(s / total, m))
    if fits:
        return GranularityResult("consistent", fits, f"A sum of {fits[0]} over {total} gives "
                                 f"{fits[0] / total:.6g}, which prints as {m.text}.")
    return GranularityResult("inconsistent", (), f"No whole-number sum over {total} prints as "
                             f"{m.text} (the nearest are {lo + 1}/{total} = {(lo + 1) / total:.4f} "
                             f"and {hi - 1}/{total} = {(hi - 1) / total:.4f}).")


def grimmer(mean, sd, n) -> GranularityResult:
    """GRIMMER: can ``n`` whole numbers have a mean that prints as ``mean`` and a sample SD that
    prints as ``sd``? Both printed texts; GRIM is applied first."""
    n = _n(n)
    if n < 2:
        raise ValueError(f"n must be at least 2 for a sample SD, got {n!r}")
    g = grim(mean, n)
    s = _printed(sd, "sd")
    if g.verdict == "inconsistent":
        return GranularityResult("inconsistent", (), "GRIM fails: " + g.detail)
    svs = value_set(s)
    fits = []
    for total in g.fits:
        base = total * total / n
        # the smallest sum of squares n whole numbers with this total can have: every value the
        # floor or the ceiling of the mean (a sum of squares below it is not realisable)
        f = total // n
        q_min = n * f * f + (total - n * f) * (2 * f + 1)
        q_lo = math.floor((n - 1) * svs.low ** 2 + base) - 1
        q_hi = math.ceil((n - 1) * svs.high ** 2 + base) + 1
        for q in range(max(q_lo, 0, q_min), q_hi + 1):
            if (q - total) % 2:
                continue  # x^2 and x have the same parity, so Q and S do
            var = (q - base) / (n - 1)
            if var >= 0 and agrees(math.sqrt(var), s):
                fits.append((total, q))
    if fits:
        t, q = fits[0]
        return GranularityResult("consistent", tuple(fits),
                                 f"A sum {t} and sum of squares {q} of {n} whole numbers give mean "
                                 f"{t / n:.6g} and SD {math.sqrt((q - t * t / n) / (n - 1)):.6g}.")
    return GranularityResult("inconsistent", (), f"No {n} whole numbers with a mean printing as "
                             f"{_printed(mean, 'mean').text} have an SD printing as {s.text}.")


def debit(mean, sd, n) -> GranularityResult:
    """DEBIT: can ``n`` values coded 0/1 have a mean printing as ``mean`` and a sample SD
    printing as ``sd``? Both printed texts (the mean as a proportion, e.g. ``"0.30"``)."""
    n = _n(n)
    if n < 2:
        raise ValueError(f"n must be at least 2 for a sample SD, got {n!r}")
    m, s = _printed(mean, "mean"), _printed(sd, "sd")
    fits = tuple(k for k in range(n + 1)
                 if agrees(k / n, m) and agrees(math.sqrt(n / (n - 1) * (k / n) * (1 - k / n)), s))
    if fits:
        k = fits[0]
        return GranularityResult("consistent", fits, f"{k} ones out of {n} give mean {k / n:.6g} "
                                 f"and SD {math.sqrt(n / (n - 1) * (k / n) * (1 - k / n)):.6g}.")
    return GranularityResult("inconsistent", (), f"No count of ones out of {n} gives a mean "
                             f"printing as {m.text} with an SD printing as {s.text}.")
