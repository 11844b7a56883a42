"""Mutation test of the reporting audit: plant one typo in one printed number, run the audit,
and see whether it notices.

A *typo* is one of two slips a typesetter or an author makes in a printed number: one digit
replaced by another (``21.9`` -> ``27.9``) or two neighbouring digits swapped (``0.045`` ->
``0.054``). :func:`mutants` lists every number of the data package that can carry one
(percentages and counts of proportions rows; p-values of comparisons; estimates, CI bounds and
p-values of estimates; means and SDs of continuous rows) and draws typos for them with a fixed
seed; :func:`plant` returns a copy of the package with one typo planted (the number and its
printed text changed together, nothing written to disk); :func:`judge` audits the study before
and after and says

* ``detected``: some audit row of this study got worse (consistent or unverifiable -> explained
  or inconsistent, or explained -> inconsistent, or a new flagged row appeared);
* ``collateral``: rows that got worse although they are about another item (a false alarm);
* ``checkable``: the mutated number takes part in at least one check that passed before the typo
  (a row of this item, or a duplicate of it, that was consistent or explained). A typo in a number
  no passing check uses (a p from a regression model, a median, a percentage without its
  denominator, a number whose only check was already inconsistent) cannot be revealed by the
  printed numbers at all.

Typos that would make a number impossible on its face (a percentage above 100, a count above its
denominator, a p above 1, a leading zero) are not drawn: the data package's validation, not the
audit, rejects those. Bounds such as ``< 0.001`` are not mutated (no digit of a bound is checkable
against a computed p beyond its side of the bound).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

import pandas as pd

from helpers.audit import run_audit
from helpers.audit.common import _core, _words
from helpers.audit.estimates import _est_label
from helpers.audit.percentages import _label
from helpers.consistency import candidate_counts, ci_centre_check, ci_p_check, percent_check
from helpers.printed import as_printed
from helpers.validation import check_frame, check_tables, check_text, check_whole

__all__ = ["KINDS", "Mutant", "mutants", "plant", "judge", "typo"]

#: the kinds of planted typo, in report order
KINDS = ("percentage", "count", "p of a comparison", "estimate", "CI bound", "p of an estimate",
         "mean or SD")
_SEVERITY = {"consistent": 0, "unverifiable": 0, "explained": 1, "inconsistent": 2}
#: the checks that use each kind of number (besides "duplicate", which uses them all)
_USES = {
    "percentage": {"percent", "percent-reachable", "arm-sum", "p-fisher", "p-chisq", "p-chisq-yates",
                   "p-rxc-fisher", "p-rxc-chisq", "p-rule", "p-ttest01", "crude-ratio"},
    "count": {"percent", "arm-sum", "p-fisher", "p-chisq", "p-chisq-yates", "p-rxc-fisher",
              "p-rxc-chisq", "p-rule", "p-ttest01", "crude-ratio"},
    "p of a comparison": {"p-fisher", "p-chisq", "p-chisq-yates", "p-rxc-fisher", "p-rxc-chisq",
                          "p-rule", "p-ttest01", "p-ttest"},
    "estimate": {"ci-centre", "ci-p", "crude-ratio"},
    "CI bound": {"ci-centre", "ci-p", "crude-ratio"},
    "p of an estimate": {"ci-p", "crude-ratio"},
    "mean or SD": {"p-ttest"},
}


@dataclass(frozen=True)
class Mutant:
    """One planted typo: table kind, row id, field, the number's printed text before and after."""
    kind: str
    table: str
    row_id: str
    field: str
    before: str
    after: str


