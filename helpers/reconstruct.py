"""Rebuilding 2×2 tables from printed margins, and the sparse-data measures that go with them.

When a paper prints only marginal percentages (e.g. "favourable outcome in 66.7%", "stent patent in
82.1%") and an odds ratio between the two, the 2×2 table behind the odds ratio is not printed, but
the set of tables compatible with the margins is finite and can be listed.

Cell convention (as :mod:`helpers.effects`): ``a`` = exposed with the event, ``b`` = exposed without
it, ``c`` = unexposed with the event, ``d`` = unexposed without it; the crude odds ratio is
``a·d / (b·c)`` (exposed versus unexposed).

* :func:`tables_with_margins` lists every table with fixed margins (total, exposed, events): the
  support of the hypergeometric distribution, ``a`` running over the Fréchet bounds
  ``max(0, exposed + events - total) <= a <= min(exposed, events)`` (the tables Fisher's exact test
  conditions on; Agresti, *Categorical Data Analysis*, 2nd ed., 2002, section 3.5).
* :func:`candidate_tables` does this for every sub-cohort size whose printed exposure percentage is
  reachable (:func:`helpers.consistency.candidate_counts`, the book's one tolerance rule), when the
  exposure was measured only in a subset (e.g. patients with follow-up imaging) while the events are
  known for the whole cohort; :func:`undefined_tables` lists the compatible tables it leaves out
  because their odds ratio is undefined (every, or no, patient of the subset had the event).
* :func:`crude_odds_ratio` returns ``a·d/(b·c)`` including the limits 0 and infinity at a zero cell
  (complete or quasi-complete separation, where maximum likelihood has no finite estimate; Albert &
  Anderson, Biometrika 1984;71:1-10).
* :func:`events_per_variable` is the ratio of the less frequent outcome to the number of candidate
  predictors (Peduzzi et al., J Clin Epidemiol 1996;49:1373-9: fewer than about 10 events per
  variable bias logistic coefficients away from zero; Greenland, Mansournia & Altman, BMJ
  2016;352:i1981, on this sparse-data bias).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

from helpers.consistency import _percent_printed, candidate_counts

#: the largest cohort whose subset tables are enumerated (work grows with its square)
MAX_COHORT = 1_000
from helpers.validation import check_count, check_count_le_total, check_total, check_work

#: the largest total whose 2x2 tables are enumerated one by one
MAX_TABLE_TOTAL = 200_000

__all__ = ["crude_odds_ratio", "tables_with_margins", "candidate_tables", "undefined_tables",
           "events_per_variable"]

_COLUMNS = ["total", "exposed", "events", "a", "b", "c", "d", "odds_ratio", "zero_cell"]


def crude_odds_ratio(a, b, c, d) -> float:
    """Crude odds ratio ``a·d / (b·c)`` of a 2×2 table (Woolf's sample odds ratio).

    Returns ``math.inf`` when ``b·c = 0 < a·d`` and ``0.0`` when ``a·d = 0 < b·c`` (the maximum
    likelihood limits under separation). Raises ValueError for negative or non-integer cells and when
    both products are zero (an empty row or column: the odds ratio is undefined).
    """
    a, b, c, d = (check_count(v, n) for v, n in zip((a, b, c, d), ("a", "b", "c", "d")))
    num, den = a * d, b * c
    if num == 0 and den == 0:
        raise ValueError("the odds ratio is undefined: a*d and b*c are both zero "
                         f"(a={a}, b={b}, c={c}, d={d}; a row or column of the table is empty)")
    if den == 0:
        return math.inf
    return num / den


def tables_with_margins(total, exposed, events) -> pd.DataFrame:
    """Every 2×2 table with ``total`` subjects, ``exposed`` of them exposed and ``events`` events.

    One row per table, ``a`` increasing, with columns ``total, exposed, events, a, b, c, d,
    odds_ratio`` (crude, :func:`crude_odds_ratio`; inf or 0 at a zero cell) and ``zero_cell``
    (True when a cell is zero). All four margins must be positive (``0 < exposed < total`` and
    ``0 < events < total``), otherwise no odds ratio can be estimated and ValueError is raised.
    """
    total = check_total(total, "total")
    check_work(total, MAX_TABLE_TOTAL, "the tables enumerated", "total")
    exposed, _ = check_count_le_total(exposed, total, "exposed", "total")
    events, _ = check_count_le_total(events, total, "events", "total")
    if exposed in (0, total):
        raise ValueError(f"exposed must lie strictly between 0 and total={total}, got {exposed} "
                         "(one exposure group would be empty)")
    if events in (0, total):
        raise ValueError(f"events must lie strictly between 0 and total={total}, got {events} "
                         "(one outcome group would be empty)")
    rows = []
    for a in range(max(0, exposed + events - total), min(exposed, events) + 1):
        b, c = exposed - a, events - a
        d = total - exposed - c
        rows.append((total, exposed, events, a, b, c, d, crude_odds_ratio(a, b, c, d),
                     min(a, b, c, d) == 0))
    return pd.DataFrame(rows, columns=_COLUMNS)


def _subset_sizes(n_total, subset_totals):
    """The validated subset sizes for :func:`candidate_tables` and :func:`undefined_tables`."""
    if subset_totals is None:
        return list(range(1, n_total + 1))
    if isinstance(subset_totals, (str, bytes)) or not isinstance(subset_totals, Iterable):
        raise ValueError(f"subset_totals must be an iterable of whole numbers, got {subset_totals!r}")
    sizes = sorted({check_total(m, "subset_totals") for m in subset_totals})
    if not sizes:
        raise ValueError("subset_totals is empty")
    for m in sizes:
        if m > n_total:
            raise ValueError(f"subset_totals contains {m}, more than n_total={n_total}")
    return sizes


def _margins(events_total, n_total, exposure_printed, subset_totals, mode):
    """Every (m, k, e) compatible with the cohort and the printed exposure percentage, with k in
    1..m-1: subset size m, exposed count k, events e among the m (any, including 0 and m)."""
    n_total = check_total(n_total, "n_total")
    events_total, _ = check_count_le_total(events_total, n_total, "events_total", "n_total")
    if n_total > MAX_COHORT:
        raise ValueError(f"n_total must be at most {MAX_COHORT:,} (every subset size and split is enumerated; "
                         f"the limit keeps the work to seconds), got {n_total:,}")
    printed = _percent_printed(exposure_printed, None, "exposure_printed")
    sizes = _subset_sizes(n_total, subset_totals)
    out = []
    for m in sizes:
        for k in candidate_counts(m, printed, mode=mode):
            if k in (0, m):
                continue
            for e in range(max(0, events_total - (n_total - m)), min(events_total, m) + 1):
                out.append((m, k, e))
    return n_total, sizes, out


def candidate_tables(events_total, n_total, exposure_printed, subset_totals: Iterable | None = None,
                     *, mode: str = "either") -> pd.DataFrame:
    """All 2×2 tables (exposure × event) compatible with a cohort's event count and a printed
    exposure percentage that refers to an unknown subset of the cohort.

    ``events_total`` of ``n_total`` patients had the event. The exposure was assessed in a subset of
    ``m`` patients (``m`` in ``subset_totals``; default every ``m`` from 1 to ``n_total``), and
    ``exposure_printed`` (e.g. ``"82.1%"``) is the printed percentage exposed in that subset. For each
    ``m``, each exposed count ``k`` whose percentage of ``m`` prints as ``exposure_printed`` (by
    rounding or truncation, per ``mode``; :func:`helpers.consistency.candidate_counts`), and each
    possible number ``e`` of events among the ``m`` (from ``max(0, events_total - (n_total - m))``
    to ``min(events_total, m)``), every table of :func:`tables_with_margins` is listed. Tables with
    an empty margin (no events or no non-events among the ``m``) are left out: no odds ratio can be
    estimated from them; :func:`undefined_tables` lists them.

    Returns a DataFrame with the columns of :func:`tables_with_margins` (``total`` being ``m``)
    plus ``missing`` (= ``n_total - m``, patients without the exposure assessment), sorted by
    ``total`` (descending), ``events`` and ``a``. Raises ValueError on invalid counts, a subset size
    outside 1..``n_total`` or a percentage that no listed subset can reach.
    """
    n_total, sizes, margins = _margins(events_total, n_total, exposure_printed, subset_totals, mode)
    frames = [tables_with_margins(m, k, e) for m, k, e in margins if e not in (0, m)]
    if not frames:
        raise ValueError(f"no subset size in {sizes[0]}..{sizes[-1]} gives a table whose exposure "
                         f"percentage prints as {exposure_printed!r}")
    out = pd.concat(frames, ignore_index=True)
    out["missing"] = n_total - out["total"]
    out = out.sort_values(["total", "events", "a"], ascending=[False, True, True], kind="stable")
    return out.reset_index(drop=True)


def undefined_tables(events_total, n_total, exposure_printed, subset_totals: Iterable | None = None,
                     *, mode: str = "either") -> pd.DataFrame:
    """The tables that :func:`candidate_tables` leaves out: compatible with the same margins, but
    with every patient of the subset having the event (``e = m``) or none (``e = 0``).

    With an empty outcome column the table is fixed by the exposed count (``a = k, c = m - k`` and
    ``b = d = 0`` when all had the event; ``a = c = 0`` when none did), and its odds ratio is
    ``0/0``, undefined. Returns a DataFrame with columns ``total, exposed, events, a, b, c, d,
    missing`` (one row per such table, possibly none), sorted like :func:`candidate_tables`. Same
    arguments and errors as :func:`candidate_tables`, except that no table at all is not an error.
    """
    n_total, _, margins = _margins(events_total, n_total, exposure_printed, subset_totals, mode)
    rows = []
    for m, k, e in margins:
        if e == m:
            rows.append((m, k, e, k, 0, m - k, 0))
        elif e == 0:
            rows.append((m, k, e, 0, k, 0, m - k))
    out = pd.DataFrame(rows, columns=["total", "exposed", "events", "a", "b", "c", "d"])
    out["missing"] = n_total - out["total"]
    out = out.sort_values(["total", "events", "a"], ascending=[False, True, True], kind="stable")
    return out.reset_index(drop=True).astype("int64")


def events_per_variable(events, nonevents, n_variables) -> float:
    """Events per variable: the smaller of ``events`` and ``nonevents`` divided by ``n_variables``
    (the number of candidate predictor parameters of the logistic model; Peduzzi et al. 1996, who
    found coefficients biased and intervals unreliable below about 10).

    Raises ValueError for negative or non-integer counts and for ``n_variables`` < 1.
    """
    events = check_count(events, "events")
    nonevents = check_count(nonevents, "nonevents")
    n_variables = check_total(n_variables, "n_variables")
    if events + nonevents == 0:
        raise ValueError("events and nonevents are both zero: there is no outcome to model")
    return min(events, nonevents) / n_variables
