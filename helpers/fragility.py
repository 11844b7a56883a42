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
    For a non-significant result (p >= alpha), "the minimum number of changes in outcome status
    needed to turn a nonsignificant result significant". Changing one patient's outcome moves one
    group's event count by one, so the index is the smallest L1 distance |da| + |db| from the
    observed table (events_a, events_b) to a table with the same group sizes, (events_a + da,
    events_b + db), whose two-sided Fisher p is below alpha. :func:`reverse_fragility_index`
    computes it exactly by exhaustive search: for k = 1, 2, ... it evaluates *every* table at
    distance k (every split of k between the groups, each group's change either adding or removing
    events) and stops at the first k with a significant table. The search is bounded by
    k <= total_a + total_b, at most (total_a + 1)(total_b + 1) tables in all; if no table reaches
    significance a ValueError says so.

    Options, stated with the result:
    - ``both_groups=True`` (default) allows changes in both groups at once (the true minimum over
      all tables); ``both_groups=False`` restricts the search to tables that differ from the
      observed one in a single group (da = 0 or db = 0), the variant most published RFI
      calculations use. The single-group minimum is never smaller.
    - ``direction`` restricts which significant tables count: ``"either"`` (default), ``"a_higher"``
      (the significant table has a higher event risk in group a than in b) or ``"a_lower"``. Whether
      a higher risk is harm or benefit depends on the outcome (death vs functional independence),
      which the caller knows and the function does not.
    - When several tables at the minimal distance are significant, the one with the smallest p is
      returned (ties: smallest da, then smallest db).

    An earlier version of this module used a greedy stepwise path (remove events from the
    lower-risk group one at a time); that path can need more changes than the minimum (e.g. 10 vs
    6 for 7/41 vs 14/86). It is kept as :func:`stepwise_reverse_fragility_index` for comparison with
    publications that used such a path.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from scipy.stats import fisher_exact

from helpers.validation import check_alpha, check_two_by_two, check_work

#: largest total_a + total_b accepted (each bound keeps a call to a few seconds on one core)
MAX_FRAGILITY_N = 20_000
MAX_REVERSE_N = 2_000
MAX_STEPWISE_N = 200_000

__all__ = ["Fragility", "ReverseFragility", "fragility_index", "reverse_fragility_index",
           "stepwise_reverse_fragility_index"]


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


@lru_cache(maxsize=65536)
def _fisher_p(ea, na, eb, nb) -> float:
    """Two-sided Fisher exact p of one table, remembered: the index walks, the reverse index and
    the minimal search visit the same neighbouring tables many times (about 0.5 ms each)."""
    return float(fisher_exact([[ea, na - ea], [eb, nb - eb]], alternative="two-sided").pvalue)


def _check_test(test):
    if test != "fisher":
        raise ValueError(f"test must be 'fisher' (the only test implemented), got {test!r}")


def fragility_index(events_a, total_a, events_b, total_b, alpha: float = 0.05,
                    test: str = "fisher") -> Fragility:
    """Walsh et al. (2014) fragility index of a significant 2x2 result (see module docstring).

    Walsh's index is defined by its procedure, which is followed here: non-events are turned into
    events one at a time, always in the group with the **lower event risk** (re-chosen after each
    change), until the two-sided Fisher p reaches ``alpha``. That group is the one whose extra
    events move the two risks towards each other; Walsh et al. name "the group with the smaller
    number of events", which is the same group unless group sizes differ enough for the group with
    fewer events to have the higher risk.

    Raises ValueError for invalid counts, ``alpha`` outside (0, 1), an unknown ``test``, or when the
    original two-sided Fisher p is not below ``alpha`` (use :func:`reverse_fragility_index`).
    """
    ea, na, eb, nb = check_two_by_two(events_a, total_a, events_b, total_b)
    check_work(na + nb, MAX_FRAGILITY_N, "recomputing Fisher's test after each outcome change", "total_a + total_b")
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


