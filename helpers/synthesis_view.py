"""The synthesis chapter's plumbing: wording, the tables it shows and its two figures.

Formatting helpers the synthesis chapter uses many times (percentages, intervals, periods, designs,
groups, lists of studies), the assembly of its inputs from ``data/appraisal/synthesis_inputs.csv``
and ``data/appraisal/overlap.csv``, and the tables and figures it shows, kept here so that the
chapter holds no function definitions and names no set of studies. The statistics are those of
:mod:`helpers.meta` (random-effects pooling of logit proportions, REML, Knapp–Hartung),
:mod:`helpers.effects` (Wald odds ratios) and :mod:`helpers.synthesis` (counts rebuilt from
printed percentages); this module computes nothing else.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from helpers.formatting import interval, num, percent
from helpers.validation import (check_count_le_total, check_finite, check_flag, check_frame, check_level,
                                check_mapping, check_probability, check_sequence, check_tables, check_text,
                                check_total)

__all__ = ["pct", "pct_ci", "plain", "ratio_ci", "definition", "month", "period", "design", "arm_text",
           "and_join", "single_arm_rows", "stented_patients", "pool_rates", "crude_comparisons",
           "counts_table", "pooled_summary", "rates_forest", "leave_one_out_rates", "leave_one_out_table",
           "without_each", "denominator_alternatives", "comparison_table", "comparison_forest",
           "audit_by_study", "inputs_audited", "overlap_pairs", "MARKS", "characteristics_table",
           "comparison_bias_table", "definitions_table", "DEFINED_OUTCOMES"]


def pct(x, decimals: int = 1) -> str:
    """A proportion as a percentage with our precision (one decimal): "48.8%"."""
    check_probability(x, "x")
    return percent(x, decimals, proportion=True)


def pct_ci(lo, hi, decimals: int = 1) -> str:
    """A percentage interval: "6.2% to 19.6%"."""
    lo, hi = check_probability(lo, "lo"), check_probability(hi, "hi")
    if lo > hi:
        raise ValueError(f"lo ({lo}) is above hi ({hi}): interval bounds in the wrong order")
    return f"{pct(lo, decimals)} to {pct(hi, decimals)}"


def plain(text) -> str:
    """Reader's typography for the data package's ASCII text: ">=3" -> "≥ 3", "1-2" -> "1–2"."""
    check_text(text, "text", empty=True)
    text = re.sub(r">=\s*", "≥ ", str(text))
    text = re.sub(r"<=\s*", "≤ ", text)
    text = re.sub(r"\bn=(\d)", "n = \\1", text)
    return re.sub(r"(\d[a-z]?)-(\d)", "\\1–\\2", text)


def ratio_ci(lo, hi) -> str:
    """A ratio interval with two decimals, or fewer digits when it is enormous ("0.004 to 726")."""
    lo, hi = check_finite(lo, "lo"), check_finite(hi, "hi")
    if lo < 0:
        raise ValueError(f"lo must be a ratio (0 or more), got {lo!r}")
    if lo > hi:
        raise ValueError(f"lo ({lo}) is above hi ({hi}): interval bounds in the wrong order")
    if hi < 100:
        return interval(lo, hi, 2)
    return f"{num(lo, 3)} to {num(hi, 0)}"


def _study_of(keys, study, where):
    """Raise unless ``study`` is one of ``keys`` (the study keys of the table ``where``)."""
    keys = [str(k) for k in dict.fromkeys(keys)]
    if not isinstance(study, str) or study not in keys:
        raise ValueError(f"study must be a study key of {where}, got {study!r}"[:160])


def _studies_indexed(studies, study, columns):
    if not isinstance(studies, pd.DataFrame) or studies.index.name != "study" or not set(columns) <= set(studies.columns):
        raise ValueError("studies must be the studies table of helpers.data.load_package() indexed by study")
    _study_of(studies.index, study, "studies")


def _arms(arms):
    if (not isinstance(arms, pd.DataFrame) or list(arms.index.names) != ["study", "arm"]
            or not {"label", "n"} <= set(arms.columns)):
        raise ValueError("arms must be the arms table of helpers.data.load_package() indexed by (study, arm)")
    return arms


def _props(props):
    return check_frame(props, "props", ("id", "study", "location", "item", "arm"),
                       "the proportions table of helpers.data.load_package()")


def _rates(inputs, name="inputs"):
    """``inputs`` of :func:`pool_rates`: outcome -> per-study counts (study, events, total)."""
    check_mapping(inputs, name, "the per-outcome counts of pool_rates() (outcome -> table)")
    for o, t in inputs.items():
        check_frame(t, f"{name}[{o!r}]", ("study", "events", "total", "proportion"), "a table of per-study counts")
    return inputs


def _pooled(pooled, name, outcomes):
    """``pooled`` of :func:`pool_rates`: outcome -> pooled proportion, for every one of ``outcomes``."""
    check_mapping(pooled, name, "the pooled rates of pool_rates() (outcome -> pooled proportion)")
    for o in outcomes:
        if o not in pooled:
            raise ValueError(f"{name} has no pooled rate of the outcome {o!r}")
    for o, r in pooled.items():
        if not all(hasattr(r, a) for a in ("estimate", "ci_low", "ci_high", "k", "yi", "vi", "logit")):
            raise ValueError(f"{name}[{o!r}] must be a pooled proportion of helpers.meta.pool_proportions")
    return pooled


def _labels_of(labels, studies, name="labels"):
    """``labels``: study key -> label, with a label for every one of ``studies``."""
    check_mapping(labels, name, "a mapping of study key to label")
    missing = [s for s in dict.fromkeys(studies) if s not in labels]
    if missing:
        raise ValueError(f"{name} has no label for {missing}")
    return labels


def _order(order):
    order = check_sequence(order, "order")
    if not all(isinstance(s, str) for s in order):
        raise ValueError("order must be a sequence of study keys")
    return order


def _rows(rows):
    """``rows`` of :func:`single_arm_rows`: outcome -> study -> proportions row ids."""
    check_mapping(rows, "rows", "the result of single_arm_rows() (outcome -> study -> row ids)")
    for o, spec in rows.items():
        check_mapping(spec, f"rows[{o!r}]", "a mapping of study to proportions row ids")
    return rows


def _comp(comp):
    """``comp`` of :func:`crude_comparisons`: outcome -> list of per-study comparisons."""
    check_mapping(comp, "comp", "the result of crude_comparisons() (outcome -> comparisons)")
    keys = {"study", "estimand", "ea", "na", "eb", "nb", "or"}
    for o, per in comp.items():
        if isinstance(per, (str, bytes)) or not isinstance(per, (list, tuple)) or not per or \
                not all(isinstance(c, dict) and keys <= set(c) for c in per):
            raise ValueError(f"comp[{o!r}] must be a list of comparisons of crude_comparisons()")
    return comp


def _frame(value, name, columns):
    if not isinstance(value, pd.DataFrame) or not set(columns) <= set(value.columns) | {value.index.name}:
        raise ValueError(f"{name} must be the {name} table of helpers.data.load_package()")
    return value


def definition(definitions, study, outcome) -> str:
    """The study's definition(s) of ``outcome`` (``definitions`` table), joined with "; ", or
    "not stated in the text we have"."""
    d = _frame(definitions, "definitions", ("study", "outcome", "definition"))
    _study_of(d["study"], study, "definitions")
    check_text(outcome, "outcome")
    d = d[(d["study"] == study) & (d["outcome"] == outcome)]
    return plain("; ".join(d["definition"])) if len(d) else "not stated in the text we have"


def month(value) -> str:
    """ "2020-01" -> "January 2020" (the data package stores enrolment months as YYYY-MM)."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise ValueError(f"value must be a month as YYYY-MM (e.g. '2020-01'), got {value!r}"[:120])
    return pd.Period(value, freq="M").strftime("%B %Y")


