"""The pieces every paper chapter shares, as helper calls.

A chapter is narrative with short calls between paragraphs. What used to be written inside each
chapter lives here, once, with tests (``tests/test_chapter.py``):

* :func:`claim` and :func:`claim_equal`: the guards of the prose. Every statement a chapter makes
  about a number is asserted; when the data or a helper changes so that a statement no longer
  holds, the chapter stops with :class:`ClaimError`, whose message names the claim and what changed.
* :func:`html_table`: a DataFrame as the plain HTML table the book shows.
* :func:`pct_text`, :func:`study_label`, :func:`definition`, :func:`compare_studies`: one paper's
  numbers and facts from ``data/`` in the book's wording.
* :func:`audit_slice`: the chapter's rows of the audit (:mod:`helpers.audit`) in words.
* :func:`rate_table` and :func:`rates_figure`: rates with their Wilson and Clopper–Pearson 95%
  intervals (:mod:`helpers.proportions`) as a table and a two-panel figure.
* :func:`verdict_box`: the verdict skeleton (bottom line first, then the five kinds of finding).
* :func:`design_facts`: cross-paper statements computed from ``studies.csv`` (is this the only
  single-arm study?), so that no chapter counts the papers by hand.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence

import pandas as pd

from helpers.proportions import clopper_pearson, wilson
from helpers.validation import (check_count_le_total, check_decimals, check_finite, check_flag, check_mapping, check_positive,
                                check_reals, check_sequence, check_text, check_total, check_whole)
from helpers.vocabulary import CHECK_SHORT, VERDICT_WORDS, recomputed_words, replace_codes

NOT_DEFINED = "not defined"


# ------------------------------------------------------------------------------ guards

class ClaimError(AssertionError):
    """A statement of the prose no longer holds for the data (an ``AssertionError``)."""


def claim(holds, text: str, *, now=None) -> None:
    """Assert a statement the prose makes; raise :class:`ClaimError` naming it when it fails.

    ``holds`` is the truth of the statement (anything ``bool()`` accepts, e.g. a numpy bool);
    ``text`` says the claim in the words of the prose; ``now`` (optional) is what the data give
    instead, shown in the message so that the reader of a failing build sees what changed.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"text must say the claim in words, got {text!r}")
    if not bool(holds):
        message = f"The text claims: {text}. This no longer holds"
        if now is not None:
            message += f"; now: {now!r}"
        raise ClaimError(message + ". Re-read the prose against the data before changing this guard.")


def claim_equal(actual, expected, text: str) -> None:
    """:func:`claim` that ``actual == expected``; the message gives both values."""
    equal = actual == expected
    if hasattr(equal, "all") and not isinstance(equal, bool):
        equal = bool(equal.all())
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"text must say the claim in words, got {text!r}")
    if not equal:
        raise ClaimError(f"The text claims: {text}. Expected {expected!r}, the data now give "
                         f"{actual!r}. Re-read the prose against the data before changing this guard.")


# ------------------------------------------------------------------------------ tables

def html_table(frame: pd.DataFrame, *, index: bool = False):
    """A DataFrame as a plain HTML table (no ids, so deterministic; the book renders raw HTML)."""
    from IPython.display import HTML

    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    check_flag(index, "index")
    return HTML(frame.to_html(index=index, border=0))


def show_table(frame: pd.DataFrame, *, index: bool = False) -> None:
    """Display :func:`html_table` of ``frame`` now (for a table that is not a cell's last line)."""
    from IPython.display import display

    display(html_table(frame, index=index))


def listing(values) -> str:
    """``[1, 2, 3]`` -> ``"1, 2, 3"`` (candidate counts and totals in running text)."""
    if isinstance(values, (str, bytes)):
        raise ValueError("values must be a sequence of values, not a string")
    return ", ".join(str(v) for v in check_sequence(values, "values"))


