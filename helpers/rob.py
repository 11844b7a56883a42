"""Risk of bias, target-trial framing and synthesis inputs: the appraisal tables of the data package.

The tables in ``data/appraisal/`` (Table Schemas in ``data/schemas/``, resources in
``datapackage.json``):

* ``robins_i.csv``: one row per study, comparison and domain of **ROBINS-I version 2** (Sterne JAC,
  Higgins JPT, et al. *Risk Of Bias In Non-randomized Studies of Interventions, version 2*,
  riskofbias.info, November 2024), with the signalling answers (``Y``, ``PY``, ``PN``, ``N``,
  ``NI``, ``NA`` by question number), the judgement, a one-sentence rationale, verbatim quote(s)
  and links to the audit rows and data rows that bear on it.
* ``jbi_case_series.csv``: one row per study arm and question of the **JBI critical appraisal
  checklist for case series** (Munn Z, Barker TH, Moola S, et al. Methodological quality of case
  series studies: an introduction to the JBI critical appraisal tool. *JBI Evid Synth*
  2020;18:2127-33), answered yes / no / unclear / not applicable.
* ``target_trial.csv``: per comparative study, the randomised trial it tries to emulate
  (Hernán MA, Robins JM. Using big data to emulate a target trial when a randomized trial is not
  available. *Am J Epidemiol* 2016;183:758-64): eligibility, time zero, strategies and how they are
  assigned, which groups are defined by events after time zero, and what the comparison can and
  cannot estimate.
* ``grade.csv``: the GRADE judgements that are not computed (indirectness, publication bias), per
  outcome and analysis, each with its reason (see :mod:`helpers.sof` for the computed domains).
* ``synthesis_inputs.csv``: which data rows of which study enter which outcome of the synthesis,
  with the arm, the adjustment and the estimand, so that including a study means adding rows.
* ``overlap.csv``: pairs of cohorts that could share patients (``status = possible``) or were
  considered and are not suspected (``not_suspected``), each with its reason and a verbatim quote
  from each study's source text (``quote_a``, ``quote_b``).

Several quotes in one cell are separated by :data:`QUOTE_SEP`; each part must occur verbatim
(whitespace-normalised) in ``data/sources/<study>.txt``, as every quote of the package does.
:func:`load_appraisal` reads and checks the tables and raises :class:`helpers.data.DataValidationError`
listing every problem as ``file:line: reason``; :func:`overall_judgement` applies ROBINS-I's rule
for the overall risk of bias.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from helpers.data import (APPRAISAL_KINDS, DataValidationError, _descriptor, _read_csv, _root, _typed_frame,
                          load_package, normalise_whitespace)
from helpers.validation import check_frame, check_sequence, check_text

__all__ = [
    "APPRAISAL_KINDS", "DOMAINS", "SIGNALLING", "JUDGEMENTS", "JBI_QUESTIONS", "QUOTE_SEP", "load_appraisal",
    "appraisal_problems", "overall_judgement", "robins_summary", "jbi_summary", "resolve_audit_links", "baseline_balance",
]

#: table kinds of the appraisal (schema stems); helpers.data leaves them to this module
#: separator of several verbatim passages in one ``quote`` cell
QUOTE_SEP = " [...] "

#: ROBINS-I V2 (2024) domains
DOMAINS = {
    "D1": "Confounding",
    "D2": "Classification of interventions",
    "D3": "Selection of participants",
    "D4": "Deviations from intended interventions",
    "D5": "Missing data",
    "D6": "Measurement of the outcome",
    "D7": "Selection of the reported result",
}
#: the signalling questions the ``signalling`` answers refer to, paraphrased (and shortened) from
#: ROBINS-I V2; the tool's own wording and guidance are at riskofbias.info
SIGNALLING = {
    "1.1": "Were all important confounders controlled for?",
    "1.2": "Were the controlled confounders measured validly and reliably?",
    "1.3": "Were variables measured after time zero, which the intervention could affect, controlled for?",
    "1.4": "Do other considerations (e.g. groups formed on prognosis) suggest serious uncontrolled confounding?",
    "2.1": "Were the intervention groups clearly defined?",
    "2.2": "Could the classification have been affected by knowledge of the outcome?",
    "2.3": "Were the groups defined using information available only after time zero?",
    "3.1": "Was selection into the study or analysis based on characteristics observed after time zero?",
    "3.2": "Were those characteristics associated with both intervention and outcome?",
    "3.3": "Did follow-up and intervention start together for most participants?",
    "3.4": "Were methods used that are likely to correct for the selection?",
    "4.1": "Were there deviations or co-interventions, differing between groups, likely to affect the outcome?",
    "4.2": "Were they balanced or accounted for in the analysis?",
    "5.1": "Were outcome data available for (nearly) all participants?",
    "5.2": "Were participants excluded for missing intervention status or covariates?",
    "5.3": "Is the result likely to be robust to the missing data?",
    "6.1": "Could the outcome measure have differed between the groups?",
    "6.2": "Were outcome assessors aware of the intervention received?",
    "6.3": "Could that knowledge have influenced the assessment?",
    "7.1": "Was the analysis pre-specified (protocol or analysis plan available)?",
    "7.2": "Is the result likely selected from several outcome measurements?",
    "7.3": "Is the result likely selected from several analyses (models, subgroups, cut-offs)?",
}
#: short labels for figures
DOMAIN_SHORT = {"D1": "Confounding", "D2": "Classification", "D3": "Selection", "D4": "Deviations",
                "D5": "Missing data", "D6": "Measurement", "D7": "Reporting"}
#: ROBINS-I judgements from least to most severe; "no_information" is handled by the rule below
JUDGEMENTS = ("low", "moderate", "serious", "critical")
JUDGEMENT_WORDS = {"low": "Low", "moderate": "Moderate", "serious": "Serious", "critical": "Critical",
                   "no_information": "No information"}
#: the ten questions of the JBI checklist for case series (Munn et al. 2020)
JBI_QUESTIONS = {
    "Q1": "Clear criteria for inclusion",
    "Q2": "Condition measured in a standard, reliable way for all",
    "Q3": "Valid methods used to identify the condition for all",
    "Q4": "Consecutive inclusion of participants",
    "Q5": "Complete inclusion of participants",
    "Q6": "Clear reporting of demographics",
    "Q7": "Clear reporting of clinical information",
    "Q8": "Outcomes or follow-up results clearly reported",
    "Q9": "Clear reporting of the presenting sites' demographic information",
    "Q10": "Statistical analysis appropriate",
}


def _frames(root: Path):
    problems: list[str] = []
    frames: dict[str, pd.DataFrame] = {}
    for resource in _descriptor(root).get("resources", []):
        schema_path = resource.get("schema")
        kind = Path(schema_path).stem if isinstance(schema_path, str) else None
        if kind not in APPRAISAL_KINDS:
            continue
        schema = json.loads((root / schema_path).read_text(encoding="utf-8"))
        label = f"{root.name}/{resource['path']}"
        header, rows, lines = _read_csv(root / resource["path"], label, problems)
        frame = _typed_frame(header, rows, lines, schema, label, problems)
        frames[kind] = pd.concat([frames[kind], frame], ignore_index=True) if kind in frames else frame
    missing = [k for k in APPRAISAL_KINDS if k not in frames]
    if missing:
        problems.append(f"datapackage.json:0: no resource for the appraisal table(s) {', '.join(missing)}")
    return frames, problems


def _split(value) -> list[str]:
    if value is None or pd.isna(value) or str(value).strip() == "":
        return []
    return [p.strip() for p in str(value).split(";") if p.strip()]


def _checks(frames, pkg, sources, problems):
    known = set(pkg["studies"]["study"])
    arms = {(r.study, r.arm) for r in pkg["arms"].itertuples()}
    data_ids = {i: kind for kind in ("proportions", "comparisons", "continuous", "estimates", "quantities",
                                     "definitions") for i in pkg[kind]["id"]}
    seen: dict[str, str] = {}
    for kind, frame in frames.items():
        for r in frame.itertuples(index=False):
            where = f"{r.row_file}:{r.row_line}"
            if pd.notna(r.id):
                if r.id in seen or r.id in data_ids:
                    problems.append(f"{where}: duplicate id {r.id!r} (also at {seen.get(r.id, 'the number tables')})")
                seen.setdefault(r.id, where)
            study = getattr(r, "study", None)
            if study is not None and pd.notna(study) and study not in known:
                problems.append(f"{where}: unknown study key {study!r} (not in studies.csv)")
                continue
            for col in ("comparison", "arm"):
                value = getattr(r, col, None)
                if value is not None and pd.notna(value):
                    for arm in str(value).split("|"):
                        if (study, arm) not in arms:
                            problems.append(f"{where}: unknown arm {arm!r} in {col} (not in {study}/arms.csv)")
            if hasattr(r, "quote") and pd.notna(r.quote) and study in sources:
                for part in str(r.quote).split(QUOTE_SEP):
                    if normalise_whitespace(part) not in sources[study]:
                        problems.append(f"{where}: quote not found verbatim in the source text of {study}: "
                                        f"{normalise_whitespace(part)[:80]!r}")
            for col in ("data_rows", "data_row"):
                for did in _split(getattr(r, col, None)):
                    if did not in data_ids:
                        problems.append(f"{where}: {col}: unknown data row {did!r}")
                    elif not did.startswith(f"{study}-"):
                        problems.append(f"{where}: {col}: data row {did!r} belongs to another study")
            sig = getattr(r, "signalling", None)
            if sig is not None and pd.notna(sig) and pd.notna(r.domain):
                for part in re.split(r";\s*(?=\d+\.\d+\s)", str(sig)):
                    number = part.strip().split(" ", 1)[0]
                    if number not in SIGNALLING or not number.startswith(str(r.domain)[1:] + "."):
                        problems.append(f"{where}: signalling: {number!r} is not a question of domain {r.domain}")
            for link in _split(getattr(r, "audit_links", None)):
                if "|" not in link:
                    problems.append(f"{where}: audit_links: {link!r} must be '<check>|<item>'")
    trials = frames.get("target_trial")
    if trials is not None:
        items = set(zip(pkg["proportions"]["study"], pkg["proportions"]["item"])) | set(
            zip(pkg["continuous"]["study"], pkg["continuous"]["item"]))
        for r in trials.itertuples(index=False):
            for item in _split(r.after_time_zero_items):
                if (r.study, item) not in items:
                    problems.append(f"{r.row_file}:{r.row_line}: after_time_zero_items: {r.study} prints no item {item!r}")
    for kind, keys, column, expected, tool in (
            ("robins_i", ["study", "comparison"], "domain", DOMAINS, "ROBINS-I domain D1-D7"),
            ("jbi_case_series", ["study", "arm"], "question", JBI_QUESTIONS, "JBI question Q1-Q10")):
        frame = frames.get(kind)
        if frame is None:
            continue
        for (study, unit), group in frame.groupby(keys, dropna=False):
            got = list(group[column].dropna())
            if sorted(got) != sorted(expected) or len(got) != len(expected):
                first = group.iloc[0]
                problems.append(f"{first.row_file}:{first.row_line}: {study} {unit}: needs each {tool} exactly "
                                f"once, got {sorted(got)}")
    overlap = frames.get("overlap")
    if overlap is not None:
        pairs: dict[frozenset, str] = {}
        for r in overlap.itertuples(index=False):
            where = f"{r.row_file}:{r.row_line}"
            for col in ("study_a", "study_b"):
                if getattr(r, col) not in known:
                    problems.append(f"{where}: {col}: unknown study key {getattr(r, col)!r} (not in studies.csv)")
            if r.study_a == r.study_b:
                problems.append(f"{where}: study_b: a study cannot overlap with itself ({r.study_a!r})")
            pair = frozenset((r.study_a, r.study_b))
            if pair in pairs:
                problems.append(f"{where}: the pair {r.study_a}/{r.study_b} is already at {pairs[pair]}")
            pairs.setdefault(pair, where)
            for col, study in (("quote_a", r.study_a), ("quote_b", r.study_b)):
                if study not in sources or pd.isna(getattr(r, col)):
                    continue
                for part in str(getattr(r, col)).split(QUOTE_SEP):
                    if normalise_whitespace(part) not in sources[study]:
                        problems.append(f"{where}: {col} not found verbatim in the source text of {study}: "
                                        f"{normalise_whitespace(part)[:80]!r}")
    inputs = frames.get("synthesis_inputs")
    if inputs is not None:
        for r in inputs.itertuples(index=False):
            kind = data_ids.get(r.data_row)
            expected = "estimates" if r.role == "effect" else "proportions"
            if kind is not None and kind != expected:
                problems.append(f"{r.row_file}:{r.row_line}: data_row {r.data_row!r} is a {kind} row; role "
                                f"{r.role!r} needs a {expected} row")


def _sources(pkg, root):
    out = {}
    for r in pkg["studies"].itertuples():
        path = root / str(r.source_file)
        if path.is_file():
            out[r.study] = normalise_whitespace(path.read_text(encoding="utf-8"))
    return out


def appraisal_problems(root=None) -> list[str]:
    """Every problem of the appraisal tables as ``file:line: reason`` (empty list when valid)."""
    root = _root(root)
    frames, problems = _frames(root)
    try:
        pkg = load_package(root)
    except DataValidationError as exc:
        return problems + exc.problems
    _checks(frames, pkg, _sources(pkg, root), problems)
    return problems


def load_appraisal(root=None) -> dict[str, pd.DataFrame]:
    """The appraisal tables (keys :data:`APPRAISAL_KINDS`), typed from their Table Schemas.

    Checks types, required fields, allowed values; ids unique across the whole package; known
    studies and arms; every ROBINS-I comparison with each of the seven domains once and every JBI
    arm with each of the ten questions once; every quote part verbatim in the study's source text;
    every linked data row present and of the same study. Raises
    :class:`helpers.data.DataValidationError` listing every problem as ``file:line: reason``.
    """
    root = _root(root)
    frames, problems = _frames(root)
    pkg = load_package(root)
    _checks(frames, pkg, _sources(pkg, root), problems)
    if problems:
        raise DataValidationError(problems)
    return {k: frames[k].drop(columns=["row_file", "row_line"]) for k in APPRAISAL_KINDS}


def overall_judgement(judgements) -> str:
    """ROBINS-I's overall risk of bias from the domain judgements.

    The overall judgement is the most severe domain judgement (low < moderate < serious <
    critical): at least one domain critical → critical; else at least one serious → serious; else
    at least one moderate → moderate; low only when every domain is low. When some domain has
    "no_information" and no domain is serious or critical, the result is "no_information"
    (ROBINS-I: no clear indication of serious or critical risk, but key information lacking).
    Raises ``ValueError`` for an empty sequence or an unknown judgement.
    """
    if isinstance(judgements, str):
        values = [judgements]
    else:
        values = check_sequence(judgements, "judgements")
    if not values:
        raise ValueError("judgements must hold at least one domain judgement")
    for v in values:
        if v not in JUDGEMENTS and v != "no_information":
            raise ValueError(f"judgements: unknown judgement {v!r} (one of {', '.join(JUDGEMENTS)}, no_information)")
    rated = [JUDGEMENTS.index(v) for v in values if v != "no_information"]
    worst = JUDGEMENTS[max(rated)] if rated else None
    if "no_information" in values and worst not in ("serious", "critical"):
        return "no_information"
    return worst


def robins_summary(rob: pd.DataFrame) -> pd.DataFrame:
    """One row per study and comparison: the seven domain judgements (columns D1–D7), the overall
    judgement by :func:`overall_judgement`, and the domains that set it (``main_domains``)."""
    if not isinstance(rob, pd.DataFrame) or not {"study", "comparison", "domain", "judgement"} <= set(rob.columns):
        raise ValueError("rob must be the robins_i table of load_appraisal()")
    rows = []
    for (study, comp), group in rob.groupby(["study", "comparison"], sort=False):
        by_domain = dict(zip(group["domain"], group["judgement"]))
        overall = overall_judgement(by_domain.values())
        main = [d for d in DOMAINS if by_domain.get(d) == overall]
        rows.append({"study": study, "comparison": comp, **{d: by_domain.get(d) for d in DOMAINS},
                     "overall": overall, "main_domains": main})
    return pd.DataFrame(rows)


def jbi_summary(jbi: pd.DataFrame) -> pd.DataFrame:
    """One row per study arm: the answer to each JBI question (Q1–Q10) and the count of "yes"."""
    if not isinstance(jbi, pd.DataFrame) or not {"study", "arm", "question", "answer"} <= set(jbi.columns):
        raise ValueError("jbi must be the jbi_case_series table of load_appraisal()")
    rows = []
    for (study, arm), group in jbi.groupby(["study", "arm"], sort=False):
        answers = dict(zip(group["question"], group["answer"]))
        rows.append({"study": study, "arm": arm, **{q: answers.get(q) for q in JBI_QUESTIONS},
                     "yes": sum(a == "yes" for a in answers.values()), "of": len(JBI_QUESTIONS)})
    return pd.DataFrame(rows)


def resolve_audit_links(table: pd.DataFrame, audit: pd.DataFrame) -> pd.DataFrame:
    """The audit rows (of ``helpers.audit.run_audit``) that each appraisal row links to.

    Returns one row per link: ``id`` of the appraisal row, ``check``, ``item``, the audit
    ``verdict`` and ``detail``. Raises ``ValueError`` naming the link when it matches no audit row
    or more than one, so that a renamed audit item cannot silently drop a link.
    """
    if not isinstance(audit, pd.DataFrame) or not {"study", "check", "item", "verdict"} <= set(audit.columns):
        raise ValueError("audit must be the table of helpers.audit.run_audit()")
    check_frame(table, "table", ("id", "audit_links"), "an appraisal table (robins_i or jbi_case_series)")
    out = []
    for r in table.itertuples(index=False):
        for link in _split(r.audit_links):
            check, _, item = link.partition("|")
            hit = audit[(audit["study"] == r.study) & (audit["check"] == check) & (audit["item"] == item)]
            if len(hit) != 1:
                raise ValueError(f"audit_links of {r.id}: {link!r} matches {len(hit)} audit rows, expected 1")
            h = hit.iloc[0]
            out.append({"id": r.id, "check": check, "item": item, "verdict": h["verdict"], "detail": h["detail"]})
    return pd.DataFrame(out, columns=["id", "check", "item", "verdict", "detail"])


def baseline_balance(pkg, trial, *, location: str = "Table 1") -> pd.DataFrame:
    """Standardised differences of the baseline rows of a study's Table 1, before any weighting.

    ``pkg`` is :func:`helpers.data.load_package`'s result; ``trial`` one row (a mapping or a
    Series) of the ``target_trial`` table, whose ``comparison`` names the two arms (treated first)
    and whose ``after_time_zero_items`` lists the Table 1 items measured after time zero, which are
    left out. Proportion rows use :func:`helpers.appraisal.smd_binary` (Austin 2009) on their
    counts (or, without a count, the printed percentage of the row's total); mean (SD) rows use
    :func:`helpers.appraisal.smd_continuous`; median (IQR) rows use
    :func:`helpers.appraisal.smd_from_median_iqr` and are flagged ``approximate``. Rows printed for
    only one arm are skipped. Columns: ``item``, ``category``, ``kind``, ``a``, ``b`` (the printed
    cells), ``smd``, ``approximate``, ``ids``.
    """
    from helpers.appraisal import smd_binary, smd_continuous, smd_from_median_iqr

    check_text(location, "location")

    if not isinstance(pkg, dict) or "proportions" not in pkg or "continuous" not in pkg:
        raise ValueError("pkg must be the result of helpers.data.load_package()")
    try:
        study, comparison = str(trial["study"]), str(trial["comparison"])
        after = trial["after_time_zero_items"]
    except (KeyError, TypeError) as exc:
        raise ValueError("trial must be a row of the target_trial table of load_appraisal()") from exc
    arm_a, arm_b = comparison.split("|")
    skip = set(_split(after))
    rows = []
    props = pkg["proportions"]
    props = props[(props["study"] == study) & (props["location"] == location) & ~props["item"].isin(skip)]
    for (item, category), group in props.groupby(["item", props["category"].fillna("")], sort=False):
        by_arm = {r.arm: r for r in group.itertuples()}
        if arm_a not in by_arm or arm_b not in by_arm:
            continue
        ra, rb = by_arm[arm_a], by_arm[arm_b]

        def counts(r):
            if pd.notna(r.count):
                return int(r.count), int(r.total)
            return int(round(float(r.percent) * int(r.total) / 100)), int(r.total)

        rows.append({"item": item, "category": category, "kind": "binary", "a": ra.printed, "b": rb.printed,
                     "smd": smd_binary(*counts(ra), *counts(rb)), "approximate": pd.isna(ra.count) or pd.isna(rb.count),
                     "ids": f"{ra.id}; {rb.id}"})
    cont = pkg["continuous"]
    cont = cont[(cont["study"] == study) & (cont["location"] == location) & ~cont["item"].isin(skip)]
    for item, group in cont.groupby("item", sort=False):
        by_arm = {r.arm: r for r in group.itertuples()}
        if arm_a not in by_arm or arm_b not in by_arm:
            continue
        ra, rb = by_arm[arm_a], by_arm[arm_b]
        if ra.summary == "mean_sd" and rb.summary == "mean_sd":
            smd, approx = smd_continuous(ra.centre, ra.sd, rb.centre, rb.sd), False
        else:
            try:
                smd = smd_from_median_iqr(ra.centre, ra.q1, ra.q3, rb.centre, rb.q1, rb.q3)
            except ValueError:  # both IQRs of width zero: no spread to standardise by
                smd = float("nan")
            approx = True
        rows.append({"item": item, "category": "", "kind": str(ra.summary), "a": ra.printed, "b": rb.printed,
                     "smd": smd, "approximate": approx, "ids": f"{ra.id}; {rb.id}"})
    return pd.DataFrame(rows, columns=["item", "category", "kind", "a", "b", "smd", "approximate", "ids"])