def typo(text: str, rng: random.Random) -> str | None:
    """One typo in the digits of ``text`` (substitution or swap of neighbours), or None when the
    number has no digit that can carry one. A leading digit is never made 0 (no "028")."""
    check_text(text, "text", empty=True)
    if not isinstance(rng, random.Random):
        raise ValueError(f"rng must be a random.Random, got {type(rng).__name__}")
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    if not digits:
        return None
    for _ in range(20):
        pairs = [i for i in digits if i + 1 < len(text) and text[i + 1].isdigit()]
        if pairs and rng.random() < 0.5:
            a = rng.choice(pairs)
            b = a + 1
            if text[a] == text[b]:
                continue
            out = list(text)
            out[a], out[b] = out[b], out[a]
        else:
            a = rng.choice(digits)
            new = rng.choice([d for d in "0123456789" if d != text[a]])
            out = list(text)
            out[a] = new
        s = "".join(out)
        if re.search(r"(?<![\d.])0\d", s):  # a leading zero: not a printed number
            continue
        return s
    return None


def _num(text: str) -> float:
    return float(text)


def _candidates(package: dict, study: str):
    """(kind, table, row, field, text) for every mutable printed number of one study."""
    out = []
    props = package["proportions"]
    for r in props[props["study"] == study].itertuples(index=False):
        if pd.notna(r.percent):
            out.append(("percentage", "proportions", r, "percent", f"{r.percent:.{int(r.percent_decimals)}f}"))
        if pd.notna(r.count):
            out.append(("count", "proportions", r, "count", str(int(r.count))))
    comps = package["comparisons"]
    for r in comps[comps["study"] == study].itertuples(index=False):
        if str(r.p_relation) == "=":
            tok = re.search(r"\d*\.?\d+", str(r.p_printed))
            if tok:
                out.append(("p of a comparison", "comparisons", r, "p", tok.group()))
    ests = package["estimates"]
    for r in ests[ests["study"] == study].itertuples(index=False):
        out.append(("estimate", "estimates", r, "estimate", str(r.estimate_printed).strip().lstrip("-−")))
        if pd.notna(r.ci_low) and isinstance(r.ci_printed, str):
            toks = re.findall(r"\d+(?:\.\d+)?", r.ci_printed)
            if len(toks) == 2:
                out.append(("CI bound", "estimates", r, "ci_low", toks[0]))
                out.append(("CI bound", "estimates", r, "ci_high", toks[1]))
        tok = re.search(r"\d*\.?\d+", str(r.p_printed)) if isinstance(r.p_printed, str) else None
        if tok and str(r.p_relation) == "=":
            out.append(("p of an estimate", "estimates", r, "p", tok.group()))
    conts = package["continuous"]
    for r in conts[conts["study"] == study].itertuples(index=False):
        if r.summary == "mean_sd" and pd.notna(r.sd):
            d = int(r.decimals)
            out.append(("mean or SD", "continuous", r, "centre", f"{r.centre:.{d}f}"))
            out.append(("mean or SD", "continuous", r, "sd", f"{r.sd:.{d}f}"))
    return out


def _valid(kind: str, row, field: str, new: str) -> bool:
    v = _num(new)
    if kind == "percentage":
        return v <= 100
    if kind == "count":
        return pd.isna(row.total) or v <= row.total
    if kind.startswith("p "):
        return 0 < v <= 1
    if field == "sd":
        return v > 0
    return True


def _check_package(package):
    check_tables(package, "package", ("studies", "arms", "proportions", "comparisons", "continuous", "estimates"))


def _check_mutant(m):
    if not isinstance(m, Mutant):
        raise ValueError(f"m must be a Mutant (from mutants()), got {m!r}"[:160])


def mutants(package: dict, study: str, n: int | None = None, seed: int = 16) -> list[Mutant]:
    """Typos for the numbers of ``study``: one per number (``n=None``), or ``n`` numbers drawn
    at random (with a fixed ``seed``), each with one typo drawn with the same generator."""
    _check_package(package)
    if not isinstance(study, str) or study not in set(package["studies"]["study"]):
        raise ValueError(f"study must be a study of the package, got {study!r}")
    if n is not None:
        n = check_whole(n, "n", 1, 1_000_000)
    seed = check_whole(seed, "seed", 0, 2**63)
    rng = random.Random(seed)
    cands = _candidates(package, study)
    if n is not None:
        if not isinstance(n, int) or n < 1:
            raise ValueError(f"n must be a whole number >= 1, got {n!r}")
        cands = rng.sample(cands, min(n, len(cands)))
    out = []
    for kind, table, row, field, text in cands:
        new = None
        for _ in range(10):
            t = typo(text, rng)
            if t is not None and _valid(kind, row, field, t):
                new = t
                break
        if new is not None:
            out.append(Mutant(kind, table, str(row.id), field, text, new))
    return out