def pct_text(row) -> str:
    """The printed percentage of a ``proportions`` row with its printed decimals, e.g. ``'98.7%'``."""
    try:
        percent, decimals = row["percent"], row["percent_decimals"]
    except (KeyError, TypeError, IndexError):
        raise ValueError("row must be a proportions row with percent and percent_decimals") from None
    if percent is None or pd.isna(percent) or decimals is None or pd.isna(decimals):
        raise ValueError(f"row has no printed percentage (percent={percent!r}, decimals={decimals!r})")
    return f"{float(percent):.{int(decimals)}f}%"


def ratio_text(x: float, *, decimals: int = 2) -> str:
    """An odds ratio of a 2×2 table in words: ∞ or 0 are complete separation."""
    if not isinstance(x, (int, float)) or isinstance(x, bool) or math.isnan(x):
        raise ValueError(f"x must be a number, got {x!r}")
    if x < 0:
        raise ValueError(f"x must be an odds ratio (0 or more, or inf), got {x!r}")
    decimals = check_decimals(decimals, "decimals", allow_none=False)
    if math.isinf(x):
        return "∞ (separation)"
    if x == 0:
        return "0 (separation)"
    return f"{x:.{int(decimals)}f}"


# ------------------------------------------------------------------------------ the papers

class Paper:
    """One study's rows of the data package, indexed for a chapter.

    ``Paper(package, "smith2027")`` has ``.studies`` (all papers, by key), ``.arms`` (this study's,
    by arm), ``.prop``, ``.comp``, ``.cont``, ``.est``, ``.qty``, ``.defs`` (this study's rows of
    each table kind, by ``id``) and short accessors for the numbers chapters quote.
    """

    KINDS = {"prop": "proportions", "comp": "comparisons", "cont": "continuous", "est": "estimates",
             "qty": "quantities", "defs": "definitions"}

    def __init__(self, package, study: str):
        studies = _studies(package)
        _check_study(studies, study)
        self.package, self.study, self.studies = package, study, studies
        self.label = str(studies.loc[study, "label"])
        self.arms = package["arms"].query("study == @study").set_index("arm")
        for attr, kind in self.KINDS.items():
            table = package[kind]
            setattr(self, attr, table[table["study"] == study].set_index("id"))

    def _row(self, slug: str):
        key = slug if slug.startswith(f"{self.study}-") else f"{self.study}-{slug}"
        if key not in self.prop.index:
            raise ValueError(f"slug {slug!r}: no proportions row {key!r} in {self.study}")
        return self.prop.loc[key]

    def count(self, slug: str) -> int:
        """The printed count of proportions row ``<study>-<slug>``."""
        return int(self._row(slug)["count"])

    def total(self, slug: str) -> int:
        """The denominator of proportions row ``<study>-<slug>``."""
        return int(self._row(slug)["total"])

    def quantity(self, slug: str) -> int:
        """The value of quantities row ``<study>-<slug>`` as an integer."""
        key = slug if slug.startswith(f"{self.study}-") else f"{self.study}-{slug}"
        if key not in self.qty.index:
            raise ValueError(f"slug {slug!r}: no quantities row {key!r} in {self.study}")
        return int(self.qty.loc[key, "value"])

    def n(self, arm: str) -> int:
        """The size of ``arm`` (``arms.csv``)."""
        if arm not in self.arms.index or pd.isna(self.arms.loc[arm, "n"]):
            raise ValueError(f"arm {arm!r} has no size in {self.study}'s arms.csv")
        return int(self.arms.loc[arm, "n"])


def _studies(package) -> pd.DataFrame:
    try:
        studies = package["studies"]
    except (KeyError, TypeError):
        raise ValueError("package must be the mapping load_package() returns (with 'studies')") from None
    return studies.set_index("study") if "study" in studies.columns else studies


def _check_study(studies: pd.DataFrame, study) -> None:
    if not isinstance(study, str) or study not in studies.index:
        raise ValueError(f"study must be a key of data/studies.csv, got {study!r}")


def study_label(package, study: str) -> str:
    """The name readers see for ``study`` (``studies.csv`` column ``label``, e.g. ``'Al Kasab 2025'``)."""
    studies = _studies(package)
    _check_study(studies, study)
    return str(studies.loc[study, "label"])


