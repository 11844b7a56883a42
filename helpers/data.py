"""Load and validate the data package in ``data/`` (numbers printed by the papers).

The package is a Frictionless Data Package (``data/datapackage.json``): one resource ``studies``
plus one resource ``<study>-<kind>`` per study and table kind, each described by the Table Schema
``data/schemas/<kind>.json`` shared by all studies. See ``data/README.md`` for the codebook.

Two entry points:

* :func:`load_package` reads every resource with the csv module and pandas, converts the columns to
  the types of their Table Schema (nullable ``Int64`` for integers, ``float64`` for numbers, pandas
  ``string`` for text), concatenates the resources of each kind across studies, and runs the fast
  checks: types, required fields, allowed values and numeric bounds taken from the schemas, unique
  keys across the package, known study keys and arms, and the cross-field rules that a Table Schema
  cannot express (count above total, CI bounds in the wrong order, an estimate outside its CI, a ratio
  measure that is not positive, a p-value outside (0, 1], printed decimals that disagree with the
  printed text, ...). The result is cached per file modification times, so repeated loads are cheap.
* :func:`validate_package` additionally runs the Frictionless validator (types, required fields,
  enums, patterns, primary and foreign keys) and checks that every quote appears verbatim
  (whitespace-normalised) in ``data/sources/<study>.txt`` and that every printed value appears in its
  quote.

Both raise :class:`DataValidationError` (a ``ValueError``) listing every problem as
``<file>:<line>: <reason>``, where ``<line>`` is the CSV line number (the header is line 1).

Plausibility of a printed percentage given its count and total is deliberately *not* checked here:
that is the audit's job (``helpers.audit``); the printed value is the data.

Command line::

    python -m helpers.data --summary    # row counts per study and table kind
    python -m helpers.data --validate   # full validation; exit status 1 with the messages on failure
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import math
import re
import sys
from collections import namedtuple
from functools import lru_cache
from pathlib import Path

import pandas as pd

from helpers.validation import check_ci, check_p_value

__all__ = [
    "KINDS",
    "DataValidationError",
    "default_root",
    "load_package",
    "validate_package",
    "summary",
    "normalise_whitespace",
    "problems_of",
    "load_package_for_cli",
    "MAX_CELL_CHARS",
    "MAX_FILE_BYTES",
]

#: table kinds, in the order of the codebook; ``studies`` first
KINDS = ("studies", "arms", "proportions", "comparisons", "continuous", "estimates", "quantities",
         "definitions")
#: measures whose estimate and CI limits must be positive
RATIO_MEASURES = frozenset({"OR", "RR", "HR"})
#: table kinds read and checked by helpers.rob (risk of bias, target trials, synthesis inputs)
APPRAISAL_KINDS = ("robins_i", "jbi_case_series", "target_trial", "synthesis_inputs", "grade", "overlap")
#: columns holding a printed value that must appear inside the row's quote, per kind
PRINTED_COLUMNS = {
    "proportions": ("printed",),
    "comparisons": ("p_printed",),
    "continuous": ("printed",),
    "estimates": ("estimate_printed", "ci_printed", "p_printed"),
    "quantities": ("printed",),
}
_DTYPES = {"integer": "Int64", "number": "float64", "string": "string"}


class DataValidationError(ValueError):
    """The data package breaks its schema or a cross-field rule.

    ``problems`` holds one ``"<file>:<line>: <reason>"`` string per problem; ``str(error)`` lists
    them all, one a line.
    """

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} problem(s) in the data package:\n"
                         + "\n".join(self.problems))


def default_root() -> Path:
    """The ``data/`` folder of this repository."""
    return Path(__file__).resolve().parent.parent / "data"


def _root(root) -> Path:
    if root is None:
        return default_root()
    if not isinstance(root, (str, Path)):
        raise ValueError(f"root must be a path to the data folder or None, got {root!r}")
    root = Path(root).resolve()
    if not root.is_dir():
        raise ValueError(f"root must be the data folder; {root} is not a folder")
    if not (root / "datapackage.json").is_file():
        raise ValueError(f"root must be a folder holding datapackage.json; {root} has none")
    return root


def normalise_whitespace(text: str) -> str:
    """Collapse every run of whitespace (spaces, tabs, newlines, no-break spaces) to one space."""
    return re.sub(r"\s+", " ", str(text)).strip()


# --------------------------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------------------------

#: the longest cell accepted, in characters (the longest quote in the package is under 400)
MAX_CELL_CHARS = 10_000
#: the largest file read, in bytes (the whole package is under 200 kB)
MAX_FILE_BYTES = 20_000_000


def _read_text(path: Path, label: str, problems: list) -> str | None:
    """The UTF-8 text of ``path``, or ``None`` after recording why it cannot be read."""
    if not path.is_file():
        problems.append(f"{label}:0: file does not exist")
        return None
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            problems.append(f"{label}:0: file is {size} bytes, above the limit of {MAX_FILE_BYTES}")
            return None
        data = path.read_bytes()
    except OSError as exc:
        problems.append(f"{label}:0: cannot be read: {exc.strerror or exc}")
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        problems.append(f"{label}:1: starts with a UTF-8 byte-order mark (BOM); save it as UTF-8 without BOM")
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        problems.append(f"{label}:{line}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})")
        return None


def _read_json(path: Path, label: str, problems: list):
    text = _read_text(path, label, problems)
    if text is None:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        problems.append(f"{label}:{exc.lineno}: not valid JSON: {exc.msg}")
        return None


def _descriptor(root: Path) -> dict:
    problems: list[str] = []
    descriptor = _read_json(root / "datapackage.json", "datapackage.json", problems)
    if problems:
        raise DataValidationError(problems)
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources", []), list):
        raise DataValidationError(["datapackage.json:1: must be a JSON object with a list of resources"])
    return descriptor


def _kind_of(resource: dict) -> str:
    schema = resource.get("schema")
    if resource.get("name") == "studies":
        return "studies"
    if isinstance(schema, str):
        return Path(schema).stem
    raise DataValidationError([f"datapackage.json:0: resource {resource.get('name')!r} must name its "
                               "schema as 'schemas/<kind>.json'"])


def _fingerprint(root: Path) -> tuple:
    files = [root / "datapackage.json", *sorted((root / "schemas").glob("*.json")),
             *sorted(root.glob("*.csv")), *sorted(root.glob("*/*.csv"))]
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files if p.is_file())


_UNQUOTED = re.compile(r"[^,\r\n]*")


def _parse_csv(text: str, label: str, problems: list) -> list[tuple[int, list[str]]]:
    """Records of RFC 4180 CSV text as ``(line where the record starts, cells)``, read strictly.

    A quote inside an unquoted cell, text after a closing quote, a quoted cell that never closes,
    a bare carriage return and a cell longer than :data:`MAX_CELL_CHARS` are problems
    (``file:line: reason``); reading stops at the first quoting problem, since every cell after a
    stray quote would be shifted.
    """
    records: list[tuple[int, list[str]]] = []
    i, n, line = 0, len(text), 1
    while i < n:
        start, cells = line, []
        while True:
            if i < n and text[i] == '"':
                opened, parts = line, []
                i += 1
                while True:
                    j = text.find('"', i)
                    if j < 0:
                        problems.append(f"{label}:{opened}: unbalanced quote: the quoted cell opened on "
                                        "this line never closes")
                        return records
                    parts.append(text[i:j])
                    line += text.count("\n", i, j)
                    if text.startswith('""', j):
                        parts.append('"')
                        i = j + 2
                        continue
                    i = j + 1
                    break
                cell = "".join(parts)
                if i < n and text[i] not in ",\r\n":
                    problems.append(f"{label}:{line}: unexpected text after a closing quote (a stray '\"' "
                                    "in a cell? quote the cell and double the quote)")
                    return records
            else:
                cell = _UNQUOTED.match(text, i).group()
                i += len(cell)
                if '"' in cell:
                    problems.append(f"{label}:{line}: a '\"' inside an unquoted cell (quote the cell and "
                                    "double the quote)")
                    return records
            if len(cell) > MAX_CELL_CHARS:
                problems.append(f"{label}:{line}: a cell of {len(cell)} characters, above the limit of "
                                f"{MAX_CELL_CHARS}")
                cell = cell[:MAX_CELL_CHARS]
            cells.append(cell)
            if i >= n:
                break
            char = text[i]
            if char == ",":
                i += 1
                continue
            if char == "\r":
                if not text.startswith("\r\n", i):
                    problems.append(f"{label}:{line}: a carriage return not followed by a line feed")
                    return records
                i += 1
            i += 1  # the line feed
            line += 1
            break
        records.append((start, cells))
    return records


def _read_csv(path: Path, label: str, problems: list) -> tuple[list[str], list[dict], list[int]]:
    """Rows of a CSV file as dicts of strings, with the line number where each record starts.

    Reading is strict: UTF-8 without BOM, RFC 4180 quoting (see :func:`_parse_csv`), and every
    row has exactly the header's number of cells.
    """
    if not path.is_file():
        problems.append(f"{label}:0: file listed in datapackage.json does not exist")
        return [], [], []
    text = _read_text(path, label, problems)
    if text is None:
        return [], [], []
    records = _parse_csv(text, label, problems)
    if not records:
        if text == "":
            problems.append(f"{label}:1: empty file (the header line is required)")
        return [], [], []
    header = records[0][1]
    if len(set(header)) != len(header):
        problems.append(f"{label}:1: the header repeats a column name")
    rows, lines = [], []
    for start, record in records[1:]:
        if len(record) != len(header):
            problems.append(f"{label}:{start}: has {len(record)} cells, the header has {len(header)}")
        else:
            rows.append(dict(zip(header, record)))
            lines.append(start)
    return header, rows, lines


def _field_ok(field) -> bool:
    """Whether a Table Schema field has the shape the reader relies on."""
    if not (isinstance(field, dict) and isinstance(field.get("name"), str)
            and field.get("type", "string") in _DTYPES):
        return False
    cons = field.get("constraints", {})
    if not isinstance(cons, dict):
        return False
    if "enum" in cons and not isinstance(cons["enum"], list):
        return False
    return all(isinstance(cons[k], (int, float)) and not isinstance(cons[k], bool)
               for k in ("minimum", "maximum") if k in cons)


#: the largest integer a cell may hold (pandas' nullable Int64 holds up to about 9.2e18)
MAX_INTEGER = 10**15


def _convert(value: str, ftype: str):
    if ftype == "integer":
        if not re.fullmatch(r"[+-]?\d+", value):
            raise ValueError(f"{value!r} is not an integer")
        if len(value) > 16 or abs(int(value)) > MAX_INTEGER:
            raise ValueError(f"{value[:20]!r}... is above the largest integer allowed, {MAX_INTEGER:,}"
                             if len(value) > 20 else f"{value!r} is above the largest integer allowed, {MAX_INTEGER:,}")
        return int(value)
    if ftype == "number":
        out = float(value)
        if not math.isfinite(out):
            raise ValueError(f"{value!r} is not a finite number")
        return out
    return value


def _typed_frame(header, rows, lines, schema, label, problems, records: list | None = None) -> pd.DataFrame:
    """Convert one resource to a typed DataFrame, applying the schema's field constraints.

    With ``records``, also append each row to it as a named tuple of the typed values (``None``
    for an empty cell) with ``row_file`` and ``row_line``: the cross-field rules read those, since
    iterating a DataFrame's nullable columns costs a pandas call per cell."""
    fields = {f["name"]: f for f in schema["fields"]}
    expected = list(fields)
    if header and header != expected:
        missing = [c for c in expected if c not in header]
        extra = [c for c in header if c not in fields]
        problems.append(f"{label}:1: header differs from schema: missing {missing}, unexpected {extra}"
                        if missing or extra else f"{label}:1: columns not in schema order {expected}")
    columns = {name: [] for name in expected}
    # each field's rules looked up once, not once per cell
    specs = []
    for name, field in fields.items():
        cons = field.get("constraints", {})
        specs.append((name, columns[name], field.get("type", "string"), bool(cons.get("required")),
                      cons.get("enum"), cons.get("minimum"), cons.get("maximum"), cons))
    for row, line in zip(rows, lines):
        for name, column, ftype, required, enum, minimum, maximum, cons in specs:
            raw = row.get(name, "")
            if raw == "":
                if required:
                    problems.append(f"{label}:{line}: {name} is required but empty")
                column.append(None)
                continue
            if ftype == "string":
                value = raw
            else:
                try:
                    value = _convert(raw, ftype)
                except ValueError as exc:
                    problems.append(f"{label}:{line}: {name}: {exc} (type {ftype})")
                    column.append(None)
                    continue
            if enum is not None and value not in enum:
                problems.append(f"{label}:{line}: {name} {value!r} is not one of {cons['enum']}")
            if minimum is not None and value < minimum:
                problems.append(f"{label}:{line}: {name} {value} is below the minimum {cons['minimum']}")
            if maximum is not None and value > maximum:
                problems.append(f"{label}:{line}: {name} {value} is above the maximum {cons['maximum']}")
            column.append(value)
    # pandas arrays, not Series: a DataFrame built from Series aligns their indexes (several
    # times slower, and the package is read once per test copy)
    data = {name: pd.array(values, dtype=_DTYPES[fields[name].get("type", "string")])
            for name, values in columns.items()}
    data["row_file"] = pd.array([label] * len(lines), dtype="string")
    data["row_line"] = pd.array(list(lines), dtype="Int64")
    if records is not None:
        record = namedtuple("Row", [*expected, "row_file", "row_line"], rename=True)
        values_by_row = zip(*columns.values()) if columns else [()] * len(lines)
        records.extend(record(*values, label, line) for values, line in zip(values_by_row, lines))
    return pd.DataFrame(data)


