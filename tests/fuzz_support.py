"""The fuzz harness of ``tests/test_fuzz.py``: every public function of every :mod:`helpers`
module, called with bad inputs generated from each parameter's *kind*.

How it works
------------
* :func:`public_functions` lists every function each ``helpers`` module exports (its ``__all__``,
  or its public names when it has none).
* :data:`CALLS` gives, for each of them, one valid call (a factory of keyword arguments; a
  function without an entry makes the suite fail) -- or :data:`EXEMPT` says why it is not fuzzed.
* Each parameter gets a kind (count, total, probability, level, ratio, real, printed text,
  choice, flag, sequences and tables of those, ...) from its name (:data:`NAME_RULES`) or, where
  the name misleads, from :data:`KIND_OVERRIDES`. A parameter without a kind fails the suite.
* :func:`bad_cases` replaces ONE argument of the valid call at a time by each bad value of its
  kind (:data:`BAD`), plus relational cases built from the valid call: a count above its total,
  CI bounds swapped, an estimate outside its CI.
* :func:`run_case` classifies the outcome: ``clean`` (ValueError whose message names the
  argument), ``unnamed`` (ValueError not naming it), ``other`` (another exception) or ``silent``
  (no exception at all).

Run ``python -m tests.fuzz_support`` for the counts (tried, clean, other, silent) per module.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import inspect
import math
import pkgutil
import random
import re
import sys
import warnings
from collections import Counter
from collections.abc import Mapping

import numpy as np
import pandas as pd

import helpers

NAN, INF = float("nan"), float("inf")

#: bad values per kind; ``None`` is dropped for parameters whose default is ``None``
BAD: dict[str, list] = {
    "count": [-1, 2.5, "3", None, NAN, INF, True, 10**9, 10**400],
    "total": [0, -1, 2.5, "10", None, NAN, True, 10**9],
    "probability": [-0.1, 1.1, NAN, INF, "0.5", None, True],
    "open_probability": [0.0, 1.0, -0.1, 1.1, NAN, "0.5", None],
    "p_value": [0.0, -0.1, 1.1, NAN, INF, "0.5", None, True],
    "path": [5, None, "", object(), "/no/such/folder/out.csv"],
    "text": [5, None, b"bytes"],
    "seed": [-1, 2.5, "3", None, NAN, True],
    "level": [0, 1, 1.5, -0.5, NAN, "0.95", None, True, 1e-300, 1 - 1e-16],
    "alpha": [0, 1, 1.5, -0.5, NAN, "0.05", None, True],
    "ratio": [0.0, -1.0, NAN, INF, "2", None, 10**400],
    "real": [NAN, INF, -INF, "1", None, 10**400, True],
    "positive": [0, -1.0, NAN, INF, "1", None, True],
    "printed": ["", "abc", None, "1" * 300, "--", 3 + 0j, ["1.0"]],
    "choice": ["nonsense", 3, None, ""],
    "flag": ["yes", 2, None],
    "decimals": [-1, 1.5, "2", NAN, True, 10**6],
    "whole": [-1, 2.5, "3", None, NAN, True, 10**9],
    "counts": [[-1, 3], [1.5, 3], "12", None, 7, [NAN, 2], [], [[1, 2], [3, 4]], [10**9, 3]],
    "totals": [[0, 3], [-1, 3], [2.5, 3], "12", None, 7, [NAN, 2], [], [10**9, 3]],
    "reals": [[NAN, 1.0], [INF, 1.0], "12", None, 3.0, [], [[1.0, 2.0], [3.0, 4.0]], ["a", "b"]],
    "positives": [[0.0, 1.0], [-1.0, 1.0], [NAN, 1.0], "12", None, 3.0, []],
    "labels": [5, None, [], ["a"] * 50],
    "table": [[[-1, 2], [3, 4]], [[1.5, 2], [3, 4]], "x", None, [], [[1, 2], [3]], [[NAN, 1], [1, 1]],
              [[10**9, 1], [1, 1]]],
    "object": [5, None, "x", object()],
}

#: parameter name (full match) -> kind
NAME_RULES: list[tuple[str, str]] = [
    (r"events(_[ab])?|count|a|b|c|d|nonevents|events_total|exposed", "count"),
    (r"total(_[ab])?|n|n_[ab]|n_total|n_patients|n_passes", "total"),
    (r"p_[ab]|baseline_risk", "probability"),
    (r"level|ci_level", "level"),
    (r"alpha|power", "alpha"),
    (r"odds_ratio|estimate|ci_low|ci_high", "ratio"),
    (r"low|high|mean_[ab]|value|reported_diff|theta_hat|margin", "real"),
    (r"sd_[ab]|se|tol", "positive"),
    (r"(printed|text|estimate_printed|ci_low_printed|ci_high_printed|p_printed|printed_p|"
     r"printed_percent|printed_mean|exposure_printed|p)", "printed"),
    (r"method|scale|mode|test|prior|direction|family|measure|hc|tie|dist|which|outcome|name|correction",
     "choice"),
    (r"knha|log_scale|annotate|signs|proportion|provenance|use_frictionless|display|force|"
     r"outcome_is_good|both_groups|stop_on_success|open_low|open_high|require_inside|ratio", "flag"),
    (r"decimals|sig", "decimals"),
    (r"max_tables|max_total|min_total|min_cell|chunk_size|n_reps|n_treated|n_control|maxsteps|"
     r"max_iter|n_variables|min_tail_passes|dpi", "whole"),
    (r"seed", "seed"),
    (r"totals", "totals"),
    (r"yi|scores|x|y|xout|estimates|stenosis|mrs", "reals"),
    (r"vi|weights", "positives"),
    (r"labels|groups", "labels"),
    (r"table", "table"),
]

#: (function, parameter) -> kind, where the name alone misleads; "skip" = not fuzzed (reason given)
KIND_OVERRIDES: dict[tuple[str, str], str] = {
    ("absolute_risk.odds_ratio_to_risk_difference", "ci_low"): "ratio",
    ("perpass.cochran_armitage", "events"): "counts",
    ("perpass.logistic_trend", "events"): "counts",
    ("meta.pool_proportions", "events"): "counts",
    ("meta.logit_proportions", "events"): "counts",
    ("meta.mantel_haenszel", "events_a"): "counts",
    ("meta.mantel_haenszel", "events_b"): "counts",
    ("meta.mantel_haenszel", "total_a"): "totals",
    ("meta.mantel_haenszel", "total_b"): "totals",
    ("synthesis.log_odds_ratios", "events_a"): "counts",
    ("synthesis.log_odds_ratios", "events_b"): "counts",
    ("synthesis.log_odds_ratios", "total_a"): "totals",
    ("synthesis.log_odds_ratios", "total_b"): "totals",
    ("reconstruct.events_per_variable", "events"): "count",
    ("plots.proportion_plot", "counts"): "counts",
    ("cutoff_simulation.mrs_probabilities", "counts"): "counts",
    ("cutoff_simulation.overlap_weights", "treated"): "object",
    ("cutoff_simulation.cutoff_search", "treated"): "object",
    ("cutoff_simulation.cutoff_search_statsmodels", "treated"): "object",
    ("cutoff_simulation.cutoff_search", "thresholds"): "reals",
    ("cutoff_simulation.cutoff_search_statsmodels", "thresholds"): "reals",
    ("cutoff_simulation.simulate_cutoff_search", "thresholds"): "reals",
    ("cutoff_simulation.simulate_cutoff_search", "weights"): "choice",
    ("cutoff_simulation.simulate_cutoff_search", "rounding"): "positive",
    ("cutoff_simulation.sample_stenosis", "rounding"): "positive",
    ("cutoff_simulation.sample_stenosis", "size"): "whole",
    ("cutoff_simulation.prob_abs_diff_at_least", "value"): "real",
    ("bayes.reread", "thresholds"): "positives",
    ("bayes.reread_all", "thresholds"): "positives",
    ("validation.check_ci", "estimate"): "real",
    ("validation.check_ci", "low"): "real",
    ("validation.check_ci", "high"): "real",
    ("validation.check_finite", "value"): "real",
    ("validation.check_positive", "value"): "positive",
    ("validation.check_probability", "value"): "probability",
    ("validation.check_p_value", "value"): "p_value",
    ("validation.check_alpha", "value"): "alpha",
    ("validation.check_count", "value"): "count",
    ("validation.check_total", "value"): "total",
    ("formatting.num", "value"): "real",
    ("formatting.signed", "value"): "real",
    ("formatting.percent", "value"): "real",
    ("formatting.p_value", "p"): "p_value",
    ("formatting.estimate_ci", "estimate"): "real",
    ("printed.parse_interval", "estimate"): "printed",
    ("plots.forest_plot", "xlabel"): "skip",  # any text: matplotlib prints str() of it
    ("plots.proportion_plot", "xlabel"): "skip",
    ("plots.forest_plot", "pooled_label"): "skip",
    ("formatting.interval", "decimals"): "decimals",
    ("printed.as_printed", "value"): "printed",
    ("printed.agrees", "value"): "real",
    ("printed.how_agrees", "value"): "real",
    ("pvalues.ttest_pvalues", "n_a"): "total",
    ("pvalues.matching_tests", "candidates"): "object",
    ("power.tost_risk_difference", "margin"): "positive",
    ("consistency.candidate_totals", "count"): "count",
    ("reconstruct.candidate_tables", "subset_totals"): "totals",
    ("reconstruct.undefined_tables", "subset_totals"): "totals",
    ("meta.leave_one_out", "labels"): "labels",
    ("plots.forest_plot", "ci_low"): "reals",
    ("plots.forest_plot", "ci_high"): "reals",
    ("plots.forest_plot", "null"): "real",
    ("plots.forest_plot", "colour"): "object",
    ("plots.forest_plot", "group"): "object",
    ("plots.forest_plot", "pooled"): "object",
    ("plots.forest_plot", "prediction"): "object",
    ("plots.forest_plot", "ax"): "object",
    ("plots.forest_plot", "favours"): "object",
    ("plots.proportion_plot", "ax"): "object",
    ("plots.save_figure", "fig"): "object",
    ("plots.save_figure", "path"): "path",
    ("plots.save_figure", "dpi"): "whole",
    ("outputs.glue", "name"): "object",
    ("outputs.glue", "value"): "skip",  # any value can be glued (stored_value passes others through)
    ("outputs.stored_value", "value"): "skip",  # any value: floats are rounded, the rest kept
    ("audit.run_audit", "package"): "object",
    ("audit.run_audit", "study"): "choice",
    ("audit.summary", "audit"): "object",
    ("data.load_package", "root"): "object",
    ("data.validate_package", "root"): "object",
    ("data.summary", "root"): "object",
    ("data.load_package_for_cli", "root"): "skip",  # never raises by design: returns the problems
    ("data.problems_of", "exc"): "object",
    ("data.problems_of", "root"): "skip",  # only shown in the message
    ("data.normalise_whitespace", "text"): "skip",  # any object: str() of it, by design
    ("safe_io.one_line", "text"): "skip",  # any object: str() of it, by design
    ("safe_io.is_tracked", "path"): "path",
    ("safe_io.check_output_path", "path"): "path",
    ("safe_io.check_output_path", "allow_tracked"): "skip",  # paths inside the repository
    ("safe_io.write_text_safely", "path"): "path",
    ("safe_io.write_text_safely", "text"): "text",
    ("safe_io.write_text_safely", "allow_tracked"): "skip",
    ("synthesis.study_rate", "proportions"): "object",
    ("synthesis.study_rate", "ids"): "object",
    ("synthesis.rate_table", "proportions"): "object",
    ("synthesis.rate_table", "spec"): "object",
    ("crude_models.match_printed", "fits"): "object",
    ("crude_models.mass_profile_interval", "deviance_at"): "object",
    ("cutoff_simulation.sample_stenosis", "rng"): "object",
    ("cutoff_simulation.stenosis_quantile_function", "quantiles"): "reals",
    ("cutoff_simulation.sample_stenosis", "quantiles"): "reals",
    ("cutoff_simulation.simulate_cutoff_search", "stenosis_quantiles"): "reals",
    ("cutoff_simulation.stenosis_quantile_function", "stenosis_range"): "reals",
    ("cutoff_simulation.sample_stenosis", "stenosis_range"): "reals",
    ("cutoff_simulation.simulate_cutoff_search", "stenosis_range"): "reals",
    ("cutoff_simulation.prob_p_below", "result"): "object",
    ("cutoff_simulation.prob_abs_diff_at_least", "result"): "object",
    ("cutoff_simulation.median_abs_diff", "result"): "object",
    ("cutoff_simulation.selected_threshold_frequencies", "result"): "object",
    ("cutoff_simulation.summarise", "result"): "object",
    ("cutoff_simulation.summarise", "alphas"): "reals",
    ("cutoff_simulation.prob_p_below", "which"): "object",
    ("perpass.reconstruct_passes", "first_pass"): "object",
    ("perpass.reconstruct_passes", "later_passes"): "object",
    ("perpass.reconstruct_passes", "min_attempted"): "object",
    ("perpass.integer_totals_for_mean", "n"): "total",
    ("pvalues.ordinal_ttest_pvalues", "scores"): "reals",
    ("pvalues.categorical_pvalues", "max_tables"): "whole",
    ("repairs.ratio_ci_repairs", "estimate"): "printed",
    ("repairs.ratio_ci_repairs", "ci_low"): "printed",
    ("repairs.ratio_ci_repairs", "ci_high"): "printed",
    ("repairs.ratio_ci_repairs", "p"): "printed",
    ("crude_models.match_printed", "p_printed"): "printed",
    ("consistency.ci_centre_check", "estimate"): "printed",
    ("consistency.ci_centre_check", "ci_low"): "printed",
    ("consistency.ci_centre_check", "ci_high"): "printed",
    ("consistency.ci_p_check", "estimate"): "printed",
    ("consistency.ci_p_check", "ci_low"): "printed",
    ("consistency.ci_p_check", "ci_high"): "printed",
    ("validation.check_count", "name"): "skip",  # the argument name for the message
    ("validation.check_total", "name"): "skip",
    ("validation.check_probability", "name"): "skip",
    ("validation.check_p_value", "name"): "skip",
    ("validation.check_alpha", "name"): "skip",
    ("validation.check_positive", "name"): "skip",
    ("validation.check_finite", "name"): "skip",
    ("validation.check_count_le_total", "count_name"): "skip",
    ("validation.check_count_le_total", "total_name"): "skip",
    ("validation.check_ci", "names"): "skip",
    ("validation.check_flag", "name"): "skip",
    ("validation.check_whole", "name"): "skip",
    ("validation.check_decimals", "name"): "skip",
    ("validation.check_reals", "name"): "skip",
    ("validation.check_callable", "name"): "skip",
    ("validation.check_flag", "value"): "flag",
    ("validation.check_whole", "value"): "whole",
    ("validation.check_whole", "minimum"): "skip",  # the caller's bound, not user input
    ("validation.check_whole", "maximum"): "skip",
    ("validation.check_decimals", "value"): "decimals",
    ("validation.check_decimals", "maximum"): "skip",
    ("validation.check_decimals", "allow_none"): "flag",
    ("validation.check_reals", "values"): "reals",
    ("validation.check_reals", "min_length"): "skip",
    ("validation.check_reals", "max_length"): "skip",
    ("validation.check_reals", "positive"): "flag",
    ("validation.check_callable", "value"): "object",
    ("validation.check_level", "value"): "level",
    ("validation.check_level", "name"): "skip",
    ("validation.check_work", "size"): "skip",  # internal guard: callers pass checked ints
    ("validation.check_work", "limit"): "skip",
    ("validation.check_work", "what"): "skip",
    ("validation.check_work", "names"): "skip",
    ("validation.check_text", "value"): "text",
    ("validation.check_text", "name"): "skip",
    ("validation.check_text", "empty"): "flag",
    ("validation.check_mapping", "value"): "mapping",
    ("validation.check_mapping", "name"): "skip",
    ("validation.check_mapping", "what"): "skip",  # the caller's description, for the message
    ("validation.check_frame", "value"): "frame",
    ("validation.check_frame", "name"): "skip",
    ("validation.check_frame", "columns"): "skip",  # the caller's required columns, not user input
    ("validation.check_frame", "what"): "skip",
    ("validation.check_tables", "value"): "package",
    ("validation.check_tables", "name"): "skip",
    ("validation.check_tables", "tables"): "skip",
    ("validation.check_tables", "what"): "skip",
    ("validation.check_choice", "value"): "choice",
    ("validation.check_choice", "name"): "skip",
    ("validation.check_choice", "allowed"): "skip",
    ("validation.check_sequence", "value"): "object",
    ("validation.check_sequence", "name"): "skip",
    ("validation.check_sequence", "min_length"): "skip",
    ("validation.check_sequence", "max_length"): "skip",
    ("validation.check_count_le_total", "count"): "count",
    ("validation.check_count_le_total", "total"): "total",
    ("printed.as_printed", "name"): "skip",
    ("meta.leave_one_out", "kwargs"): "skip",  # passed on to random_effects (fuzzed there)
    ("bayes.reread", "prior"): "object",
}


_PKG: dict = {}


def _pkg():
    """A small valid package: the real one, each table cut to the rows of its first study."""
    if "pkg" not in _PKG:
        from helpers.data import load_package
        full = load_package()
        first = str(full["studies"]["study"].iloc[0])
        _PKG["pkg"] = {k: (v[v["study"] == first] if k != "studies" else v).reset_index(drop=True)
                       for k, v in full.items()}
    return {k: v.copy() for k, v in _PKG["pkg"].items()}


_FITS: list = []


def _fits():
    if not _FITS:
        from helpers.crude_models import crude_fits
        _FITS.extend(crude_fits(15, 149, 2, 87))
    return list(_FITS)


_SIM_CACHE: dict = {}


def _sim():
    if "r" not in _SIM_CACHE:
        from helpers.cutoff_simulation import simulate_cutoff_search
        _SIM_CACHE["r"] = simulate_cutoff_search(n_reps=20, n_treated=20, n_control=20, seed=1)
    return _SIM_CACHE["r"]


def _cut_data(n=30):
    rng = np.random.default_rng(3)
    return dict(stenosis=rng.uniform(20, 100, n).round(), treated=np.arange(n) % 2 == 0,
                mrs=rng.integers(0, 7, n).astype(float))


def _figure():
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    return Figure(figsize=(1, 1))


_TMP: list = []


def _tmp_csv():
    """A fresh path in one temporary folder, removed when the interpreter exits."""
    import atexit
    import itertools
    import tempfile
    from pathlib import Path
    if not _TMP:
        folder = tempfile.TemporaryDirectory(prefix="fuzz-")
        atexit.register(folder.cleanup)
        _TMP.extend([folder, itertools.count()])
    return Path(_TMP[0].name) / f"out{next(_TMP[1])}.csv"


TWO = dict(events_a=15, total_a=149, events_b=2, total_b=87)

#: one valid call per public function: ``"module.function": lambda: {keyword arguments}``
CALLS: dict[str, object] = {
    "absolute_risk.risk_from_odds_ratio": lambda: dict(odds_ratio=2.0, baseline_risk=0.2),
    "absolute_risk.odds_ratio_to_risk_difference": lambda: dict(odds_ratio=2.0, ci_low=1.2, ci_high=3.5,
                                                                baseline_risk=0.2),
    "audit.run_audit": lambda: dict(package=_pkg(), study=str(_pkg()["studies"]["study"].iloc[0])),
    "audit.summary": lambda: dict(audit=_audit_of(_study())),
    "bayes.normal_from_ci": lambda: dict(estimate=2.0, ci_low=1.2, ci_high=3.5, scale="log", level=0.95),
    "bayes.reread": lambda: dict(estimate=2.0, ci_low=1.2, ci_high=3.5, prior="sceptical", scale="log",
                                 thresholds=(1.0, 1.25), level=0.95, ci_level=0.95),
    "bayes.reread_all": lambda: dict(estimate=2.0, ci_low=1.2, ci_high=3.5, scale="log",
                                     thresholds=(1.0, 1.25), level=0.95, ci_level=0.95),
    "consistency.percent_check": lambda: dict(count=16, total=27, printed_percent="59.3", decimals=1),
    "consistency.candidate_counts": lambda: dict(total=27, printed_percent="59.3", decimals=1, mode="either"),
    "consistency.candidate_totals": lambda: dict(printed_percent="59.3", count=16, min_total=1,
                                                 max_total=100, decimals=1, mode="either"),
    "consistency.ci_centre_check": lambda: dict(estimate="2.00", ci_low="1.20", ci_high="3.35", scale="log"),
    "consistency.p_from_ci": lambda: dict(estimate=2.0, ci_low=1.2, ci_high=3.35, scale="log", level=0.95),
    "consistency.ci_p_check": lambda: dict(estimate="2.00", ci_low="1.20", ci_high="3.35", printed_p="0.008",
                                           scale="log", level=0.95),
    "crude_models.crude_fits": lambda: dict(**TWO, level=0.95),
    "crude_models.crude_table": lambda: dict(**TWO, level=0.95),
    "crude_models.match_printed": lambda: dict(fits=_fits(), estimate_printed="4.38", ci_low_printed="1.24",
                                               ci_high_printed="27.79", p_printed="0.04"),
    "crude_models.poisson_profile_rr": lambda: dict(**TWO, level=0.95),
    "crude_models.fmm_spline": lambda: dict(x=[0.0, 1.0, 2.0, 3.0], y=[0.0, 1.0, 0.0, 1.0], xout=[0.5, 1.5]),
    "crude_models.mass_profile_interval": lambda: dict(deviance_at=lambda t: t * t, theta_hat=0.0, se=1.0,
                                                       level=0.95, maxsteps=10),
    "crude_models.r_confint_glm": lambda: dict(**TWO, family="binomial", level=0.95),
    "cutoff_simulation.stenosis_quantile_function": lambda: dict(quantiles=(30.0, 40.0, 80.0),
                                                                 stenosis_range=(0.0, 100.0)),
    "cutoff_simulation.sample_stenosis": lambda: dict(rng=np.random.default_rng(1), size=10,
                                                      quantiles=(30.0, 40.0, 80.0),
                                                      stenosis_range=(0.0, 100.0), rounding=5),
    "cutoff_simulation.mrs_probabilities": lambda: dict(counts=[1, 2, 3, 4, 5, 6, 7]),
    "cutoff_simulation.overlap_weights": lambda: dict(stenosis=_cut_data()["stenosis"],
                                                      treated=_cut_data()["treated"], max_iter=50, tol=1e-12),
    "cutoff_simulation.cutoff_search": lambda: dict(**_cut_data(), weights=None, thresholds=[50.0, 60.0],
                                                    hc="HC3", tie="low", dist="t", min_cell=2, chunk_size=500),
    "cutoff_simulation.cutoff_search_statsmodels": lambda: dict(**_cut_data(), weights=None,
                                                                thresholds=[50.0, 60.0], hc="HC3", tie="low",
                                                                dist="t", min_cell=2),
    "cutoff_simulation.simulate_cutoff_search": lambda: dict(
        n_reps=3, n_treated=40, n_control=40, thresholds=[50.0, 60.0], stenosis_quantiles=None,
        outcome="null", hc="HC3", weights="none", seed=1, stenosis_range=(0.0, 100.0), rounding=5,
        tie="low", dist="t", min_cell=2, chunk_size=500),
    "cutoff_simulation.prob_p_below": lambda: dict(result=_sim(), alpha=0.05, which="selected"),
    "cutoff_simulation.prob_abs_diff_at_least": lambda: dict(result=_sim(), value=1.0),
    "cutoff_simulation.median_abs_diff": lambda: dict(result=_sim()),
    "cutoff_simulation.selected_threshold_frequencies": lambda: dict(result=_sim()),
    "cutoff_simulation.summarise": lambda: dict(result=_sim(), reported_diff=-2.06, alphas=(0.05, 0.01)),
    "data.load_package": lambda: dict(root=None, provenance=False),
    "data.validate_package": lambda: dict(root=None, use_frictionless=False),
    "data.summary": lambda: dict(root=None),
    "data.problems_of": lambda: dict(exc=ValueError("x"), root=None),
    "effects.risk_difference": lambda: dict(**TWO, method="newcombe", level=0.95),
    "effects.risk_ratio": lambda: dict(**TWO, method="wald", level=0.95, correction="none"),
    "effects.odds_ratio": lambda: dict(**TWO, method="wald", level=0.95, correction="none"),
    "effects.nnt": lambda: dict(**TWO, method="newcombe", level=0.95, outcome_is_good=False),
    "formatting.num": lambda: dict(value=1.234, decimals=2),
    "formatting.signed": lambda: dict(value=1.234, decimals=1),
    "formatting.interval": lambda: dict(low=1.0, high=2.0, decimals=2, signs=False),
    "formatting.estimate_ci": lambda: dict(estimate=1.5, low=1.0, high=2.0, decimals=2, signs=False),
    "formatting.percent": lambda: dict(value=12.3, decimals=1, proportion=False),
    "formatting.p_value": lambda: dict(p=0.0123, decimals=3),
    "fragility.fragility_index": lambda: dict(events_a=15, total_a=60, events_b=3, total_b=60, alpha=0.05,
                                              test="fisher"),
    "fragility.reverse_fragility_index": lambda: dict(events_a=8, total_a=40, events_b=5, total_b=40,
                                                      alpha=0.05, test="fisher", direction="either",
                                                      both_groups=True),
    "fragility.stepwise_reverse_fragility_index": lambda: dict(events_a=8, total_a=40, events_b=5, total_b=40,
                                                               alpha=0.05, test="fisher"),
    "meta.random_effects": lambda: dict(yi=[0.1, 0.3, -0.2], vi=[0.04, 0.05, 0.06], method="REML",
                                        knha=False, level=0.95),
    "meta.fixed_effect": lambda: dict(yi=[0.1, 0.3, -0.2], vi=[0.04, 0.05, 0.06], level=0.95),
    "meta.mantel_haenszel": lambda: dict(events_a=[5, 6], total_a=[20, 25], events_b=[3, 2], total_b=[20, 22],
                                         measure="OR", level=0.95),
    "meta.pool_proportions": lambda: dict(events=[5, 6, 7], totals=[20, 25, 30], method="REML", knha=True,
                                          level=0.95),
    "meta.leave_one_out": lambda: dict(yi=[0.1, 0.3, -0.2], vi=[0.04, 0.05, 0.06], labels=["a", "b", "c"]),
    "meta.logit_proportions": lambda: dict(events=[5, 6, 7], totals=[20, 25, 30]),
    "outputs.stored_value": lambda: dict(value=1.23456789, sig=6),
    "perpass.cochran_armitage": lambda: dict(events=[10, 6, 3], totals=[30, 30, 30], scores=None),
    "perpass.logistic_trend": lambda: dict(events=[10, 6, 3], totals=[30, 30, 30], scores=None, level=0.95),
    "perpass.integer_totals_for_mean": lambda: dict(printed_mean="3.7", n=29, decimals=None, mode="either"),
    "perpass.reconstruct_passes": lambda: dict(n_patients=10, n_passes=16, first_pass={"s": 4},
                                               later_passes={2: {"s": "50"}}, min_attempted=None,
                                               min_tail_passes=0, stop_on_success=True, mode="either"),
    "plots.forest_plot": lambda: dict(labels=["a", "b"], estimates=[1.2, 0.8], ci_low=[0.9, 0.5],
                                      ci_high=[1.6, 1.3], weights=None, pooled=None, prediction=None,
                                      log_scale=True, null=1.0, xlabel="Odds ratio", ax=None, annotate=True,
                                      group=None, pooled_label="Random effects", colour=None),
    "plots.proportion_plot": lambda: dict(labels=["a", "b"], counts=[3, 5], totals=[10, 12], method="wilson",
                                          groups=None, ax=None, level=0.95, xlabel="Proportion (%)",
                                          annotate=True),
    "plots.save_figure": lambda: dict(fig=_figure(), path=_tmp_csv().with_suffix(".svg"), dpi=20),
    "power.power_two_proportions": lambda: dict(p_a=0.3, p_b=0.2, n_a=100, n_b=100, alpha=0.05),
    "power.minimal_detectable_difference": lambda: dict(p_b=0.2, n_a=100, n_b=100, power=0.8, alpha=0.05),
    "power.tost_risk_difference": lambda: dict(events_a=56, total_a=70, events_b=48, total_b=80, margin=0.3,
                                               alpha=0.05),
    "printed.parse_number": lambda: dict(text="0.834"),
    "printed.as_printed": lambda: dict(value="1.10", name="value", decimals=None),
    "printed.parse_count_percent": lambda: dict(text="22/128 (21.9)"),
    "printed.parse_interval": lambda: dict(text="1.385–37.306", estimate=None),
    "printed.value_set": lambda: dict(printed="0.834", mode="either"),
    "printed.value_interval": lambda: dict(printed="0.834", mode="either"),
    "printed.agrees": lambda: dict(value=0.8344, printed="0.834", mode="either"),
    "printed.how_agrees": lambda: dict(value=0.8344, printed="0.834"),
    "proportions.wilson": lambda: dict(count=3, total=10, level=0.95),
    "proportions.clopper_pearson": lambda: dict(count=3, total=10, level=0.95),
    "pvalues.categorical_pvalues": lambda: dict(table=[[12, 7], [5, 7]], max_tables=50000),
    "pvalues.fisher_freeman_halton": lambda: dict(table=[[3, 1, 2], [1, 3, 2]], max_tables=2000000),
    "pvalues.ttest_pvalues": lambda: dict(mean_a=5.0, sd_a=1.0, n_a=20, mean_b=4.5, sd_b=1.2, n_b=22),
    "pvalues.binary_ttest_pvalues": lambda: dict(**TWO),
    "pvalues.ordinal_ttest_pvalues": lambda: dict(table=[[3, 4, 5], [5, 4, 3]], scores=[0.0, 1.0, 2.0]),
    "pvalues.matching_tests": lambda: dict(candidates={"fisher": 0.288, "chisq": 0.24}, printed_p="0.288"),
    "reconstruct.crude_odds_ratio": lambda: dict(a=5, b=10, c=3, d=12),
    "reconstruct.tables_with_margins": lambda: dict(total=20, exposed=8, events=6),
    "reconstruct.candidate_tables": lambda: dict(events_total=10, n_total=40, exposure_printed="82.1%",
                                                 subset_totals=[28, 39], mode="either"),
    "reconstruct.undefined_tables": lambda: dict(events_total=10, n_total=40, exposure_printed="82.1%",
                                                 subset_totals=[28, 39], mode="either"),
    "reconstruct.events_per_variable": lambda: dict(events=20, nonevents=80, n_variables=3),
    "repairs.single_edits": lambda: dict(text="2.549"),
    "repairs.ratio_ci_repairs": lambda: dict(estimate="2.5", ci_low="0.5", ci_high="4.0", p="0.3"),
    "safe_io.is_tracked": lambda: dict(path="README.md"),
    "safe_io.check_output_path": lambda: dict(path=_tmp_csv(), force=False, allow_tracked=()),
    "safe_io.write_text_safely": lambda: dict(path=_tmp_csv(), text="a\n", force=False, allow_tracked=()),
    "synthesis.study_rate": lambda: dict(proportions=_pkg()["proportions"],
                                         ids=str(_pkg()["proportions"]["id"].iloc[1])),
    "synthesis.rate_table": lambda: dict(proportions=_pkg()["proportions"],
                                         spec={"x": str(_pkg()["proportions"]["id"].iloc[1])}),
    "synthesis.log_odds_ratios": lambda: dict(events_a=[5, 6], total_a=[20, 25], events_b=[3, 2],
                                              total_b=[20, 22]),
    "validation.check_count": lambda: dict(value=3, name="value"),
    "validation.check_total": lambda: dict(value=3, name="value"),
    "validation.check_count_le_total": lambda: dict(count=3, total=5, count_name="count", total_name="total"),
    "validation.check_two_by_two": lambda: dict(**TWO),
    "validation.check_probability": lambda: dict(value=0.5, name="value", open_low=False, open_high=False),
    "validation.check_p_value": lambda: dict(value=0.5, name="value"),
    "validation.check_positive": lambda: dict(value=0.5, name="value"),
    "validation.check_finite": lambda: dict(value=0.5, name="value"),
    "validation.check_ci": lambda: dict(estimate=1.5, low=1.0, high=2.0, ratio=False,
                                        names=("estimate", "low", "high"), require_inside=True),
    "validation.check_alpha": lambda: dict(value=0.05, name="value"),
    "validation.check_flag": lambda: dict(value=True, name="value"),
    "validation.check_whole": lambda: dict(value=3, name="value", minimum=0, maximum=10),
    "validation.check_decimals": lambda: dict(value=2, name="value", maximum=15, allow_none=True),
    "validation.check_reals": lambda: dict(values=[1.0, 2.0], name="values", min_length=1, max_length=10,
                                           positive=False),
    "validation.check_callable": lambda: dict(value=len, name="value"),
    "validation.check_level": lambda: dict(value=0.95, name="value"),
    "validation.check_work": lambda: dict(size=10, limit=100, what="tables", names="size"),
    "validation.check_text": lambda: dict(value="some text", name="value", empty=False),
    "validation.check_mapping": lambda: dict(value={"a": 1}, name="value", what="a mapping"),
    "validation.check_frame": lambda: dict(value=pd.DataFrame({"a": [1]}), name="value", columns=("a",),
                                           what="a table"),
    "validation.check_tables": lambda: dict(value={"t": pd.DataFrame({"a": [1]})}, name="value", tables=("t",),
                                            what="helpers.data.load_package()"),
    "validation.check_choice": lambda: dict(value="a", name="value", allowed=("a", "b")),
    "validation.check_sequence": lambda: dict(value=[1, 2], name="value", min_length=1, max_length=10),
}

#: public functions not fuzzed here, with the reason (each is tested elsewhere)
EXEMPT: dict[str, str] = {
    "audit.main": "a command line: tests/test_fuzz_cli.py drives it with bad arguments and packages",
    "data.default_root": "takes no argument",
    "data.load_package_for_cli": "never raises by design (returns the problems); tests/test_fuzz_cli.py",
    "data.normalise_whitespace": "accepts any object by design (str() of it)",
    "safe_io.one_line": "accepts any object by design (str() of it)",
    "plots.use_style": "takes no argument",
    "plots.styled": "takes no argument",
    "outputs.glue": "needs a running notebook kernel; its rounding is outputs.stored_value (fuzzed)",
}

#: (function, parameter, bad value repr) accepted on purpose, with the reason
ALLOWED: dict[tuple[str, str, str], str] = {
    ("consistency.p_from_ci", "estimate", "None"): "documented: None means the centre of the CI",
    ("validation.check_ci", "estimate", "None"): "documented: None checks the interval only",
    ("plots.forest_plot", "null", "None"): "documented: None draws no line of no effect",
    ("cutoff_simulation.sample_stenosis", "rounding", "None"): "documented: None keeps it continuous",
    ("cutoff_simulation.simulate_cutoff_search", "rounding", "None"): "documented: None keeps it continuous",
    ("safe_io.is_tracked", "path", "'/no/such/folder/out.csv'"): "a path that git does not track: False",
    ("crude_models.fmm_spline", "xout", "3.0"): "one point to evaluate at is a valid xout (as in R)",
    ("formatting.estimate_ci", "estimate", "5.0"): "presentation only; an NNT's two-piece confidence set "
                                                   "is printed by bounds that need not contain it",
}


# --------------------------------------------------------------------------- the book-facing modules
# (appraisal, its views, the chapters' shared pieces, the site, the Summary of Findings, the
# synthesis' plumbing, the reader's vocabulary): their arguments are tables of the data package
# and of the appraisal, so the valid calls share one loaded package, appraisal and audit.

BAD.update({
    "package": [5, None, "x", {}, object()],            # a load_package()/load_appraisal() result
    "frame": [5, None, "x", pd.DataFrame(), object()],  # a table with required columns
    "mapping": [5, None, "x", ["a"], object()],
    "nonnegative": [-1.0, NAN, INF, "1", None, True],
    "extended_ratio": [NAN, -1.0, -INF, "2", None, True],  # a ratio that may be 0 or inf (separation)
})

NAME_RULES.extend([
    (r"pkg|package|appraisal", "package"),
    (r"count_[ab]", "count"),
    (r"median_[ab]|q[13]_[ab]|mean_[ab]", "real"),
    (r"assumed_risk", "probability"),
    (r"rr|rr_low|rr_high", "ratio"),
    (r"study|start|analysis|status|model|interval|kind|code", "choice"),
    (r"printed_[ab]", "printed"),
    (r"max_[ab]|ois_events|font", "whole"),
    (r"audit|matches|jbi|rob|estimates|definitions|studies|arms|props|synthesis_inputs|rows|fits|rates",
     "frame"),
    (r"arm_words|check_words|notes|findings|codes|inputs|pooled|pooled_z|comp|down|up", "mapping"),
    (r"item|bottom_line|title|heading|repository_url|treated|control|label", "text"),
    (r"sort|index|good|show|knha|higher_is_better|rare", "flag"),
    (r"root", "object"),
])

KIND_OVERRIDES.update({
    ("appraisal.evalue_point", "rr"): "ratio",
    ("appraisal.evalue_table", "estimates"): "frame",
    ("appraisal.smd_continuous", "sd_a"): "nonnegative",
    ("appraisal.smd_continuous", "sd_b"): "nonnegative",
    ("appraisal.imprecision_levels", "thresholds"): "positives",
    ("appraisal_view.judgement_text", "value"): "choice",
    ("appraisal_view.judgement_text", "scale"): "mapping",
    ("chapter.claim", "holds"): "skip",  # any object: its truth is the claim, by design
    ("chapter.claim", "now"): "skip",  # any object: shown in the message only
    ("chapter.claim", "text"): "text",
    ("audit_view.item_in_words", "check"): "choice",
    ("audit_view.findings_markdown", "verdict"): "choice",
    ("formatting.md_escape", "text"): "text",
    ("audit_view.plural", "n"): "count",
    ("audit_view.plural", "word"): "text",
    ("chapter.claim_equal", "actual"): "skip",  # any objects: compared with ==, by design
    ("chapter.claim_equal", "expected"): "skip",
    ("chapter.claim_equal", "text"): "text",
    ("chapter.definition", "outcome"): "text",  # any outcome: an undefined one is NOT_DEFINED, by design
    ("chapter.definition_shown", "outcome"): "text",
    ("chapter.effect_text", "effect"): "object",
    ("chapter.effect_text", "scale"): "real",
    ("chapter.fares", "result"): "object",
    ("chapter.fits_by_rounding", "printed"): "object",
    ("chapter.grouped_forest", "xlabel"): "text",
    ("chapter.grouped_forest", "xlim"): "reals",
    ("chapter.grouped_forest", "xticks"): "reals",
    ("chapter.grouped_forest", "width"): "positive",
    ("chapter.grouped_forest", "favours"): "object",
    ("chapter.html_table", "frame"): "object",  # any DataFrame, even an empty one
    ("chapter.show_table", "frame"): "object",
    ("chapter.markdown_table", "frame"): "object",
    ("chapter.listing", "values"): "object",
    ("chapter.pct_text", "row"): "object",
    ("chapter.printed_estimate", "row"): "object",
    ("chapter.rate_table", "rates"): "object",
    ("chapter.rates_figure", "counts"): "counts",
    ("chapter.rates_figure", "figsize"): "positives",
    ("chapter.ratio_text", "x"): "extended_ratio",
    ("chapter.table_reached", "result"): "object",
    ("chapter.table_reached", "n_a"): "total",
    ("chapter.table_reached", "n_b"): "total",
    ("chapter.restated", "printed"): "printed",
    ("rob.baseline_balance", "trial"): "object",
    ("rob.baseline_balance", "location"): "text",  # any location: one without rows gives none, by design
    ("rob.overall_judgement", "judgements"): "object",
    ("rob.resolve_audit_links", "table"): "frame",
    ("robplots.summary_plot", "columns"): "labels",
    ("robplots.summary_plot", "judgements"): "object",
    ("robplots.summary_plot", "scale"): "mapping",
    ("robplots.summary_plot", "overall"): "object",
    ("robplots.summary_plot", "column_titles"): "labels",
    ("robplots.summary_plot", "ax"): "object",
    ("robplots.summary_plot", "xlabel"): "skip",  # any text: matplotlib prints str() of it
    ("robplots.traffic_light", "rows"): "labels",
    ("robplots.traffic_light", "columns"): "labels",
    ("robplots.traffic_light", "judgements"): "object",
    ("robplots.traffic_light", "scale"): "mapping",
    ("robplots.traffic_light", "overall"): "object",
    ("robplots.traffic_light", "column_titles"): "labels",
    ("robplots.traffic_light", "ax"): "object",
    ("robplots.traffic_light", "title"): "skip",  # any text: matplotlib prints str() of it
    ("site.verdict_class", "heading"): "text",
    ("site.write_data_zip", "data"): "path",
    ("site.write_data_zip", "target"): "path",
    ("sof.comparative_row", "outcome"): "choice",
    ("sof.single_arm_row", "outcome"): "choice",
    ("sof.sof_table", "rows"): "object",
    ("synthesis_view.and_join", "items"): "object",
    ("synthesis_view.arm_text", "shown"): "object",
    ("synthesis_view.audit_by_study", "labels"): "mapping",
    ("synthesis_view.audit_by_study", "order"): "object",
    ("synthesis_view.comparison_forest", "labels"): "mapping",
    ("synthesis_view.comparison_table", "labels"): "mapping",
    ("synthesis_view.counts_table", "rows"): "mapping",
    ("synthesis_view.counts_table", "labels"): "mapping",
    ("synthesis_view.counts_table", "order"): "object",
    ("synthesis_view.definition", "outcome"): "text",  # any outcome: an undefined one is "not stated", by design
    ("synthesis_view.denominator_alternatives", "alternatives"): "object",
    ("synthesis_view.denominator_alternatives", "used_total"): "total",
    ("synthesis_view.inputs_audited", "rows"): "mapping",
    ("synthesis_view.leave_one_out_rates", "outcome"): "choice",
    ("synthesis_view.leave_one_out_table", "labels"): "mapping",
    ("synthesis_view.leave_one_out_table", "order"): "object",
    ("synthesis_view.month", "value"): "printed",
    ("synthesis_view.pct", "x"): "probability",
    ("synthesis_view.pct_ci", "lo"): "probability",
    ("synthesis_view.pct_ci", "hi"): "probability",
    ("synthesis_view.ratio_ci", "lo"): "extended_ratio",
    ("synthesis_view.ratio_ci", "hi"): "extended_ratio",
    ("synthesis_view.plain", "text"): "text",
    ("synthesis_view.pool_rates", "rows"): "mapping",
    ("synthesis_view.rates_forest", "labels"): "mapping",
    ("synthesis_view.without_each", "drop"): "object",
    ("synthesis_view.without_each", "labels"): "mapping",
    ("vocabulary.fits_in_words", "fits"): "frame",
    ("vocabulary.plain_recomputed", "text"): "text",
    ("vocabulary.recomputed_words", "text"): "text",
    ("vocabulary.replace_codes", "text"): "text",
    ("vocabulary.test_codes_in_words", "text"): "text",
})


_BOOK: dict = {}


def _book(key):
    """The full data package, its appraisal, the audit and the synthesis' pieces, loaded once
    (the views need every study); each call gets fresh copies of the tables."""
    if not _BOOK:
        from helpers import synthesis_view as sv
        from helpers.audit import run_audit
        from helpers.data import load_package
        from helpers.rob import load_appraisal
        pkg, appraisal = load_package(), load_appraisal()
        rows = sv.single_arm_rows(appraisal["synthesis_inputs"])
        inputs, pooled = sv.pool_rates(pkg["proportions"], rows)
        _BOOK.update(pkg=pkg, appraisal=appraisal, audit=_full_audit(pkg, run_audit), rows=rows, inputs=inputs,
                     pooled=pooled, labels=dict(zip(pkg["studies"]["study"], pkg["studies"]["label"])),
                     order=list(pkg["studies"]["study"]),
                     comp=sv.crude_comparisons(pkg["proportions"], appraisal["synthesis_inputs"]))
    value = _BOOK[key]
    if isinstance(value, pd.DataFrame):
        return value.copy()
    if isinstance(value, dict) and value and all(isinstance(v, pd.DataFrame) for v in value.values()):
        return {k: v.copy() for k, v in value.items()}
    import copy
    return copy.deepcopy(value)


def _full_audit(pkg, run_audit):
    """The audit of every study: the shipped copy (chapters/audit-table.csv, regenerated by
    ``make audit-table`` and checked against run_audit by tests/test_audit.py) when it has the
    audit's columns, which saves running the whole audit (over a second) here; else run_audit."""
    from helpers.audit import COLUMNS
    shipped = _root() / "chapters" / "audit-table.csv"
    try:
        table = pd.read_csv(shipped, dtype=str, keep_default_na=False)
    except (OSError, ValueError):
        return run_audit(pkg)
    if list(table.columns) != list(COLUMNS) or set(table["study"]) != set(pkg["studies"]["study"]):
        return run_audit(pkg)
    return table.astype(object)


