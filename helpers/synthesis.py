"""Per-study event counts for a synthesis, assembled from the data package's proportion rows.

A meta-analysis of proportions needs an event count and a denominator per study, but the five
papers often print only a percentage ("sICH 17.1 %") or split one group over several rows (early and
late rescue stenting). This module turns one or more ``proportions`` rows of the data package
(``helpers.data.load_package()["proportions"]``) into a single ``events/total`` pair and says how
it was obtained, so that a chapter can pass it to :func:`helpers.meta.pool_proportions` and state
honestly which counts were printed and which were rebuilt.

Rebuilding a count from a percentage uses :func:`helpers.consistency.candidate_counts` (the GRIM
arithmetic of Brown & Heathers, Soc Psychol Personal Sci 2017;8:363-9, with the book's tolerance
rule: a printed percentage stands for any value that rounds *or* truncates to it):

* exactly one count of the row's total prints as the percentage: that count is used;
* several counts do ("ambiguous"): the one nearest to percentage × total is used (ties: the
  smaller), and the result is flagged;
* none does (the denominator cannot be the stated total): the largest total not above the stated
  one that can give the percentage is used, from :func:`helpers.consistency.candidate_totals` (for
  a percentage of a whole cohort this means "a few patients without the outcome recorded"), and the
  result is flagged as having a changed denominator.

Rows whose total is unknown (``total_basis = unknown``) cannot be used and raise ``ValueError``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from numbers import Integral, Real
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.consistency import candidate_counts, candidate_totals
from helpers.meta import _check_table_vectors
from helpers.validation import check_count, check_count_le_total, check_finite, check_total

__all__ = ["StudyRate", "study_rate", "rate_table", "log_odds_ratios", "HOW"]

#: How a row's count was obtained (values of :attr:`StudyRate.how` per row).
HOW = {
    "printed": "count printed",
    "unique": "rebuilt from the percentage (one count fits)",
    "ambiguous": "rebuilt from the percentage (several counts fit; nearest used)",
    "denominator": "rebuilt from the percentage with a smaller denominator (no count of the stated total fits)",
}

_REQUIRED = ("id", "study", "count", "total", "percent", "percent_decimals")


@dataclass(frozen=True)
class StudyRate:
    """One study's events and total for one outcome, summed over the rows ``ids``.

    ``events``, ``total``: the summed counts; ``ids``: the proportion rows used; ``how``: per row, a
    key of :data:`HOW`; ``candidates``: per row, the ``(count, total)`` pairs that fit the printed
    numbers (one pair for a printed count); ``ambiguous``: some row had several fitting counts;
    ``denominator_changed``: some row's total had to be lowered to fit its percentage.
    """

    study: str
    events: int
    total: int
    ids: tuple[str, ...]
    how: tuple[str, ...]
    candidates: tuple[tuple[tuple[int, int], ...], ...]

    @property
    def proportion(self) -> float:
        return self.events / self.total

    @property
    def ambiguous(self) -> bool:
        return "ambiguous" in self.how

    @property
    def denominator_changed(self) -> bool:
        return "denominator" in self.how

    @property
    def rebuilt(self) -> bool:
        """True when at least one count was not printed but rebuilt from a percentage."""
        return any(h != "printed" for h in self.how)


def _present(value) -> bool:
    return value is not None and not pd.isna(value)


def _check_frame(proportions) -> pd.DataFrame:
    if not isinstance(proportions, pd.DataFrame):
        raise ValueError(f"proportions must be a pandas DataFrame (load_package()['proportions']), "
                         f"got {type(proportions).__name__}")
    frame = proportions.reset_index() if "id" not in proportions.columns else proportions
    missing = [c for c in _REQUIRED if c not in frame.columns]
    if missing:
        raise ValueError(f"proportions is missing the column(s) {', '.join(missing)}")
    return frame


def _number(value, name: str):
    """A cell as a Python number (no truncation: 61.7 stays 61.7 and is then refused as a count)."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real):
        return float(value)
    raise ValueError(f"{name} must be a number, got {value!r}")


def _row_counts(row) -> tuple[str, tuple[int, int], tuple[tuple[int, int], ...]]:
    rid = row["id"]
    if not _present(row["total"]):
        raise ValueError(f"ids: row {rid!r} has no known total, so its count cannot be used")
    total = check_total(_number(row["total"], f"total of {rid}"), f"total of {rid}")
    if _present(row["count"]):
        k, n = check_count_le_total(_number(row["count"], f"count of {rid}"), total, f"count of {rid}",
                                    f"total of {rid}")
        return "printed", (k, n), ((k, n),)
    if not (_present(row["percent"]) and _present(row["percent_decimals"])):
        raise ValueError(f"ids: row {rid!r} has neither a count nor a printed percentage")
    percent = check_finite(_number(row["percent"], f"percent of {rid}"), f"percent of {rid}")
    if not 0 <= percent <= 100:
        raise ValueError(f"percent of {rid} must lie in [0, 100], got {percent!r}")
    decimals = check_count(_number(row["percent_decimals"], f"percent_decimals of {rid}"),
                           f"percent_decimals of {rid}")
    if decimals > 6:
        raise ValueError(f"percent_decimals of {rid} must be at most 6, got {decimals}")
    text = f"{percent:.{decimals}f}"
    counts = candidate_counts(total, text)
    target = float(row["percent"]) * total / 100.0
    if len(counts) == 1:
        return "unique", (counts[0], total), ((counts[0], total),)
    if counts:
        best = min(counts, key=lambda k: (abs(k - target), k))
        return "ambiguous", (best, total), tuple((k, total) for k in counts)
    pairs = candidate_totals(text, max_total=total)
    if not pairs:
        raise ValueError(f"ids: row {rid!r}: no count out of any total up to {total} gives {text}%")
    largest = max(n for _, n in pairs)
    at_largest = [k for k, n in pairs if n == largest]
    target = float(row["percent"]) * largest / 100.0
    best = min(at_largest, key=lambda k: (abs(k - target), k))
    return "denominator", (best, largest), tuple(pairs)