# --------------------------------------------------------------------------------------------
# cross-field checks
# --------------------------------------------------------------------------------------------

def _present(value) -> bool:
    return value is not None and value is not pd.NA and not (isinstance(value, float) and math.isnan(value))


def _shows(number: float, decimals: int, text: str) -> bool:
    """Whether ``number`` written with ``decimals`` decimals appears in ``text`` (sign ignored,
    a leading zero optional: ``.001`` counts as ``0.001``)."""
    shown = f"{abs(number):.{int(decimals)}f}"
    candidates = {shown}
    if shown.startswith("0."):
        candidates.add(shown[1:])
    text = str(text)
    return any(re.search(r"(?<![\d.])" + re.escape(c) + r"(?![\d])", text) for c in candidates)


def _cross_checks(tables: dict[str, pd.DataFrame], records: dict[str, list], resource_study: dict,
                  problems: list) -> None:
    """The rules across fields, rows and tables (``records``: each kind's rows, see
    :func:`_typed_frame`)."""
    studies = tables["studies"]
    known = set(studies["study"].dropna())
    for key, group in studies.groupby("study", dropna=True):
        if len(group) > 1:
            for _, r in group.iloc[1:].iterrows():
                problems.append(f"{r['row_file']}:{r['row_line']}: duplicate study key {key!r}")

    # every table: known study, and the study matches the folder it lives in
    for kind in tables:
        if kind == "studies":
            continue
        for r in records[kind]:
            study = r.study
            if _present(study) and study not in known:
                problems.append(f"{r.row_file}:{r.row_line}: unknown study key {study!r} (not in studies.csv)")
            expected = resource_study.get(r.row_file)
            if _present(study) and expected and study != expected:
                problems.append(f"{r.row_file}:{r.row_line}: study {study!r} does not match the resource's "
                                f"study {expected!r}")

    # keys: (study, arm) in arms; id unique across the whole package
    arm_sets: dict[str, set] = {}
    seen: dict[tuple, str] = {}
    for r in records["arms"]:
        key = (r.study, r.arm)
        if key in seen:
            problems.append(f"{r.row_file}:{r.row_line}: duplicate arm key {r.study}+{r.arm} (first at {seen[key]})")
        seen[key] = f"{r.row_file}:{r.row_line}"
        arm_sets.setdefault(r.study, set()).add(r.arm)
    ids: dict[str, str] = {}
    for kind in KINDS[2:]:
        for r in records[kind]:
            if not _present(r.id):
                continue
            if r.id in ids:
                problems.append(f"{r.row_file}:{r.row_line}: duplicate id {r.id!r} (first at {ids[r.id]})")
            else:
                ids[r.id] = f"{r.row_file}:{r.row_line}"

    def arm_known(where, study, arm, column):
        if _present(arm) and _present(study) and arm not in arm_sets.get(study, set()):
            problems.append(f"{where}: unknown arm {arm!r} in {column} (not in {study}/arms.csv)")

    for r in records["proportions"]:
        where = f"{r.row_file}:{r.row_line}"
        arm_known(where, r.study, r.arm, "arm")
        if _present(r.count) and _present(r.total) and r.count > r.total:
            problems.append(f"{where}: count {r.count} is above total {r.total}")
        if _present(r.percent) and not 0 <= r.percent <= 100:
            problems.append(f"{where}: percent {r.percent} is outside [0, 100]")
        if r.total_basis == "printed" and not (_present(r.count) and _present(r.total)):
            problems.append(f"{where}: total_basis 'printed' needs both count and total")
        if _present(r.percent) != _present(r.percent_decimals):
            problems.append(f"{where}: percent and percent_decimals must be given together")
        elif _present(r.percent) and _present(r.printed) and not _shows(r.percent, r.percent_decimals, r.printed):
            problems.append(f"{where}: percent {r.percent} with percent_decimals {r.percent_decimals} "
                            f"does not appear in printed {r.printed!r}")

    def p_checks(where, r):
        if _present(r.p_value):
            try:
                check_p_value(float(r.p_value), "p_value")
            except ValueError as exc:
                problems.append(f"{where}: {exc}")
            if _present(r.p_decimals) and _present(r.p_printed) and not _shows(r.p_value, r.p_decimals, r.p_printed):
                problems.append(f"{where}: p_value {r.p_value} with p_decimals {r.p_decimals} does not "
                                f"appear in p_printed {r.p_printed!r}")
        if _present(r.p_printed) and _present(r.p_relation):
            printed_rel = "<" if ("<" in r.p_printed or "≤" in r.p_printed) else (
                ">" if (">" in r.p_printed or "≥" in r.p_printed) else "=")
            if printed_rel != r.p_relation:
                problems.append(f"{where}: p_relation {r.p_relation!r} disagrees with p_printed {r.p_printed!r}")

    for r in records["comparisons"]:
        where = f"{r.row_file}:{r.row_line}"
        if _present(r.arms):
            parts = str(r.arms).split("|")
            if len(parts) < 2:
                problems.append(f"{where}: arms {r.arms!r} must name at least two arms separated by '|'")
            for arm in parts:
                arm_known(where, r.study, arm, "arms")
        p_checks(where, r)

    for r in records["continuous"]:
        where = f"{r.row_file}:{r.row_line}"
        arm_known(where, r.study, r.arm, "arm")
        if r.summary == "median_iqr" and _present(r.q1) and _present(r.q3):
            if r.q1 > r.q3:
                problems.append(f"{where}: q1 {r.q1} is above q3 {r.q3}")
            elif _present(r.centre) and not r.q1 <= r.centre <= r.q3:
                problems.append(f"{where}: median {r.centre} lies outside its IQR [{r.q1}, {r.q3}]")
        if _present(r.centre) and _present(r.decimals) and _present(r.printed) \
                and not _shows(r.centre, r.decimals, r.printed):
            problems.append(f"{where}: centre {r.centre} with decimals {r.decimals} does not appear in "
                            f"printed {r.printed!r}")

    for r in records["estimates"]:
        where = f"{r.row_file}:{r.row_line}"
        if _present(r.ci_low) != _present(r.ci_high):
            problems.append(f"{where}: ci_low and ci_high must be given together")
        if _present(r.estimate):
            if r.measure in RATIO_MEASURES and r.estimate <= 0:
                problems.append(f"{where}: estimate {r.estimate} must be positive for measure {r.measure}")
            if _present(r.estimate_decimals) and _present(r.estimate_printed) \
                    and not _shows(r.estimate, r.estimate_decimals, r.estimate_printed):
                problems.append(f"{where}: estimate {r.estimate} with estimate_decimals {r.estimate_decimals} "
                                f"does not appear in estimate_printed {r.estimate_printed!r}")
        if _present(r.ci_low) and _present(r.ci_high):
            est = float(r.estimate) if _present(r.estimate) else None
            try:
                check_ci(est, float(r.ci_low), float(r.ci_high), ratio=r.measure in RATIO_MEASURES)
            except ValueError as exc:
                problems.append(f"{where}: {exc}")
            if _present(r.ci_decimals) and _present(r.ci_printed):
                for name in ("ci_low", "ci_high"):
                    value = getattr(r, name)
                    if not _shows(value, r.ci_decimals, r.ci_printed):
                        problems.append(f"{where}: {name} {value} with ci_decimals {r.ci_decimals} does not "
                                        f"appear in ci_printed {r.ci_printed!r}")
        p_checks(where, r)