def period(studies, study) -> str:
    """Enrolment period of ``study`` ("January 2017 to December 2023"), or "not stated";
    ``studies`` is the studies table indexed by study key."""
    _studies_indexed(studies, study, ("enrolment_start", "enrolment_end"))
    s, e = studies.loc[study, "enrolment_start"], studies.loc[study, "enrolment_end"]
    return f"{month(s)} to {month(e)}" if pd.notna(s) and pd.notna(e) else "not stated"


def design(studies, study) -> str:
    """Design and setting without repeating the design, and without the weighting method (shown
    separately, in the words of the paper's methods)."""
    _studies_indexed(studies, study, ("design", "setting"))
    d = re.sub(r"; (inverse probability|IPTW).*$", "", str(studies.loc[study, "design"]))
    setting = str(studies.loc[study, "setting"])
    return plain(d if setting in d else f"{d}; {setting}")


def arm_text(arms, study, shown) -> str:
    """The arms ``shown`` of ``study`` with their sizes: "Early RS (n = 27); Late RS (n = 29)";
    ``arms`` is the arms table indexed by (study, arm)."""
    _arms(arms)
    _study_of(arms.index.get_level_values("study"), study, "arms")
    shown = check_sequence(shown, "shown", min_length=1)
    for a in shown:
        if (study, a) not in arms.index:
            raise ValueError(f"shown: {a!r} is not an arm of {study!r} in arms")
    return "; ".join(f"{arms.loc[(study, a), 'label']} (n = {int(arms.loc[(study, a), 'n'])})" for a in shown)