def plant(package: dict, m: Mutant) -> dict:
    """A copy of ``package`` with the typo ``m`` planted (number and printed text together)."""
    _check_mutant(m)
    check_tables(package, "package", (m.table,))
    pkg = dict(package)
    frame = package[m.table].copy()
    i = frame.index[frame["id"] == m.row_id]
    if len(i) != 1:
        raise ValueError(f"m names no single row of {m.table}: {m.row_id!r}")
    i = i[0]
    row = frame.loc[i]
    if m.table == "proportions":
        frame.loc[i, m.field] = int(m.after) if m.field == "count" else float(m.after)
        frame.loc[i, "printed"] = str(row["printed"]).replace(m.before, m.after, 1)
    elif m.table == "comparisons":
        frame.loc[i, "p_printed"] = str(row["p_printed"]).replace(m.before, m.after, 1)
        frame.loc[i, "p_value"] = float(m.after)
    elif m.table == "continuous":
        frame.loc[i, m.field] = float(m.after)
        frame.loc[i, "printed"] = str(row["printed"]).replace(m.before, m.after, 1)
    elif m.field == "estimate":
        frame.loc[i, "estimate_printed"] = str(row["estimate_printed"]).replace(m.before, m.after, 1)
        frame.loc[i, "estimate"] = (-1.0 if float(row["estimate"]) < 0 else 1.0) * float(m.after)
    elif m.field in ("ci_low", "ci_high"):
        toks = list(re.finditer(r"\d+(?:\.\d+)?", row["ci_printed"]))
        t = toks[0] if m.field == "ci_low" else toks[1]
        text = row["ci_printed"]
        frame.loc[i, "ci_printed"] = text[:t.start()] + m.after + text[t.end():]
        sign = -1.0 if float(row[m.field]) < 0 else 1.0
        frame.loc[i, m.field] = sign * float(m.after)
    else:  # p of an estimate
        frame.loc[i, "p_printed"] = str(row["p_printed"]).replace(m.before, m.after, 1)
        frame.loc[i, "p_value"] = float(m.after)
    pkg[m.table] = frame
    return pkg


def _label_words(label: str) -> set:
    return set(_core(_words(re.sub(r"\s*\([^()]*\)\s*$", "", label))))


def _keyed(audit: pd.DataFrame) -> dict:
    """{(location, item, check): sorted verdicts} of an audit table."""
    out: dict = {}
    for loc, item, check, verdict in zip(audit["location"], audit["item"], audit["check"],
                                         audit["verdict"]):
        out.setdefault((loc, item, check), []).append(verdict)
    return {k: sorted(v, key=_SEVERITY.get) for k, v in out.items()}


def _related(m_row, key) -> bool:
    """Is the audit row ``key`` = (location, item, check) about the mutated data row?"""
    words = set(_core(_words(str(m_row["item"]))))
    label = _label_words(key[1]) | set(_core(_words(key[1])))
    if not words or not label:
        return False
    return words <= label or label <= words


def judge(package: dict, m: Mutant, baseline: pd.DataFrame | None = None) -> dict:
    """Audit the study of ``m`` before (or take ``baseline``) and after planting it. Returns
    ``detected`` (bool), ``checkable`` (bool), ``collateral`` (list of (location, item, check)
    that got worse but are about another item) and ``worse`` (every row that got worse)."""
    _check_mutant(m)
    check_tables(package, "package", (m.table,))
    if baseline is not None:
        check_frame(baseline, "baseline", ("study", "location", "item", "check", "verdict"),
                    "an audit table of helpers.audit.run_audit")
    frame = package[m.table]
    row = frame.loc[frame["id"] == m.row_id].iloc[0]
    study = str(row["study"])
    before = baseline if baseline is not None else run_audit(package, study=study)
    after = run_audit(plant(package, m), study=study)
    kb, ka = _keyed(before), _keyed(after)
    worse = []
    for key, verdicts in ka.items():
        sev = [_SEVERITY[v] for v in verdicts]
        old = [_SEVERITY[v] for v in kb.get(key, [])]
        if sum(sev) > sum(old) or max(sev, default=0) > max(old, default=0):
            worse.append(key)
    collateral = [k for k in worse if not _related(row, k)]
    return {"detected": bool(worse), "checkable": checkable(before, m, row), "collateral": collateral,
            "worse": worse}