def definition(package, study: str, outcome: str) -> str:
    """The paper's definition of ``outcome`` (``definitions.csv``; several joined by ``'; '``),
    or :data:`NOT_DEFINED`."""
    _check_study(_studies(package), study)
    if not isinstance(outcome, str) or not outcome:
        raise ValueError(f"outcome must be an outcome code of definitions.csv, got {outcome!r}")
    d = package["definitions"]
    d = d[(d["study"] == study) & (d["outcome"] == outcome)]
    return "; ".join(d["definition"]) if len(d) else NOT_DEFINED


def definition_shown(package, study: str, outcome: str) -> str:
    """:func:`definition`, or in words where it is missing from what we have of the paper."""
    text = definition(package, study, outcome)
    if text != NOT_DEFINED:
        return text
    scope = "abstract" if _studies(package).loc[study, "text_scope"] == "abstract" else "paper"
    return f"not defined in the {scope}"


COMPARE_OUTCOMES = {"favourable_outcome": "Definition of favourable outcome",
                    "sich": "Definition of sICH",
                    "patency": "Definition of patency / re-occlusion"}


def compare_studies(package, *, notes: Mapping | None = None) -> pd.DataFrame:
    """One row per paper of ``studies.csv`` (publication order): label, design, patients,
    population and the definitions of :data:`COMPARE_OUTCOMES`.

    ``notes`` maps ``(study, outcome)`` to text appended to that cell (e.g. what the abstract
    reports although it defines nothing).
    """
    notes = {} if notes is None else notes
    if not isinstance(notes, Mapping):
        raise ValueError(f"notes must map (study, outcome) to text, got {type(notes).__name__}")
    studies = _studies(package)
    rows = []
    for s in studies.index:
        row = {"Study": study_label(package, s), "Design": studies.loc[s, "design"],
               "Patients": ("not stated" if pd.isna(studies.loc[s, "n_total"])
                            else int(studies.loc[s, "n_total"])),
               "Population": studies.loc[s, "population"]}
        for outcome, column in COMPARE_OUTCOMES.items():
            text = definition_shown(package, s, outcome)
            if (s, outcome) in notes:
                text += f" {notes[(s, outcome)]}"
            row[column] = text
        rows.append(row)
    return pd.DataFrame(rows)


def design_facts(package, study: str) -> dict:
    """Statements about ``study`` among all papers, computed from ``studies.csv``.

    Returns ``{"n_studies", "only_prospective", "only_single_arm", "others_by_comparison"}``:
    whether ``study`` is the only paper whose ``design`` says "prospective" (and whose
    ``design_type`` starts with ``prospective``), the only one with ``comparison_type =
    single_arm``, and the other papers' keys grouped by ``comparison_type``.
    """
    studies = _studies(package)
    _check_study(studies, study)
    prospective = (studies["design"].str.contains("prospective", case=False)
                   | studies["design_type"].str.startswith("prospective"))
    single = studies["comparison_type"] == "single_arm"
    others = studies.drop(index=study)
    return {
        "n_studies": len(studies),
        "only_prospective": bool(prospective[study]) and not bool(prospective.drop(index=study).any()),
        "only_single_arm": bool(single[study]) and not bool(single.drop(index=study).any()),
        "others_by_comparison": {k: list(v.index) for k, v in others.groupby("comparison_type", sort=False)},
    }


def comparisons_in_words(package, study: str) -> str:
    """What the papers other than ``study`` compare, one clause per ``comparison_type``, e.g.
    ``"Al Kasab 2025 compares two kinds of stent; Guo 2023 and Alexandre 2026 compare stenting
    with thrombectomy alone"`` (order of :data:`helpers.vocabulary.COMPARISON_WORDS`)."""
    from helpers.vocabulary import COMPARISON_WORDS

    groups = design_facts(package, study)["others_by_comparison"]
    unknown = sorted(set(groups) - set(COMPARISON_WORDS))
    if unknown:
        raise ValueError(f"comparison_type {unknown} has no words in helpers/vocabulary.py")
    clauses = []
    for kind, (one, many) in COMPARISON_WORDS.items():
        keys = groups.get(kind, [])
        if keys:
            labels = [study_label(package, k) for k in keys]
            names = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
            clauses.append(f"{names} {one if len(labels) == 1 else many}")
    return "; ".join(clauses)