# ------------------------------------------------------------------------------ lists of studies

def and_join(items) -> str:
    """``["A"]`` -> ``"A"``; ``["A", "B", "C"]`` -> ``"A, B and C"`` (study labels in running text)."""
    if isinstance(items, (str, bytes)):
        raise ValueError("items must be a sequence of labels, not a string")
    items = [str(i) for i in check_sequence(items, "items")]
    if not items:
        raise ValueError("items must hold at least one label")
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _inputs(synthesis_inputs):
    needed = {"analysis", "use", "outcome", "study", "arm", "role", "data_row", "estimand"}
    if not isinstance(synthesis_inputs, pd.DataFrame) or not needed <= set(synthesis_inputs.columns):
        raise ValueError("synthesis_inputs must be the synthesis_inputs table of helpers.rob.load_appraisal()")
    return synthesis_inputs


def single_arm_rows(synthesis_inputs) -> dict[str, dict[str, list[str]]]:
    """``{outcome: {study: [proportions row ids]}}`` of the pooled single-arm rows, outcomes in the
    order of :data:`helpers.sof.OUTCOMES`, studies in the order of the table."""
    from helpers.sof import OUTCOMES

    t = _inputs(synthesis_inputs)
    single = t[(t["analysis"] == "single_arm") & (t["use"] == "pool")]
    return {o: {st: list(g["data_row"]) for st, g in single[single["outcome"] == o].groupby("study", sort=False)}
            for o in OUTCOMES if (single["outcome"] == o).any()}


def stented_patients(synthesis_inputs, arms) -> dict[str, int]:
    """Stented patients per study: the summed sizes of the arms of the pooled single-arm rows
    (``arms`` indexed by (study, arm))."""
    t = _inputs(synthesis_inputs)
    _arms(arms)
    single = t[(t["analysis"] == "single_arm") & (t["use"] == "pool")]
    pairs = single[["study", "arm"]].drop_duplicates()
    return {st: int(sum(arms.loc[(st, a), "n"] for a in g["arm"])) for st, g in pairs.groupby("study", sort=False)}


def pool_rates(props, rows, *, knha: bool = True, level: float = 0.95):
    """``(inputs, pooled)``: per outcome of ``rows`` (:func:`single_arm_rows`) the per-study counts
    (:func:`helpers.synthesis.rate_table`) and their random-effects pool on the logit scale
    (:func:`helpers.meta.pool_proportions`, REML, Knapp–Hartung if ``knha``)."""
    from helpers.meta import pool_proportions
    from helpers.synthesis import rate_table

    _props(props)
    _rows(rows)
    check_flag(knha, "knha")
    level = check_level(level)
    inputs = {o: rate_table(props, spec) for o, spec in rows.items()}
    pooled = {o: pool_proportions(t["events"], t["total"], method="REML", knha=knha, level=level)
              for o, t in inputs.items()}
    return inputs, pooled


def crude_comparisons(props, synthesis_inputs, *, level: float = 0.95) -> dict[str, list[dict]]:
    """Per outcome compared in more than one study, each study's crude comparison of its treated
    and control rows of ``synthesis_inputs`` (analysis ``comparative``): ``study``, ``estimand``,
    the counts ``ea``/``na`` (treated) and ``eb``/``nb`` (control), ``rebuilt`` and the Wald odds
    ratio ``or`` (:func:`helpers.effects.odds_ratio`)."""
    from helpers.effects import odds_ratio
    from helpers.sof import OUTCOMES
    from helpers.synthesis import study_rate

    _props(props)
    level = check_level(level)
    t = _inputs(synthesis_inputs)
    pairs = t[(t["analysis"] == "comparative") & t["role"].isin(["treated", "control"])]
    comp = {}
    for o in OUTCOMES:
        per = []
        for st, g in pairs[pairs["outcome"] == o].groupby("study", sort=False):
            rs = study_rate(props, list(g.loc[g["role"] == "treated", "data_row"]))
            ctl = study_rate(props, list(g.loc[g["role"] == "control", "data_row"]))
            per.append({"study": st, "estimand": g["estimand"].iloc[0], "ea": rs.events, "na": rs.total,
                        "eb": ctl.events, "nb": ctl.total, "rebuilt": rs.rebuilt or ctl.rebuilt,
                        "or": odds_ratio(rs.events, rs.total, ctl.events, ctl.total, method="wald", level=level)})
        if len(per) > 1:
            comp[o] = per
    return comp