def _own_labels(m: Mutant, row) -> set:
    """The audit's labels of the mutated row (its own checks use one of these as ``item``)."""
    r = pd.DataFrame([row]).itertuples(index=False).__next__()
    if m.table == "proportions":
        return {_label(r), str(row["item"]), f"{row['item']} ({row['arm']})"}
    if m.table == "estimates":
        return {_est_label(r)}
    if m.table == "continuous":
        return {str(row["item"]), f"{row['item']} ({row['arm']})"}
    return {str(row["item"])}


def _outside_after(m: Mutant, row) -> bool:
    """After the typo, does the estimate lie outside (or on) its interval?"""
    if m.table != "estimates" or pd.isna(row["ci_low"]):
        return False
    r = plant({m.table: pd.DataFrame([row])}, m)[m.table].iloc[0]
    return not (float(r["ci_low"]) < float(r["estimate"]) < float(r["ci_high"]))


def _copy_checked(before, m, row, own, uses) -> bool:
    """Only the ``uses`` checks count (used when the number's own check cannot reveal the typo)."""
    return _passing(before, m, row, own, uses)


def _interval_still_fits(m: Mutant, row) -> bool:
    """For a typo in an estimate, a CI bound or the p of an estimate: do the printed numbers with
    the typo still pass both the centre and the CI-p arithmetic of :mod:`helpers.consistency`?
    Then no check of the printed numbers can reveal it."""
    from helpers.audit.common import _LOG_MEASURES
    from helpers.audit.estimates import _ci_bounds
    pkg = plant({m.table: pd.DataFrame([row])}, m)
    r = pkg[m.table].iloc[0]
    scale = "log" if r["measure"] in _LOG_MEASURES else "linear"
    try:
        e = pd.DataFrame([r]).itertuples(index=False).__next__()
        lo, hi, _ = _ci_bounds(e)
        est = as_printed(str(r["estimate_printed"]), "estimate_printed")
        if ci_centre_check(est, lo, hi, scale).verdict != "consistent":
            return False
        if isinstance(r["p_printed"], str) and r["p_printed"].strip():
            level = 0.95 if pd.isna(r["ci_level"]) else float(r["ci_level"])
            pp = as_printed(str(r["p_printed"]), "p_printed")
            if ci_p_check(est, lo, hi, pp, scale, level).verdict != "consistent":
                return False
    except ValueError:
        return False
    return True


