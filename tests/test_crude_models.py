"""Tests for helpers.crude_models against R 4.2.2 (glm, MASS confint, sandwich::vcovHC, spline).

Reference values: tests/fixtures/crude_models/reference.json, produced by make_reference.R in the
same folder (R 4.2.2, sandwich 3.0.2, MASS 7.3-58.2); the six tables are the Table 1 counts of
Alexandre et al. 2026 (MT+RS first, MT-only reference).
"""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from conftest import examples
from scipy.stats import chi2

from helpers.crude_models import (crude_fits, crude_table, fmm_spline, mass_profile_interval,
                                  match_printed, poisson_profile_rr, r_confint_glm)

REF = json.loads((Path(__file__).parent / "fixtures" / "crude_models" / "reference.json").read_text())
TABLES = {"mrs02": (84, 172, 64, 131), "mrs03": (112, 172, 77, 131), "mtici": (164, 172, 105, 131),
          "reocc": (15, 149, 2, 87), "sich": (20, 172, 6, 131), "mort": (21, 172, 20, 131)}


#: The fixture fits glm to convergence (epsilon 1e-14); MASS profiling refits with the same control.
#: Agreement is to about 1e-7 relative.
R_TOL = 1e-6


def _fit(fits, measure, model, interval):
    hits = [f for f in fits if f.measure == measure and f.model == model and f.interval == interval]
    assert len(hits) == 1, (measure, model, interval)
    return hits[0]


@pytest.mark.parametrize("key", sorted(TABLES))
def test_wald_and_robust_against_r(key):
    fits = crude_fits(*TABLES[key])
    pois, logit, logbin = REF[key]["poisson"], REF[key]["logit"], REF[key]["logbin"]
    f = _fit(fits, "RR", "Poisson GLM, log link", "Wald, model-based SE")
    assert f.estimate == pytest.approx(pois["estimate"], rel=R_TOL)
    assert (f.ci_low, f.ci_high, f.p) == pytest.approx((pois["wald_low"], pois["wald_high"], pois["p_wald"]), rel=R_TOL)
    assert f.p_lr == pytest.approx(pois["p_lr"], rel=R_TOL)
    for hc in ("HC0", "HC1", "HC3"):
        f = _fit(fits, "RR", "Poisson GLM, log link", f"Wald, robust SE ({hc})")
        assert (f.ci_low, f.ci_high, f.p) == pytest.approx((pois[f"{hc}_low"], pois[f"{hc}_high"], pois[f"{hc}_p"]), rel=R_TOL)
    for hc in ("HC1", "HC3"):
        f = _fit(fits, "OR", "logistic GLM", f"Wald, robust SE ({hc})")
        assert (f.ci_low, f.ci_high, f.p) == pytest.approx((logit[f"{hc}_low"], logit[f"{hc}_high"], logit[f"{hc}_p"]), rel=R_TOL)
    f = _fit(fits, "OR", "logistic GLM", "Wald, model-based SE (= Woolf)")
    assert (f.estimate, f.ci_low, f.ci_high, f.p) == pytest.approx(
        (logit["estimate"], logit["wald_low"], logit["wald_high"], logit["p_wald"]), rel=R_TOL)
    f = _fit(fits, "RR", "binomial GLM, log link", "Wald, model-based SE (= Katz)")
    assert (f.ci_low, f.ci_high, f.p) == pytest.approx((logbin["wald_low"], logbin["wald_high"], logbin["p_wald"]), rel=R_TOL)
    assert f.p_lr == pytest.approx(logbin["p_lr"], rel=R_TOL)


@pytest.mark.parametrize("key", sorted(TABLES))
@pytest.mark.parametrize("family,ref_key", [("poisson", "poisson"), ("binomial", "logit")])
def test_r_confint_glm_reproduces_r(key, family, ref_key):
    est, lo, hi = r_confint_glm(*TABLES[key], family)
    r = REF[key][ref_key]
    assert est == pytest.approx(r["estimate"], rel=R_TOL)  # R glm converges to ~1e-8
    assert (lo, hi) == pytest.approx((r["profile_low"], r["profile_high"]), rel=R_TOL)


def test_exact_poisson_profile_differs_from_r_sampled_one():
    # R (MASS spline) gives 27.7902 for the re-occlusion table; the exact profile root is 27.78
    _, lo, hi, _ = poisson_profile_rr(*TABLES["reocc"])
    assert round(hi, 2) == 27.78
    assert round(REF["reocc"]["poisson"]["profile_high"], 2) == 27.79


def test_fmm_spline_against_r():
    sp = REF["spline"]
    out = fmm_spline(sp["x"], sp["y"], sp["xout"])
    np.testing.assert_allclose(out, sp["yout"], rtol=1e-10, atol=1e-12)


@given(st.integers(1, 60), st.integers(2, 200), st.integers(1, 60), st.integers(2, 200))
@settings(max_examples=examples(6), deadline=None)
def test_properties(ea, na, eb, nb):
    if ea >= na or eb >= nb:
        return
    fits = crude_fits(ea, na, eb, nb)
    rr = (ea / na) / (eb / nb)
    orr = (ea * (nb - eb)) / ((na - ea) * eb)
    for f in fits:
        assert f.ci_low <= f.estimate <= f.ci_high
        assert 0 < f.p <= 1 and 0 < f.p_lr <= 1
        if f.measure == "RR":
            assert f.estimate == pytest.approx(rr, rel=1e-9)
        elif f.model in ("logistic GLM",):
            assert f.estimate == pytest.approx(orr, rel=1e-9)
    # exact Poisson profile bounds: deviance rise equals the chi-square cut-off
    est, lo, hi, _ = poisson_profile_rr(ea, na, eb, nb)
    theta = math.log(est)

    def ll(t):
        lam = (ea + eb) / (na * math.exp(t) + nb)
        return ea * t + (ea + eb) * math.log(lam) - lam * (na * math.exp(t) + nb)

    for b in (lo, hi):
        assert 2 * (ll(theta) - ll(math.log(b))) == pytest.approx(chi2.ppf(0.95, 1), rel=1e-6)


def test_match_printed_finds_the_r_poisson_profile_for_reocclusion():
    t = match_printed(crude_fits(*TABLES["reocc"]), "4.38", "1.24", "27.79", "0.04")
    ok = t[t["all_ok"]]
    assert list(ok["interval"]) == ["profile, R confint(glm) (sampled + spline)"]
    assert list(ok["model"]) == ["Poisson GLM, log link"]


def test_match_printed_table_input_and_no_p():
    t = match_printed(crude_table(*TABLES["mrs03"]), "1.31", "0.82", "2.09")
    assert t["p_ok"].all()
    assert set(t.loc[t["all_ok"], "measure"]) == {"OR"}


@pytest.mark.parametrize("args", [(0, 10, 3, 10), (3, 10, 10, 10), (5, 4, 1, 10), (-1, 10, 2, 10)])
def test_bad_tables_raise(args):
    with pytest.raises(ValueError):
        crude_fits(*args)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="family"):
        r_confint_glm(3, 10, 4, 10, "gaussian")
    with pytest.raises(ValueError, match="level"):
        crude_fits(3, 10, 4, 10, level=1.5)
    with pytest.raises(ValueError, match="fits"):
        match_printed([], "1.0", "0.5", "2.0")
    with pytest.raises(ValueError):
        fmm_spline([0, 0, 1], [1, 2, 3], [0.5])
    with pytest.raises(ValueError):
        mass_profile_interval(lambda t: t * t, 0.0, -1.0)
