"""Tests of the data package (data/) and its loader (helpers.data).

The real package must validate; every quote must occur verbatim (whitespace-normalised, no other
normalisation) in data/sources/<study>.txt and every printed value inside its quote. Bad-data tests
work on temporary copies of the package (tmp_path) and never touch the real files.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, strategies as st

from helpers import data as hd

ROOT = hd.default_root()


# ------------------------------------------------------------------------------- real package

def test_real_package_validates():
    hd.validate_package()  # raises DataValidationError listing every problem


def test_load_package_kinds_and_dtypes():
    tables = hd.load_package()
    assert set(tables) == set(hd.KINDS)
    p = tables["proportions"]
    assert p["count"].dtype == "Int64" and p["total"].dtype == "Int64"
    assert p["percent"].dtype == "float64"
    assert isinstance(p["printed"].dtype, pd.StringDtype)
    assert tables["arms"]["n"].dtype == "Int64"
    assert tables["estimates"]["ci_low"].dtype == "float64"
    assert "row_file" not in p.columns
    # every paper in studies.csv has its data folder, and every data folder is a paper there
    folders = {p.parent.name for p in hd.default_root().glob("*/arms.csv")}
    assert set(tables["studies"]["study"]) == folders and len(folders) >= 1


def test_load_package_returns_copies():
    first = hd.load_package()
    first["proportions"].loc[:, "percent"] = -1.0
    assert (hd.load_package()["proportions"]["percent"].dropna() >= 0).all()


def test_provenance_columns_give_csv_line():
    p = hd.load_package(provenance=True)["proportions"]
    row = p[p["id"] == "alkasab2025-abs-ses-angioplasty"].iloc[0]
    assert row["row_file"] == "data/alkasab2025/proportions.csv"
    assert row["row_line"] == 2


def _source(study: str) -> str:
    return hd.normalise_whitespace((ROOT / "sources" / f"{study}.txt").read_text(encoding="utf-8"))


def test_every_quote_is_verbatim_in_its_source():
    tables = hd.load_package(provenance=True)
    sources = {s: _source(s) for s in tables["studies"]["study"]}
    missing = []
    for kind in hd.KINDS[1:]:
        for r in tables[kind].itertuples(index=False):
            if hd.normalise_whitespace(r.quote) not in sources[r.study]:
                missing.append(f"{r.row_file}:{r.row_line}: {r.quote[:60]!r}")
    assert not missing, "quotes not found in the source text:\n" + "\n".join(missing)


def test_every_printed_value_is_inside_its_quote():
    tables = hd.load_package(provenance=True)
    missing = []
    n_checked = 0
    for kind, columns in hd.PRINTED_COLUMNS.items():
        for r in tables[kind].itertuples(index=False):
            quote = hd.normalise_whitespace(r.quote)
            for col in columns:
                value = getattr(r, col)
                if pd.isna(value):
                    continue
                n_checked += 1
                if hd.normalise_whitespace(value) not in quote:
                    missing.append(f"{r.row_file}:{r.row_line}: {col} {value!r}")
    assert n_checked > 0
    assert not missing, "printed values not inside their quote:\n" + "\n".join(missing)


def test_abstract_extraction_examples():
    """Spot checks of the three abstracts against the printed text (values typed from the papers)."""
    t = hd.load_package()
    arms = t["arms"].set_index(["study", "arm"])["n"]
    assert arms[("alkasab2025", "all")] == 194 and arms[("alkasab2025", "ses")] == 111
    assert arms[("guo2023", "rs")] == 41 and arms[("guo2023", "non_rs")] == 86
    assert arms[("baek2022", "all")] == 78
    e = t["estimates"].set_index("id")
    row = e.loc["alkasab2025-abs-mrs02-or"]
    assert (row["estimate"], row["ci_low"], row["ci_high"], row["p_value"]) == (1.10, 0.62, 1.96, 0.75)
    row = e.loc["baek2022-abs-patency-favourable-or"]
    assert (row["estimate"], row["ci_low"], row["ci_high"], row["p_value"]) == (87.6, 4.77, 1608.9, 0.003)
    p = t["proportions"].set_index("id")
    assert p.loc["baek2022-abs-recanalized", "count"] == 77
    assert p.loc["guo2023-abs-sich-rs", "percent"] == 17.1
    assert pd.isna(p.loc["guo2023-abs-sich-rs", "count"])


def test_summary_counts_match_tables():
    counts = hd.summary()
    tables = hd.load_package()
    for kind in hd.KINDS[1:]:
        assert counts.loc["total", kind] == len(tables[kind])
    assert counts.loc["baek2022", "estimates"] == 2


def test_cli_summary():
    out = subprocess.run([sys.executable, "-m", "helpers.data", "--summary"],
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert "alkasab2025" in out.stdout and "proportions" in out.stdout


# ------------------------------------------------------------------------------- bad data

@pytest.fixture
def pkg(tmp_path) -> Path:
    """A temporary copy of the data package (the real files are never edited)."""
    dest = tmp_path / "data"
    shutil.copytree(ROOT, dest)
    return dest


def _edit(path: Path, line: int, **changes) -> None:
    """Set columns of the record at CSV line ``line`` (header = line 1)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
        header = list(rows[0]) if rows else None
    for key, value in changes.items():
        assert key in header, key
        rows[line - 2][key] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _problems(root: Path, full: bool = False) -> str:
    """Messages of the error raised by load_package (full=False) or, for full=True, by the
    complete validate_package including the (slower) Frictionless pass; full="no-frictionless"
    runs validate_package with the provenance checks but without Frictionless."""
    with pytest.raises(hd.DataValidationError) as info:
        if full is True:
            hd.validate_package(root)
        elif full == "no-frictionless":
            hd.validate_package(root, use_frictionless=False)
        else:
            hd.load_package(root)
    assert isinstance(info.value, ValueError)
    return str(info.value)


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """One copy with three independent errors, for the tests that need the Frictionless pass (about
    1 s per package; helpers.data remembers its result for byte-identical files, so the tests
    below share one pass): a count above its total (line 2 of Al Kasab's proportions), an unknown
    study key (line 2 of Guo's comparisons) and an arm slug against the pattern (Baek's arm
    'Follow Up', line 3 of arms.csv and line 7 of proportions.csv). Do not modify it."""
    dest = tmp_path_factory.mktemp("planted") / "data"
    shutil.copytree(ROOT, dest)
    _edit(dest / "alkasab2025" / "proportions.csv", 2, count="200")
    _edit(dest / "guo2023" / "comparisons.csv", 2, study="nobody1999")
    _edit(dest / "baek2022" / "arms.csv", 3, arm="Follow Up")
    _edit(dest / "baek2022" / "proportions.csv", 7, arm="Follow Up")
    return dest


