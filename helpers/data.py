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
import csv
import json
import math
import re
import sys
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
    if not (root / "datapackage.json").is_file():
        raise ValueError(f"root must be a folder holding datapackage.json; {root} has none")
    return root


def normalise_whitespace(text: str) -> str:
    """Collapse every run of whitespace (spaces, tabs, newlines, no-break spaces) to one space."""
    return re.sub(r"\s+", " ", str(text)).strip()


# --------------------------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------------------------

def _descriptor(root: Path) -> dict:
    try:
        return json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataValidationError([f"datapackage.json:{exc.lineno}: not valid JSON: {exc.msg}"]) from exc


def _kind_of(resource: dict) -> str:
    schema = resource.get("schema")
    if resource.get("name") == "studies":
        return "studies"
    if isinstance(schema, str):
        return Path(schema).stem
    raise DataValidationError([f"datapackage.json: resource {resource.get('name')!r} must name its "
                               "schema as 'schemas/<kind>.json'"])


def _fingerprint(root: Path) -> tuple:
    files = [root / "datapackage.json", *sorted((root / "schemas").glob("*.json")),
             *sorted(root.glob("*.csv")), *sorted(root.glob("*/*.csv"))]
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files if p.is_file())


def _read_csv(path: Path, label: str, problems: list) -> tuple[list[str], list[dict], list[int]]:
    """Rows of a CSV file as dicts of strings, with the line number where each record starts."""
    if not path.is_file():
        problems.append(f"{label}:0: file listed in datapackage.json does not exist")
        return [], [], []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            problems.append(f"{label}:1: empty file (the header line is required)")
            return [], [], []
        rows, lines = [], []
        start = reader.line_num + 1
        for record in reader:
            if len(record) != len(header):
                problems.append(f"{label}:{start}: has {len(record)} cells, the header has {len(header)}")
            else:
                rows.append(dict(zip(header, record)))
                lines.append(start)
            start = reader.line_num + 1
    return header, rows, lines


def _convert(value: str, ftype: str):
    if ftype == "integer":
        if not re.fullmatch(r"[+-]?\d+", value):
            raise ValueError(f"{value!r} is not an integer")
        return int(value)
    if ftype == "number":
        out = float(value)
        if not math.isfinite(out):
            raise ValueError(f"{value!r} is not a finite number")
        return out
    return value


def _typed_frame(header, rows, lines, schema, label, problems) -> pd.DataFrame:
    """Convert one resource to a typed DataFrame, applying the schema's field constraints."""
    fields = {f["name"]: f for f in schema["fields"]}
    expected = list(fields)
    if header and header != expected:
        missing = [c for c in expected if c not in header]
        extra = [c for c in header if c not in fields]
        problems.append(f"{label}:1: header differs from schema: missing {missing}, unexpected {extra}"
                        if missing or extra else f"{label}:1: columns not in schema order {expected}")
    columns = {name: [] for name in expected}
    for row, line in zip(rows, lines):
        for name, field in fields.items():
            raw = row.get(name, "")
            ftype = field.get("type", "string")
            cons = field.get("constraints", {})
            if raw == "":
                if cons.get("required"):
                    problems.append(f"{label}:{line}: {name} is required but empty")
                columns[name].append(None)
                continue
            try:
                value = _convert(raw, ftype)
            except ValueError as exc:
                problems.append(f"{label}:{line}: {name}: {exc} (type {ftype})")
                columns[name].append(None)
                continue
            if "enum" in cons and value not in cons["enum"]:
                problems.append(f"{label}:{line}: {name} {value!r} is not one of {cons['enum']}")
            if "minimum" in cons and value < cons["minimum"]:
                problems.append(f"{label}:{line}: {name} {value} is below the minimum {cons['minimum']}")
            if "maximum" in cons and value > cons["maximum"]:
                problems.append(f"{label}:{line}: {name} {value} is above the maximum {cons['maximum']}")
            columns[name].append(value)
    frame = pd.DataFrame({name: pd.Series(values, dtype=_DTYPES[fields[name].get("type", "string")])
                          for name, values in columns.items()})
    frame["row_file"] = pd.Series([label] * len(frame), dtype="string")
    frame["row_line"] = pd.Series(lines, dtype="Int64")
    return frame


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