def checkable(before: pd.DataFrame, m: Mutant, row) -> bool:
    """Does the mutated number take part in a check that passed before the typo (consistent, or
    explained by an alternative that the number must still fit)? Its own rows (same location and
    label), or a duplicate row that compares it with another printed copy. An interval explained
    only by analogy with other rows of its table (no counts of its own) accepts any asymmetric
    interval around the estimate, so it is not a check its numbers can fail."""
    own = _own_labels(m, row)
    uses = _USES[m.kind] | {"duplicate"}
    if m.table == "estimates" and pd.notna(row["ci_low"]) and _interval_still_fits(m, row):
        uses = {"duplicate", "crude-ratio"}
    if m.kind == "percentage" and pd.notna(row["count"]) and pd.notna(row["total"]):
        # printed with its count and denominator: the percentage is checked against them only
        # (the p-value checks use the count), and a typo that still prints as count/total by
        # rounding or truncation cannot be revealed
        printed = as_printed(float(m.after), "percent", int(row["percent_decimals"]))
        if percent_check(int(row["count"]), int(row["total"]), printed).verdict == "consistent":
            return _copy_checked(before, m, row, own, {"duplicate"})
        uses = {"percent", "arm-sum", "duplicate"}
    if m.kind == "percentage" and (pd.isna(row["count"]) or pd.isna(row["total"])):
        # a percentage without its count: revealable only when no count of the denominator the
        # audit uses prints as the new value (the arithmetic fact, not the audit's verdict)
        total = row["total"]
        if pd.isna(total):
            # the arm size is the denominator: the audit's percent-reachable row names it
            hit = before[(before["location"] == row["location"]) & (before["item"].isin(own))
                         & (before["check"] == "percent-reachable")]
            nums = re.findall(r"counts out of (\d+)", " ".join(hit["recomputed"]))
            if not nums:
                return _copy_checked(before, m, row, own, {"duplicate"})
            total = int(nums[0])
        printed = as_printed(float(m.after), "percent", int(row["percent_decimals"]))
        if candidate_counts(int(total), printed):
            return _copy_checked(before, m, row, own, {"duplicate"})
    return _passing(before, m, row, own, uses)


def _passing(before, m, row, own, uses) -> bool:
    loc = str(row["location"])
    for r in before.itertuples(index=False):
        if r.check not in uses or r.verdict not in ("consistent", "explained"):
            continue
        mine = r.location == loc and r.item in own
        if mine and r.verdict == "explained" and "as the crude rows of the same table" in r.basis:
            # explained by analogy: any asymmetric interval around the estimate passes, so only
            # a typo that puts the estimate outside its interval can be revealed
            if not _outside_after(m, row):
                continue
        label_words = {w for label in own for w in _words(label)}
        dup_words = set(_words(r.item))
        copy = (r.check == "duplicate" and r.recomputed.startswith(f"{loc}:")
                and (dup_words <= label_words or label_words <= dup_words))
        if mine or copy:
            return True
    return False


def run(package: dict, studies=None, n: int | None = None, seed: int = 16, progress=None) -> dict:
    """The mutation report: one typo per printed number of every study (or ``n`` per study),
    judged one at a time. Returns ``by_kind`` (a DataFrame: kind, typos, checkable, detected among
    checkable, detected in all), the totals ``typos``, ``checkable``, ``detected_checkable``,
    ``collateral`` (typos that made a row about another item worse), and ``missed`` (the
    checkable typos not detected, as Mutants) and ``unchecked`` (the typos no passing check uses).
    ``progress``, if given, is called with (study, typos judged) after each study."""
    studies = list(package["studies"]["study"]) if studies is None else list(studies)
    rows, missed, unchecked, collateral = [], [], [], 0
    for study in studies:
        base = run_audit(package, study=study)
        ms = mutants(package, study, n=n, seed=seed)
        for m in ms:
            r = judge(package, m, base)
            rows.append((m.kind, r["checkable"], r["detected"]))
            collateral += bool(r["collateral"])
            if r["checkable"] and not r["detected"]:
                missed.append(m)
            if not r["checkable"]:
                unchecked.append(m)
        if progress is not None:
            progress(study, len(ms))
    df = pd.DataFrame(rows, columns=["kind", "checkable", "detected"])
    by_kind = pd.DataFrame([
        {"kind": k, "typos": int((df["kind"] == k).sum()),
         "checkable": int(df.loc[df["kind"] == k, "checkable"].sum()),
         "detected among checkable": int((df.loc[df["kind"] == k, "checkable"]
                                          & df.loc[df["kind"] == k, "detected"]).sum()),
         "detected in all": int(df.loc[df["kind"] == k, "detected"].sum())}
        for k in KINDS if (df["kind"] == k).any()])
    return {"by_kind": by_kind, "typos": len(df), "checkable": int(df["checkable"].sum()),
            "detected_checkable": int((df["checkable"] & df["detected"]).sum()),
            "detected": int(df["detected"].sum()), "collateral": collateral, "missed": missed,
            "unchecked": unchecked}