def test_count_above_total_rejected(pkg):
    _edit(pkg / "alkasab2025" / "proportions.csv", 2, count="200")
    assert "data/alkasab2025/proportions.csv:2: count 200 is above total 111" in _problems(pkg)


def test_count_above_total_rejected_by_full_validation(planted):
    assert "data/alkasab2025/proportions.csv:2: count 200 is above total 111" in _problems(planted, full=True)


@pytest.mark.parametrize("full", [False], ids=["load_package"])
def test_percent_above_100_rejected(pkg, full):
    _edit(pkg / "guo2023" / "proportions.csv", 3, percent="132.3")
    msg = _problems(pkg, full)
    assert "data/guo2023/proportions.csv:3: percent 132.3 is above the maximum 100" in msg
    assert "data/guo2023/proportions.csv:3: percent 132.3 is outside [0, 100]" in msg


@pytest.mark.parametrize("full", [False, "no-frictionless"], ids=["load_package", "validate_package"])
def test_ci_lower_above_upper_rejected(pkg, full):
    _edit(pkg / "alkasab2025" / "estimates.csv", 2, ci_low="2.5")
    assert "data/alkasab2025/estimates.csv:2: ci_low (2.5) is above ci_high (1.96)" in _problems(pkg, full)


def test_estimate_outside_ci_and_nonpositive_ratio_rejected(pkg):
    _edit(pkg / "baek2022" / "estimates.csv", 2, estimate="3000")
    _edit(pkg / "baek2022" / "estimates.csv", 3, ci_low="-1.45")
    msg = _problems(pkg)  # load_package
    assert "data/baek2022/estimates.csv:2: estimate (3000.0) lies outside its CI [4.77, 1608.9]" in msg
    assert "data/baek2022/estimates.csv:3: ci_low must be positive for a ratio measure" in msg