# ------------------------------------------------------------------------------ audit slice

AUDIT_COLUMNS = ("What was checked (paper's wording)", "Check", "What the check asks", "As printed",
                 "Recomputed", "Verdict")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def audit_slice(audit: pd.DataFrame, arm_words: Mapping[str, str], *, sort: bool = False,
                check_words: Mapping[str, str] = CHECK_SHORT) -> pd.DataFrame:
    """The rows of ``audit`` (one study's :func:`helpers.audit.run_audit`) for a reader.

    Group codes in the item become the paper's group labels (``arm_words``, see
    :func:`helpers.vocabulary.arm_words`) and the item starts with a capital; test codes in the
    recomputed value become test names; each check gets its question and each verdict its word
    (:data:`helpers.vocabulary.VERDICT_WORDS`). ``sort`` orders the rows by check and item. Raises
    ``ValueError`` when a check has no words (so no code reaches the page).
    """
    if not isinstance(audit, pd.DataFrame) or not {"item", "check", "reported", "recomputed",
                                                   "verdict"} <= set(audit.columns):
        raise ValueError("audit must be a DataFrame from helpers.audit.run_audit")
    if not isinstance(arm_words, Mapping):
        raise ValueError(f"arm_words must map arm codes to words, got {type(arm_words).__name__}")
    check_flag(sort, "sort")
    check_mapping(check_words, "check_words", "a mapping of check codes to questions")
    missing = sorted(set(audit["check"]) - set(check_words))
    if missing:
        raise ValueError(f"check_words has no words for the checks {missing}")
    rows = audit.sort_values(["check", "item"], kind="stable") if sort else audit
    return pd.DataFrame({
        AUDIT_COLUMNS[0]: [_capital(replace_codes(str(i), arm_words)) for i in rows["item"]],
        AUDIT_COLUMNS[1]: list(rows["check"]),
        AUDIT_COLUMNS[2]: [check_words[c] for c in rows["check"]],
        AUDIT_COLUMNS[3]: list(rows["reported"]),
        AUDIT_COLUMNS[4]: [recomputed_words(str(r)) for r in rows["recomputed"]],
        AUDIT_COLUMNS[5]: [VERDICT_WORDS[v] for v in rows["verdict"]],
    }, dtype=object)            # text columns even when a paper has no audited rows yet


def audit_counts(audit: pd.DataFrame) -> dict[str, int]:
    """``{"checks": n, "consistent": n, "explained": n, "inconsistent": n, "unverifiable": n}`` of
    an audit slice, counted by :func:`helpers.audit.count` (the one account every page uses)."""
    from helpers.audit import VERDICTS, count

    if not isinstance(audit, pd.DataFrame) or "verdict" not in audit.columns:
        raise ValueError("audit must be a DataFrame from helpers.audit.run_audit")
    if audit.empty:
        return {"checks": 0, **{v: 0 for v in VERDICTS}}
    return {"checks": len(audit), **{v: count(audit, verdict=v) for v in VERDICTS}}


#: prefix of the glue names under which every page states its audit counts (:func:`glue_audit_counts`)
AUDIT_GLUE_PREFIX = "audit_"


def glue_audit_counts(audit: pd.DataFrame) -> dict[str, int]:
    """Glue :func:`audit_counts` of ``audit`` as ``audit_checks``, ``audit_consistent``,
    ``audit_explained``, ``audit_inconsistent`` and ``audit_unverifiable`` (text), for the prose
    (``{glue:text}`audit_inconsistent```). Every page states its audit counts under these names,
    so that tests/test_audit_numbers.py can check each page's numbers against the audit CSV and
    the pages against each other. Returns the counts."""
    from helpers.outputs import glue

    counts = audit_counts(audit)
    for key, value in counts.items():
        glue(f"{AUDIT_GLUE_PREFIX}{key}", str(value), display=False)
    return counts


# ------------------------------------------------------------------------------ rates