def _study(i=0):
    return str(_book("order")[i])  # the studies in studies.csv order, without copying the package


def _trial_study():
    """A study with a target trial (a comparison) in the appraisal."""
    return str(_book("appraisal")["target_trial"]["study"].iloc[0])


def _audit_of(study):
    audit = _book("audit")
    return audit[audit["study"] == study]


def _matches():
    from helpers.crude_models import match_printed
    if "matches" not in _BOOK:
        _BOOK["matches"] = match_printed(_fits(), "4.38", "1.24", "27.79", "0.04")
    return _BOOK["matches"].copy()


def _fragility():
    from helpers.fragility import reverse_fragility_index
    if "fragility" not in _BOOK:
        _BOOK["fragility"] = reverse_fragility_index(8, 40, 5, 40)
    return _BOOK["fragility"]


def _sof_rows():
    from helpers.sof import summary_of_findings
    if "sof" not in _BOOK:
        _BOOK["sof"] = summary_of_findings(_book("pkg"), _book("appraisal"))
    return list(_BOOK["sof"])


def _forest_rows():
    return pd.DataFrame({"subgroup": ["all", "men"], "estimate": [1.5, 2.0], "ci_low": [0.8, 0.9],
                         "ci_high": [2.8, 4.4], "label": ["A", "A"]})