# ------------------------------------------------------------------------------ tables

#: marks of the input table for how a count was obtained (keys of helpers.synthesis.HOW)
MARKS = {"printed": "", "unique": " †", "ambiguous": " ‡", "denominator": " §"}


def _labelled_index(cells, labels, order):
    return [labels[s] for s in order if labels[s] in cells]


def counts_table(props, inputs, rows, labels, order) -> pd.DataFrame:
    """Events / stented patients (%) per study (rows, in ``order``) and outcome (columns), with the
    marks of :data:`MARKS`; "not reported" where a study gives no count."""
    from helpers.sof import OUTCOMES
    from helpers.synthesis import study_rate

    _props(props)
    _rates(inputs)
    _rows(rows)
    order = _order(order)
    studies = [s for t in inputs.values() for s in t["study"]]
    _labels_of(labels, studies + order)
    for o, t in inputs.items():
        if o not in rows or not set(t["study"]) <= set(rows[o]):
            raise ValueError(f"rows has no proportions rows of the outcome {o!r} for every study of inputs")
    cells: dict = {}
    for o, t in inputs.items():
        for r in t.itertuples():
            how = study_rate(props, rows[o][r.study]).how
            marks = "".join(dict.fromkeys(MARKS[h] for h in how))
            cells.setdefault(labels[r.study], {})[OUTCOMES[o]] = f"{r.events}/{r.total} ({pct(r.proportion)}){marks}"
    table = (pd.DataFrame.from_dict(cells, orient="index")
             .reindex(index=_labelled_index(cells, labels, order), columns=list(OUTCOMES.values()))
             .fillna("not reported"))
    table.index.name = "Study"
    return table.reset_index()


def pooled_summary(pooled, pooled_z) -> pd.DataFrame:
    """One row per outcome: pooled % (Knapp–Hartung CI), the CI without Knapp–Hartung
    (``pooled_z``), the prediction interval, τ², I² and Cochran's Q with its p."""
    from helpers.formatting import p_value
    from helpers.sof import OUTCOMES

    _pooled(pooled, "pooled", ())
    _pooled(pooled_z, "pooled_z", list(pooled))
    return pd.DataFrame([{
        "Outcome (studies)": f"{OUTCOMES[o]} ({r.k})",
        "Pooled (95% CI)": f"{pct(r.estimate)} ({pct_ci(r.ci_low, r.ci_high)})",
        "95% CI without Knapp–Hartung": pct_ci(pooled_z[o].ci_low, pooled_z[o].ci_high),
        "95% prediction interval": pct_ci(r.pi_low, r.pi_high),
        "τ²": num(r.tau2, 3),
        "I²": percent(r.i2, 0),
        "Cochran's Q (p)": f"{num(r.logit.q, 2)} ({p_value(r.logit.q_p, 3)})",
    } for o, r in pooled.items()])


