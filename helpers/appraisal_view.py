"""Reader-facing tables, figures and sentences of the appraisal, built once for every chapter.

Chapters call these with the package (:func:`helpers.data.load_package`) and the appraisal tables
(:func:`helpers.rob.load_appraisal`); nothing here names a study: the rows come from the data.

* :func:`study_labels`: "Lee 2025" for each study key, from ``studies.csv``.
* :func:`overall_table`, :func:`domain_table`, :func:`jbi_table`, :func:`target_trial_table`,
  :func:`balance_table`, :func:`evalue_display`: pandas DataFrames ready for ``to_markdown``.
* :func:`rob_traffic_light`, :func:`rob_summary`: the robvis figures of :mod:`helpers.robplots`,
  the summary weighted by the number of patients in each comparison.
* :func:`rob_line`: the one-line risk-of-bias summary for a chapter's verdict box.
"""

from __future__ import annotations

import re

import pandas as pd

from helpers.appraisal import evalue_table
from helpers.rob import (DOMAIN_SHORT, DOMAINS, JBI_QUESTIONS, JUDGEMENT_WORDS, QUOTE_SEP, SIGNALLING,
                         baseline_balance, jbi_summary, robins_summary)
from helpers.robplots import JBI_SCALE, ROBINS_SCALE, summary_plot, traffic_light
from helpers.validation import check_choice, check_mapping, check_tables

__all__ = ["study_labels", "overall_table", "domain_table", "jbi_table", "target_trial_table", "balance_table",
           "evalue_display", "rob_traffic_light", "rob_summary", "rob_line", "judgement_text"]


_PKG_TABLES = ("studies", "arms", "estimates")
_APPRAISAL_TABLES = ("robins_i", "jbi_case_series", "target_trial")


_UNUSED = object()


def _check(pkg, appraisal=_UNUSED, study=None, *, allow_none=False):
    """Boundary checks shared by the views: the package, the appraisal, the study key."""
    check_tables(pkg, "pkg", _PKG_TABLES)
    if appraisal is not _UNUSED:
        check_tables(appraisal, "appraisal", _APPRAISAL_TABLES, "helpers.rob.load_appraisal()")
    if study is not None or not allow_none:
        check_choice(study, "study", [str(k) for k in pkg["studies"]["study"]])


def study_labels(pkg) -> dict[str, str]:
    """First author's surname and year per study key, e.g. ``{"lee2025": "Lee 2025"}``."""
    check_tables(pkg, "pkg", ("studies",))
    s = pkg["studies"].set_index("study")
    return (s["citation"].str.split(",").str[0].str.rsplit(" ", n=1).str[0] + " " + s["year"].astype(str)).to_dict()


def _arm_label(pkg, study, comparison) -> str:
    arms = pkg["arms"].set_index(["study", "arm"])
    return " vs ".join(str(arms.loc[(study, a), "label"]) for a in str(comparison).split("|"))


def judgement_text(value, scale=ROBINS_SCALE) -> str:
    """Symbol and words of a judgement, e.g. "× Serious"."""
    check_mapping(scale, "scale", "a mapping of judgement to (colour, symbol, words)")
    if not all(isinstance(v, tuple) and len(v) == 3 for v in scale.values()):
        raise ValueError("scale must map each judgement to (colour, symbol, words)")
    if not isinstance(value, str) or value not in scale:
        raise ValueError(f"value must be one of {', '.join(scale)}, got {value!r}")
    _, symbol, words = scale[value]
    return f"{symbol} {words}"


def _studies(table, study):
    return table if study is None else table[table["study"] == study]


def overall_table(pkg, appraisal, study=None) -> pd.DataFrame:
    """One row per comparison: each domain's judgement (symbol and word), the overall judgement
    derived by ROBINS-I's rule, and the domains that set it."""
    _check(pkg, appraisal, study, allow_none=True)
    labels = study_labels(pkg)
    s = robins_summary(_studies(appraisal["robins_i"], study))
    return pd.DataFrame([{
        "Study": labels[r.study], "Comparison": _arm_label(pkg, r.study, r.comparison),
        **{f"{d} {DOMAIN_SHORT[d]}": judgement_text(getattr(r, d)) for d in DOMAINS},
        "Overall": judgement_text(r.overall),
        "Set by": ", ".join(DOMAINS[d].lower() for d in r.main_domains),
    } for r in s.itertuples()])