def rate_table(rates: Sequence[Mapping]) -> pd.DataFrame:
    """Rates with their 95% Wilson and Clopper–Pearson intervals, one row per rate.

    Each rate is a mapping with ``label``, ``printed`` (the paper's percentage), ``count``,
    ``total`` and optionally ``note``. Intervals in per cent with one decimal
    (:func:`helpers.proportions.wilson`, :func:`helpers.proportions.clopper_pearson`).
    """
    if isinstance(rates, (str, bytes, Mapping)) or not isinstance(rates, Sequence):
        raise ValueError("rates must be a sequence of mappings with label, printed, count, total")
    rows = []
    for i, r in enumerate(rates):
        try:
            k, n = int(r["count"]), int(r["total"])
            label, printed = r["label"], r["printed"]
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"rates[{i}] must have label, printed, count and total") from None
        w, cp = wilson(k, n), clopper_pearson(k, n)
        rows.append({
            "Rate": label,
            "As printed": printed,
            "Count/denominator": f"{k}/{n}",
            "Wilson 95% CI (%)": f"{100 * w.ci_low:.1f} to {100 * w.ci_high:.1f}",
            "Clopper–Pearson 95% CI (%)": f"{100 * cp.ci_low:.1f} to {100 * cp.ci_high:.1f}",
            "Note": r.get("note", "") or "",
        })
    return pd.DataFrame(rows)


def _check_figsize(figsize, name="figsize"):
    size = check_reals(figsize, name, min_length=2, max_length=2, positive=True)
    if size.max() > 50:
        raise ValueError(f"{name} must be at most 50 inches wide and high, got {tuple(size)}")
    return tuple(size)


def rates_figure(labels, counts, totals, *, figsize=(8.0, 5.6)):
    """Two panels, Wilson (top) and Clopper–Pearson (bottom) 95% intervals of the same rates
    (:func:`helpers.plots.proportion_plot`); returns the figure."""
    import matplotlib.pyplot as plt

    from helpers.plots import proportion_plot

    _check_figsize(figsize)
    labels = check_sequence(labels, "labels", min_length=1, max_length=200)
    counts, totals = check_sequence(counts, "counts"), check_sequence(totals, "totals")
    if not len(labels) == len(counts) == len(totals):
        raise ValueError(f"labels, counts and totals must have the same length, got {len(labels)}, "
                         f"{len(counts)} and {len(totals)}")
    for i, (k, n) in enumerate(zip(counts, totals)):
        check_count_le_total(k, n, f"counts[{i}]", f"totals[{i}]")
    fig, axes = plt.subplots(2, 1, figsize=figsize, sharex=True)
    proportion_plot(labels, counts, totals, method="wilson", ax=axes[0], xlabel="")
    axes[0].set_title("Wilson score interval", loc="left", fontsize=10)
    proportion_plot(labels, counts, totals, method="clopper-pearson", ax=axes[1])
    axes[1].set_title("Clopper–Pearson exact interval", loc="left", fontsize=10)
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------------------ verdict

VERDICT_SECTIONS = ("Holds up", "Holds up, with caveats", "Reporting issues", "Does not hold up",
                    "Cannot tell")


def verdict_box(bottom_line: str, findings: Mapping[str, Sequence[str]]):
    """The verdict box: the bottom line first, then each kind of finding with its bullets.

    ``findings`` maps a heading of :data:`VERDICT_SECTIONS` to its bullet texts (plain text,
    escaped); empty headings are left out. Returns HTML styled as the book's tip admonition.
    """
    if not isinstance(bottom_line, str) or not bottom_line.strip():
        raise ValueError("bottom_line must be a sentence")
    if not isinstance(findings, Mapping):
        raise ValueError(f"findings must map headings to bullet lists, got {type(findings).__name__}")
    unknown = sorted(set(findings) - set(VERDICT_SECTIONS))
    if unknown:
        raise ValueError(f"findings has unknown headings {unknown}; use {list(VERDICT_SECTIONS)}")
    parts = ['<div class="admonition tip">', '<p class="admonition-title">Verdict</p>',
             f"<p><strong>Bottom line:</strong> {html.escape(bottom_line)}</p>"]
    for heading in VERDICT_SECTIONS:
        items = findings.get(heading) or []
        if isinstance(items, str):
            raise ValueError(f"findings[{heading!r}] must be a list of bullets, not a string")
        if items:
            parts.append(f"<p><strong>{html.escape(heading)}:</strong></p><ul>")
            parts.extend(f"<li>{html.escape(str(t))}</li>" for t in items)
            parts.append("</ul>")
    parts.append("</div>")
    from IPython.display import HTML

    return HTML("\n".join(parts))