def _root():
    from pathlib import Path
    return Path(__file__).resolve().parents[1]


def _outcome_of_pool():
    return next(iter(_book("inputs")))


GRID = [["low", "moderate", "serious"], ["serious", "critical", "low"]]

CALLS.update({
    "appraisal.evalue": lambda: dict(estimate=2.0, ci_low=1.2, ci_high=3.5, measure="OR", rare=False),
    "appraisal.evalue_point": lambda: dict(rr=2.0),
    "appraisal.evalue_table": lambda: dict(estimates=_book("pkg")["estimates"], rare=False),
    "appraisal.grade_certainty": lambda: dict(start="low", down={"risk of bias": (1, "serious")}, up=None),
    "appraisal.imprecision_levels": lambda: dict(ci_low=0.9, ci_high=1.1, events=100, thresholds=(0.75, 1.25),
                                                 ois_events=300),
    "appraisal.per_1000": lambda: dict(assumed_risk=0.2, rr=1.5, rr_low=1.1, rr_high=2.0),
    "appraisal.smd_binary": lambda: dict(count_a=16, total_a=27, count_b=18, total_b=29),
    "appraisal.smd_continuous": lambda: dict(mean_a=5.0, sd_a=1.0, mean_b=4.5, sd_b=1.2),
    "appraisal.smd_from_median_iqr": lambda: dict(median_a=15.0, q1_a=10.0, q3_a=20.0, median_b=14.0,
                                                  q1_b=9.0, q3_b=19.0),
    "appraisal_view.balance_table": lambda: dict(pkg=_book("pkg"), appraisal=_book("appraisal"),
                                                 study=_trial_study()),
    "appraisal_view.domain_table": lambda: dict(pkg=_book("pkg"), appraisal=_book("appraisal"),
                                                study=_trial_study()),
    "appraisal_view.evalue_display": lambda: dict(pkg=_book("pkg"), study=_trial_study()),
    "appraisal_view.jbi_table": lambda: dict(pkg=_book("pkg"), appraisal=_book("appraisal"),
                                             study=str(_book("appraisal")["jbi_case_series"]["study"].iloc[0])),
    "appraisal_view.judgement_text": lambda: dict(value="serious"),
    "appraisal_view.overall_table": lambda: dict(pkg=_book("pkg"), appraisal=_book("appraisal"), study=None),
    "appraisal_view.rob_line": lambda: dict(pkg=_book("pkg"), appraisal=_book("appraisal"), study=_trial_study()),
    "appraisal_view.rob_summary": lambda: dict(pkg=_book("pkg"), appraisal=_book("appraisal")),
    "appraisal_view.rob_traffic_light": lambda: dict(pkg=_book("pkg"), appraisal=_book("appraisal"),
                                                     study=_trial_study()),
    "appraisal_view.study_labels": lambda: dict(pkg=_book("pkg")),
    "appraisal_view.target_trial_table": lambda: dict(pkg=_book("pkg"), appraisal=_book("appraisal"),
                                                      study=None),
    "audit_view.findings_markdown": lambda: dict(audit=_book("audit"), package=_book("pkg"), verdict="inconsistent"),
    "audit_view.item_in_words": lambda: dict(package=_book("pkg"), study=_study(), item="Age (rs)", check="percent"),
    "formatting.md_escape": lambda: dict(text="IVT** (n)"),
    "audit_view.paper_labels": lambda: dict(package=_book("pkg")),
    "audit_view.plural": lambda: dict(n=3, word="finding"),
    "audit_view.questions_by_paper_markdown": lambda: dict(audit=_book("audit"), package=_book("pkg")),
    "audit_view.reader_table": lambda: dict(audit=_audit_of(_study()), package=_book("pkg")),
    "chapter.audit_counts": lambda: dict(audit=_audit_of(_study())),
    "chapter.glue_audit_counts": lambda: dict(audit=_audit_of(_study())),
    "chapter.audit_slice": lambda: dict(audit=_audit_of(_study()), arm_words={"x": "X group"}, sort=True),
    "chapter.claim": lambda: dict(holds=True, text="the counts agree", now=None),
    "chapter.claim_equal": lambda: dict(actual=3, expected=3, text="three tables"),
    "chapter.compare_studies": lambda: dict(package=_book("pkg"), notes=None),
    "chapter.comparisons_in_words": lambda: dict(package=_book("pkg"), study=_study()),
    "chapter.definition": lambda: dict(package=_book("pkg"), study=str(_book("pkg")["definitions"]["study"].iloc[0]),
                                       outcome=str(_book("pkg")["definitions"]["outcome"].iloc[0])),
    "chapter.definition_shown": lambda: dict(package=_book("pkg"),
                                             study=str(_book("pkg")["definitions"]["study"].iloc[0]),
                                             outcome=str(_book("pkg")["definitions"]["outcome"].iloc[0])),
    "chapter.design_facts": lambda: dict(package=_book("pkg"), study=_study()),
    "chapter.effect_text": lambda: dict(effect=_effect(), scale=100.0, decimals=1),
    "chapter.fares": lambda: dict(result=_fragility(), good=False),
    "chapter.fits_by_rounding": lambda: dict(matches=_matches(), printed=("4.38", "1.24", "27.79", "0.04")),
    "chapter.grouped_forest": lambda: dict(rows=_forest_rows(), title="Subgroups", xlabel="Odds ratio",
                                           xlim=(0.5, 5.0), xticks=(0.5, 1.0, 2.0, 4.0), width=8.0, font=11,
                                           favours=None),
    "chapter.html_table": lambda: dict(frame=pd.DataFrame({"a": [1, 2]}), index=False),
    "chapter.listing": lambda: dict(values=[1, 2, 3]),
    "chapter.markdown_table": lambda: dict(frame=pd.DataFrame({"a": [1, 2]})),
    "chapter.pct_text": lambda: dict(row={"percent": 98.7, "percent_decimals": 1}),
    "chapter.pick_fit": lambda: dict(matches=_matches(), model=str(_matches()["model"].iloc[0]),
                                     interval=str(_matches()["interval"].iloc[0])),
    "chapter.printed_estimate": lambda: dict(row=_book("pkg")["estimates"].iloc[0]),
    "chapter.rate_table": lambda: dict(rates=[{"label": "Death", "printed": "4.0%", "count": 3, "total": 75}]),
    "chapter.rates_figure": lambda: dict(labels=["a", "b"], counts=[3, 40], totals=[75, 78], figsize=(4.0, 3.0)),
    "chapter.ratio_text": lambda: dict(x=87.61, decimals=2),
    "chapter.reproducing": lambda: dict(matches=_matches()),
    "chapter.restated": lambda: dict(printed="-0.50"),
    "chapter.show_table": lambda: dict(frame=pd.DataFrame({"a": [1, 2]}), index=False),
    "chapter.study_label": lambda: dict(package=_book("pkg"), study=_study()),
    "chapter.table_reached": lambda: dict(result=_fragility(), n_a=40, n_b=40),
    "chapter.verdict_box": lambda: dict(bottom_line="The counts agree.", findings={"Holds up": ["a"]}),
    "lost_follow_up.denominator_search": lambda: dict(printed_a="26.3%", max_a=40, printed_b="45.5%", max_b=45,
                                                      p_printed="0.083"),
    "rob.appraisal_problems": lambda: dict(root=None),
    "rob.baseline_balance": lambda: dict(pkg=_book("pkg"),
                                         trial=_book("appraisal")["target_trial"].iloc[0], location="Table 1"),
    "rob.jbi_summary": lambda: dict(jbi=_book("appraisal")["jbi_case_series"]),
    "rob.load_appraisal": lambda: dict(root=None),
    "rob.overall_judgement": lambda: dict(judgements=["low", "moderate", "serious"]),
    "rob.resolve_audit_links": lambda: dict(table=_book("appraisal")["robins_i"], audit=_book("audit")),
    "rob.robins_summary": lambda: dict(rob=_book("appraisal")["robins_i"]),
    "robplots.summary_plot": lambda: dict(columns=["D1", "D2", "D3"], judgements=[list(r) for r in GRID],
                                          weights=[3, 1], overall=["serious", "critical"], column_titles=None,
                                          ax=None, xlabel=None),
    "robplots.traffic_light": lambda: dict(rows=["S1", "S2"], columns=["D1", "D2", "D3"],
                                           judgements=[list(r) for r in GRID], overall=["serious", "critical"],
                                           title=None, column_titles=None, ax=None),
    "site.findings_markdown": lambda: dict(root=None),
    "site.findings_rows": lambda: dict(root=None),
    "site.git_footer": lambda: dict(root=None, repository_url="https://example.org/book"),
    "site.load_claims": lambda: dict(root=None),
    "site.verdict_class": lambda: dict(heading="Holds up, with caveats"),
    "site.write_data_zip": lambda: dict(data=_root() / "data" / "schemas", target=_tmp_csv().with_suffix(".zip")),
    "sof.comparative_row": lambda: dict(pkg=_book("pkg"), appraisal=_book("appraisal"), outcome="mortality",
                                        level=0.95),
    "sof.single_arm_row": lambda: dict(pkg=_book("pkg"), appraisal=_book("appraisal"), outcome="mortality",
                                       level=0.95),
    "sof.sof_table": lambda: dict(rows=_sof_rows(), pkg=_book("pkg")),
    "sof.study_certainty": lambda: dict(appraisal=_book("appraisal")),
    "sof.summary_of_findings": lambda: dict(pkg=_book("pkg"), appraisal=_book("appraisal"),
                                            analysis="comparative", level=0.95),
    "synthesis_view.and_join": lambda: dict(items=["A", "B", "C"]),
    "synthesis_view.arm_text": lambda: dict(arms=_book("pkg")["arms"].set_index(["study", "arm"]),
                                            study=str(_book("pkg")["arms"]["study"].iloc[0]),
                                            shown=[str(_book("pkg")["arms"]["arm"].iloc[0])]),
    "synthesis_view.audit_by_study": lambda: dict(audit=_book("audit"), labels=_book("labels"),
                                                  order=_book("order")),
    "synthesis_view.characteristics_table": lambda: dict(pkg=_book("pkg"), appraisal=_book("appraisal")),
    "synthesis_view.comparison_bias_table": lambda: dict(pkg=_book("pkg"), appraisal=_book("appraisal")),
    "synthesis_view.comparison_forest": lambda: dict(comp=_book("comp"), labels=_book("labels"), show=False),
    "synthesis_view.comparison_table": lambda: dict(comp=_book("comp"), labels=_book("labels")),
    "synthesis_view.counts_table": lambda: dict(props=_book("pkg")["proportions"], inputs=_book("inputs"),
                                                rows=_book("rows"), labels=_book("labels"), order=_book("order")),
    "synthesis_view.crude_comparisons": lambda: dict(props=_book("pkg")["proportions"],
                                                     synthesis_inputs=_book("appraisal")["synthesis_inputs"],
                                                     level=0.95),
    "synthesis_view.definition": lambda: dict(definitions=_book("pkg")["definitions"],
                                              study=str(_book("pkg")["definitions"]["study"].iloc[0]),
                                              outcome=str(_book("pkg")["definitions"]["outcome"].iloc[0])),
    "synthesis_view.definitions_table": lambda: dict(pkg=_book("pkg")),
    "synthesis_view.denominator_alternatives": lambda: dict(
        rates=_book("inputs")[_outcome_of_pool()], study=str(_book("inputs")[_outcome_of_pool()]["study"].iloc[0]),
        alternatives=[(1, 20)], label="X", used_total=int(_book("inputs")[_outcome_of_pool()]["total"].iloc[0]),
        level=0.95),
    "synthesis_view.design": lambda: dict(studies=_book("pkg")["studies"].set_index("study"), study=_study()),
    "synthesis_view.inputs_audited": lambda: dict(audit=_book("audit"), props=_book("pkg")["proportions"],
                                                  rows=_book("rows")),
    "synthesis_view.leave_one_out_rates": lambda: dict(inputs=_book("inputs"), pooled=_book("pooled"),
                                                       outcome=_outcome_of_pool(), level=0.95),
    "synthesis_view.leave_one_out_table": lambda: dict(inputs=_book("inputs"), pooled=_book("pooled"),
                                                       labels=_book("labels"), order=_book("order"), level=0.95),
    "synthesis_view.month": lambda: dict(value="2020-01"),
    "synthesis_view.overlap_pairs": lambda: dict(appraisal=_book("appraisal"), status="possible"),
    "synthesis_view.pct": lambda: dict(x=0.4878, decimals=1),
    "synthesis_view.pct_ci": lambda: dict(lo=0.062, hi=0.196, decimals=1),
    "synthesis_view.period": lambda: dict(studies=_book("pkg")["studies"].set_index("study"), study=_study()),
    "synthesis_view.plain": lambda: dict(text="mRS >=3, 1-2, n=5"),
    "synthesis_view.pool_rates": lambda: dict(props=_book("pkg")["proportions"], rows=_book("rows"), knha=True,
                                              level=0.95),
    "synthesis_view.pooled_summary": lambda: dict(pooled=_book("pooled"), pooled_z=_book("pooled")),
    "synthesis_view.rates_forest": lambda: dict(inputs=_book("inputs"), pooled=_book("pooled"),
                                                labels=_book("labels"), level=0.95, show=False),
    "synthesis_view.ratio_ci": lambda: dict(lo=0.004, hi=726.3),
    "synthesis_view.single_arm_rows": lambda: dict(synthesis_inputs=_book("appraisal")["synthesis_inputs"]),
    "synthesis_view.stented_patients": lambda: dict(synthesis_inputs=_book("appraisal")["synthesis_inputs"],
                                                    arms=_book("pkg")["arms"].set_index(["study", "arm"])),
    "synthesis_view.without_each": lambda: dict(inputs=_book("inputs"), pooled=_book("pooled"),
                                                drop=list(_book("inputs")[_outcome_of_pool()]["study"])[:1],
                                                labels=_book("labels"), level=0.95),
    "vocabulary.arm_words": lambda: dict(package=_book("pkg"), study=_study()),
    "vocabulary.favours": lambda: dict(treated="stenting", control="no stenting", higher_is_better=True),
    "vocabulary.fits_in_words": lambda: dict(fits=_matches()),
    "vocabulary.item_name": lambda: dict(item="Prior anticoagulants, n/N (%)"),
    "vocabulary.plain_item": lambda: dict(item="Sex, male* (early)"),
    "vocabulary.plain_recomputed": lambda: dict(text="77/78 = 98.718% (both)"),
    "vocabulary.recomputed_words": lambda: dict(text="(fisher 0.8496, chisq 0.7086)"),
    "vocabulary.replace_codes": lambda: dict(text="mortality (non_rs)", codes={"non_rs": "non-RS group"}),
    "vocabulary.test_codes_in_words": lambda: dict(text="(fisher 0.8496, chisq 0.7086)"),
    "vocabulary.words": lambda: dict(kind="test", code="fisher"),
    "audit.account": lambda: dict(audit=_audit_of(_study())),
    "audit.count": lambda: dict(audit=_book("audit"), study=_study(), family=None, check="percent",
                                verdict="consistent", consequence=None),
    "audit.questions": lambda: dict(audit=_book("audit"), study=_study()),
    "audit.questions_markdown": lambda: dict(study=_study(), audit=_book("audit")),
    "audit.questions_box": lambda: dict(study=_study(), audit=_book("audit")),
    "audit.mutation.typo": lambda: dict(text="12.5", rng=random.Random(1)),
    "audit.mutation.mutants": lambda: dict(package=_pkg(), study=_study(), n=2, seed=16),
    "audit.mutation.plant": lambda: dict(package=_pkg(), m=_mutant()),
    "audit.mutation.judge": lambda: dict(package=_pkg(), m=_mutant(), baseline=_first_audit()),
    "granularity.grim": lambda: dict(mean="5.19", n=28, items=1),
    "granularity.grimmer": lambda: dict(mean="5.19", sd="2.19", n=28),
    "granularity.debit": lambda: dict(mean="0.30", sd="0.47", n=40),
})