def _quotes(text) -> str:
    return " … ".join(f"“{part.strip()}”" for part in str(text).split(QUOTE_SEP))


def _signalling(text) -> str:
    return "; ".join(p.strip() for p in re.split(r";\s*(?=\d+\.\d+\s)", str(text)))


def domain_table(pkg, appraisal, study) -> pd.DataFrame:
    """Every ROBINS-I judgement of ``study``: domain, judgement, signalling answers, rationale,
    the paper's words, and the audit checks linked to it."""
    _check(pkg, appraisal, study)
    rob = _studies(appraisal["robins_i"], study)
    if rob.empty:
        raise ValueError(f"study {study!r} has no ROBINS-I rows")
    return pd.DataFrame([{
        "Domain": f"{r.domain} {DOMAINS[r.domain]}",
        "Judgement": judgement_text(r.judgement),
        "Signalling answers": _signalling(r.signalling),
        "Why": r.rationale,
        "The paper says": _quotes(r.quote),
        "Audit rows": "; ".join(str(r.audit_links).split(";")).replace("|", ": ") if pd.notna(r.audit_links) else "",
    } for r in rob.itertuples()])


def jbi_table(pkg, appraisal, study) -> pd.DataFrame:
    """The JBI case-series checklist of ``study``: question, answer (symbol and word), rationale,
    the paper's words."""
    _check(pkg, appraisal, study)
    jbi = _studies(appraisal["jbi_case_series"], study)
    if jbi.empty:
        raise ValueError(f"study {study!r} has no JBI rows")
    return pd.DataFrame([{
        "Question": f"{r.question} {JBI_QUESTIONS[r.question]}",
        "Answer": judgement_text(r.answer, JBI_SCALE),
        "Why": r.rationale,
        "The paper says": _quotes(r.quote),
    } for r in jbi.itertuples()])


def target_trial_table(pkg, appraisal, study=None) -> pd.DataFrame:
    """The target trial of each comparison, one column per element, one row per comparison."""
    _check(pkg, appraisal, study, allow_none=True)
    labels = study_labels(pkg)
    t = _studies(appraisal["target_trial"], study)
    return pd.DataFrame([{
        "Study": labels[r.study], "Comparison": _arm_label(pkg, r.study, r.comparison),
        "Eligibility": r.eligibility, "Time zero": r.time_zero, "Strategies": r.strategies,
        "How assigned in the study": r.assignment, "Defined after time zero": r.post_time_zero,
        "Can estimate": r.can_estimate, "Cannot estimate": r.cannot_estimate,
    } for r in t.itertuples()])


def balance_table(pkg, appraisal, study) -> pd.DataFrame:
    """Standardised differences of ``study``'s Table 1 before weighting (empty when it prints no
    Table 1): item, the two groups as printed, SMD (approximate ones marked "≈"), and "imbalanced"
    when |SMD| ≥ 0.1."""
    _check(pkg, appraisal, study)
    trials = appraisal["target_trial"]
    rows = trials[trials["study"] == study]
    if rows.empty:
        raise ValueError(f"study {study!r} has no target-trial row")
    trial = rows.iloc[0]
    b = baseline_balance(pkg, trial)
    arms = pkg["arms"].set_index(["study", "arm"])
    a_lab, b_lab = (str(arms.loc[(study, a), "label"]) for a in str(trial["comparison"]).split("|"))
    out = []
    for r in b.itertuples():
        smd = "not computable (no spread)" if pd.isna(r.smd) else (("≈ " if r.approximate else "") + f"{r.smd:+.2f}".replace("-", "−"))
        out.append({"Characteristic": r.item + (f": {r.category}" if r.category else ""), a_lab: r.a, b_lab: r.b,
                    "SMD": smd, "Balance": "" if pd.isna(r.smd) else ("imbalanced" if abs(r.smd) >= 0.1 else "balanced")})
    return pd.DataFrame(out, columns=["Characteristic", a_lab, b_lab, "SMD", "Balance"])