# --------------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------------

@lru_cache(maxsize=8)
def _load_cached(root_str: str, fingerprint: tuple) -> tuple[dict, tuple]:
    root = Path(root_str)
    problems: list[str] = []
    descriptor = _descriptor(root)
    schemas: dict[str, dict] = {}
    parts: dict[str, list] = {kind: [] for kind in KINDS}
    records: dict[str, list] = {kind: [] for kind in KINDS}
    resource_study: dict[str, str] = {}
    names = set()
    empty_schema = {"fields": []}

    def schema_of(kind):
        if kind not in schemas:
            label = f"{root.name}/schemas/{kind}.json"
            schema = _read_json(root / "schemas" / f"{kind}.json", label, problems)
            if schema is not None and not (isinstance(schema, dict) and isinstance(schema.get("fields"), list)
                                           and schema["fields"]
                                           and all(_field_ok(f) for f in schema["fields"])):
                problems.append(f"{label}:1: a Table Schema needs a non-empty list of fields, each with a "
                                f"name, a type in {sorted(_DTYPES)} and constraints as an object (enum a "
                                "list, minimum/maximum numbers)")
                schema = None
            schemas[kind] = schema if schema is not None else empty_schema
        return schemas[kind]

    for number, resource in enumerate(descriptor.get("resources", []), start=1):
        if not isinstance(resource, dict):
            problems.append(f"datapackage.json:0: resource number {number} is not a JSON object")
            continue
        name = resource.get("name", "")
        if name in names:
            problems.append(f"datapackage.json:0: duplicate resource name {name!r}")
        names.add(name)
        try:
            kind = _kind_of(resource)
        except DataValidationError as exc:
            problems.extend(exc.problems)
            continue
        if kind in APPRAISAL_KINDS:  # loaded and checked by helpers.rob.load_appraisal
            continue
        if kind not in KINDS:
            problems.append(f"datapackage.json:0: resource {name!r} has unknown kind {kind!r}")
            continue
        path = resource.get("path")
        if not isinstance(path, str) or not path or Path(path).is_absolute() or ".." in Path(path).parts:
            problems.append(f"datapackage.json:0: resource {name!r} needs a 'path' inside the data folder, "
                            f"got {path!r}")
            continue
        schema = schema_of(kind)
        label = f"{root.name}/{path}"
        if kind != "studies":
            expected_name = f"{Path(path).parent.name}-{kind}"
            if name != expected_name:
                problems.append(f"datapackage.json:0: resource {name!r} should be named {expected_name!r}")
            resource_study[label] = Path(path).parent.name
        header, rows, lines = _read_csv(root / path, label, problems)
        parts[kind].append(_typed_frame(header, rows, lines, schema, label, problems, records[kind]))
    tables = {}
    for kind in KINDS:
        schema = schema_of(kind)
        if not parts[kind]:
            parts[kind].append(_typed_frame([], [], [], schema, "", problems))
        tables[kind] = pd.concat(parts[kind], ignore_index=True) if len(parts[kind]) > 1 else parts[kind][0]
    if any(schema is empty_schema for schema in schemas.values()):
        return tables, tuple(problems)  # the cross-field rules need every column of every kind
    try:
        _cross_checks(tables, records, resource_study, problems)
    except (AttributeError, KeyError) as exc:  # a schema without a column the rules read
        problems.append(f"{root.name}/schemas:0: a table lacks a column the cross-field rules need "
                        f"({type(exc).__name__}: {' '.join(str(exc).split())[:120]})")
    return tables, tuple(problems)


