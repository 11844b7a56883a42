"""Reader's wording for the synthesis chapter: percentages, intervals, periods, designs, groups.

Small formatting helpers the synthesis chapter uses many times, kept here so that the chapter holds
no function definitions. They format what the data package holds; they compute nothing new.
"""

from __future__ import annotations

import re

import pandas as pd

from helpers.formatting import interval, num, percent

__all__ = ["pct", "pct_ci", "plain", "ratio_ci", "definition", "month", "period", "design", "arm_text"]


def pct(x, decimals: int = 1) -> str:
    """A proportion as a percentage with our precision (one decimal): "48.8%"."""
    return percent(x, decimals, proportion=True)


def pct_ci(lo, hi, decimals: int = 1) -> str:
    """A percentage interval: "6.2% to 19.6%"."""
    return f"{pct(lo, decimals)} to {pct(hi, decimals)}"


def plain(text) -> str:
    """Reader's typography for the data package's ASCII text: ">=3" -> "≥ 3", "1-2" -> "1–2"."""
    text = re.sub(r">=\s*", "≥ ", str(text))
    text = re.sub(r"<=\s*", "≤ ", text)
    text = re.sub(r"\bn=(\d)", "n = \\1", text)
    return re.sub(r"(\d[a-z]?)-(\d)", "\\1–\\2", text)


def ratio_ci(lo, hi) -> str:
    """A ratio interval with two decimals, or fewer digits when it is enormous ("0.004 to 726")."""
    if hi < 100:
        return interval(lo, hi, 2)
    return f"{num(lo, 3)} to {num(hi, 0)}"


def _frame(value, name, columns):
    if not isinstance(value, pd.DataFrame) or not set(columns) <= set(value.columns) | {value.index.name}:
        raise ValueError(f"{name} must be the {name} table of helpers.data.load_package()")
    return value


def definition(definitions, study, outcome) -> str:
    """The study's definition(s) of ``outcome`` (``definitions`` table), joined with "; ", or
    "not stated in the text we have"."""
    d = _frame(definitions, "definitions", ("study", "outcome", "definition"))
    d = d[(d["study"] == study) & (d["outcome"] == outcome)]
    return plain("; ".join(d["definition"])) if len(d) else "not stated in the text we have"


def month(value) -> str:
    """ "2020-01" -> "January 2020" (the data package stores enrolment months as YYYY-MM)."""
    return pd.Period(value, freq="M").strftime("%B %Y")


def period(studies, study) -> str:
    """Enrolment period of ``study`` ("January 2017 to December 2023"), or "not stated";
    ``studies`` is the studies table indexed by study key."""
    s, e = studies.loc[study, "enrolment_start"], studies.loc[study, "enrolment_end"]
    return f"{month(s)} to {month(e)}" if pd.notna(s) and pd.notna(e) else "not stated"


def design(studies, study) -> str:
    """Design and setting without repeating the design, and without the weighting method (shown
    separately, in the words of the paper's methods)."""
    d = re.sub(r"; (inverse probability|IPTW).*$", "", str(studies.loc[study, "design"]))
    setting = str(studies.loc[study, "setting"])
    return plain(d if setting in d else f"{d}; {setting}")


def arm_text(arms, study, shown) -> str:
    """The arms ``shown`` of ``study`` with their sizes: "Early RS (n = 27); Late RS (n = 29)";
    ``arms`` is the arms table indexed by (study, arm)."""
    return "; ".join(f"{arms.loc[(study, a), 'label']} (n = {int(arms.loc[(study, a), 'n'])})" for a in shown)
