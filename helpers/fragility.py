"""Fragility index and reverse fragility index of a 2x2 result, with Fisher's exact test.

Test: Fisher's exact test, two-sided (:func:`scipy.stats.fisher_exact`, which sums the
probabilities of all tables no more likely than the observed one, as R's ``fisher.test`` does).

Fragility index (Walsh M et al. The statistical significance of randomized controlled trial results
is frequently fragile: a case for a Fragility Index. J Clin Epidemiol 2014;67:622-8)
    For a significant result (p < alpha), non-events are turned into events, one at a time, in one
    group until the two-sided Fisher p is >= alpha; the index is the number of changes. Walsh et al.
    modify "the group with the smaller number of events". With unequal group sizes the group with
    fewer events can have the *higher* risk, and adding events to it would strengthen the result,
    so this implementation modifies the group with the **lower event risk** (events/total), re-chosen
    at every step (the two choices coincide whenever group sizes are equal or the fewer-events group
    has the lower risk, which is the usual case). Ties in risk go to group a.

    The invariant "FI <= the smaller event count" that is sometimes quoted is *not* true (0/100 vs
    10/20 has FI >= 1 with a smallest event count of 0). What always holds, and is tested: FI >= 1;
    every p on the path before the last is < alpha and the last is >= alpha; FI never exceeds the
    number of non-events available in the modified group(s).

Reverse fragility index (Khan MS et al. Application of the reverse fragility index to
statistically nonsignificant randomized clinical trial results. JAMA Netw Open 2020;3:e2012469)
    For a non-significant result (p >= alpha), the number of outcome changes needed to reach
    p < alpha. Algorithm used here: events are turned into non-events in the group with the lower
    event risk (widening the difference), re-chosen at every step; if that group runs out of events
    the remaining changes turn non-events into events in the other group. If no sequence reaches
    significance (tiny groups) a ValueError says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from scipy.stats import fisher_exact

from helpers.validation import check_alpha, check_two_by_two

__all__ = ["Fragility", "fragility_index", "reverse_fragility_index"]


@dataclass(frozen=True)
class Fragility:
    """Result of :func:`fragility_index` or :func:`reverse_fragility_index`.

    ``index`` is the number of outcome changes; ``table`` the modified table as
    (events_a, total_a, events_b, total_b); ``p_path`` the Fisher p of the original table and after
    each change (length ``index + 1``); ``groups_modified`` the group ('a' or 'b') changed at each
    step; ``kind`` is ``"fragility"`` or ``"reverse fragility"``.
    """

    kind: str
    index: int
    table: tuple
    original: tuple
    p_path: tuple
    groups_modified: tuple
    alpha: float
    test: str = "Fisher exact, two-sided"


def _fisher_p(ea, na, eb, nb) -> float:
    return float(fisher_exact([[ea, na - ea], [eb, nb - eb]], alternative="two-sided").pvalue)


def _check_test(test):
    if test != "fisher":
        raise ValueError(f"test must be 'fisher' (the only test implemented), got {test!r}")


def fragility_index(events_a, total_a, events_b, total_b, alpha: float = 0.05,
                    test: str = "fisher") -> Fragility:
    """Walsh et al. (2014) fragility index of a significant 2x2 result (see module docstring).

    Raises ValueError for invalid counts, ``alpha`` outside (0, 1), an unknown ``test``, or when the
    original two-sided Fisher p is not below ``alpha`` (use :func:`reverse_fragility_index`).
    """
    ea, na, eb, nb = check_two_by_two(events_a, total_a, events_b, total_b)
    alpha = check_alpha(alpha)
    _check_test(test)
    p = _fisher_p(ea, na, eb, nb)
    if p >= alpha:
        raise ValueError(f"the result is not significant (Fisher p = {p:.4g} >= alpha = {alpha}); "
                         "the fragility index needs p < alpha: use reverse_fragility_index")
    original = (ea, na, eb, nb)
    path, groups = [p], []
    while p < alpha:
        if ea * nb <= eb * na:  # risk_a <= risk_b: add an event to a
            if ea == na:
                break
            ea += 1
            groups.append("a")
        else:
            if eb == nb:
                break
            eb += 1
            groups.append("b")
        p = _fisher_p(ea, na, eb, nb)
        path.append(p)
    if p < alpha:  # pragma: no cover - the lower-risk group always reaches the other's risk first
        raise ValueError("no sequence of added events made the result non-significant")
    return Fragility("fragility", len(groups), (ea, na, eb, nb), original, tuple(path),
                     tuple(groups), alpha)


def reverse_fragility_index(events_a, total_a, events_b, total_b, alpha: float = 0.05,
                            test: str = "fisher") -> Fragility:
    """Reverse fragility index (Khan et al. 2020) of a non-significant 2x2 result (see module
    docstring for the algorithm).

    Raises ValueError for invalid counts, ``alpha`` outside (0, 1), an unknown ``test``, when the
    original Fisher p is already below ``alpha`` (use :func:`fragility_index`), or when no outcome
    changes can reach significance.
    """
    ea, na, eb, nb = check_two_by_two(events_a, total_a, events_b, total_b)
    alpha = check_alpha(alpha)
    _check_test(test)
    p = _fisher_p(ea, na, eb, nb)
    if p < alpha:
        raise ValueError(f"the result is already significant (Fisher p = {p:.4g} < alpha = "
                         f"{alpha}); use fragility_index")
    original = (ea, na, eb, nb)
    path, groups = [p], []
    while p >= alpha:
        low_is_a = ea * nb <= eb * na
        if low_is_a and ea > 0:
            ea -= 1
            groups.append("a")
        elif not low_is_a and eb > 0:
            eb -= 1
            groups.append("b")
        elif low_is_a and eb < nb:  # group a has no events left: add events to b
            eb += 1
            groups.append("b")
        elif not low_is_a and ea < na:
            ea += 1
            groups.append("a")
        else:
            raise ValueError(f"no outcome changes reach p < alpha = {alpha} for these group sizes "
                             f"(total_a = {na}, total_b = {nb})")
        p = _fisher_p(ea, na, eb, nb)
        path.append(p)
    return Fragility("reverse fragility", len(groups), (ea, na, eb, nb), original, tuple(path),
                     tuple(groups), alpha)