def _mutant():
    if "mutant" not in _BOOK:
        from helpers.audit.mutation import mutants
        _BOOK["mutant"] = mutants(_pkg(), _study(), n=1)[0]
    return _BOOK["mutant"]


def _first_audit():
    """The audit of the first study of the small package (the baseline of a mutation)."""
    if "first_audit" not in _BOOK:
        from helpers.audit import run_audit
        _BOOK["first_audit"] = run_audit(_pkg(), study=_study())
    return _BOOK["first_audit"].copy()


def _effect():
    from helpers.effects import risk_difference
    return risk_difference(7, 41, 14, 86)


ALLOWED.update({
    ("vocabulary.favours", "higher_is_better", "None"): "documented: None states the direction only",
    ("audit.count", "consequence", "''"): "'' is a consequence of audit.CONSEQUENCES (rows with no consequence)",
})

KIND_OVERRIDES.update({
    ("audit.account", "audit"): "frame",  # None (the default) runs the audit of this repository
    ("audit.count", "family"): "choice",
    ("audit.count", "check"): "choice",
    ("audit.count", "verdict"): "choice",
    ("audit.count", "consequence"): "choice",
    ("audit.questions_markdown", "audit"): "frame",
    ("audit.questions_box", "audit"): "frame",
    ("audit.mutation.typo", "text"): "text",  # any text: None when it has no digit, as documented
    ("audit.mutation.typo", "rng"): "object",
    ("audit.mutation.mutants", "n"): "whole",
    ("audit.mutation.plant", "m"): "object",
    ("audit.mutation.judge", "m"): "object",
    ("audit.mutation.judge", "baseline"): "frame",
    ("granularity.grim", "mean"): "printed",
    ("granularity.grim", "items"): "whole",
    ("granularity.grimmer", "mean"): "printed",
    ("granularity.grimmer", "sd"): "printed",
    ("granularity.debit", "mean"): "printed",
    ("granularity.debit", "sd"): "printed",
})