# ------------------------------------------------------------------------------ results in words

def effect_text(effect, scale: float = 1.0, decimals: int = 2) -> str:
    """An :class:`helpers.effects.Effect` as "estimate (low to high)", each multiplied by
    ``scale`` (100 for a risk difference per 100 patients)."""
    from helpers.formatting import estimate_ci

    try:
        est, lo, hi = effect.estimate, effect.ci_low, effect.ci_high
    except AttributeError:
        raise ValueError(f"effect must have estimate, ci_low and ci_high, got {effect!r}") from None
    if not isinstance(scale, (int, float)) or isinstance(scale, bool):
        raise ValueError(f"scale must be a finite number, got {scale!r}")
    scale = check_finite(scale, "scale")
    return estimate_ci(scale * est, scale * lo, scale * hi, decimals)


def fares(result, good: bool) -> str:
    """How the first group looks in a modified table of :func:`helpers.fragility.reverse_fragility_index`:
    ``"worse"`` or ``"better"``, given whether the outcome is ``good`` (mRS 0–2) or bad (death)."""
    if not isinstance(good, bool):
        raise ValueError(f"good must be True or False, got {good!r}")
    direction = getattr(result, "direction", None)
    if direction not in ("a_higher", "a_lower"):
        raise ValueError(f"result must be a fragility result with direction a_higher/a_lower, got {direction!r}")
    return "worse" if (direction == "a_higher") != good else "better"


def table_reached(result, n_a: int, n_b: int) -> str:
    """The table a fragility search reached, "k_a/n_a; k_b/n_b (p = ...)" (Fisher's exact p)."""
    from helpers.formatting import p_value

    try:
        table, p = result.table, result.p
    except AttributeError:
        raise ValueError(f"result must be a fragility result with table and p, got {result!r}") from None
    n_a, n_b = check_total(n_a, "n_a"), check_total(n_b, "n_b")
    return f"{table[0]}/{n_a}; {table[2]}/{n_b} (p = {p_value(p, 3)})"


def printed_estimate(row) -> str:
    """An ``estimates`` row as printed: ``"OR 1.10 (95% CI 0.62–1.96), p = 0.75"``."""
    try:
        measure, est, ci, level, p = (row["measure"], row["estimate_printed"], row["ci_printed"],
                                      row["ci_level"], row["p_printed"])
    except (KeyError, TypeError, IndexError):
        raise ValueError("row must be an estimates row (measure, estimate_printed, ci_printed, "
                         "ci_level, p_printed)") from None
    level = 0.95 if level is None or pd.isna(level) else float(level)
    text = f"{measure} {est} ({100 * level:g}% CI {ci})"
    return text if p is None or pd.isna(p) else f"{text}, p = {p}"


def markdown_table(frame: pd.DataFrame):
    """A DataFrame as a Markdown table (numbers shown as stored, no index)."""
    from IPython.display import Markdown

    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    return Markdown(frame.to_markdown(index=False, disable_numparse=True))


def restated(printed: str) -> str:
    """A printed number restated in the book's style (true minus) at its printed decimals."""
    from helpers.formatting import num
    from helpers.printed import as_printed

    x = as_printed(printed)
    return num(x.value, x.decimals)


# ------------------------------------------------------------------------------ crude-model candidates

