"""Benchmark of the reporting audit: the real package, then packages 10 and 100 times larger.

The larger packages are generated in memory at run time (nothing is written or committed): every
study's rows of every table kind are replicated under new study keys (``<study>-r<k>``) and new row
ids, so each copy is audited as a separate study exactly like the original. The audit's cost should
grow linearly with the number of rows: the time per row should stay roughly constant.

    .venv/bin/python tools/bench_audit.py            # 1x, 10x, 100x, then the mutation report
    .venv/bin/python tools/bench_audit.py --scales 1 10
    .venv/bin/python tools/bench_audit.py --scales --mutations-per-study 20   # mutation sample only

The mutation report (helpers.audit.mutation) plants one typo in every printed number of the data
package, one at a time, audits the paper again and reports, by kind of number, how many typos the
audit detected among those a passing check can reveal, and whether any alarm was raised about
another item (collateral). Nothing is written to disk.
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from helpers.audit import mutation as audit_mutation
from helpers.audit import run_audit
from helpers.data import load_package

NUMBER_KINDS = ("proportions", "comparisons", "continuous", "estimates", "quantities")


def replicate(package: dict, times: int) -> dict:
    """A package ``times`` as large: copy k (k = 0..times-1) renames every study key to
    ``<study>-r<k>`` and every id to ``<id>-r<k>`` (copy 0 keeps the original keys)."""
    if not isinstance(times, int) or times < 1:
        raise ValueError(f"times must be a whole number >= 1, got {times!r}")
    out = {}
    for kind, frame in package.items():
        copies = []
        for k in range(times):
            f = frame.copy()
            if k:
                if "study" in f.columns:
                    f["study"] = f["study"].astype("string") + f"-r{k}"
                if "id" in f.columns:
                    f["id"] = f["id"].astype("string") + f"-r{k}"
            copies.append(f)
        out[kind] = pd.concat(copies, ignore_index=True)
    return out


def n_rows(package: dict) -> int:
    return int(sum(len(package[k]) for k in NUMBER_KINDS if k in package))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="*", default=[1, 10, 100])
    parser.add_argument("--mutations-per-study", type=int, default=None, metavar="N",
                        help="typos per paper in the mutation report (default: one per printed number)")
    parser.add_argument("--no-mutations", action="store_true", help="skip the mutation report")
    parser.add_argument("--repeat", type=int, default=3, help="runs per scale at 1x and 10x (best kept)")
    args = parser.parse_args(argv)
    base = load_package()
    run_audit(base)  # warm-up: imports, caches of scipy
    print(f"{'scale':>6} {'rows':>8} {'checks':>8} {'seconds':>9} {'ms/row':>8}")
    per_row = {}
    for scale in args.scales:
        pkg = replicate(base, scale)
        rows = n_rows(pkg)
        best, checks = float("inf"), 0
        for _ in range(args.repeat if scale <= 10 else 1):
            t0 = time.perf_counter()
            audit = run_audit(pkg)
            best = min(best, time.perf_counter() - t0)
            checks = len(audit)
        per_row[scale] = 1000 * best / rows
        print(f"{scale:>5}x {rows:>8} {checks:>8} {best:>9.2f} {per_row[scale]:>8.3f}")
    if args.scales:
        first = per_row[args.scales[0]]
        spread = max(per_row.values()) / min(per_row.values())
        print(f"\nLargest / smallest time per row from {args.scales[0]}x to {args.scales[-1]}x: "
              f"{spread:.2f} (1.0 = perfectly linear growth).")
        real = per_row.get(1)
        if real is not None:
            print(f"Real package: {first * n_rows(base) / 1000:.2f} s (target < 2 s).")
    if not args.no_mutations:
        mutation_report(base, args.mutations_per_study)
    return 0


def mutation_report(base: dict, n) -> None:
    t0 = time.perf_counter()
    rep = audit_mutation.run(base, n=n, progress=lambda s, k: print(
        f"  {s}: {k} typos judged ({time.perf_counter() - t0:.0f} s)", flush=True))
    table = rep["by_kind"].copy()
    table["rate"] = [f"{100 * d / c:.1f}%" if c else "-" for d, c in
                     zip(table["detected among checkable"], table["checkable"])]
    print("\nMutation report: one typo in one printed number at a time")
    print(table.to_string(index=False))
    rate = rep["detected_checkable"] / rep["checkable"] if rep["checkable"] else float("nan")
    print(f"\nAll kinds: {rep['detected_checkable']} of {rep['checkable']} typos that a passing check "
          f"can reveal were detected ({100 * rate:.1f}%; target >= 95%); {rep['detected']} of "
          f"{rep['typos']} typos overall. Typos that raised an alarm about another item: "
          f"{rep['collateral']}. Time: {time.perf_counter() - t0:.0f} s.")
    if rep["missed"]:
        print("\nRevealable typos the audit missed:")
        for m in rep["missed"]:
            print(f"  {m.kind}: {m.row_id} {m.field} {m.before} -> {m.after}")
    print(f"\nTypos no passing check can reveal: {len(rep['unchecked'])} (by kind: "
          + ", ".join(f"{k} {sum(m.kind == k for m in rep['unchecked'])}"
                      for k in audit_mutation.KINDS) + ")")


if __name__ == "__main__":
    raise SystemExit(main())
