"""Check families ``n-sum`` (the sizes of compared arms against the study total) and ``subset-n``
(a printed denominator, such as the patients with follow-up imaging, against the size of the arm
it is a subset of); see :mod:`helpers.audit`."""

from __future__ import annotations

from collections.abc import Mapping



from helpers.audit.common import (_missing, _row)


# --------------------------------------------------------------------------- arm sizes

def _n_sum_rows(pkg: Mapping, arm_n: dict, out: list) -> None:
    studies = pkg["studies"].set_index("study")["n_total"].to_dict()
    sets = {}
    for frame, col in ((pkg["comparisons"], "arms"), (pkg["estimates"], "comparison")):
        for study, arms, loc in zip(frame["study"], frame[col], frame["location"]):
            if _missing(arms) or "|" not in str(arms):
                continue
            key = (study, tuple(sorted(str(arms).split("|"))))
            if key not in sets and all((study, a) in arm_n for a in key[1]):
                sets[key] = loc
    by_study: dict = {}
    for (st, a), n in arm_n.items():
        by_study.setdefault(st, []).append((a, n))
    for (study, arms), loc in sets.items():
        ns = [arm_n[(study, a)] for a in arms]
        label = " + ".join(arms)
        if any(_missing(n) for n in ns):
            _row(out, study, "Arms", label, "n-sum", "", "", "unverifiable",
                 "The size of at least one of these arms is not printed.")
            continue
        s = int(sum(int(n) for n in ns))
        parents = sorted(a for a, n in by_study.get(study, [])
                         if a not in arms and not _missing(n) and int(n) == s)
        reported = " + ".join(str(int(n)) for n in ns)
        n_total = studies.get(study)
        if not _missing(n_total) and int(n_total) == s:
            _row(out, study, "Arms", label, "n-sum", reported, f"{s}", "consistent",
                 f"The arm sizes add up to {s}, the study's total.")
        elif parents:
            _row(out, study, "Arms", label, "n-sum", reported, f"{s}", "consistent",
                 f"The arm sizes add up to {s}, the size of the arm '{parents[0]}'.")
        else:
            _row(out, study, "Arms", label, "n-sum", reported, f"{s}", "unverifiable",
                 f"The arm sizes add up to {s}, which matches neither the study's total nor any "
                 "printed arm size.")


def _subset_rows(pkg: Mapping, arm_n: dict, out: list) -> None:
    """A printed or stated denominator of a proportion is a subset of its arm: it cannot exceed
    the arm's size. One row per (location, item, arm, denominator) that differs from the arm's
    size; categories share theirs."""
    seen = set()
    props = pkg["proportions"]
    for r in props.itertuples(index=False):
        if r.total_basis not in ("printed", "stated") or _missing(r.total):
            continue
        n = arm_n.get((r.study, r.arm))
        key = (r.study, r.location, r.item, r.arm, int(r.total))
        if _missing(n) or key in seen:
            continue
        seen.add(key)
        total, n = int(r.total), int(n)
        if total == n:
            continue  # the whole arm, not a subset of it: nothing to check beyond the percent row
        label = f"{r.item} ({r.arm})"
        if total <= n:
            _row(out, r.study, r.location, label, "subset-n", f"{total}", f"at most {n}", "consistent",
                 f"The denominator {total} is at most the size {n} of the arm '{r.arm}' it is part of.")
        else:
            _row(out, r.study, r.location, label, "subset-n", f"{total}", f"at most {n}", "inconsistent",
                 f"The denominator {total} exceeds the size {n} of the arm '{r.arm}' it is part of: "
                 "a subset of the arm cannot be larger than the arm.", "tried: the arm size from arms.csv")


def run(pkg, arm_n: dict, out: list, state: dict) -> None:
    """Registry entry."""
    _n_sum_rows(pkg, arm_n, out)
    _subset_rows(pkg, arm_n, out)
