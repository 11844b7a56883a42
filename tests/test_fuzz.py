"""Fuzzing of every public function of helpers (issue #15); the harness is tests/fuzz_support.py.

* Coverage: every public function of every helpers module has a valid call in ``CALLS`` or a
  reason in ``EXEMPT``; every parameter has a kind. A new function without an entry fails here.
* Bad input: each parameter in turn gets every bad value of its kind (and the relational cases:
  a count above its total, CI bounds swapped, an estimate outside its CI); each must raise a
  ``ValueError`` whose message names the argument -- never another exception, never silence.
* Valid edge input (zero cells, all events, n = 1, separation): a finite result, or the
  non-finite values the docstring documents, or a ``ValueError`` that says why not.
* Properties: ``agrees`` holds exactly when ``how_agrees`` names a convention.

The counts (tried, clean, unnamed, other, silent) are printed by ``test_fuzz_counts`` and by
``python -m tests.fuzz_support``.
"""

from __future__ import annotations

import inspect
import math
import random
import sys
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fuzz_support as fs
from helpers import printed

FUNCTIONS = fs.public_functions()


@pytest.fixture(scope="module")
def results():
    """Every bad case of every fuzzed function, run once: {function: [(case, outcome, message)]}."""
    out = {}
    for name in sorted(fs.CALLS):
        out[name] = [(case, *fs.run_case(case)) for case in fs.bad_cases(name)]
    return out


# ------------------------------------------------------------------ coverage

def test_every_public_function_has_a_coverage_entry():
    missing = sorted(set(FUNCTIONS) - set(fs.CALLS) - set(fs.EXEMPT))
    assert not missing, f"public functions without a fuzz entry (add to CALLS or EXEMPT): {missing}"
    stale = sorted((set(fs.CALLS) | set(fs.EXEMPT)) - set(FUNCTIONS))
    assert not stale, f"fuzz entries for functions that are not public (any more): {stale}"
    assert not set(fs.CALLS) & set(fs.EXEMPT)
    assert len(FUNCTIONS) >= 100  # the enumeration found the package


def test_every_parameter_has_a_kind():
    unknown = []
    for name in fs.CALLS:
        for p in fs.parameters(FUNCTIONS[name]):
            if p.kind is inspect.Parameter.VAR_KEYWORD:
                continue
            kind = fs.kind_of(name, p.name)
            if kind is None or (kind != "skip" and kind not in fs.BAD):
                unknown.append(f"{name}({p.name})")
    assert not unknown, f"parameters without a kind (add a NAME_RULES pattern or a KIND_OVERRIDES entry): {unknown}"


def test_valid_calls_succeed():
    """The bad cases only mean something if the unmodified call is accepted."""
    failed = []
    for name in sorted(fs.CALLS):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                FUNCTIONS[name](**fs.CALLS[name]())
        except Exception as exc:  # noqa: BLE001
            failed.append(f"{name}: {type(exc).__name__}: {exc}")
        finally:
            fs._close_figures()
    assert not failed, "\n".join(failed)


# ------------------------------------------------------------------ bad input

@pytest.mark.parametrize("name", sorted(fs.CALLS))
def test_bad_input_gives_a_clean_value_error(results, name):
    bad = [f"{outcome}: {case.label}: {message}" for case, outcome, message in results[name]
           if outcome != "clean"]
    assert results[name] or not [p for p in fs.parameters(FUNCTIONS[name])
                                 if fs.kind_of(name, p.name) not in ("skip", None)]
    assert not bad, "\n".join(bad)


def test_fuzz_counts(results, capsys):
    total, per_module = fs.Counter(), {}
    for name, rows in results.items():
        for _, outcome, _ in rows:
            total["tried"] += 1
            total[outcome] += 1
            per_module.setdefault(name.split(".")[0], fs.Counter())[outcome] += 1
    with capsys.disabled():
        sys.stdout.write(f"\nfuzz: {len(FUNCTIONS)} public functions, {len(fs.CALLS)} fuzzed, "
                         f"{len(fs.EXEMPT)} exempt\n{fs.report(total, per_module)}\n")
    assert total["tried"] >= 2000
    assert total["clean"] == total["tried"], dict(total)
    assert total["other"] == total["silent"] == total["unnamed"] == 0


