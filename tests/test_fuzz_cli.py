"""Malformed data packages and dangerous command lines give one-line errors; nothing is overwritten.

Every case works on a temporary copy of ``data/`` (never the repository's files) and calls the
commands' ``main`` in-process: ``helpers.data`` and ``helpers.audit`` must exit 1 (or 2 for bad
arguments) with one ``file:line: reason`` / ``path: reason`` line per problem and no traceback.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers import audit as audit_cli
from helpers import data as data_cli
from helpers.safe_io import REPO_ROOT, WriteRefused, is_tracked, write_text_safely

DATA = REPO_ROOT / "data"
LINE = re.compile(r"^\S[^\n]*?(:\d+)?: \S.*$")  # path[:line]: reason


@pytest.fixture
def pkg(tmp_path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(DATA, root)
    return root


def _first_proportions(root: Path) -> Path:
    return sorted(root.glob("*/proportions.csv"))[0]


def _run(main, argv, capsys):
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _assert_one_line_errors(err: str, *, expect: str) -> list[str]:
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines, "no error message printed"
    assert "Traceback" not in err
    for line in lines:
        assert LINE.match(line), f"not a 'file:line: reason' line: {line!r}"
    assert any(expect in line for line in lines), f"{expect!r} not in {lines}"
    return lines


# ------------------------------------------------------------------ strict reading

def _corrupt_quote(root: Path) -> tuple[Path, int]:
    """Put a stray '"' at the start of a cell of the second data row of a proportions table."""
    path = _first_proportions(root)
    lines = path.read_text(encoding="utf-8").split("\n")
    cells = lines[2].split(",")
    cells[3] = '"' + cells[3]
    lines[2] = ",".join(cells)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path, 3


def test_stray_quote_fails_validation_naming_file_and_line(pkg, capsys):
    path, line = _corrupt_quote(pkg)
    code, out, err = _run(data_cli.main, ["--validate", "--root", str(pkg)], capsys)
    assert code == 1 and "data package valid" not in out
    label = f"data/{path.parent.name}/proportions.csv"
    lines = _assert_one_line_errors(err, expect=label)
    assert any(f"{label}:{line}:" in entry and "quote" in entry for entry in lines), lines


def test_stray_quote_inside_an_unquoted_cell(pkg):
    path = _first_proportions(pkg)
    text = path.read_text(encoding="utf-8").split("\n")
    text[1] = text[1].replace(",", ',ab"c,', 1).replace(',ab"c,', ',ab"c', 1)
    path.write_text("\n".join(text), encoding="utf-8")
    with pytest.raises(data_cli.DataValidationError) as info:
        data_cli.load_package(pkg)
    assert any(p.startswith(f"data/{path.parent.name}/proportions.csv:2:") and "unquoted" in p
               for p in info.value.problems), info.value.problems


def test_unbalanced_quote_at_end_of_file(pkg):
    path = _first_proportions(pkg)
    path.write_text(path.read_text(encoding="utf-8") + 'x,"never closed\n', encoding="utf-8")
    with pytest.raises(data_cli.DataValidationError, match="unbalanced quote"):
        data_cli.load_package(pkg)


def test_row_with_a_missing_field(pkg):
    path = _first_proportions(pkg)
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[1] = lines[1].rsplit(",", 1)[0]
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(data_cli.DataValidationError, match=r"proportions.csv:2: has \d+ cells, the header has"):
        data_cli.load_package(pkg)


@pytest.mark.parametrize("case, expect", [
    ("bom", "byte-order mark"),
    ("bad_byte", "not valid UTF-8"),
    ("huge_cell", "above the limit of"),
    ("missing_schema", "schemas/proportions.json:0: file does not exist"),
    ("resource_without_path", "needs a 'path'"),
    ("bad_json", "datapackage.json:"),
    ("missing_csv", "does not exist"),
    ("bad_source_text", "not valid UTF-8"),
    ("enum_not_a_list", "schemas/proportions.json:1: a Table Schema needs"),
    ("schema_without_fields", "schemas/proportions.json:1: a Table Schema needs"),
    ("schema_missing_a_column", "lacks a column"),
    ("huge_integer", "above the largest integer"),
    ("bare_carriage_return", "carriage return"),
])
@pytest.mark.parametrize("command", ["data", "audit"])
def test_malformed_package_gives_one_line_errors(pkg, capsys, case, expect, command):
    path = _first_proportions(pkg)
    if case == "bom":
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    elif case == "bad_byte":
        raw = path.read_bytes().split(b"\n")
        raw[3] = raw[3] + b"\xff"
        path.write_bytes(b"\n".join(raw))
    elif case == "huge_cell":
        lines = path.read_text(encoding="utf-8").split("\n")
        lines[1] = lines[1] + "x" * 200_000
        path.write_text("\n".join(lines), encoding="utf-8")
    elif case == "missing_schema":
        (pkg / "schemas" / "proportions.json").unlink()
    elif case == "resource_without_path":
        desc = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
        del desc["resources"][1]["path"]
        (pkg / "datapackage.json").write_text(json.dumps(desc, indent=2), encoding="utf-8")
    elif case in ("enum_not_a_list", "schema_without_fields", "schema_missing_a_column"):
        spath = pkg / "schemas" / "proportions.json"
        schema = json.loads(spath.read_text(encoding="utf-8"))
        if case == "enum_not_a_list":
            field = next(f for f in schema["fields"] if "enum" in f.get("constraints", {}))
            field["constraints"]["enum"] = 5
        elif case == "schema_without_fields":
            schema["fields"] = []
        else:
            schema["fields"] = [f for f in schema["fields"] if f["name"] != "total"]
        spath.write_text(json.dumps(schema), encoding="utf-8")
    elif case == "huge_integer":
        lines = path.read_text(encoding="utf-8").split("\n")
        header = lines[0].split(",")
        cells = next(line for line in lines[1:] if line).split(",")
        cells[header.index("total")] = "9" * 30
        lines[1] = ",".join(cells)
        path.write_text("\n".join(lines), encoding="utf-8")
    elif case == "bare_carriage_return":
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r", 1))
    elif case == "bad_json":
        (pkg / "datapackage.json").write_text('{"resources": [', encoding="utf-8")
    elif case == "missing_csv":
        path.unlink()
    elif case == "bad_source_text":
        if command == "audit":
            pytest.skip("the audit does not read the source texts")
        src = sorted((pkg / "sources").glob("*.txt"))[0]
        src.write_bytes(src.read_bytes() + b"\n\xc3\x28\n")
        with pytest.raises(data_cli.DataValidationError) as info:  # the quote checks of --validate
            data_cli.validate_package(pkg, use_frictionless=False)
        _assert_one_line_errors("\n".join(info.value.problems), expect=f"data/sources/{src.name}:")
        return
    if command == "data":  # --summary reads strictly like --validate, without the slow Frictionless pass
        argv, main = ["--summary", "--root", str(pkg)], data_cli.main
    else:
        argv, main = ["--root", str(pkg)], audit_cli.main
    code, out, err = _run(main, argv, capsys)
    assert code == 1
    assert "data package valid" not in out and "Audit of" not in out
    _assert_one_line_errors(err, expect=expect)


@pytest.mark.parametrize("command", ["data", "audit"])
@pytest.mark.parametrize("where", ["missing", "no_descriptor"])
def test_missing_root_gives_one_line(tmp_path, capsys, command, where):
    root = tmp_path / "nowhere"
    if where == "no_descriptor":
        root.mkdir()
    main = data_cli.main if command == "data" else audit_cli.main
    argv = (["--validate"] if command == "data" else []) + ["--root", str(root)]
    code, _, err = _run(main, argv, capsys)
    assert code == 1
    lines = _assert_one_line_errors(err, expect=str(root))
    assert len(lines) == 1


def _smallest_study() -> str:
    """The study with the fewest data rows (its audit is the quickest)."""
    with_rows = [p.parent.name for p in DATA.glob("*/proportions.csv")  # a scaffolded paper has none
                 if len(p.read_text(encoding="utf-8").strip().splitlines()) > 1]
    return min(with_rows, key=lambda s: sum(f.stat().st_size for f in (DATA / s).glob("*.csv")))


def test_audit_root_option_reads_another_folder(pkg, capsys):
    study = _smallest_study()
    code, out, _ = _run(audit_cli.main, ["--root", str(pkg), "--study", study], capsys)
    assert code == 0 and "Audit of" in out and study in out


# ------------------------------------------------------------------ safe writing

def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("target", ["data/studies.csv", "chapters/audit-table.csv", "helpers/audit/__init__.py",
                                    "README.md"])
@pytest.mark.parametrize("force", [False, True])
def test_audit_csv_never_overwrites_a_tracked_or_source_file(capsys, target, force):
    path = REPO_ROOT / target
    before = _digest(path)
    argv = ["--csv", str(path)] + (["--force"] if force else [])
    code, out, err = _run(audit_cli.main, argv, capsys)
    assert code == 1
    assert _digest(path) == before
    lines = _assert_one_line_errors(err, expect=str(path))
    assert len(lines) == 1 and "refusing" in lines[0]
    assert "written" not in out


def test_audit_csv_refuses_an_existing_file_without_force(tmp_path, capsys):
    path = tmp_path / "mine.csv"
    path.write_text("keep me\n", encoding="utf-8")
    code, _, err = _run(audit_cli.main, ["--csv", str(path)], capsys)
    assert code == 1 and path.read_text(encoding="utf-8") == "keep me\n"
    _assert_one_line_errors(err, expect="--force")
    study = _smallest_study()
    code, _, _ = _run(audit_cli.main, ["--csv", str(path), "--force", "--study", study], capsys)
    assert code == 0 and path.read_text(encoding="utf-8").startswith("study,location,")


@pytest.mark.parametrize("case", ["missing_dir", "is_dir"])
def test_audit_csv_bad_path_gives_one_line(tmp_path, capsys, case):
    path = tmp_path / "no" / "such" / "a.csv" if case == "missing_dir" else tmp_path
    code, _, err = _run(audit_cli.main, ["--csv", str(path)], capsys)
    assert code == 1
    _assert_one_line_errors(err, expect=str(path))
    assert not (tmp_path / "no").exists()


def test_write_is_atomic_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "out.csv"
    write_text_safely(path, "a,b\n1,2\n")
    assert path.read_text(encoding="utf-8") == "a,b\n1,2\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_write_refuses_new_files_inside_data():
    target = DATA / "new-output.csv"
    with pytest.raises(WriteRefused, match="data package folder"):
        write_text_safely(target, "x\n", force=True)
    assert not target.exists()


def test_tracked_files_are_recognised():
    if shutil.which("git") is None or subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse"],
                                                     capture_output=True).returncode != 0:
        pytest.skip("not a git checkout")
    assert is_tracked(REPO_ROOT / "data" / "studies.csv")
    assert not is_tracked(REPO_ROOT / "no-such-file.csv")


def test_help_documents_exit_codes(capsys):
    for main in (audit_cli.main, data_cli.main):
        with pytest.raises(SystemExit) as info:
            main(["--help"])
        assert info.value.code == 0
        out = capsys.readouterr().out
        assert "exit status" in out and "0 " in out and "1 " in out and "2 " in out