def _load(root: Path) -> tuple[dict, tuple]:
    return _load_cached(str(root), _fingerprint(root))


def load_package(root=None, *, provenance: bool = False) -> dict[str, pd.DataFrame]:
    """Read the data package into one DataFrame per table kind.

    Parameters
    ----------
    root : path or None
        The folder holding ``datapackage.json``; ``None`` means this repository's ``data/``.
    provenance : bool
        When true, keep two extra columns ``row_file`` (path of the CSV, from the data folder's name)
        and ``row_line`` (CSV line number) on every row, for messages that cite the source row.

    Returns
    -------
    dict[str, pandas.DataFrame]
        Keys are :data:`KINDS` (``studies``, ``arms``, ``proportions``, ...); each value is the
        concatenation over studies of that kind's resources, with columns typed from the Table
        Schema (``Int64`` for integers, ``float64`` for numbers, ``string`` for text; empty cells
        are missing values). The frames are copies: changing them does not touch the cache.

    Raises
    ------
    DataValidationError
        When any type, required field, allowed value, bound, key or cross-field rule is broken;
        the message lists every problem as ``file:line: reason``.
    """
    if not isinstance(provenance, bool):
        raise ValueError(f"provenance must be True or False, got {provenance!r}")
    tables, problems = _load(_root(root))
    if problems:
        raise DataValidationError(problems)
    out = {}
    for kind, frame in tables.items():
        frame = frame.copy(deep=True)
        if not provenance:
            frame = frame.drop(columns=["row_file", "row_line"])
        out[kind] = frame
    return out