_CHECK_RUN = ("a check of the audit's registry, run(pkg, arm_n, out, state): called only by "
              "audit.run_audit with the package it has checked (fuzzed there)")

EXEMPT.update({
    **{f"audit.{m}.run": _CHECK_RUN for m in ("duplicates", "estimates", "grim", "percentages", "pvalues", "sums")},
    "site.setup": "the Sphinx extension hook setup(app): needs a running Sphinx application; the book build "
                  "and tests/test_book_site.py exercise it",
})


# --------------------------------------------------------------------------- enumeration

@functools.lru_cache(maxsize=1)
def _public_functions() -> dict[str, object]:
    out = {}
    # every module of helpers and of its sub-packages (helpers.audit.mutation -> "audit.mutation");
    # a package's __main__ is a command line, run by importing it, and is not enumerated
    infos = pkgutil.walk_packages(helpers.__path__, prefix="helpers.")
    for info in sorted(infos, key=lambda m: m.name):
        if info.name.rsplit(".", 1)[-1] == "__main__":
            continue
        module = importlib.import_module(info.name)
        short = info.name[len("helpers."):]
        names = getattr(module, "__all__", None) or [n for n in dir(module) if not n.startswith("_")]
        for name in names:
            obj = getattr(module, name, None)
            if inspect.isfunction(obj) and obj.__module__ == module.__name__:
                out[f"{short}.{name}"] = obj
    return out