def evalue_display(pkg, study=None) -> pd.DataFrame:
    """E-values of every adjusted ratio (of ``study``, or all): the ratio as printed, the
    conversion used, the E-value of the estimate and of the CI limit nearer the null."""
    _check(pkg, study=study, allow_none=True)
    labels = study_labels(pkg)
    t = evalue_table(pkg["estimates"])
    t = t if study is None else t[t["study"] == study]
    est = pkg["estimates"].set_index("id")
    return pd.DataFrame([{
        "Study": labels[r.study], "Estimate": f"{r.item}" + (f" ({r.subgroup})" if pd.notna(r.subgroup) else ""),
        "Ratio as printed": f"{r.measure} {est.loc[r.id, 'estimate_printed']} ({est.loc[r.id, 'ci_printed']})",
        "Scale": "risk ratio as printed" if r.measure == "RR" else "RR ≈ √OR (common outcome)",
        "E-value, estimate": f"{r.e_point:.2f}",
        "E-value, CI limit": f"{r.e_ci:.2f}",
    } for r in t.itertuples()])


def _participants(pkg, study, comparison) -> int:
    arms = pkg["arms"].set_index(["study", "arm"])
    return int(sum(int(arms.loc[(study, a), "n"]) for a in str(comparison).split("|")))


def rob_traffic_light(pkg, appraisal, study=None, **kwargs):
    """The ROBINS-I traffic-light figure of every comparison (or ``study``'s)."""
    _check(pkg, appraisal, study, allow_none=True)
    labels = study_labels(pkg)
    s = robins_summary(_studies(appraisal["robins_i"], study))
    rows = [f"{labels[r.study]}\n{_arm_label(pkg, r.study, r.comparison)}" for r in s.itertuples()]
    return traffic_light(rows, list(DOMAINS), s[list(DOMAINS)].values.tolist(), overall=list(s["overall"]),
                         column_titles=[DOMAIN_SHORT[d] for d in DOMAINS], **kwargs)


def rob_summary(pkg, appraisal, **kwargs):
    """The ROBINS-I summary bar plot, each comparison weighted by its number of patients."""
    _check(pkg, appraisal, allow_none=True)
    s = robins_summary(appraisal["robins_i"])
    weights = [_participants(pkg, r.study, r.comparison) for r in s.itertuples()]
    return summary_plot(list(DOMAINS), s[list(DOMAINS)].values.tolist(), weights=weights,
                        overall=list(s["overall"]), column_titles=[DOMAINS[d] for d in DOMAINS], **kwargs)


def rob_line(pkg, appraisal, study) -> str:
    """One line for a verdict box: "Risk of bias (ROBINS-I V2): serious overall, set by
    confounding and selection of participants." (a JBI line for a case series, which says when
    only the abstract was appraised: ``studies.text_scope``)."""
    _check(pkg, appraisal, study)
    rob = _studies(appraisal["robins_i"], study)
    if not rob.empty:
        parts = []
        for r in robins_summary(rob).itertuples():
            domains = [DOMAINS[d].lower() for d in r.main_domains]
            names = domains[0] if len(domains) == 1 else ", ".join(domains[:-1]) + " and " + domains[-1]
            parts.append(f"{JUDGEMENT_WORDS[r.overall].lower()} overall, set by {names}")
        return "Risk of bias (ROBINS-I V2): " + "; ".join(parts) + "."
    jbi = _studies(appraisal["jbi_case_series"], study)
    if not jbi.empty:
        s = jbi_summary(jbi).iloc[0]
        studies = pkg["studies"]
        scope = (", judged on the abstract alone" if "text_scope" in studies.columns and
                 (studies.loc[studies["study"] == study, "text_scope"] == "abstract").any() else "")
        return f"Appraisal as a case series (JBI checklist): {s['yes']} of {s['of']} items met{scope}."
    raise ValueError(f"study {study!r} has no risk-of-bias appraisal")


# the signalling questions are shown in the appraisal chapter
SIGNALLING_TABLE = pd.DataFrame([{"Question": k, "Asks (paraphrased)": v} for k, v in SIGNALLING.items()])
