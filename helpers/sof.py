"""GRADE Summary of Findings, assembled from the data package and its appraisal tables.

Which rows enter which outcome is data (``data/appraisal/synthesis_inputs.csv``): this module
never names a study. For each outcome it builds two kinds of row:

* **comparative** (rescue stenting versus no rescue stenting): the ``effect`` rows with
  ``use = pool`` of one estimand (rows of different estimands are never combined; the table
  rejects a mixture). One study's ratio is used as printed; several are combined by a
  random-effects model on the log scale (REML with the Knapp–Hartung interval,
  :func:`helpers.meta.random_effects`, standard errors recovered from the printed 95% CIs), never a
  common-effect model. The **assumed risk with thrombectomy alone** is the ``control`` rows' risk
  (events / patients, pooled the same way when there are several); the **corresponding risk
  with rescue stenting** is assumed × RR with its CI, per 1000 (Cochrane Handbook, chapter 14).
* **single arm** (rate after rescue stenting, no comparison): the ``treated`` rows of each study
  (summed within a study, counts rebuilt from percentages by :func:`helpers.synthesis.study_rate`)
  pooled on the logit scale with REML and Knapp–Hartung (:func:`helpers.meta.pool_proportions`).

Certainty (:func:`helpers.appraisal.grade_certainty`) is rated down by these rules, each with its
reason. Comparative evidence assessed with ROBINS-I starts at *high* and single-arm rates at *low*
(GRADE guidance 18, Schünemann et al. 2019: ROBINS-I already judges confounding and selection
against a target trial, so starting non-randomised comparisons at low as well would count them twice):

* risk of bias, comparative: the most severe ROBINS-I overall judgement among the studies
  (:func:`helpers.rob.overall_judgement`): moderate → 1 level, serious → 2, critical → 3, no
  information → 1; the reason names the domains that set it;
* risk of bias, single arm: 1 level when a contributing arm appraised with the JBI case-series
  checklist meets fewer than half of its items, or when an arm has not been appraised (stated);
* inconsistency: single arm, 1 level when I² ≥ 50 % or Cochran's Q p < 0.10; comparative with
  one study, not assessable (0, stated); with several, the same rule on the log ratios;
* imprecision: comparative, :func:`helpers.appraisal.imprecision_levels` (RR thresholds 0.75 and
  1.25, 300 events); single arm, 1 level when the 95 % CI spans more than 20 percentage points
  (our rule, stated in the reason);
* indirectness and publication bias: the judgements of ``data/appraisal/grade.csv``.

Rating up is not attempted when anything was rated down (GRADE); every comparative row here is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from helpers.appraisal import Certainty, grade_certainty, imprecision_levels, per_1000
from helpers.appraisal_view import study_labels
from helpers.meta import pool_proportions, random_effects
from helpers.rob import DOMAINS, jbi_summary, robins_summary
from helpers.synthesis import study_rate
from helpers.validation import check_level, check_sequence, check_tables

#: GRADE guidance 18: levels of rating down for risk of bias from the ROBINS-I overall judgement.
ROBINS_I_LEVELS = {"low": 0, "moderate": 1, "serious": 2, "critical": 3, "no_information": 1}

__all__ = ["OUTCOMES", "ESTIMANDS", "ROBINS_I_LEVELS", "study_certainty", "SofRow", "comparative_row", "single_arm_row", "summary_of_findings", "sof_table"]

#: synthesis outcomes, in the order of the table, with their reader's names
OUTCOMES = {
    "favourable": "Independent at 90 days (mRS 0–2)",
    "mortality": "Death",
    "sich": "Symptomatic intracranial haemorrhage",
    "recanalisation": "Successful recanalisation (mTICI 2b–3)",
}
_WIDTH_RULE = 0.20  # single-arm imprecision: CI wider than 20 percentage points


@dataclass(frozen=True)
class SofRow:
    """One Summary-of-Findings row. Risks are per 1000 (``None`` when not estimable)."""

    outcome: str
    analysis: str
    estimand: str
    studies: tuple[str, ...]
    participants: int
    events: int
    assumed: int | None
    corresponding: int | None
    corresponding_low: int | None
    corresponding_high: int | None
    capped: bool
    rr: float | None
    rr_low: float | None
    rr_high: float | None
    adjusted: bool
    certainty: Certainty
    context: tuple[str, ...]
    #: the crude risk per 1000 observed in the stented arms of the studies behind a comparative
    #: row (``None`` for a single-arm row, or when those arms print no counts). Beside the
    #: corresponding risk (assumed × adjusted RR), it shows how far the adjustment moves the risk.
    observed: int | None = None


def _inputs(appraisal, outcome, analysis):
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, got {outcome!r}")
    if not isinstance(appraisal, dict) or "synthesis_inputs" not in appraisal:
        raise ValueError("appraisal must be the result of helpers.rob.load_appraisal()")
    t = appraisal["synthesis_inputs"]
    return t[(t["outcome"] == outcome) & (t["analysis"] == analysis)]


def _judged(appraisal, outcome, analysis):
    g = appraisal["grade"]
    g = g[(g["outcome"] == outcome) & (g["analysis"] == analysis)]
    return {r.domain: (int(r.levels), str(r.reason)) for r in g.itertuples()}




def _pool_rates(props, rows):
    per_study = [study_rate(props, list(g["data_row"])) for _, g in rows.groupby("study", sort=False)]
    events = [r.events for r in per_study]
    totals = [r.total for r in per_study]
    return per_study, events, totals


def comparative_row(pkg, appraisal, outcome, *, level: float = 0.95) -> SofRow | None:
    """The comparative Summary-of-Findings row of ``outcome``, or ``None`` when no effect row of
    the synthesis inputs is to be pooled for it. Raises ``ValueError`` when the pooled rows mix
    estimands, or an outcome is unknown."""
    check_tables(pkg, "pkg", ("studies", "arms", "estimates", "proportions"))
    level = check_level(level)
    rows = _inputs(appraisal, outcome, "comparative")
    pooled = rows[rows["use"] == "pool"]
    effects = pooled[pooled["role"] == "effect"]
    if effects.empty:
        return None
    if effects["estimand"].nunique() != 1 or pooled["estimand"].nunique() != 1:
        raise ValueError(f"synthesis inputs of {outcome}: pooled rows estimate different things "
                         f"({', '.join(sorted(pooled['estimand'].unique()))}); they must not be combined")
    estimand = str(effects["estimand"].iloc[0])
    est = pkg["estimates"].set_index("id").loc[list(effects["data_row"])]
    if set(est["measure"]) - {"RR"}:
        raise ValueError(f"synthesis inputs of {outcome}: only risk ratios can be pooled here, got {set(est['measure'])}")
    z = stats.norm.ppf(1 - (1 - level) / 2)
    if len(est) == 1:
        rr, lo, hi = (float(est[c].iloc[0]) for c in ("estimate", "ci_low", "ci_high"))
        inconsistency = (0, "one study: inconsistency cannot be assessed")
    else:
        y = np.log(est["estimate"].to_numpy(float))
        se = (np.log(est["ci_high"].to_numpy(float)) - np.log(est["ci_low"].to_numpy(float))) / (2 * z)
        res = random_effects(y, se ** 2, method="REML", knha=True, level=level)
        rr, lo, hi = math.exp(res.estimate), math.exp(res.ci_low), math.exp(res.ci_high)
        bad = res.i2 >= 50 or res.q_p < 0.10
        inconsistency = (int(bad), f"I² = {res.i2:.0f}%, Q p = {res.q_p:.2f}")
    props = pkg["proportions"]
    control = pooled[pooled["role"] == "control"]
    _, ce, ct = _pool_rates(props, control)
    assumed = sum(ce) / sum(ct) if len(ce) == 1 else pool_proportions(ce, ct, level=level).estimate
    treated = rows[rows["role"] == "treated"]
    treated = treated[treated["study"].isin(set(effects["study"]))]
    _, te, tt = _pool_rates(props, treated) if not treated.empty else (None, [], [])
    events, participants = sum(ce) + sum(te), sum(ct) + sum(tt)
    a, c, c_lo, c_hi = per_1000(assumed, rr, lo, hi)
    capped = assumed * hi > 1
    if assumed * rr > 1:
        c = c_lo = c_hi = None

    summary = robins_summary(appraisal["robins_i"])
    studies = tuple(effects["study"].unique())
    summary = summary[summary["study"].isin(studies)]
    order = ["low", "no_information", "moderate", "serious", "critical"]
    worst = max(summary["overall"], key=order.index)
    main = sorted({d for r in summary.itertuples() if r.overall == worst for d in r.main_domains})
    # GRADE guidance 18 (Schünemann et al. 2019): with ROBINS-I, non-randomised evidence starts at
    # high and is rated down for risk of bias by the ROBINS-I judgement (moderate 1, serious 2,
    # critical 3 levels); starting at low and then rating down for confounding would count it twice.
    # "No information" is not taken as low: 1 level, stated.
    rob_levels = ROBINS_I_LEVELS.get(worst, 1)
    rob_reason = (f"ROBINS-I overall {worst} ("
                  + ", ".join(f"{d} {DOMAINS[d].lower()}" for d in main) + ")")
    imp = imprecision_levels(lo, hi, events=events)
    imp_reason = (f"95% CI {lo:.2f} to {hi:.2f}"
                  + ("" if imp == 0 else (" includes appreciable benefit and harm" if imp == 2 else
                                          (" includes no effect" if lo <= 1 <= hi else f"; {events} events, fewer than 300"))))
    judged = _judged(appraisal, outcome, "comparative")
    down = {"risk of bias": (rob_levels, rob_reason), "inconsistency": inconsistency,
            "imprecision": (imp, imp_reason), **judged}
    certainty = grade_certainty("high", down=down)
    context = tuple(rows.loc[rows["use"] == "context", "estimand"].unique())
    return SofRow(outcome=outcome, analysis="comparative", estimand=estimand, studies=studies,
                  participants=participants, events=events, assumed=a, corresponding=c,
                  corresponding_low=c_lo, corresponding_high=c_hi, capped=capped, rr=rr, rr_low=lo, rr_high=hi,
                  adjusted=bool((effects["adjustment"] == "adjusted").all()), certainty=certainty,
                  context=tuple(e for e in context if e != estimand),
                  observed=round(1000 * sum(te) / sum(tt)) if sum(tt) else None)


def single_arm_row(pkg, appraisal, outcome, *, level: float = 0.95) -> SofRow | None:
    """The single-arm row of ``outcome`` (pooled rate after rescue stenting, per 1000)."""
    check_tables(pkg, "pkg", ("studies", "arms", "proportions"))
    level = check_level(level)
    rows = _inputs(appraisal, outcome, "single_arm")
    rows = rows[(rows["use"] == "pool") & (rows["role"] == "treated")]
    if rows.empty:
        return None
    per_study, events, totals = _pool_rates(pkg["proportions"], rows)
    studies = tuple(r.study for r in per_study)
    if len(studies) == 1:
        p = events[0] / totals[0]
        from helpers.proportions import wilson
        ci = wilson(events[0], totals[0], level=level)
        est, lo, hi, i2, qp = p, ci.ci_low, ci.ci_high, None, None
    else:
        res = pool_proportions(events, totals, method="REML", knha=True, level=level)
        est, lo, hi, i2, qp = res.estimate, res.ci_low, res.ci_high, res.i2, res.logit.q_p
    jbi = jbi_summary(appraisal["jbi_case_series"])
    appraised = jbi[jbi["study"].isin(studies)]
    weak = appraised[appraised["yes"] < appraised["of"] / 2]
    not_appraised = [s for s in studies if s not in set(appraised["study"])]
    labels = study_labels(pkg)
    parts = [f"{labels[r.study]} meets {r.yes} of {r.of} JBI case-series items" for r in weak.itertuples()]
    if not_appraised:
        parts.append("stented arms of " + ", ".join(labels[s] for s in not_appraised)
                     + " not appraised as case series (retrospective records)")
    rob = (1 if parts else 0, "; ".join(parts) if parts else "every arm meets at least half of the JBI items")
    if i2 is None:
        inc = (0, "one study: inconsistency cannot be assessed")
    else:
        inc = (int(i2 >= 50 or qp < 0.10), f"I² = {i2:.0f}%, Q p = {qp:.2f}")
    width = hi - lo
    imp = (int(width > _WIDTH_RULE), f"95% CI {100 * lo:.1f}% to {100 * hi:.1f}%, "
           + ("wider" if width > _WIDTH_RULE else "not wider") + " than 20 percentage points")
    down = {"risk of bias": rob, "inconsistency": inc, "imprecision": imp, **_judged(appraisal, outcome, "single_arm")}
    certainty = grade_certainty("low", down=down)
    return SofRow(outcome=outcome, analysis="single_arm", estimand=str(rows["estimand"].iloc[0]), studies=studies,
                  participants=sum(totals), events=sum(events), assumed=None,
                  corresponding=int(round(1000 * est)), corresponding_low=int(round(1000 * lo)),
                  corresponding_high=int(round(1000 * hi)), capped=False, rr=None, rr_low=None, rr_high=None,
                  adjusted=False, certainty=certainty, context=())


def summary_of_findings(pkg, appraisal, analysis: str = "comparative", *, level: float = 0.95) -> list[SofRow]:
    """Every Summary-of-Findings row of ``analysis`` ("comparative" or "single_arm"), in the order
    of :data:`OUTCOMES`; outcomes without rows are left out."""
    if analysis not in ("comparative", "single_arm"):
        raise ValueError(f"analysis must be 'comparative' or 'single_arm', got {analysis!r}")
    check_tables(pkg, "pkg", ("studies", "arms", "estimates", "proportions"))
    level = check_level(level)
    make = comparative_row if analysis == "comparative" else single_arm_row
    return [r for r in (make(pkg, appraisal, o, level=level) for o in OUTCOMES) if r is not None]


#: what each estimand of the synthesis inputs means, for comments
ESTIMANDS = {
    "rate_after_rescue_stenting": "rate in stented patients (no comparison)",
    "stenting_vs_no_stenting_icas": "rescue stenting versus no rescue stenting in ICAS-related occlusion",
    "stented_failures_vs_unstented_successes": "stented failures of thrombectomy versus unstented successes "
                                               "(not the effect of stenting; shown, never pooled)",
    "early_vs_late_stenting": "stenting after 1–2 versus 3 or more passes",
    "ses_vs_bms": "self-expanding versus balloon-mounted stents",
}


def _n_studies(k: int) -> str:
    return f"{k} {'study' if k == 1 else 'studies'}"


def sof_table(rows, pkg) -> pd.DataFrame:
    """The Cochrane Summary-of-Findings layout of ``rows`` (from :func:`summary_of_findings`):
    outcome; participants (studies); assumed risk with thrombectomy alone and corresponding risk
    with rescue stenting per 1000 (95% CI); relative effect (95% CI); certainty (⊕ and words);
    comments (the reasons for the rating, adjustment, and what was not pooled)."""
    rows = check_sequence(rows, "rows")
    labels = study_labels(pkg)
    out = []
    for r in rows:
        if not isinstance(r, SofRow):
            raise ValueError(f"rows must be SofRow objects from summary_of_findings, got {type(r).__name__}")
        who = ", ".join(labels[s] for s in r.studies)
        if r.analysis == "comparative":
            assumed = f"{r.assumed} per 1000"
            if r.corresponding is None:
                corr = "not estimable at this assumed risk (assumed × RR exceeds 1000)"
            else:
                corr = (f"{r.corresponding} per 1000 ({r.corresponding_low} to {r.corresponding_high}"
                        + (", capped at 1000" if r.capped else "") + ")")
            rel = f"RR {r.rr:.2f} ({r.rr_low:.2f} to {r.rr_high:.2f})" + (", adjusted" if r.adjusted else "")
            comment = [f"{who}; {'overlap-weighted' if r.adjusted else 'crude'} estimate; assumed risk = its "
                       f"thrombectomy-alone group"]
            comment += [f"Not pooled: {ESTIMANDS.get(e, e)}" for e in r.context]
        else:
            assumed = "—"
            corr = f"{r.corresponding} per 1000 ({r.corresponding_low} to {r.corresponding_high})"
            rel = "not applicable (single-arm rate)"
            comment = [f"{who}; pooled rate (random effects, REML, Knapp–Hartung)"]
        comment.append(f"Rated from {r.certainty.start}: {r.certainty.reasons()}")
        out.append({
            "Outcome": OUTCOMES[r.outcome],
            "Participants (studies)": f"{r.participants} ({_n_studies(len(r.studies))})",
            "Assumed risk with thrombectomy alone": assumed,
            "Corresponding risk with rescue stenting (95% CI)": corr,
            "Relative effect (95% CI)": rel,
            "Certainty": r.certainty.label,
            "Comments": " ".join(c.rstrip(".") + "." for c in comment),
        })
    return pd.DataFrame(out)


def study_certainty(appraisal) -> dict[str, Certainty]:
    """GRADE certainty of each study's own question, rated down for that study's risk of bias only.

    A comparative study (appraised with ROBINS-I) starts at high and is rated down by its overall
    ROBINS-I judgement (:data:`ROBINS_I_LEVELS`, GRADE guidance 18); a study appraised only as a
    case series (JBI checklist) starts at low and is rated down one level when it meets fewer than
    half of the items. A study with both (a stented arm that also enters single-arm pooling) is
    rated on its comparison. Other domains (imprecision, ...) are for the Summary of Findings.
    """
    if not isinstance(appraisal, dict) or not {"robins_i", "jbi_case_series"} <= set(appraisal):
        raise ValueError("appraisal must be the tables of helpers.rob.load_appraisal()")
    out: dict[str, Certainty] = {}
    for s, overall in robins_summary(appraisal["robins_i"]).groupby("study")["overall"]:
        worst = max(overall, key=["low", "no_information", "moderate", "serious", "critical"].index)
        out[s] = grade_certainty("high", down={"risk of bias": (ROBINS_I_LEVELS[worst], f"ROBINS-I overall {worst}")})
    for r in jbi_summary(appraisal["jbi_case_series"]).itertuples():
        if r.study not in out:
            out[r.study] = grade_certainty("low", down={"risk of bias": (
                int(r.yes < r.of / 2), f"JBI case series: {r.yes} of {r.of} items")})
    return out