def public_functions() -> dict[str, object]:
    """``"module.function" -> function`` for every public function of every helpers module."""
    return dict(_public_functions())


def kind_of(qualname: str, param: str) -> str | None:
    if (qualname, param) in KIND_OVERRIDES:
        return KIND_OVERRIDES[(qualname, param)]
    for pattern, kind in NAME_RULES:
        if re.fullmatch(pattern, param):
            return kind
    return None


def parameters(func) -> list[inspect.Parameter]:
    return [p for p in inspect.signature(func).parameters.values()
            if p.kind not in (inspect.Parameter.VAR_POSITIONAL,)]


# --------------------------------------------------------------------------- cases

@dataclasses.dataclass
class Case:
    function: str
    param: str
    value: object
    kwargs: dict
    why: str

    @property
    def label(self) -> str:
        text = repr(self.value)
        return f"{self.function}({self.param}={text[:40]}{'...' if len(text) > 40 else ''}) [{self.why}]"


def _counterpart(param: str, names) -> str | None:
    """The total that goes with a count parameter (events_a -> total_a, count -> total, ...)."""
    pairs = {"events_a": "total_a", "events_b": "total_b", "count": "total", "events": "totals",
             "exposed": "total", "events_total": "n_total",
             "count_a": "total_a", "count_b": "total_b"}
    other = pairs.get(param)
    return other if other in names else None