def rates_forest(inputs, pooled, labels, *, level: float = 0.95, show: bool = True):
    """One forest plot per outcome of the stented patients' rates, in per cent on a shared 0–100%
    axis: Wilson intervals per study (:func:`helpers.proportions.wilson`), the pooled diamond and
    the prediction interval, with the numbers in a right-hand column. Shows the figure in the
    book's style and returns ``None``; with ``show=False`` returns the figure instead (for tests)."""
    import matplotlib as mpl
    import matplotlib.pyplot as plt

    from helpers.plots import forest_plot, styled
    from helpers.proportions import wilson
    from helpers.sof import OUTCOMES

    _rates(inputs)
    if not inputs:
        raise ValueError("inputs must hold at least one outcome")
    _pooled(pooled, "pooled", list(inputs))
    _labels_of(labels, [s for t in inputs.values() for s in t["study"]])
    level = check_level(level)
    check_flag(show, "show")
    with styled():
        fig, axes = plt.subplots(len(inputs), 1, figsize=(8.5, 11.5 * len(inputs) / 4))
        for ax, (o, t) in zip(np.atleast_1d(axes), inputs.items()):
            cis = [wilson(int(e), int(n), level=level) for e, n in zip(t["events"], t["total"])]
            r = pooled[o]
            forest_plot([f"{labels[s]} ({e}/{n})" for s, e, n in zip(t["study"], t["events"], t["total"])],
                        100 * t["proportion"], [100 * c.ci_low for c in cis], [100 * c.ci_high for c in cis],
                        weights=r.logit.weights, pooled=(100 * r.estimate, 100 * r.ci_low, 100 * r.ci_high),
                        prediction=(100 * r.pi_low, 100 * r.pi_high), log_scale=False, null=None,
                        xlabel="% of stented patients", ax=ax, annotate=False,
                        pooled_label="Pooled (REML, Knapp–Hartung)")
            ax.set_xlim(0, 100)
            ax.xaxis.set_major_formatter(mpl.ticker.PercentFormatter(decimals=0))
            # right-hand column in the book's number style: "98.7% (93.1% to 99.8%)"
            text_tf = mpl.transforms.blended_transform_factory(ax.transAxes, ax.transData)
            markers = [line for line in ax.lines if line.get_gid() == "study-marker"]
            for line, c in zip(markers, cis):
                ax.text(1.02, line.get_ydata()[0], f"{pct(c.estimate)} ({pct_ci(c.ci_low, c.ci_high)})",
                        transform=text_tf, ha="left", va="center")
            y_pooled = next(p for p in ax.patches if p.get_gid() == "pooled").get_xy()[:, 1].mean()
            ax.text(1.02, y_pooled, f"{pct(r.estimate)} ({pct_ci(r.ci_low, r.ci_high)})",
                    transform=text_tf, ha="left", va="center", fontweight="bold")
            y_pi = next(line for line in ax.lines if line.get_gid() == "prediction").get_ydata()[0]
            ax.text(1.02, y_pi, f"({pct_ci(r.pi_low, r.pi_high)})", transform=text_tf, ha="left", va="center")
            ax.text(1.02, ax.get_ylim()[1], "Estimate (95% CI)", transform=text_tf, ha="left", va="bottom",
                    fontweight="bold")
            ax.set_title(OUTCOMES[o], loc="left", fontweight="bold")
        fig.tight_layout()
        if show:
            plt.show()
            return None
    return fig


def leave_one_out_rates(inputs, pooled, outcome, *, level: float = 0.95) -> pd.DataFrame:
    """:func:`helpers.meta.leave_one_out` of one outcome's pool (REML, Knapp–Hartung), indexed by
    the study left out, with the pooled estimate and CI back on the proportion scale."""
    from scipy.special import expit

    from helpers.meta import leave_one_out

    _rates(inputs)
    _pooled(pooled, "pooled", ())
    level = check_level(level)
    if not isinstance(outcome, str) or outcome not in inputs or outcome not in pooled:
        raise ValueError(f"outcome must be an outcome of the pooled rates, got {outcome!r}")
    r = pooled[outcome]
    loo = leave_one_out(r.yi, r.vi, labels=list(inputs[outcome]["study"]), method="REML", knha=True, level=level)
    return loo.assign(**{c: expit(loo[c]) for c in ("estimate", "ci_low", "ci_high")})


def leave_one_out_table(inputs, pooled, labels, order, *, level: float = 0.95) -> pd.DataFrame:
    """Pooled % (95% Knapp–Hartung CI) with each study left out in turn (rows) per outcome
    (columns), and a last row with every study."""
    from helpers.sof import OUTCOMES

    _rates(inputs)
    _pooled(pooled, "pooled", ())
    for o in pooled:
        if o not in inputs:
            raise ValueError(f"inputs has no counts of the pooled outcome {o!r}")
    order = _order(order)
    _labels_of(labels, [s for t in inputs.values() for s in t["study"]] + order)
    level = check_level(level)
    cells: dict = {}
    for o in pooled:
        for omitted, row in leave_one_out_rates(inputs, pooled, o, level=level).iterrows():
            cells.setdefault(labels[omitted], {})[OUTCOMES[o]] = (
                f"{pct(row['estimate'])} ({pct_ci(row['ci_low'], row['ci_high'])})")
    table = (pd.DataFrame.from_dict(cells, orient="index")
             .reindex(index=_labelled_index(cells, labels, order), columns=list(OUTCOMES.values())))
    table = table.fillna("(not in this pool)")
    table.loc["None (all studies)"] = [f"{pct(r.estimate)} ({pct_ci(r.ci_low, r.ci_high)})" for r in pooled.values()]
    table.index.name = "Left out"
    return table.reset_index()