# ------------------------------------------------------------------ valid edge input

TABLES = {"zero cell": (0, 10, 3, 10), "all events": (10, 10, 3, 10), "n = 1": (1, 1, 0, 1),
          "separation": (10, 10, 0, 10), "no events": (0, 10, 0, 10), "only events": (10, 10, 10, 10)}


def _two(f, **kw):
    return lambda t: f(*t, **kw)


def _two_lists(f, **kw):
    return lambda t: f([t[0], t[2]], [t[1], t[3]], **kw)


from helpers import (crude_models, effects, fragility, meta, perpass, power, proportions,  # noqa: E402
                     pvalues, reconstruct, synthesis)

#: function on a 2x2 table (events_a, total_a, events_b, total_b) -> result fields that the
#: docstring says may be inf or NaN on these edge tables
EDGE = {
    "effects.risk_difference": (_two(effects.risk_difference), ()),
    "effects.risk_difference wald": (_two(effects.risk_difference, method="wald"), ()),
    "effects.risk_ratio": (_two(effects.risk_ratio), ()),
    "effects.risk_ratio haldane": (_two(effects.risk_ratio, correction="haldane"), ()),
    "effects.odds_ratio": (_two(effects.odds_ratio), ()),
    "effects.odds_ratio firth": (_two(effects.odds_ratio, method="firth"), ()),
    "effects.odds_ratio exact": (_two(effects.odds_ratio, method="exact"), ("estimate", "ci_high")),
    "effects.nnt": (_two(effects.nnt), ("estimate", "ci_low", "ci_high")),
    "crude_models.crude_fits": (_two(crude_models.crude_fits), ()),
    "fragility.fragility_index": (_two(fragility.fragility_index), ()),
    "fragility.reverse_fragility_index": (_two(fragility.reverse_fragility_index), ()),
    "pvalues.binary_ttest_pvalues": (_two(pvalues.binary_ttest_pvalues), ()),
    "pvalues.categorical_pvalues": (lambda t: pvalues.categorical_pvalues([[t[0], t[1] - t[0]],
                                                                           [t[2], t[3] - t[2]]]), ()),
    "power.tost_risk_difference": (_two(power.tost_risk_difference, margin=0.2), ()),
    "proportions.wilson": (lambda t: proportions.wilson(t[0], t[1]), ()),
    "proportions.clopper_pearson": (lambda t: proportions.clopper_pearson(t[0], t[1]), ()),
    "perpass.cochran_armitage": (_two_lists(perpass.cochran_armitage), ()),
    "perpass.logistic_trend": (_two_lists(perpass.logistic_trend),
                               ("odds_ratio", "ci_high", "p_wald", "intercept", "slope", "se_slope")),
    "meta.mantel_haenszel": (lambda t: meta.mantel_haenszel([t[0], 2], [t[1], 10], [t[2], 3], [t[3], 10]), ()),
    "meta.pool_proportions": (_two_lists(meta.pool_proportions), ()),
    "synthesis.log_odds_ratios": (lambda t: synthesis.log_odds_ratios([t[0]], [t[1]], [t[2]], [t[3]]), ()),
    "reconstruct.crude_odds_ratio": (lambda t: reconstruct.crude_odds_ratio(t[0], t[1] - t[0], t[2], t[3] - t[2]),
                                     ("result",)),
}


@pytest.fixture(scope="module")
def edge_results():
    """{(function, table): ("refused", message) or ("result", value)}, each computed once."""
    out = {}
    for name, (func, _) in EDGE.items():
        for table, cells in TABLES.items():
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    out[name, table] = ("result", func(cells))
            except ValueError as exc:  # a refusal that says why (e.g. "a cell of the 2x2 table is zero")
                out[name, table] = ("refused", str(exc))
            except Exception as exc:  # noqa: BLE001 - reported by the test below
                out[name, table] = ("crashed", f"{type(exc).__name__}: {exc}")
    return out


