"""Check family ``n-sum``: the sizes of compared arms against the study total (see :mod:`helpers.audit`)."""

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


def run(pkg, arm_n: dict, out: list, state: dict) -> None:
    """Registry entry."""
    _n_sum_rows(pkg, arm_n, out)
