"""The Audit page's views of the audit table, in a reader's words.

:func:`helpers.audit.run_audit` speaks in codes: study keys, arm codes, check codes and test codes.
The Audit page shows the same rows with each paper's label (``studies.csv``, column ``label``),
its group labels (``arms.csv``) and the book's vocabulary (:mod:`helpers.vocabulary`), so that a
word changes in one place. Nothing here computes a finding: every function re-words rows of the
audit table it is given.

Every function raises ``ValueError`` naming the argument for input it cannot use.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from helpers import vocabulary as vocab
from helpers.formatting import md_escape

#: columns of the reader's table (:func:`reader_table`), in order
READER_COLUMNS = ("Paper", "Where", "Item (as printed)", "Check", "In plain words", "As printed",
                  "Recomputed", "Verdict", "Detail")


def _tables(package) -> tuple[pd.DataFrame, pd.DataFrame]:
    if not isinstance(package, Mapping) or "studies" not in package or "arms" not in package:
        raise ValueError("package must be the mapping load_package() returns (with 'studies' and 'arms')")
    studies, arms = package["studies"], package["arms"]
    if not isinstance(studies, pd.DataFrame) or not {"study", "label"} <= set(studies.columns):
        raise ValueError("package['studies'] must be a table with the columns study and label")
    if not isinstance(arms, pd.DataFrame) or not {"study", "arm", "label"} <= set(arms.columns):
        raise ValueError("package['arms'] must be a table with the columns study, arm and label")
    return studies, arms


def _audit(audit) -> pd.DataFrame:
    from helpers.audit import COLUMNS

    if not isinstance(audit, pd.DataFrame) or not set(COLUMNS) <= set(audit.columns):
        raise ValueError(f"audit must be a DataFrame with the columns {COLUMNS} (run_audit() returns one)")
    return audit


def plural(n: int, word: str) -> str:
    """``"1 finding"``, ``"3 findings"``: a count and a regular English noun."""
    from helpers.validation import MAX_COUNT

    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_COUNT:
        raise ValueError(f"n must be an integer from 0 to {MAX_COUNT:,}, got {n!r}"[:160])
    if not isinstance(word, str) or not word:
        raise ValueError(f"word must be a non-empty string, got {word!r}")
    return f"{n} {word}{'' if n == 1 else 's'}"


def paper_labels(package) -> dict[str, str]:
    """``{study key: the paper's label}`` (e.g. ``"Lee 2025"``), in the order of ``studies.csv``."""
    studies, _ = _tables(package)
    return {str(s): str(label) for s, label in zip(studies["study"], studies["label"])}


def item_in_words(package, study: str, item: str, check: str) -> str:
    """The audit's item label as the Audit page shows it: the paper's footnote marks left out
    (:func:`helpers.vocabulary.plain_item`; the CSV keeps them) and each group code replaced by
    the paper's group label from ``arms.csv``, both in a trailing ``(arm)`` and in the
    ``arm + arm`` items of the ``n-sum`` check."""
    studies, arms = _tables(package)
    if not isinstance(study, str) or study not in set(studies["study"]):
        raise ValueError(f"study must be a study key of studies.csv, got {study!r}")
    return _item_words(_arm_labels(arms).get(study, {}), item, check)


def _arm_labels(arms: pd.DataFrame) -> dict[str, dict[str, str]]:
    """``{study: {arm code: the paper's group label}}`` from ``arms.csv``."""
    out: dict[str, dict[str, str]] = {}
    for study, arm, label in zip(arms["study"], arms["arm"], arms["label"]):
        out.setdefault(str(study), {})[str(arm)] = str(label)
    return out


def _arm_labels_of(audit: pd.DataFrame, package) -> dict[str, dict[str, str]]:
    """:func:`_arm_labels` of the package, after checking that every study of ``audit`` is in it."""
    studies, arms = _tables(package)
    unknown = sorted(set(map(str, audit["study"])) - set(map(str, studies["study"])))
    if unknown:
        raise ValueError(f"study must be a study key of studies.csv, got {unknown[0]!r} (a study of the audit)")
    return _arm_labels(arms)


def _item_words(label: dict[str, str], item, check) -> str:
    """:func:`item_in_words` with the study's ``{arm code: label}`` already looked up."""
    from helpers.audit import CHECKS

    if not isinstance(item, str):
        raise ValueError(f"item must be a string, got {type(item).__name__}")
    if check not in CHECKS:
        raise ValueError(f"check must be one of the audit's checks {CHECKS}, got {check!r}")
    item = vocab.plain_item(item)
    if check == "n-sum":
        return "; ".join(label.get(a, a) for a in item.split(" + "))
    m = re.search(r" \(([a-z0-9_]+)\)$", item)
    if m and m.group(1) in label:
        return item[:m.start()] + f" ({label[m.group(1)]})"
    return item


def reader_table(audit, package) -> pd.DataFrame:
    """The audit rows as a reader reads them (columns :data:`READER_COLUMNS`): the paper's label,
    items with group labels, each check's question in words (:data:`helpers.audit.CHECK_WORDS`),
    the recomputed value in words (:func:`helpers.vocabulary.recomputed_words`) and the verdict's
    heading (:data:`helpers.audit.VERDICT_WORDS`); the check's code is kept beside its words."""
    from helpers.audit import CHECK_WORDS, VERDICT_WORDS

    audit = _audit(audit)
    labels = paper_labels(package)
    arm_labels = _arm_labels_of(audit, package)
    return pd.DataFrame({
        "Paper": [labels.get(s, s) for s in audit["study"]],
        "Where": list(audit["location"]),
        "Item (as printed)": [_item_words(arm_labels.get(s, {}), i, c)
                              for s, i, c in zip(audit["study"], audit["item"], audit["check"])],
        "Check": list(audit["check"]),
        "In plain words": [CHECK_WORDS.get(c, c) for c in audit["check"]],
        "As printed": list(audit["reported"]),
        "Recomputed": [vocab.recomputed_words(str(t)) for t in audit["recomputed"]],
        "Verdict": [VERDICT_WORDS.get(v, v) for v in audit["verdict"]],
        "Detail": list(audit["detail"]),
    }, columns=list(READER_COLUMNS))


def findings_markdown(audit, package, *, verdict: str = "inconsistent") -> str:
    """Every audit row with ``verdict`` as a Markdown list under each paper's label (papers in the
    audit's order): where, the item in words, the check's code, what was printed and the audit's
    detail. Says so in one sentence when there is none."""
    from helpers.audit import VERDICTS

    audit = _audit(audit)
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}, got {verdict!r}")
    labels = paper_labels(package)
    rows = audit[audit["verdict"] == verdict]
    arm_labels = _arm_labels_of(rows, package)
    if rows.empty:
        return f"No check of any paper is {verdict}."
    lines = []
    for study, g in rows.groupby("study", sort=False):
        lines.append(f"**{md_escape(labels.get(study, study))}** ({plural(len(g), 'finding')})\n")
        arm_label = arm_labels.get(str(study), {})
        for r in g.itertuples(index=False):
            item = _item_words(arm_label, r.item, r.check)
            lines.append(f"- *{md_escape(r.location)}, {md_escape(item)}* (`{r.check}`): printed "
                         f"{md_escape(r.reported)}. {md_escape(r.detail)}")
        lines.append("")
    return "\n".join(lines)


def questions_by_paper_markdown(audit, package) -> str:
    """:func:`helpers.audit.questions` of every paper as numbered Markdown lists under each
    paper's label (papers in the audit's order, each paper's most consequential questions first)."""
    from helpers.audit import questions

    audit = _audit(audit)
    labels = paper_labels(package)
    asked = questions(audit)
    if asked.empty:
        return "The audit found nothing to ask the authors of any paper."
    lines = []
    for study in dict.fromkeys(audit["study"]):      # papers in the audit's order
        g = asked[asked["study"] == study]
        if g.empty:
            continue
        lines.append(f"**{md_escape(labels.get(study, study))}** ({plural(len(g), 'question')})\n")
        lines += [f"{i}. {md_escape(q)}" for i, q in enumerate(g["question"], 1)]
        lines.append("")
    return "\n".join(lines)