@pytest.mark.parametrize("table", sorted(TABLES))
@pytest.mark.parametrize("name", sorted(EDGE))
def test_valid_edge_input_gives_a_finite_or_documented_result(edge_results, name, table):
    kind, result = edge_results[name, table]
    assert kind != "crashed", f"{name} on {table}: {result}"
    if kind == "refused":
        assert len(result) > 20, f"{name} on {table}: a refusal must say why, got {result!r}"
        return
    documented = EDGE[name][1]
    nonfinite = [path for path, value in fs.finite_values(result) if not math.isfinite(value)]
    undocumented = [p for p in nonfinite if p.split(".")[-1].split("[")[0] not in documented]
    assert not undocumented, f"{name} on {table}: undocumented inf/NaN in {undocumented}"
    if nonfinite:  # the documented values are named in a docstring
        target = FUNCTIONS.get(name.split(" ")[0])
        docs = " ".join(filter(None, [target.__doc__ if target else "",
                                      type(result).__doc__ if not isinstance(result, float) else ""]))
        assert "inf" in docs or "NaN" in docs, f"{name}: non-finite {nonfinite} not documented"


def test_edge_cases_mostly_give_numbers(edge_results):
    """Guard against a harness that passes only because everything is refused."""
    answered = sum(kind == "result" for kind, _ in edge_results.values())
    assert answered >= len(edge_results) // 2, f"only {answered} of {len(edge_results)} edge cases answered"


# ------------------------------------------------------------------ properties

@st.composite
def printed_and_value(draw):
    decimals = draw(st.integers(0, 12))
    units = draw(st.integers(0, 10**6))
    text = f"{units / 10**decimals:.{decimals}f}"
    if draw(st.booleans()):
        text = "-" + text if units else text
    step = 10.0 ** -decimals
    value = float(text) + draw(st.floats(-1.5, 1.5)) * step
    return text, value


@settings(max_examples=50, deadline=None)
@given(printed_and_value())
def test_agrees_iff_how_agrees(pair):
    text, value = pair
    how = printed.how_agrees(value, text)
    assert printed.agrees(value, text) == (how is not None)
    assert printed.agrees(value, text, "round") == (how in ("rounding", "both"))
    assert printed.agrees(value, text, "truncate") == (how in ("truncation", "both"))


@settings(max_examples=30, deadline=None)
@given(printed_and_value())
def test_value_interval_holds_what_agrees_accepts(pair):
    text, value = pair
    if printed.agrees(value, text, "round"):
        low, high = printed.value_interval(text, "round")
        tol = max(1e-9 * max(abs(low), abs(high)), 1e-12)
        assert low - tol <= value <= high + tol


# ------------------------------------------------------------------ bigger budget

JUNK = [-(10**18), -1e300, -1, -0.5, 0, 1e-300, 0.5, 1, 2, 7, 1e300, 10**18, float("nan"),
        float("inf"), "", "nan", "0", "1e3", None, True, [], {}, (1,), b"1", object()]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(fs.CALLS))
def test_random_junk_never_escapes_as_another_exception(name):
    """Random junk in every fuzzable argument (several at once): ValueError or an answer."""
    rng = random.Random(f"fuzz-{name}")
    func = FUNCTIONS[name]
    params = [p.name for p in fs.parameters(func)
              if p.kind is not inspect.Parameter.VAR_KEYWORD and fs.kind_of(name, p.name) not in ("skip",)
              and fs.kind_of(name, p.name) not in ("path", "object")]
    if not params:
        pytest.skip("no fuzzable parameter")
    escaped = []
    for _ in range(60):
        kwargs = fs.CALLS[name]()
        for p in rng.sample(params, k=min(len(params), rng.randint(1, 2))):
            kwargs[p] = rng.choice(JUNK + fs.BAD[fs.kind_of(name, p)])
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                func(**kwargs)
        except ValueError:
            pass
        except Exception as exc:  # noqa: BLE001
            escaped.append(f"{ {k: kwargs[k] for k in params} }: {type(exc).__name__}: {exc}"[:300])
        finally:
            fs._close_figures()
    assert not escaped, "\n".join(escaped[:10])