def without_each(inputs, pooled, drop, labels, *, level: float = 0.95):
    """``(table, long)``: the pooled rates with all studies and without each study of ``drop`` in
    turn (keeping the others); ``table`` for the reader (pooled % (95% Knapp–Hartung CI), k),
    ``long`` one row per outcome and study left out with ``Pooled %``."""
    from helpers.meta import pool_proportions
    from helpers.sof import OUTCOMES

    if isinstance(drop, str):
        raise ValueError("drop must be a sequence of study keys, not a string")
    drop = check_sequence(drop, "drop")
    _rates(inputs)
    _pooled(pooled, "pooled", list(inputs))
    studies = {s for t in inputs.values() for s in t["study"]}
    unknown = [d for d in drop if not isinstance(d, str) or d not in studies]
    if unknown:
        raise ValueError(f"drop: {unknown!r} are not studies of the pooled rates"[:160])
    _labels_of(labels, drop)
    level = check_level(level)
    rows, cells = [], {}
    for o, t in inputs.items():
        r_all = pooled[o]
        cells.setdefault("All studies", {})[OUTCOMES[o]] = f"{pct(r_all.estimate)} ({pct_ci(r_all.ci_low, r_all.ci_high)})"
        for d in drop:
            kept = t[t["study"] != d]
            r = pool_proportions(kept["events"], kept["total"], method="REML", knha=True, level=level)
            rows.append({"Outcome": OUTCOMES[o], "outcome": o, "Without": labels[d], "Pooled %": 100 * r.estimate})
            cells.setdefault(f"Without {labels[d]}", {})[OUTCOMES[o]] = (
                f"{pct(r.estimate)} ({pct_ci(r.ci_low, r.ci_high)}), {r.k} studies")
    table = pd.DataFrame.from_dict(cells, orient="index")
    table.index.name = "Studies pooled"
    return table.reset_index(), pd.DataFrame(rows)


def denominator_alternatives(rates, study, alternatives, label, used_total, *, level: float = 0.95) -> pd.DataFrame:
    """The pooled rate of one outcome (``rates``: its per-study counts) with ``study``'s count
    replaced by each ``(events, total)`` of ``alternatives``; the one with ``used_total`` is marked
    "(as used)". Columns: ``<label> deaths``, ``Pooled mortality``, ``95% CI (Knapp–Hartung)`` and
    ``estimate`` (the pooled proportion, for guards)."""
    from helpers.meta import pool_proportions

    check_frame(rates, "rates", ("study", "events", "total"), "one outcome's per-study counts (of pool_rates)")
    if not isinstance(study, str) or study not in set(rates["study"]):
        raise ValueError(f"study must be a study of the pooled rates, got {study!r}")
    alternatives = check_sequence(alternatives, "alternatives", min_length=1, max_length=1000)
    for i, pair in enumerate(alternatives):
        if isinstance(pair, (str, bytes)) or not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ValueError(f"alternatives[{i}] must be an (events, total) pair, got {pair!r}"[:160])
        check_count_le_total(pair[0], pair[1], f"alternatives[{i}] events", f"alternatives[{i}] total")
    check_text(label, "label")
    used_total = check_total(used_total, "used_total")
    level = check_level(level)
    out = []
    for k, n in alternatives:
        t = rates.copy()
        t.loc[t["study"] == study, ["events", "total"]] = [k, n]
        r = pool_proportions(t["events"], t["total"], method="REML", knha=True, level=level)
        out.append({f"{label} deaths": f"{k}/{n}" + (" (as used)" if n == used_total else ""),
                    "Pooled mortality": pct(r.estimate), "95% CI (Knapp–Hartung)": pct_ci(r.ci_low, r.ci_high),
                    "estimate": r.estimate})
    return pd.DataFrame(out)


def comparison_table(comp, labels) -> pd.DataFrame:
    """Crude comparisons (:func:`crude_comparisons`): rows ``"<study>: <what it estimates>"``,
    columns outcomes, cells "OR (95% CI); counts, stented vs not stented"."""
    from helpers.sof import ESTIMANDS, OUTCOMES

    _comp(comp)
    _labels_of(labels, [c["study"] for per in comp.values() for c in per])
    cells: dict = {}
    for o, per in comp.items():
        for c in per:
            e = c["or"]
            cells.setdefault(f"{labels[c['study']]}: {ESTIMANDS[c['estimand']]}", {})[OUTCOMES[o]] = (
                f"{num(e.estimate, 2)} ({ratio_ci(e.ci_low, e.ci_high)}); {c['ea']}/{c['na']} vs {c['eb']}/{c['nb']}")
    table = pd.DataFrame.from_dict(cells, orient="index")
    table.index.name = "Study: what the comparison estimates"
    return table.reset_index()