def study_rate(proportions, ids) -> StudyRate:
    """Events and total of one study for one outcome, summed over the proportion rows ``ids``.

    ``proportions`` is the package's proportions table (``id`` as a column or as the index);
    ``ids`` one row id or a sequence of ids of the same study (e.g. the early and the late arm of a
    study, to be pooled into one rescue-stenting group). Counts that are not printed are rebuilt
    from the printed percentage as described in the module docstring. Raises ``ValueError`` for
    unknown or duplicated ids, rows of different studies, rows without a usable total, and
    percentages no count can give.
    """
    frame = _check_frame(proportions)
    if isinstance(ids, str):
        ids = [ids]
    if not isinstance(ids, Sequence) or len(ids) == 0:
        raise ValueError(f"ids must be a row id or a non-empty sequence of row ids, got {ids!r}")
    ids = [str(i) for i in ids]
    if len(set(ids)) != len(ids):
        raise ValueError(f"ids must not repeat a row, got {ids}")
    by_id = frame.set_index("id")
    unknown = [i for i in ids if i not in by_id.index]
    if unknown:
        raise ValueError(f"ids: unknown proportion row(s) {', '.join(unknown)}")
    studies = {str(by_id.loc[i, "study"]) for i in ids}
    if len(studies) != 1:
        raise ValueError(f"ids must all belong to one study, got {sorted(studies)}")
    hows, cands, events, total = [], [], 0, 0
    for i in ids:
        row = by_id.loc[i].copy()
        row["id"] = i
        how, (k, n), pairs = _row_counts(row)
        hows.append(how)
        cands.append(pairs)
        events += k
        total += n
    return StudyRate(study=studies.pop(), events=events, total=total, ids=tuple(ids),
                     how=tuple(hows), candidates=tuple(cands))


def rate_table(proportions, spec: Mapping[str, Sequence[str] | str]) -> pd.DataFrame:
    """One row per study of ``spec`` (study label → proportion row id(s)), in ``spec``'s order.

    Columns: ``study``, ``events``, ``total``, ``proportion``, ``how`` (the :data:`HOW` texts of
    the rows, joined with "; "), ``rebuilt``, ``ambiguous``, ``denominator_changed``, ``ids``.
    The labels of ``spec`` are used as the ``study`` column (they must be distinct).
    """
    if not isinstance(spec, Mapping) or len(spec) == 0:
        raise ValueError(f"spec must be a non-empty mapping of study label to row id(s), got {spec!r}")
    rows = []
    for label, ids in spec.items():
        r = study_rate(proportions, ids)
        rows.append({
            "study": str(label), "events": r.events, "total": r.total, "proportion": r.proportion,
            "how": "; ".join(dict.fromkeys(HOW[h] for h in r.how)), "rebuilt": r.rebuilt,
            "ambiguous": r.ambiguous, "denominator_changed": r.denominator_changed,
            "ids": ", ".join(r.ids),
        })
    return pd.DataFrame(rows)


def log_odds_ratios(events_a, total_a, events_b, total_b) -> tuple[np.ndarray, np.ndarray]:
    """Per-study log odds ratios of group a versus group b and their sampling variances.

    yᵢ = log(aᵢdᵢ / (bᵢcᵢ)), vᵢ = 1/aᵢ + 1/bᵢ + 1/cᵢ + 1/dᵢ (Woolf's variance), with 1/2 added to
    every cell of a table that has a zero cell: metafor's ``escalc("OR", add=1/2, to="only0")``,
    the input :func:`helpers.meta.random_effects` expects. Raises ``ValueError`` for counts above
    totals, negative or non-integer counts, zero totals, vectors of different lengths, and tables
    with no events (or only events) in both groups, whose odds ratio is undefined.
    """
    tables = _check_table_vectors(events_a, total_a, events_b, total_b, min_tables=1)
    yi, vi = [], []
    for i, (a, n1, c, n2) in enumerate(tables.astype(int)):
        b, d = n1 - a, n2 - c
        if (a == 0 and c == 0) or (b == 0 and d == 0):
            raise ValueError(f"table {i}: no events (or only events) in both groups, the odds ratio is undefined")
        cells = np.array([a, b, c, d], dtype=float)
        if np.any(cells == 0):
            cells += 0.5
        a_, b_, c_, d_ = cells
        yi.append(float(np.log(a_ * d_ / (b_ * c_))))
        vi.append(float(np.sum(1.0 / cells)))
    return np.array(yi), np.array(vi)