_FRICTIONLESS_RESULTS: dict[tuple[str, str], tuple[str, ...]] = {}


def _package_digest(root: Path) -> str:
    """SHA-256 over the relative path and bytes of every file under ``root``, in path order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _frictionless_problems(root: Path) -> list[str]:
    """The Frictionless validator's problems, one line each; remembered per folder and content.

    The validator takes about a second per package. Its result is a function of the files under
    ``root`` alone, so within one process a folder whose every file is byte-identical to a
    validated one gets the stored result (keyed on the folder and :func:`_package_digest`);
    changing any file, or a file's name, validates again.
    """
    key = (str(Path(root).resolve()), _package_digest(Path(root)))
    if key not in _FRICTIONLESS_RESULTS:
        _FRICTIONLESS_RESULTS[key] = tuple(_run_frictionless(Path(root)))
    return list(_FRICTIONLESS_RESULTS[key])


def _run_frictionless(root: Path) -> list[str]:
    from frictionless import Package  # imported here: slow to import, needed only for validation

    paths = {r.get("name"): r.get("path") for r in _descriptor(root).get("resources", [])}
    package = Package(str(root / "datapackage.json"))
    report = package.validate()
    problems = []
    for task in report.tasks:
        label = f"{root.name}/{paths.get(task.name, task.place)}"
        for error in task.errors:
            row = getattr(error, "row_number", None) or 0
            field = getattr(error, "field_name", None)
            where = f"{field}: " if field else ""
            problems.append(f"{label}:{row}: {where}{error.note or error.title} [frictionless {error.type}]")
    for error in report.errors:
        problems.append(f"datapackage.json:0: {error.message} [frictionless {error.type}]")
    return problems


def _quote_problems(tables: dict[str, pd.DataFrame], root: Path) -> list[str]:
    problems = []
    sources = {}
    for r in tables["studies"].itertuples(index=False):
        path = root / str(r.source_file)
        if not path.is_file():
            problems.append(f"{r.row_file}:{r.row_line}: source_file {r.source_file!r} does not exist")
            continue
        text = _read_text(path, f"{root.name}/{r.source_file}", problems)
        if text is not None:
            sources[r.study] = normalise_whitespace(text)
    for kind in KINDS[1:]:
        printed_cols = PRINTED_COLUMNS.get(kind, ())
        for r in tables[kind].itertuples(index=False):
            where = f"{r.row_file}:{r.row_line}"
            if not _present(r.quote) or r.study not in sources:
                continue
            quote = normalise_whitespace(r.quote)
            if quote not in sources[r.study]:
                problems.append(f"{where}: quote not found verbatim in the source text of {r.study}: {quote[:80]!r}")
            for col in printed_cols:
                value = getattr(r, col)
                if _present(value) and normalise_whitespace(value) not in quote:
                    problems.append(f"{where}: {col} {value!r} does not appear in the quote")
    return problems


def validate_package(root=None, *, use_frictionless: bool = True) -> None:
    """Validate the data package fully; return ``None`` or raise :class:`DataValidationError`.

    Runs the Frictionless validator on ``datapackage.json`` (types, required fields, enums,
    patterns, primary keys, foreign keys to ``studies``; about 1 s, skipped when
    ``use_frictionless`` is false), the checks of :func:`load_package`, and the provenance checks:
    every ``quote`` occurs verbatim (whitespace-normalised) in the study's source text and every
    printed value (``printed``, ``p_printed``, ``estimate_printed``, ``ci_printed``) occurs inside
    its row's quote. Frictionless messages on a ``file:line`` that our own checks already
    explain are not repeated.
    """
    if not isinstance(use_frictionless, bool):
        raise ValueError(f"use_frictionless must be True or False, got {use_frictionless!r}")
    root = _root(root)
    tables, problems = _load(root)
    problems = list(problems)
    covered = {p.split(": ", 1)[0] for p in problems}
    if use_frictionless:
        try:
            extra = _frictionless_problems(root)
        except Exception as exc:  # noqa: BLE001 - a malformed package must give a message, not a traceback
            extra = [] if problems else [f"datapackage.json:0: the Frictionless validator failed: "
                                         f"{' '.join(str(exc).split())[:300]}"]
        for p in extra:
            if p.split(": ", 1)[0] not in covered:  # same file:line already explained by our checks
                problems.append(p)
    if "source_file" in tables["studies"].columns and all("quote" in tables[k].columns for k in KINDS[1:]):
        try:
            problems.extend(_quote_problems(tables, root))
        except (AttributeError, KeyError) as exc:  # a schema without a column the quote check reads
            problems.append(f"{root.name}/schemas:0: a table lacks a column the quote check needs "
                            f"({type(exc).__name__}: {' '.join(str(exc).split())[:120]})")
    if not problems:
        from helpers.rob import appraisal_problems  # here: helpers.rob imports this module
        problems.extend(appraisal_problems(root))
    if problems:
        raise DataValidationError(problems)


def summary(root=None) -> pd.DataFrame:
    """Row counts per study (rows) and table kind (columns), with totals; ``studies`` excluded."""
    tables = load_package(root)
    studies = list(tables["studies"]["study"])
    counts = pd.DataFrame(0, index=studies, columns=list(KINDS[1:]), dtype="int64")
    for kind in KINDS[1:]:
        for study, n in tables[kind]["study"].value_counts().items():
            counts.loc[study, kind] = int(n)
    counts["total"] = counts.sum(axis=1)
    counts.loc["total"] = counts.sum(axis=0)
    counts.index.name = "study"
    return counts


def problems_of(exc: BaseException, root=None) -> list[str]:
    """One line per problem for a command to print: ``file:line: reason`` or ``path: reason``."""
    if not isinstance(exc, BaseException):
        raise ValueError(f"exc must be an exception, got {type(exc).__name__}")
    if isinstance(exc, DataValidationError):
        return [" ".join(p.split()) for p in exc.problems]
    where = str(root) if root is not None else str(default_root())
    reason = " ".join(str(exc).split())
    return [f"{where}: {reason}"]


def load_package_for_cli(root=None):
    """``(package, [])`` or ``(None, problems)``: :func:`load_package` for commands, never raising
    on a malformed package, a missing folder or an unreadable file."""
    try:
        return load_package(root), []
    except (ValueError, OSError) as exc:
        return None, problems_of(exc, root)


_EPILOG = """exit status:
  0  the package is valid (--validate) / the summary was printed
  1  the package is malformed: one line per problem as file:line: reason (or path: reason
     for a missing folder), no traceback
  2  bad command-line arguments"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.data", description=__doc__.split("\n")[0],
                                     epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--summary", action="store_true", help="print row counts per study and kind")
    parser.add_argument("--validate", action="store_true", help="validate the package (Frictionless too)")
    parser.add_argument("--root", metavar="DIR", default=None,
                        help="data folder (default: this repository's data/)")
    args = parser.parse_args(argv)
    if not (args.summary or args.validate):
        parser.print_help()
        return 2
    try:
        if args.validate:
            validate_package(args.root)
            print("data package valid")
        if args.summary:
            print(summary(args.root).to_string())
    except (ValueError, OSError) as exc:
        for line in problems_of(exc, args.root):
            print(line, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