def comparison_forest(comp, labels, *, show: bool = True):
    """One forest plot per outcome of the crude odds ratios of :func:`crude_comparisons`, log scale,
    a shared x axis, the side each direction favours labelled; no pooled estimate. Shows the figure
    and returns ``None``; with ``show=False`` returns the figure instead (for tests)."""
    import matplotlib.pyplot as plt

    from helpers.plots import forest_plot, styled
    from helpers.sof import OUTCOMES
    from helpers.vocabulary import BENEFICIAL_OUTCOMES, favours

    _comp(comp)
    if not comp:
        raise ValueError("comp must hold at least one outcome")
    _labels_of(labels, [c["study"] for per in comp.values() for c in per])
    check_flag(show, "show")
    with styled():
        fig, axes = plt.subplots(len(comp), 1, figsize=(8.5, 2.2 * len(comp)))
        axes = np.atleast_1d(axes)
        for ax, (o, per) in zip(axes, comp.items()):
            forest_plot([labels[c["study"]] for c in per], [c["or"].estimate for c in per],
                        [c["or"].ci_low for c in per], [c["or"].ci_high for c in per],
                        xlabel="odds ratio, stented vs not stented (log scale)", ax=ax,
                        favours=favours("stenting", "no stenting", higher_is_better=o in BENEFICIAL_OUTCOMES))
            ax.set_title(OUTCOMES[o], loc="left", fontweight="bold")
        lo = min(ax.get_xlim()[0] for ax in axes)
        hi = max(ax.get_xlim()[1] for ax in axes)
        for ax in axes:
            ax.set_xlim(lo, hi)
        fig.tight_layout()
        if show:
            plt.show()
            return None
    return fig


def audit_by_study(audit, labels, order) -> pd.DataFrame:
    """Checks run and their verdicts per study (rows in ``order``), from the audit's one account
    (:func:`helpers.audit.count`, the counts every page uses): every check of
    :func:`helpers.audit.run_audit`, none left out; columns in :data:`helpers.audit.VERDICTS` order."""
    from helpers.audit import VERDICT_WORDS, VERDICTS, count

    if not isinstance(audit, pd.DataFrame) or not {"study", "verdict"} <= set(audit.columns):
        raise ValueError("audit must be the table of helpers.audit.run_audit()")
    unknown = sorted(set(audit["verdict"]) - set(VERDICTS))
    if unknown:
        raise ValueError(f"audit has verdicts {unknown} that the table does not count")
    order = _order(order)
    _labels_of(labels, order)
    audited = set(audit["study"])  # a study with no audited rows yet (a new paper) counts 0
    by = {v: [count(audit, study=s, verdict=v) if s in audited else 0 for s in order] for v in VERDICTS}
    return pd.DataFrame({"Study": [labels[s] for s in order],
                         "Checks run": [sum(by[v][i] for v in VERDICTS) for i in range(len(order))],
                         **{VERDICT_WORDS[v]: by[v] for v in VERDICTS}})


def inputs_audited(audit, props, rows) -> list[tuple[str, str]]:
    """``(proportions id, verdict)`` of the audit's percentage check of each row of ``rows``
    (:func:`single_arm_rows`); ``ValueError`` if a row has no such check, or more than one."""
    check_frame(audit, "audit", ("study", "location", "item", "check", "verdict"),
                "the table of helpers.audit.run_audit()")
    check_frame(props, "props", ("id", "study", "location", "item", "category", "arm"),
                "the proportions table of helpers.data.load_package()")
    _rows(rows)
    label_of = {r.id: (r.study, r.location, f"{r.item}: {r.category}" if pd.notna(r.category) else r.item, r.arm)
                for r in props.itertuples()}
    out = []
    for spec in rows.values():
        for ids in spec.values():
            for i in [ids] if isinstance(ids, str) else ids:
                if i not in label_of:
                    raise ValueError(f"rows: {i!r} is not a row of props"[:160])
                st, loc, item, arm = label_of[i]
                hit = audit[(audit["study"] == st) & (audit["location"] == loc) & (audit["item"] == f"{item} ({arm})")
                            & audit["check"].isin(["percent", "percent-reachable"])]
                if len(hit) != 1:
                    raise ValueError(f"rows: {i} has {len(hit)} percentage checks in the audit, expected 1")
                out.append((i, hit["verdict"].iloc[0]))
    return out