def reproducing(matches: pd.DataFrame) -> pd.DataFrame:
    """The candidates of :func:`helpers.crude_models.match_printed` that reproduce the printed
    estimate, both limits and p (column ``all_ok``)."""
    if not isinstance(matches, pd.DataFrame) or "all_ok" not in matches.columns:
        raise ValueError("matches must be a DataFrame from helpers.crude_models.match_printed")
    return matches[matches["all_ok"]]


def pick_fit(matches: pd.DataFrame, model: str, interval: str) -> pd.Series:
    """The candidate of ``model`` with ``interval`` among ``matches`` (ValueError if absent)."""
    if not isinstance(matches, pd.DataFrame) or not {"model", "interval"} <= set(matches.columns):
        raise ValueError("matches must be a DataFrame from helpers.crude_models.match_printed")
    rows = matches[(matches["model"] == model) & (matches["interval"] == interval)]
    if rows.empty:
        raise ValueError(f"no candidate with model {model!r} and interval {interval!r}")
    return rows.iloc[0]


def fits_by_rounding(matches: pd.DataFrame, printed) -> bool:
    """Whether some reproducing candidate prints as ``printed`` = (estimate, low, high, p) by
    rounding alone (:func:`helpers.printed.agrees` with ``mode="round"``)."""
    from helpers.printed import agrees

    if not isinstance(printed, (tuple, list)) or len(printed) != 4:
        raise ValueError(f"printed must be (estimate, low, high, p) as printed, got {printed!r}")
    return any(all(agrees(v, t, mode="round") for v, t in
                   zip((r.estimate, r.ci_low, r.ci_high, r.p), printed))
               for r in reproducing(matches).itertuples())


def grouped_forest(rows: pd.DataFrame, *, title: str, xlabel: str, xlim, xticks,
                   width: float = 8.0, font: int = 11, favours=None) -> None:
    """A forest plot of ``rows`` (columns ``subgroup``, ``estimate``, ``ci_low``, ``ci_high``,
    ``label``: one group per label) on a given log axis, with larger type; shows the figure.

    :func:`helpers.plots.forest_plot` draws it; ``xlim``/``xticks`` let several figures share an
    axis so that they can be compared. Returns ``None`` (the figure is shown, not returned, so
    that a notebook cell ending in this call shows it once).
    """
    import matplotlib.pyplot as plt

    from helpers.plots import forest_plot, styled

    needed = {"subgroup", "estimate", "ci_low", "ci_high", "label"}
    if not isinstance(rows, pd.DataFrame) or not needed <= set(rows.columns):
        raise ValueError(f"rows must be a DataFrame with columns {sorted(needed)}")
    check_text(title, "title", empty=True)
    check_text(xlabel, "xlabel", empty=True)
    lim = check_reals(xlim, "xlim", min_length=2, max_length=2, positive=True)
    if not lim[0] < lim[1]:
        raise ValueError(f"xlim must be (low, high) with low < high on the log axis, got {tuple(lim)}")
    xticks = list(check_reals(xticks, "xticks", max_length=50, positive=True))
    width = check_positive(width, "width")
    _check_figsize((width, 1.0), "width")
    font = check_whole(font, "font", 1, 72)
    if favours is not None and (not isinstance(favours, (tuple, list)) or len(favours) != 2
                                or not all(isinstance(f, str) for f in favours)):
        raise ValueError(f"favours must be None or a (left, right) pair of labels, got {favours!r}")
    with styled():
        fig, ax = plt.subplots(figsize=(width, 0.9 + 0.36 * (len(rows) + rows["label"].nunique())))
        forest_plot(rows["subgroup"], rows["estimate"], rows["ci_low"], rows["ci_high"],
                    group=rows["label"], xlabel=xlabel, ax=ax, annotate=True, favours=favours)
        ax.set_xlim(*xlim)
        ax.set_xticks(xticks, [f"{t:g}" for t in xticks])
        for text in ax.texts:
            text.set_fontsize(font)
        ax.tick_params(labelsize=font)
        ax.xaxis.label.set_size(font)
        ax.set_title(title, pad=24, fontsize=font + 1)
        fig.tight_layout()
        if fig.get_size_inches()[0] > width:
            raise ClaimError(f"the figure is wider than {width} inches")
        plt.show()
