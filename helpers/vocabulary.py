"""The book's reader-facing vocabulary: codes used in data/ and by the helpers, in words.

One place for the names a reader sees: the tests (``fisher`` -> "Fisher's exact"), the audit's
checks (``ci-centre`` -> a plain question), the models and intervals of the effect helpers, the
measures, the verdicts, and the study's group codes (from ``arms.csv``). Chapters and the audit
page import these instead of writing their own dictionaries, so a word changes once, everywhere.

Functions return text; unknown codes raise ``ValueError`` naming the argument, so that a new code
(a new check, a new test) cannot silently appear as a code on a page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# ------------------------------------------------------------------------------ tests

#: statistical tests, as the helpers name them (``helpers.pvalues``) and as a reader reads them
TEST_NAMES: dict[str, str] = {
    "fisher": "Fisher's exact",
    "chisq": "Pearson χ²",
    "chisq_yates": "Pearson χ² (Yates)",
    "barnard": "Barnard's exact",
    "student": "Student t on 0/1 codes",
    "welch": "Welch t on 0/1 codes",
    "t_student": "Student t on 0/1 codes",
    "t_welch": "Welch t on 0/1 codes",
}

#: ``comparisons.test_stated``: what a paper's methods say was used (data/README.md)
TEST_STATED: dict[str, str] = {
    "fisher": "Fisher's exact test",
    "chisq": "Pearson's χ² test",
    "chisq_or_fisher": "χ² or Fisher's exact test",
    "ttest": "t-test",
    "ttest_or_mannwhitney": "t-test or Mann–Whitney U test",
    "mannwhitney": "Mann–Whitney U test",
    "logistic": "logistic regression",
    "interaction": "test for interaction",
    "not_stated": "no test named",
}

# ------------------------------------------------------------------------------ audit checks

#: one full question per audit check (the Audit page's definitions table)
CHECK_QUESTIONS: dict[str, str] = {
    "percent": "Is the printed percentage the printed count divided by the printed (or group) total?",
    "percent-reachable": "A percentage printed without its count: can any count out of the group size give it?",
    "arm-sum": "Do the categories of one item add up to the group size, and their percentages to 100?",
    "p-fisher": "Does Fisher's exact test on the printed counts give the printed p?",
    "p-chisq": "Does Pearson's chi-square test on the printed counts give the printed p?",
    "p-chisq-yates": "Does Pearson's chi-square test with Yates' correction give the printed p?",
    "p-rxc-fisher": "For a table with more than two categories: does the exact (Fisher–Freeman–Halton) test give the printed p?",
    "p-rxc-chisq": "For a table with more than two categories: does Pearson's chi-square test give the printed p?",
    "p-rule": "Is the test that gives the printed p the one the paper's rule ('chi-square or Fisher's test, as appropriate') calls for?",
    "p-ttest01": "When the named tests fail: does a t-test on the yes/no codes (1 = yes, 0 = no) or grade codes give the printed p?",
    "p-ttest": "Does Student's or Welch's t-test on the printed means and SDs give the printed p?",
    "p-median": "A p comparing medians with a rank test: it needs the patient data, so it cannot be checked.",
    "p-model": "A p from a regression model, or whose numbers are not printed: it cannot be checked.",
    "crude-ratio": "An unadjusted odds or risk ratio: which of the usual models gives it, its interval and p from the printed counts?",
    "ci-centre": "Is the estimate in the middle of its confidence interval (on the log scale for ratios)?",
    "ci-p": "Does the p implied by the confidence interval match the printed p?",
    "duplicate": "Is a number printed twice (for example abstract and table) the same both times?",
    "n-sum": "Do the sizes of the compared groups add up to the study total (or to a larger group)?",
    "subset-n": "Is a printed denominator (e.g. the patients with follow-up imaging) at most the size of the group it is part of?",
    "grim": "For an item whose values are whole numbers (a count, a score): can any total over the group size give the printed mean (the GRIM test)?",
    "grimmer": "For such an item: can whole numbers over the group size have both the printed mean and the printed SD (the GRIMMER test)?",
}

#: one short question per audit check (the chapters' audit slices)
CHECK_SHORT: dict[str, str] = {
    "percent": "Is the percentage the count divided by the group size?",
    "percent-reachable": "Can some count of the group size give a percentage printed alone?",
    "arm-sum": "Do the categories of one item add up to the group?",
    "p-fisher": "Does Fisher's exact test on the counts give the printed p?",
    "p-chisq": "Does Pearson's χ² on the counts give the printed p?",
    "p-chisq-yates": "Does Pearson's χ² with Yates' correction give the printed p?",
    "p-rxc-fisher": "Graded rows: does the Fisher–Freeman–Halton exact test give the printed p?",
    "p-rxc-chisq": "Graded rows: does Pearson's χ² give the printed p?",
    "p-rule": "Is the test that gives the p the one the paper's rule calls for?",
    "p-ttest01": "Does a t-test on the 0/1 (or grade) codes, not named in the methods, give it?",
    "p-ttest": "Does Student's or Welch's t-test on the means and SDs give the printed p?",
    "p-median": "Medians compared by a rank test (needs the patients' data)",
    "p-model": "p from a regression model (needs the patients' data)",
    "crude-ratio": "Which model reproduces the unadjusted ratio from the printed counts?",
    "ci-centre": "Is the estimate at the centre of its 95% CI (log scale for ratios)?",
    "ci-p": "Does the p implied by the CI match the printed p?",
    "duplicate": "Does a number printed in two places agree?",
    "n-sum": "Do the group sizes add up to the total?",
    "subset-n": "Is a subset's denominator at most its group's size?",
    "grim": "Can a mean of whole numbers over the group print as this mean (GRIM)?",
    "grimmer": "Can whole numbers over the group have this mean and this SD (GRIMMER)?",
}

#: ``studies.comparison_type`` as a verb phrase: (singular, plural) forms
COMPARISON_WORDS: dict[str, tuple[str, str]] = {
    "stent_device": ("compares two kinds of stent", "compare two kinds of stent"),
    "stent_vs_no_stent": ("compares stenting with thrombectomy alone",
                          "compare stenting with thrombectomy alone"),
    "stent_timing": ("compares early with late stenting", "compare early with late stenting"),
    "single_arm": ("has no comparison group", "have no comparison group"),
    "other": ("compares something else", "compare something else"),
}

VERDICT_WORDS: dict[str, str] = {"consistent": "Consistent", "explained": "Explained",
                                 "inconsistent": "Inconsistent", "unverifiable": "Unverifiable"}

# ------------------------------------------------------------------------------ effects

MEASURE_WORDS: dict[str, str] = {
    "OR": "odds ratio", "RR": "risk ratio", "RD": "risk difference", "HR": "hazard ratio",
    "ATE": "average treatment effect", "ATE_difference": "difference in average treatment effects",
    "beta": "regression coefficient (β)", "MD": "mean difference",
}

#: models as :mod:`helpers.crude_models` names them
MODEL_WORDS: dict[str, str] = {
    "logistic GLM": "logistic model",
    "Poisson GLM, log link": "Poisson model",
    "binomial GLM, log link": "log-binomial model",
    "2x2 (no model)": "2×2 table (no model)",
    "Firth penalised logistic": "penalised (Firth) logistic model",
    "conditional (exact)": "exact conditional",
}

#: confidence-interval methods as :mod:`helpers.crude_models` names them
INTERVAL_WORDS: dict[str, str] = {
    "Wald, model-based SE (= Woolf)": "Wald (Woolf)",
    "Wald, model-based SE (= Katz)": "Wald (Katz)",
    "Wald, model-based SE": "Wald",
    "Wald, robust SE (HC0)": "robust Wald (HC0)",
    "Wald, robust SE (HC1)": "robust Wald (HC1)",
    "Wald, robust SE (HC3)": "robust Wald (HC3)",
    "profile likelihood": "profile likelihood (exact)",
    "profile, R confint(glm) (sampled + spline)": "profile likelihood as R computes it",
    "score (Miettinen-Nurminen)": "score (Miettinen–Nurminen)",
    "exact conditional": "exact conditional",
    "profile penalised likelihood": "penalised profile likelihood",
}

#: p-value methods as :mod:`helpers.crude_models` names them
P_WORDS: dict[str, str] = {
    "Wald z": "Wald", "Wald z (model-based SE)": "Wald", "Wald z (HC0)": "robust Wald (HC0)",
    "Wald z (HC1)": "robust Wald (HC1)", "Wald z (HC3)": "robust Wald (HC3)", "score test": "score test",
    "Fisher exact": "Fisher's exact", "penalised likelihood ratio": "penalised likelihood ratio",
}

#: the parts of a printed estimate (repairs of a printed OR, CI and p)
FIELD_WORDS: dict[str, str] = {"estimate": "odds ratio", "ci_low": "lower 95% limit",
                               "ci_high": "upper 95% limit", "p": "p"}

# ------------------------------------------------------------------------------ look-ups

_TABLES = {"test": TEST_NAMES, "test_stated": TEST_STATED, "check": CHECK_SHORT,
           "check_question": CHECK_QUESTIONS, "verdict": VERDICT_WORDS, "measure": MEASURE_WORDS,
           "model": MODEL_WORDS, "interval": INTERVAL_WORDS, "p": P_WORDS, "field": FIELD_WORDS}


def words(kind: str, code: str) -> str:
    """The reader's words for ``code`` of ``kind`` (``"test"``, ``"check"``, ``"model"``, ...).

    Raises ``ValueError`` naming ``kind`` or ``code`` when either is unknown, so that a new code
    is given its words here before it reaches a page.
    """
    if not isinstance(kind, str) or kind not in _TABLES:
        raise ValueError(f"kind must be one of {sorted(_TABLES)}, got {kind!r}")
    table = _TABLES[kind]
    if not isinstance(code, str) or code not in table:
        raise ValueError(f"code {code!r} has no words for kind {kind!r} (add it to helpers/vocabulary.py)")
    return table[code]


ALL_PATIENTS = "all patients"


def arm_words(package: Mapping, study: str) -> dict[str, str]:
    """``{arm code: the paper's group label}`` for ``study``, from ``arms.csv`` (column ``label``);
    the whole cohort (arm ``all``) reads "all patients". Empty for a paper of ``studies.csv``
    without arms yet; ``ValueError`` for a study not in the package."""
    if not isinstance(study, str) or not study:
        raise ValueError(f"study must be a non-empty study key, got {study!r}")
    try:
        arms = package["arms"]
    except (KeyError, TypeError):
        raise ValueError("package must be the mapping load_package() returns (with 'arms')") from None
    rows = arms[arms["study"] == study]
    if rows.empty:
        studies = package.get("studies") if hasattr(package, "get") else None
        if studies is not None and study in set(studies["study"]):
            return {}           # a paper scaffolded by make new-paper: no arms yet
        raise ValueError(f"study {study!r} is not in the package")
    words = {str(r.arm): str(r.label) for r in rows.itertuples()}
    if "all" in words:          # the whole cohort, whatever its label ("patients")
        words["all"] = ALL_PATIENTS
    return words


def replace_codes(text: str, codes: Mapping[str, str]) -> str:
    """``text`` with every whole-word occurrence of a key of ``codes`` replaced by its words.

    Longer codes are replaced first (``chisq_yates`` before ``chisq``); a code is a whole word
    when no letter, digit, underscore or hyphen touches it.
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    if not isinstance(codes, Mapping):
        raise ValueError(f"codes must be a mapping of code to words, got {type(codes).__name__}")
    if not codes:
        return text
    pattern = "|".join(re.escape(c) for c in sorted(codes, key=len, reverse=True))
    return re.sub(rf"(?<![\w-])({pattern})(?![\w-])", lambda m: codes[m.group(1)], text)


def plain_recomputed(text: str) -> str:
    """The audit's ``recomputed`` text for a reader: how the printed value was reached in words,
    and a range that the printed precision collapses to one value not shown as a range."""
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    text = text.replace("(both)", "(by rounding or truncation)").replace("(rounding)", "(by rounding)")
    text = re.sub(r"\(range (\S+) to \1\)", "(the printed precision leaves no room)", text)
    return re.sub(r"\(range (\S+) to (\S+)\)", r"(\1 to \2 allowing for the printed precision)", text)


def plain_item(item: str) -> str:
    """An item label as printed, without the paper's footnote marks (trailing asterisks)."""
    if not isinstance(item, str):
        raise ValueError(f"item must be a string, got {type(item).__name__}")
    return re.sub(r"\*+(?=( \([^()]*\))?$)", "", item).strip()


def test_codes_in_words(text: str) -> str:
    """Test codes followed by a number (or by ``<``, as in ``fisher <0.001``) in words:
    ``'fisher 0.8496, chisq_yates 0.85'`` -> ``"Fisher's exact 0.8496, Pearson χ² (Yates) 0.85"``
    (:data:`TEST_NAMES`)."""
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    pattern = "|".join(re.escape(c) for c in sorted(TEST_NAMES, key=len, reverse=True))
    return re.sub(rf"(?<![\w'])({pattern}) (?=\d|<)", lambda m: TEST_NAMES[m.group(1)] + " ", text)


def recomputed_words(text: str) -> str:
    """:func:`plain_recomputed` then :func:`test_codes_in_words`: the audit's recomputed value
    as a reader sees it."""
    return test_codes_in_words(plain_recomputed(text))


def fits_in_words(fits) -> str:
    """Crude-model candidates (rows of :func:`helpers.crude_models.match_printed`) in words,
    grouped by measure and model: ``"odds ratio from a logistic model; interval: Wald (Woolf)"``;
    ``"none"`` when there are none."""
    import pandas as pd

    if not isinstance(fits, pd.DataFrame) or not {"measure", "model", "interval"} <= set(fits.columns):
        raise ValueError("fits must be a DataFrame with measure, model and interval columns")
    if fits.empty:
        return "none"
    parts = []
    for (measure, model), g in fits.groupby(["measure", "model"], sort=False):
        ivs = " or ".join(words("interval", i) for i in g["interval"])
        parts.append(f"{words('measure', measure)} from a {words('model', model)}; interval: {ivs}")
    return "; ".join(parts)


def item_name(item: str) -> str:
    """A printed table row label as a name in running text: the unit suffix (``, n/N (%)``,
    ``, n (%)``, ``, median (IQR)``) and footnote marks dropped, the first letter in lower case
    unless the word is an abbreviation (``IVT``): ``'Prior anticoagulants, n/N (%)'`` ->
    ``'prior anticoagulants'``."""
    item = plain_item(item)
    item = re.sub(r",\s*(n/N|n|N)\s*\(%\)$|,\s*(median|mean)\s*\((IQR|SD)\)$", "", item).strip()
    if len(item) > 1 and item[0].isupper() and not item[1].isupper():
        item = item[0].lower() + item[1:]
    return item


# ------------------------------------------------------------------------------ forest-plot sides

#: synthesis outcomes for which more is better (mRS 0–2, recanalisation); the others (death, sICH)
#: are harms, for which more is worse
BENEFICIAL_OUTCOMES = frozenset({"favourable", "recanalisation"})


def favours(treated: str, control: str, *, higher_is_better: bool | None) -> tuple[str, str]:
    """The (left, right) labels of a forest plot whose axis is ``treated`` versus ``control``.

    On a ratio or difference of treated versus control, the right of the line of no effect means
    the outcome is more frequent with ``treated``: that favours ``treated`` when more is better
    (``higher_is_better=True``, e.g. mRS 0–2) and favours ``control`` when more is worse (death,
    sICH). With ``higher_is_better=None`` (a panel mixing benefits and harms) the labels state the
    direction only ("lower with …" / "higher with …").
    """
    for name, value in (("treated", treated), ("control", control)):
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    if higher_is_better is None:
        return (f"← lower with {treated}", f"higher with {treated} →")
    if not isinstance(higher_is_better, bool):
        raise ValueError(f"higher_is_better must be True, False or None, got {higher_is_better!r}")
    left, right = f"← favours {control}", f"favours {treated} →"
    return (left, right) if higher_is_better else (f"← favours {treated}", f"favours {control} →")