@pytest.mark.parametrize("full", [False, "no-frictionless"], ids=["load_package", "validate_package"])
def test_unknown_study_key_rejected(pkg, full):
    _edit(pkg / "guo2023" / "comparisons.csv", 2, study="nobody1999")
    assert "data/guo2023/comparisons.csv:2: unknown study key 'nobody1999' (not in studies.csv)" in _problems(pkg, full)


def test_unknown_study_key_also_found_by_frictionless(planted):
    problems = hd._frictionless_problems(planted)
    assert any(p.startswith("data/guo2023/comparisons.csv:2:") and "foreign-key" in p for p in problems), problems


def test_frictionless_result_is_reused_only_for_identical_files(pkg, monkeypatch):
    runs = []
    monkeypatch.setattr(hd, "_run_frictionless", lambda root: runs.append(root) or [f"run {len(runs)}"])
    assert hd._frictionless_problems(pkg) == ["run 1"]
    assert hd._frictionless_problems(pkg) == ["run 1"] and len(runs) == 1  # same bytes: reused
    _edit(pkg / "baek2022" / "arms.csv", 2, n="79")
    assert hd._frictionless_problems(pkg) == ["run 2"]  # one changed field: validated again
    (pkg / "baek2022" / "arms.csv").rename(pkg / "baek2022" / "arms2.csv")
    assert hd._frictionless_problems(pkg) == ["run 3"]  # a renamed file: validated again
    assert hd._package_digest(pkg) != hd._package_digest(ROOT)


@pytest.mark.parametrize("full", [False, "no-frictionless"], ids=["load_package", "validate_package"])
def test_duplicate_id_rejected(pkg, full):
    _edit(pkg / "guo2023" / "proportions.csv", 3, id="guo2023-abs-non-rs-share")
    assert ("data/guo2023/proportions.csv:3: duplicate id 'guo2023-abs-non-rs-share' "
            "(first at data/guo2023/proportions.csv:2)") in _problems(pkg, full)


def test_duplicate_arm_key_rejected(pkg):
    _edit(pkg / "guo2023" / "arms.csv", 3, arm="all")
    assert "data/guo2023/arms.csv:3: duplicate arm key guo2023+all (first at data/guo2023/arms.csv:2)" in _problems(pkg)


@pytest.mark.parametrize("full", [False, "no-frictionless"], ids=["load_package", "validate_package"])
def test_negative_n_rejected(pkg, full):
    _edit(pkg / "baek2022" / "arms.csv", 2, n="-78")
    assert "data/baek2022/arms.csv:2: n -78 is below the minimum 0" in _problems(pkg, full)


@pytest.mark.parametrize("p_value", ["0", "1.5"])
def test_p_outside_unit_interval_rejected(pkg, p_value):
    _edit(pkg / "guo2023" / "comparisons.csv", 2, p_value=p_value, p_printed=p_value, p_decimals="1")
    msg = _problems(pkg, full=False)
    assert f"data/guo2023/comparisons.csv:2: p_value must lie in (0, 1], got {float(p_value)}" in msg


def test_unknown_arm_rejected(pkg):
    _edit(pkg / "guo2023" / "proportions.csv", 4, arm="stent")
    assert "data/guo2023/proportions.csv:4: unknown arm 'stent' in arm (not in guo2023/arms.csv)" in _problems(pkg)


def test_percent_decimals_inconsistent_with_printed_rejected(pkg):
    _edit(pkg / "guo2023" / "proportions.csv", 4, percent_decimals="2")
    assert ("data/guo2023/proportions.csv:4: percent 17.1 with percent_decimals 2 does not appear in "
            "printed '17.1 %'") in _problems(pkg)


def test_not_a_number_and_bad_enum_rejected(pkg):
    _edit(pkg / "guo2023" / "proportions.csv", 2, count="eighty-six", total_basis="guessed")
    msg = _problems(pkg, full=False)
    assert "data/guo2023/proportions.csv:2: count: 'eighty-six' is not an integer" in msg
    assert "data/guo2023/proportions.csv:2: total_basis 'guessed' is not one of" in msg