def _cross_checks(tables: dict[str, pd.DataFrame], resource_study: dict, problems: list) -> None:
    studies = tables["studies"]
    known = set(studies["study"].dropna())
    for key, group in studies.groupby("study", dropna=True):
        if len(group) > 1:
            for _, r in group.iloc[1:].iterrows():
                problems.append(f"{r['row_file']}:{r['row_line']}: duplicate study key {key!r}")

    # every table: known study, and the study matches the folder it lives in
    for kind, frame in tables.items():
        if kind == "studies":
            continue
        for r in frame.itertuples(index=False):
            study = r.study
            if _present(study) and study not in known:
                problems.append(f"{r.row_file}:{r.row_line}: unknown study key {study!r} (not in studies.csv)")
            expected = resource_study.get(r.row_file)
            if _present(study) and expected and study != expected:
                problems.append(f"{r.row_file}:{r.row_line}: study {study!r} does not match the resource's "
                                f"study {expected!r}")

    # keys: (study, arm) in arms; id unique across the whole package
    arms = tables["arms"]
    arm_sets: dict[str, set] = {}
    seen: dict[tuple, str] = {}
    for r in arms.itertuples(index=False):
        key = (r.study, r.arm)
        if key in seen:
            problems.append(f"{r.row_file}:{r.row_line}: duplicate arm key {r.study}+{r.arm} (first at {seen[key]})")
        seen[key] = f"{r.row_file}:{r.row_line}"
        arm_sets.setdefault(r.study, set()).add(r.arm)
    ids: dict[str, str] = {}
    for kind in KINDS[2:]:
        for r in tables[kind].itertuples(index=False):
            if not _present(r.id):
                continue
            if r.id in ids:
                problems.append(f"{r.row_file}:{r.row_line}: duplicate id {r.id!r} (first at {ids[r.id]})")
            else:
                ids[r.id] = f"{r.row_file}:{r.row_line}"

    def arm_known(where, study, arm, column):
        if _present(arm) and _present(study) and arm not in arm_sets.get(study, set()):
            problems.append(f"{where}: unknown arm {arm!r} in {column} (not in {study}/arms.csv)")

    for r in tables["proportions"].itertuples(index=False):
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

    for r in tables["comparisons"].itertuples(index=False):
        where = f"{r.row_file}:{r.row_line}"
        if _present(r.arms):
            parts = str(r.arms).split("|")
            if len(parts) < 2:
                problems.append(f"{where}: arms {r.arms!r} must name at least two arms separated by '|'")
            for arm in parts:
                arm_known(where, r.study, arm, "arms")
        p_checks(where, r)

    for r in tables["continuous"].itertuples(index=False):
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

    for r in tables["estimates"].itertuples(index=False):
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
    resource_study: dict[str, str] = {}
    names = set()
    for resource in descriptor.get("resources", []):
        name = resource.get("name", "")
        if name in names:
            problems.append(f"datapackage.json:0: duplicate resource name {name!r}")
        names.add(name)
        kind = _kind_of(resource)
        if kind in APPRAISAL_KINDS:  # loaded and checked by helpers.rob.load_appraisal
            continue
        if kind not in KINDS:
            problems.append(f"datapackage.json:0: resource {name!r} has unknown kind {kind!r}")
            continue
        if kind not in schemas:
            schemas[kind] = json.loads((root / "schemas" / f"{kind}.json").read_text(encoding="utf-8"))
        label = f"{root.name}/{resource['path']}"
        if kind != "studies":
            expected_name = f"{Path(resource['path']).parent.name}-{kind}"
            if name != expected_name:
                problems.append(f"datapackage.json:0: resource {name!r} should be named {expected_name!r}")
            resource_study[label] = Path(resource["path"]).parent.name
        header, rows, lines = _read_csv(root / resource["path"], label, problems)
        parts[kind].append(_typed_frame(header, rows, lines, schemas[kind], label, problems))
    tables = {}
    for kind in KINDS:
        if kind not in schemas:
            schemas[kind] = json.loads((root / "schemas" / f"{kind}.json").read_text(encoding="utf-8"))
        if not parts[kind]:
            parts[kind].append(_typed_frame([], [], [], schemas[kind], "", problems))
        tables[kind] = pd.concat(parts[kind], ignore_index=True) if len(parts[kind]) > 1 else parts[kind][0]
    _cross_checks(tables, resource_study, problems)
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


def _frictionless_problems(root: Path) -> list[str]:
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
        sources[r.study] = normalise_whitespace(path.read_text(encoding="utf-8"))
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
    for p in (_frictionless_problems(root) if use_frictionless else []):
        if p.split(": ", 1)[0] not in covered:  # same file:line already explained by our checks
            problems.append(p)
    problems.extend(_quote_problems(tables, root))
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.data", description=__doc__.split("\n")[0])
    parser.add_argument("--summary", action="store_true", help="print row counts per study and kind")
    parser.add_argument("--validate", action="store_true", help="validate the package (Frictionless too)")
    parser.add_argument("--root", default=None, help="data folder (default: this repository's data/)")
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
    except DataValidationError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
