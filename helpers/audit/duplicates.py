"""Check family ``duplicate``: the same quantity printed in two places (see :mod:`helpers.audit`)."""

from __future__ import annotations

from collections.abc import Mapping


from helpers.printed import Printed, as_printed

from helpers.audit.common import (_LOG_MEASURES, _below, _contains, _location_key, _missing,
                                  _overlap, _p, _pct, _row, _s, _verbatim, _words)
from helpers.audit.percentages import (_label)
from helpers.audit.estimates import (_ci_bounds, _est_label)


# --------------------------------------------------------------------------- duplicates

def _dup_values(kind: str, r) -> list[tuple[str, Printed | int]]:
    """The printed numbers of a row that a duplicate must match: (name, Printed or exact int)."""
    if kind == "proportions":
        vals = []
        if not _missing(r.percent):
            vals.append(("percentage", _pct(r.percent, r.percent_decimals)))
        if not _missing(r.count):
            vals.append(("count", int(r.count)))
        if not _missing(r.total) and r.total_basis == "printed":
            vals.append(("total", int(r.total)))
        return vals
    if kind == "comparisons":
        return [("p", _p(r.p_printed))]
    if kind == "continuous":
        d = int(r.decimals)
        vals = [("centre", as_printed(float(r.centre), "centre", d))]
        for name in ("sd", "q1", "q3"):
            v = getattr(r, name)
            if not _missing(v):
                vals.append((name, as_printed(float(v), name, d)))
        return vals
    if kind == "estimates":
        vals = [("estimate", as_printed(str(r.estimate_printed), "estimate"))]
        if not _missing(r.ci_low):
            lo, hi, _ = _ci_bounds(r)
            vals += [("lower bound", lo), ("upper bound", hi)]
        if _s(r.p_printed):
            vals.append(("p", _p(r.p_printed)))
        return vals
    return [("value", as_printed(str(r.printed), "value")) if _numeric(r.printed)
            else ("value", as_printed(float(r.value), "value"))]


def _numeric(text) -> bool:
    try:
        as_printed(str(text), "value")
        return True
    except ValueError:
        return False


def _dup_shown(kind: str, r) -> str:
    if kind == "estimates":
        return f"{r.estimate_printed} ({_s(r.ci_printed)}), p {_s(r.p_printed)}".replace(" ()", "")
    if kind == "comparisons":
        return f"p {r.p_printed}"
    return _s(r.printed)


_DUP_KEYS = {
    "proportions": ("study", "arm", "category"),
    "continuous": ("study", "arm", "summary"),
    "comparisons": ("study", "arms"),
    "estimates": ("study", "measure", "comparison", "subgroup", "adjustment"),
    "quantities": ("study", "unit"),
}


def _duplicate_rows(pkg: Mapping, out: list) -> None:
    for kind, keys in _DUP_KEYS.items():
        frame = pkg.get(kind)
        if frame is None or frame.empty:
            continue
        frame = frame.assign(**{k: frame[k].astype("string").fillna("") for k in keys})
        for _, g in frame.groupby(list(keys), sort=False):
            if g["location"].nunique() < 2:
                continue
            rows = sorted(g.itertuples(index=False), key=lambda r: (_location_key(r.location), r.id))
            words = [_words(r.item) for r in rows]
            for j, r in enumerate(rows):
                for i in range(j):
                    ref = rows[i]
                    if ref.location == r.location:
                        continue
                    if not (_contains(words[i], words[j]) or _contains(words[j], words[i])):
                        continue
                    _compare_dup(kind, ref, r, out)
                    break


def _compare_dup(kind, ref, r, out) -> None:
    a, b = dict(_dup_values(kind, ref)), dict(_dup_values(kind, r))
    common = [k for k in a if k in b]
    if not common:
        return
    bad = []
    for k in common:
        x, y = a[k], b[k]
        same = (x == y) if isinstance(x, int) else _overlap(x, y)
        if not same:
            bad.append(k)
    shown_ref, shown = _dup_shown(kind, ref), _dup_shown(kind, r)
    q_ref, q = _verbatim(shown_ref), _verbatim(shown)
    cons = "none"
    if bad:
        verdict = "inconsistent"
        detail = (f"The {' and '.join(bad)} printed here ({q}) cannot be the same as in "
                  f"{ref.location} ({q_ref}), even allowing for printed precision.")
        if "p" in bad and _below(a["p"]) != _below(b["p"]):
            cons = "p crosses 0.05"
        elif kind == "estimates" and "estimate" in bad:
            null = 1.0 if ref.measure in _LOG_MEASURES else 0.0
            if (a["estimate"].value > null) != (b["estimate"].value > null):
                cons = "direction"
    else:
        verdict = "consistent"
        detail = f"Agrees with {ref.location} ({q_ref}) within printed precision."
    label = {"proportions": _label, "estimates": _est_label}.get(kind, lambda x: x.item)(r)
    if kind == "continuous":
        label = f"{r.item} ({r.arm})"
    _row(out, r.study, r.location, label, "duplicate", shown, f"{ref.location}: {q_ref}", verdict,
         detail, "" if verdict == "consistent" else f"compared with {ref.location}", cons)


def run(pkg, arm_n: dict, out: list, state: dict) -> None:
    """Registry entry."""
    _duplicate_rows(pkg, out)
