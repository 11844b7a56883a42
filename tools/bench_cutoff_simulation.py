"""Benchmark of helpers.cutoff_simulation (prints timings; not a test).

Usage: .venv/bin/python tools/bench_cutoff_simulation.py [--reps 10000] [--loop-reps 20]

Times (1) the vectorised simulation of the paper's cut-off search (11 thresholds, HC3) with
unit and with overlap weights, data generation included; (2) the straightforward statsmodels loop
(``smf.wls("mrs ~ treat * high", weights=w).fit(cov_type="HC3")`` per threshold) on a subset of
replicates, extrapolated per replicate and to the full run; (3) the speed-up. It also checks that
both give the same selected p on the subset and reports the peak memory (tracemalloc) of one
vectorised run.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import tracemalloc

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from helpers.cutoff_simulation import cutoff_search, sample_stenosis, simulate_cutoff_search

THRESHOLDS = list(range(40, 95, 5))


def statsmodels_loop(s, z, y):
    """Plain loop: one WLS fit with cov_type="HC3" per threshold; largest |interaction| wins."""
    best = None
    for t in THRESHOLDS:
        high = s > t
        if min(np.sum(z & high), np.sum(z & ~high), np.sum(~z & high), np.sum(~z & ~high)) < 2:
            continue
        data = pd.DataFrame({"mrs": y, "treat": z.astype(float), "high": high.astype(float)})
        fit = smf.wls("mrs ~ treat * high", data=data, weights=np.ones(y.size)).fit(cov_type="HC3", use_t=True)
        d, p = float(fit.params["treat:high"]), float(fit.pvalues["treat:high"])
        if best is None or abs(d) > abs(best[0]):
            best = (d, p, t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=10_000)
    ap.add_argument("--loop-reps", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3, help="best of this many vectorised runs")
    args = ap.parse_args()
    print(f"python {platform.python_version()}, numpy {np.__version__}, cores {os.cpu_count()}")

    simulate_cutoff_search(n_reps=50)  # warm-up (imports, caches)
    for weights in ("none", "overlap"):
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            simulate_cutoff_search(n_reps=args.reps, weights=weights)
            times.append(time.perf_counter() - t0)
        print(f"vectorised, {args.reps} replicates, weights={weights!r}: best {min(times):.2f} s "
              f"(runs: {', '.join(f'{t:.2f}' for t in times)})")
        if weights == "none":
            t_vec = min(times)

    tracemalloc.start()
    simulate_cutoff_search(n_reps=args.reps)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"peak traced memory of one vectorised run: {peak / 2**20:.0f} MiB")

    rng = np.random.default_rng(1)
    k, nt, nc = args.loop_reps, 172, 131
    s = np.concatenate([sample_stenosis(rng, (k, nt), (70, 80, 90)),
                        sample_stenosis(rng, (k, nc), (30, 40, 80))], axis=1)
    y = rng.integers(0, 7, size=s.shape).astype(float)
    z = np.r_[np.ones(nt, bool), np.zeros(nc, bool)]
    t0 = time.perf_counter()
    loop = [statsmodels_loop(s[r], z, y[r]) for r in range(k)]
    t_loop = time.perf_counter() - t0
    vec = cutoff_search(s, z, y, None, THRESHOLDS, hc="HC3")
    agree = max(abs(vec["p_selected"][r] - loop[r][1]) for r in range(k))
    per_rep_loop = t_loop / k
    per_rep_vec = t_vec / args.reps
    print(f"statsmodels loop, {k} replicates: {t_loop:.2f} s = {1e3 * per_rep_loop:.1f} ms per replicate "
          f"-> {per_rep_loop * args.reps:.0f} s extrapolated to {args.reps}")
    print(f"vectorised: {1e3 * per_rep_vec:.3f} ms per replicate")
    print(f"speed-up: {per_rep_loop / per_rep_vec:.0f}x (target >= 50x); "
          f"max |p_selected difference| on the subset: {agree:.1e}")


if __name__ == "__main__":
    main()