def bad_cases(qualname: str) -> list[Case]:
    func = _public_functions()[qualname]
    base = CALLS[qualname]()
    cases = []
    for p in parameters(func):
        if p.kind is inspect.Parameter.VAR_KEYWORD:
            continue
        kind = kind_of(qualname, p.name)
        if kind == "skip":
            continue
        for value in BAD[kind]:
            if value is None and p.default is None:
                continue
            kwargs = CALLS[qualname]()
            kwargs[p.name] = value
            cases.append(Case(qualname, p.name, value, kwargs, kind))
        # relational cases from the valid call
        total = _counterpart(p.name, base)
        if total is not None:
            kwargs = CALLS[qualname]()
            t = kwargs[total]
            kwargs[p.name] = [x + 1 for x in t] if isinstance(t, (list, tuple)) else t + 1
            cases.append(Case(qualname, p.name, kwargs[p.name], kwargs, "count above its total"))
    for low, high in (("ci_low", "ci_high"), ("low", "high")):
        if low in base and high in base and isinstance(base[low], (int, float)):
            kwargs = CALLS[qualname]()
            kwargs[low], kwargs[high] = kwargs[high], kwargs[low]
            cases.append(Case(qualname, low, kwargs[low], kwargs, "CI bounds swapped"))
            if "estimate" in base and isinstance(base["estimate"], (int, float)):
                kwargs = CALLS[qualname]()
                kwargs["estimate"] = kwargs[high] * 2 + 1
                cases.append(Case(qualname, "estimate", kwargs["estimate"], kwargs, "estimate outside its CI"))
    return cases