def overlap_pairs(appraisal, status: str = "possible") -> list[tuple[str, str]]:
    """The ``(study_a, study_b)`` pairs of ``data/appraisal/overlap.csv`` with ``status``
    (``possible`` or ``not_suspected``), in the order of the table."""
    try:
        table = appraisal["overlap"]
    except (KeyError, TypeError):
        raise ValueError("appraisal must be the result of helpers.rob.load_appraisal() (with 'overlap')") from None
    if status not in ("possible", "not_suspected"):
        raise ValueError(f"status must be 'possible' or 'not_suspected', got {status!r}")
    t = table[table["status"] == status]
    return list(zip(t["study_a"], t["study_b"]))


# ------------------------------------------------------------------------------ the studies side by side

def _appraisal(appraisal):
    return check_tables(appraisal, "appraisal", ("target_trial", "synthesis_inputs", "robins_i", "jbi_case_series"),
                        "helpers.rob.load_appraisal()")


def _table(pkg, name):
    try:
        return pkg[name]
    except (KeyError, TypeError):
        raise ValueError(f"pkg must be the result of helpers.data.load_package() (with {name!r})") from None


def characteristics_table(pkg, appraisal) -> pd.DataFrame:
    """Per study (publication order): design and setting, enrolment period and the groups shown
    with their sizes: a comparison's two arms (its ``target_trial`` row), else the stented arm(s)
    of the pooled single-arm rows."""
    studies = _table(pkg, "studies").set_index("study")
    arms = _table(pkg, "arms").set_index(["study", "arm"])
    _appraisal(appraisal)
    trials = appraisal["target_trial"].set_index("study")
    inputs = _inputs(appraisal["synthesis_inputs"])
    single = inputs[(inputs["analysis"] == "single_arm") & (inputs["use"] == "pool")]
    rows = []
    for st in studies.index:
        shown = (str(trials.loc[st, "comparison"]).split("|") if st in trials.index
                 else list(dict.fromkeys(single.loc[single["study"] == st, "arm"])))
        # a paper scaffolded by make new-paper has no arms (or pooled rows) yet
        groups = (arm_text(arms, st, shown) if shown and st in set(arms.index.get_level_values("study"))
                  else "none recorded yet")
        rows.append({"Study": str(studies.loc[st, "label"]), "Design and setting": design(studies, st),
                     "Period": period(studies, st), "Groups (n)": groups})
    return pd.DataFrame(rows)


def comparison_bias_table(pkg, appraisal) -> pd.DataFrame:
    """Per study: what it compares, how the comparison was assigned and adjusted (its target-trial
    row) and the overall risk of bias with the domains that set it
    (:func:`helpers.appraisal_view.rob_line`)."""
    from helpers.appraisal_view import rob_line

    studies = _table(pkg, "studies").set_index("study")
    _appraisal(appraisal)
    trials = appraisal["target_trial"].set_index("study")
    appraised = set(appraisal["robins_i"]["study"]) | set(appraisal["jbi_case_series"]["study"])
    return pd.DataFrame([{
        "Study": str(studies.loc[st, "label"]),
        "Comparison": plain(str(studies.loc[st, "comparison"])),
        "Assignment and adjustment": trials.loc[st, "assignment"] if st in trials.index else "single arm: no comparison",
        # a paper scaffolded by make new-paper is not appraised yet
        "Risk of bias (see the appraisal chapter)": (rob_line(pkg, appraisal, st) if st in appraised
                                                     else "not appraised yet"),
    } for st in studies.index])


#: the outcomes whose definitions the synthesis shows (definitions.csv codes -> column headings)
DEFINED_OUTCOMES = {"favourable_outcome": "Favourable outcome", "sich": "sICH",
                    "successful_recanalization": "Successful recanalisation", "mortality": "Death"}


def definitions_table(pkg) -> pd.DataFrame:
    """Per study: its definitions of the outcomes of :data:`DEFINED_OUTCOMES` (:func:`definition`)."""
    studies = _table(pkg, "studies").set_index("study")
    defs = _table(pkg, "definitions")
    defined = set(defs["study"])  # a paper scaffolded by make new-paper has no definitions yet
    return pd.DataFrame([{"Study": str(studies.loc[st, "label"]),
                          **{col: (definition(defs, st, o) if st in defined else "not stated in the text we have")
                             for o, col in DEFINED_OUTCOMES.items()}}
                         for st in studies.index])
