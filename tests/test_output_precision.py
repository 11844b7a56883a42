"""No stored output carries more precision than a reader uses (issue #14).

Every chapter notebook's stored outputs (stream text, text/plain, text/html, text/markdown and
myst-nb glue records) are scanned for decimal numbers. A computed decimal may carry at most
:data:`helpers.outputs.STORED_SIGNIFICANT_DIGITS` significant digits: more digits than that are
the raw repr of a float, whose last digits depend on the CPU kernel OpenBLAS picked, so nbval's
comparison would hold only on machines like the one that executed the notebook. A decimal quoted
verbatim from a paper (it occurs in ``data/sources/*.txt``) is exempt. Images are not scanned
(the figure check compares them byte for byte).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from helpers.outputs import STORED_SIGNIFICANT_DIGITS, stored_value

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
SCANNED = ("text/plain", "text/html", "text/markdown")
DECIMAL = re.compile(r"(?<![\w.])[-+]?(\d+\.\d+|\.\d+)(?:[eE][-+]?\d+)?(?![\w.])")


def significant_digits(text: str) -> int:
    """Significant digits shown by a decimal literal: leading zeros do not count, trailing do."""
    mantissa = re.split(r"[eE]", text.lstrip("+-"))[0]
    digits = mantissa.replace(".", "").lstrip("0")
    return len(digits)


def quoted_from_sources() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "data" / "sources").glob("*.txt")))


def stored_texts(nb) -> list[tuple[int, str, str]]:
    """(cell index, output kind, text) for every scanned stored output of a notebook."""
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                found.append((index, "stream", output.get("text", "")))
                continue
            for mime, payload in output.get("data", {}).items():
                if mime in SCANNED or (mime.startswith("application/papermill.record/")
                                       and mime.split("/", 2)[2] in SCANNED):
                    text = "".join(payload) if isinstance(payload, list) else str(payload)
                    found.append((index, mime, text))
    return found


def test_significant_digits_counts_as_a_reader_would():
    assert significant_digits("0.6353809233901637") == 16
    assert significant_digits("0.635381") == 6
    assert significant_digits("0.000123") == 3
    assert significant_digits("1234.50") == 6
    assert significant_digits("-2.5e-07") == 2
    assert DECIMAL.findall("p = 0.0312; v1.2.3 x0.5") == ["0.0312"]


def test_the_scan_finds_a_raw_float_repr():
    """The scan would catch the defect that issue #14 reports (a check that cannot fail is none)."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("glue('x', 0.6353809233901637)")
    cell.outputs = [nbformat.v4.new_output(
        "display_data", data={"application/papermill.record/text/plain": "0.6353809233901637"})]
    nb.cells.append(cell)
    texts = stored_texts(nb)
    assert texts and max(significant_digits(d.group(0)) for _, _, t in texts for d in DECIMAL.finditer(t)) == 16
    rounded = stored_value(0.6353809233901637)
    assert significant_digits(repr(rounded)) <= STORED_SIGNIFICANT_DIGITS


@pytest.mark.skipif(not NOTEBOOKS, reason="no chapter notebooks yet")
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_outputs_hold_no_raw_float(notebook):
    nb = nbformat.read(notebook, as_version=4)
    sources = quoted_from_sources()
    too_precise = []
    for index, mime, text in stored_texts(nb):
        for match in DECIMAL.finditer(text):
            literal = match.group(0)
            if significant_digits(literal) > STORED_SIGNIFICANT_DIGITS and literal.lstrip("+-") not in sources:
                too_precise.append(f"{notebook.name}: cell {index} ({mime}): {literal}")
    assert not too_precise, (
        f"{len(too_precise)} stored decimals carry more than {STORED_SIGNIFICANT_DIGITS} significant "
        "digits; glue through helpers.outputs.glue or format before display:\n" + "\n".join(too_precise[:20]))