def test_pattern_violation_found_by_frictionless(planted):
    """A constraint only the Frictionless pass checks (the arm slug pattern)."""
    msg = _problems(planted, full=True)
    assert "data/baek2022/arms.csv:3: arm:" in msg and "constraint-error" in msg


def test_quote_not_in_source_rejected(pkg):
    _edit(pkg / "baek2022" / "proportions.csv", 3, quote="Seventy-seven patients (98.7%) were cured.")
    msg = _problems(pkg, full="no-frictionless")
    assert "data/baek2022/proportions.csv:3: quote not found verbatim in the source text of baek2022" in msg


def test_printed_not_in_quote_rejected(pkg):
    _edit(pkg / "baek2022" / "proportions.csv", 4, printed="66.7 %")
    msg = _problems(pkg, full="no-frictionless")
    assert "data/baek2022/proportions.csv:4: printed '66.7 %' does not appear in the quote" in msg


def test_every_problem_is_listed(pkg):
    _edit(pkg / "alkasab2025" / "proportions.csv", 2, count="200")
    _edit(pkg / "baek2022" / "arms.csv", 2, n="-78")
    err = pytest.raises(hd.DataValidationError, hd.load_package, pkg).value
    assert len(err.problems) >= 2
    assert all(":" in p for p in err.problems)


def test_cli_validate_fails_on_bad_copy(planted, capsys):
    # In-process (the entry point `python -m helpers.data` itself is run by test_cli_summary): a
    # second interpreter start-up would cost more than the validation.
    assert hd.main(["--validate", "--root", str(planted)]) == 1
    err = capsys.readouterr().err
    assert "alkasab2025/proportions.csv:2: count 200 is above total 111" in err
    assert "baek2022/arms.csv:3: arm:" in err  # the Frictionless pass's finding too


def test_root_argument_checked(tmp_path):
    with pytest.raises(ValueError, match="root must be a folder holding datapackage.json"):
        hd.load_package(tmp_path)
    with pytest.raises(ValueError, match="root must be a path"):
        hd.load_package(42)


# ------------------------------------------------------------------------------- properties

@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), st.integers(0, 4))
def test_a_number_shows_in_its_own_formatting(x, d):
    assert hd._shows(x, d, f"({x:.{d}f}%)")


@given(st.text())
def test_normalise_whitespace_is_idempotent(text):
    once = hd.normalise_whitespace(text)
    assert hd.normalise_whitespace(once) == once
    assert "  " not in once


def test_readme_row_counts_are_current():
    """data/README.md prints the row counts per study; they must equal helpers.data.summary()."""
    import re

    from helpers.data import summary

    text = (Path(__file__).resolve().parent.parent / "data" / "README.md").read_text(encoding="utf-8")
    section = text.split("## Row counts per study", 1)[1]
    lines = [ln for ln in section.splitlines() if ln.startswith("|")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    printed = {}
    for ln in lines[2:]:
        cells = [c.strip() for c in ln.strip("|").split("|")]
        printed[cells[0]] = dict(zip(header[1:], map(int, cells[1:])))
    current = summary()
    expected = {str(study): {k: int(v) for k, v in row.items()} for study, row in current.iterrows()}
    assert printed == expected
    assert re.search(r"\| total \|", section)


@pytest.mark.parametrize("key, ok", [("smith2027", True), ("smith2027b", True), ("demo2099", True),
                                     ("rescueicas2024", True), ("Smith2027", False),
                                     ("smith-2027", False), ("smith_2027", False), ("2027smith", False)])
def test_study_key_pattern_documented_and_enforced(key, ok):
    """The key pattern in schemas/studies.json is the one data/README.md documents."""
    import json
    import re
    schema = json.loads((ROOT / "schemas" / "studies.json").read_text(encoding="utf-8"))
    pattern = next(f for f in schema["fields"] if f["name"] == "study")["constraints"]["pattern"]
    assert f"`{pattern}`" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert bool(re.fullmatch(pattern, key)) is ok
    # a key must also start every row id (id pattern) and name a Frictionless resource
    if ok:
        id_pattern = json.loads((ROOT / "schemas" / "proportions.json").read_text())["fields"][0]
        assert re.fullmatch(id_pattern["constraints"]["pattern"], f"{key}-t1-row")
        assert re.fullmatch(r"[a-z0-9._/-]+", f"{key}-arms")