def run_case(case: Case) -> tuple[str, str]:
    """``(outcome, message)``: outcome in clean / unnamed / other / silent."""
    func = _public_functions()[case.function]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            func(**case.kwargs)
    except ValueError as exc:
        message = str(exc)
        named = case.param in message or (case.why == "path" and isinstance(case.value, str)
                                          and case.value != "" and case.value in message)
        return ("clean" if named else "unnamed"), f"{type(exc).__name__}: {message[:200]}"
    except Exception as exc:  # noqa: BLE001 - the point is to catch everything else
        return "other", f"{type(exc).__name__}: {str(exc)[:200]}"
    finally:
        _close_figures()
    key = (case.function, case.param, repr(case.value))
    if key in ALLOWED:
        return "clean", f"accepted on purpose: {ALLOWED[key]}"
    return "silent", "no exception"


def _close_figures():
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


def finite_values(result, path="result"):
    """Every float in ``result`` (dataclasses, tuples, dicts, arrays, frames), with where it is."""
    if isinstance(result, bool) or result is None or isinstance(result, str):
        return
    if isinstance(result, (int, float, np.floating, np.integer)):
        yield path, float(result)
    elif dataclasses.is_dataclass(result):
        for f in dataclasses.fields(result):
            yield from finite_values(getattr(result, f.name), f"{path}.{f.name}")
    elif isinstance(result, Mapping):
        for k, v in result.items():
            yield from finite_values(v, f"{path}[{k!r}]")
    elif isinstance(result, (list, tuple)):
        for i, v in enumerate(result):
            yield from finite_values(v, f"{path}[{i}]")
    elif isinstance(result, np.ndarray) and result.dtype.kind in "fiu":
        for i, v in enumerate(result.ravel()):
            yield f"{path}[{i}]", float(v)
    elif isinstance(result, pd.DataFrame):
        for col in result.select_dtypes("number").columns:
            for i, v in enumerate(result[col]):
                if not pd.isna(v) or result[col].dtype.kind == "f":
                    yield f"{path}[{col!r}][{i}]", float(v)


def tally(functions=None) -> tuple[Counter, dict[str, Counter], list[tuple[Case, str, str]]]:
    """Run every bad case; return the overall counts, the counts per module and the failures."""
    total, per_module, failures = Counter(), {}, []
    for qualname in sorted(functions or CALLS):
        if qualname not in public_functions():
            continue
        for case in bad_cases(qualname):
            outcome, message = run_case(case)
            total["tried"] += 1
            total[outcome] += 1
            per_module.setdefault(qualname.split(".")[0], Counter())[outcome] += 1
            if outcome != "clean":
                failures.append((case, outcome, message))
    return total, per_module, failures


def report(total: Counter, per_module: dict[str, Counter]) -> str:
    lines = [f"{'module':<20}{'tried':>7}{'clean':>7}{'unnamed':>9}{'other':>7}{'silent':>8}"]
    for module, c in sorted(per_module.items()):
        lines.append(f"{module:<20}{sum(c.values()):>7}{c['clean']:>7}{c['unnamed']:>9}{c['other']:>7}"
                     f"{c['silent']:>8}")
    lines.append(f"{'all':<20}{total['tried']:>7}{total['clean']:>7}{total['unnamed']:>9}{total['other']:>7}"
                 f"{total['silent']:>8}")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    counts, modules, fails = tally()
    print(f"{len(public_functions())} public functions, {len(CALLS)} fuzzed, {len(EXEMPT)} exempt")
    print(report(counts, modules))
    if "-v" in sys.argv:
        for case, outcome, message in fails:
            print(f"{outcome:8} {case.label}: {message}")