@dataclass(frozen=True)
class ReverseFragility:
    """Result of :func:`reverse_fragility_index` (the minimal reverse fragility index).

    ``index`` is the minimal number of outcome changes; ``original`` and ``table`` the observed and
    the modified table as (events_a, total_a, events_b, total_b); ``changes`` the signed change in
    events of group a and of group b (``abs(changes[0]) + abs(changes[1]) == index``);
    ``p_original`` and ``p`` their two-sided Fisher p; ``direction`` is ``"a_higher"`` or
    ``"a_lower"``: the event risk of group a relative to b in the modified table; ``search`` the
    ``direction`` asked for and ``both_groups`` whether changes in both groups at once were allowed.
    """

    index: int
    table: tuple
    original: tuple
    changes: tuple
    p_original: float
    p: float
    direction: str
    search: str
    both_groups: bool
    alpha: float
    test: str = "Fisher exact, two-sided"
    kind: str = "reverse fragility (minimal)"


_DIRECTIONS = ("either", "a_higher", "a_lower")


def reverse_fragility_index(events_a, total_a, events_b, total_b, alpha: float = 0.05,
                            test: str = "fisher", *, direction: str = "either",
                            both_groups: bool = True) -> ReverseFragility:
    """Minimal reverse fragility index (Khan et al. 2020) of a non-significant 2x2 result.

    Exact exhaustive search over the number of changed outcomes k = 1, 2, ... (see the module
    docstring for the definition, the ``direction`` and ``both_groups`` options and tie-breaking).

    Raises ValueError for invalid counts, ``alpha`` outside (0, 1), an unknown ``test`` or
    ``direction``, a non-boolean ``both_groups``, when the original Fisher p is already below
    ``alpha`` (use :func:`fragility_index`), or when no table of these group sizes (in the requested
    direction) reaches significance.
    """
    ea, na, eb, nb = check_two_by_two(events_a, total_a, events_b, total_b)
    check_work(na + nb, MAX_REVERSE_N, "the exact search over outcome changes", "total_a + total_b")
    alpha = check_alpha(alpha)
    _check_test(test)
    if direction not in _DIRECTIONS:
        raise ValueError(f"direction must be one of {_DIRECTIONS}, got {direction!r}")
    if not isinstance(both_groups, bool):
        raise ValueError(f"both_groups must be True or False, got {both_groups!r}")
    p0 = _fisher_p(ea, na, eb, nb)
    if p0 < alpha:
        raise ValueError(f"the result is already significant (Fisher p = {p0:.4g} < alpha = "
                         f"{alpha}); use fragility_index")
    for k in range(1, na + nb + 1):
        best = None
        for da in range(max(-k, -ea), min(k, na - ea) + 1):
            rest = k - abs(da)
            if rest and da and not both_groups:
                continue
            for db in sorted({-rest, rest}):
                a, b = ea + da, eb + db
                if not (0 <= b <= nb):
                    continue
                if direction == "a_higher" and a * nb <= b * na:
                    continue
                if direction == "a_lower" and a * nb >= b * na:
                    continue
                p = _fisher_p(a, na, b, nb)
                if p < alpha and (best is None or p < best[0]):
                    best = (p, da, db)
        if best is not None:
            p, da, db = best
            a, b = ea + da, eb + db
            return ReverseFragility(
                index=k, table=(a, na, b, nb), original=(ea, na, eb, nb), changes=(da, db),
                p_original=p0, p=p, direction="a_higher" if a * nb > b * na else "a_lower",
                search=direction, both_groups=both_groups, alpha=alpha)
    raise ValueError(f"no outcome changes reach p < alpha = {alpha} for these group sizes "
                     f"(total_a = {na}, total_b = {nb}, direction = {direction!r}, "
                     f"both_groups = {both_groups})")


def stepwise_reverse_fragility_index(events_a, total_a, events_b, total_b, alpha: float = 0.05,
                            test: str = "fisher") -> Fragility:
    """Greedy stepwise reverse fragility path (kept for comparison; *not* the minimum).

    Events are turned into non-events in the group with the lower event risk (re-chosen at every
    step); if that group runs out of events the remaining changes add events to the other group.
    The number of steps is an upper bound on :func:`reverse_fragility_index` and can exceed it.

    Raises ValueError for invalid counts, ``alpha`` outside (0, 1), an unknown ``test``, when the
    original Fisher p is already below ``alpha`` (use :func:`fragility_index`), or when no outcome
    changes can reach significance.
    """
    ea, na, eb, nb = check_two_by_two(events_a, total_a, events_b, total_b)
    check_work(na + nb, MAX_STEPWISE_N, "recomputing Fisher's test after each outcome change", "total_a + total_b")
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
    return Fragility("reverse fragility (stepwise)", len(groups), (ea, na, eb, nb), original, tuple(path),
                     tuple(groups), alpha)
