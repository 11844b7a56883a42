"""Tests of helpers.synthesis_view: the synthesis chapter's wording, tables and figures."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from scipy.special import expit  # noqa: E402

from helpers import synthesis_view as sv  # noqa: E402
from helpers.data import load_package  # noqa: E402
from helpers.effects import odds_ratio  # noqa: E402
from helpers.meta import leave_one_out, pool_proportions  # noqa: E402
from helpers.rob import load_appraisal  # noqa: E402
from helpers.sof import OUTCOMES  # noqa: E402


def test_formatting():
    assert sv.pct(0.4878) == "48.8%"
    assert sv.pct_ci(0.062, 0.196) == "6.2% to 19.6%"
    assert sv.plain("mRS >=3, 1-2, n=5") == "mRS ≥ 3, 1–2, n = 5"
    assert sv.ratio_ci(0.004, 726.3) == "0.004 to 726"
    assert sv.month("2020-01") == "January 2020"


def test_package_wording():
    pkg = load_package()
    studies = pkg["studies"].set_index("study")
    arms = pkg["arms"].set_index(["study", "arm"])
    assert sv.period(studies, "lee2025") == "January 2017 to December 2023"
    assert sv.period(studies, "baek2022") == "not stated"
    assert sv.definition(pkg["definitions"], "baek2022", "sich") == "not stated in the text we have"
    assert "0–2" in sv.definition(pkg["definitions"], "lee2025", "favourable_outcome") or \
        "≤ 2" in sv.definition(pkg["definitions"], "lee2025", "favourable_outcome")
    assert sv.arm_text(arms, "lee2025", ["early", "late"]) == "Early RS (n = 27); Late RS (n = 29)"
    assert "IPTW" not in sv.design(studies, "alexandre2026")
    with pytest.raises(ValueError, match="definitions"):
        sv.definition(studies, "lee2025", "sich")


# ------------------------------------------------------------------------------ the chapter's plumbing


@pytest.fixture(scope="module")
def world():
    pkg = load_package()
    appraisal = load_appraisal()
    rows = sv.single_arm_rows(appraisal["synthesis_inputs"])
    inputs, pooled = sv.pool_rates(pkg["proportions"], rows)
    labels = {s: str(l) for s, l in zip(pkg["studies"]["study"], pkg["studies"]["label"])}
    return {"pkg": pkg, "appraisal": appraisal, "rows": rows, "inputs": inputs, "pooled": pooled,
            "labels": labels, "order": list(pkg["studies"]["study"])}


def test_and_join():
    assert sv.and_join(["A"]) == "A"
    assert sv.and_join(["A", "B"]) == "A and B"
    assert sv.and_join(iter(["A", "B", "C"])) == "A, B and C"
    with pytest.raises(ValueError, match="items"):
        sv.and_join("AB")
    with pytest.raises(ValueError, match="items"):
        sv.and_join([])


def test_single_arm_rows_are_the_pooled_rows_of_the_table(world):
    t = world["appraisal"]["synthesis_inputs"]
    pooled_rows = t[(t["analysis"] == "single_arm") & (t["use"] == "pool")]
    rows = world["rows"]
    assert list(rows) == [o for o in OUTCOMES if o in set(pooled_rows["outcome"])]
    ids = [i for spec in rows.values() for ids in spec.values() for i in ids]
    assert sorted(ids) == sorted(pooled_rows["data_row"])
    assert all(i.startswith(f"{s}-") for spec in rows.values() for s, ids in spec.items() for i in ids)
    with pytest.raises(ValueError, match="synthesis_inputs"):
        sv.single_arm_rows(world["pkg"]["studies"])


def test_stented_patients_add_the_arms(world):
    arms = world["pkg"]["arms"].set_index(["study", "arm"])
    n = sv.stented_patients(world["appraisal"]["synthesis_inputs"], arms)
    assert n["lee2025"] == int(arms.loc[("lee2025", "early"), "n"]) + int(arms.loc[("lee2025", "late"), "n"])
    assert set(n) == {s for spec in world["rows"].values() for s in spec}


def test_pool_rates_is_pool_proportions(world):
    for o, t in world["inputs"].items():
        direct = pool_proportions(t["events"], t["total"], method="REML", knha=True)
        assert world["pooled"][o].estimate == pytest.approx(direct.estimate)
        assert world["pooled"][o].k == len(t) == len(world["rows"][o])
    _, z = sv.pool_rates(world["pkg"]["proportions"], world["rows"], knha=False)
    assert all(z[o].ci_high - z[o].ci_low < world["pooled"][o].ci_high - world["pooled"][o].ci_low for o in z)


def test_crude_comparisons(world):
    comp = sv.crude_comparisons(world["pkg"]["proportions"], world["appraisal"]["synthesis_inputs"])
    assert comp and all(len(per) > 1 for per in comp.values())
    for per in comp.values():
        for c in per:
            e = odds_ratio(c["ea"], c["na"], c["eb"], c["nb"], method="wald")
            assert c["or"].estimate == pytest.approx(e.estimate) and c["ea"] <= c["na"]
    table = sv.comparison_table(comp, world["labels"])
    assert len(table) == len({c["study"] for per in comp.values() for c in per})
    fig = sv.comparison_forest(comp, world["labels"], show=False)
    assert len(fig.axes) == len(comp) and len({ax.get_xlim() for ax in fig.axes}) == 1
    plt.close(fig)


def test_tables_of_the_rates(world):
    w = world
    counts = sv.counts_table(w["pkg"]["proportions"], w["inputs"], w["rows"], w["labels"], w["order"])
    assert list(counts.columns) == ["Study", *OUTCOMES.values()]
    assert len(counts) == len({s for spec in w["rows"].values() for s in spec})
    assert counts.iloc[:, 1:].stack().str.match(r"^(\d+/\d+ \(\d+\.\d%\)( [†‡§])*|not reported)$").all()
    summary = sv.pooled_summary(w["pooled"], w["pooled"])
    assert len(summary) == len(w["pooled"]) and summary["τ²"].str.match(r"^\d\.\d{3}$").all()
    fig = sv.rates_forest(w["inputs"], w["pooled"], w["labels"], show=False)
    assert len(fig.axes) == len(w["inputs"]) and all(ax.get_xlim() == (0, 100) for ax in fig.axes)
    plt.close(fig)


def test_leave_one_out(world):
    w = world
    o = "favourable"
    loo = sv.leave_one_out_rates(w["inputs"], w["pooled"], o)
    r = w["pooled"][o]
    raw = leave_one_out(r.yi, r.vi, labels=list(w["inputs"][o]["study"]), method="REML", knha=True)
    assert list(loo.index) == list(w["inputs"][o]["study"])
    assert loo["estimate"].to_numpy() == pytest.approx(expit(raw["estimate"]).to_numpy())
    with pytest.raises(ValueError, match="outcome"):
        sv.leave_one_out_rates(w["inputs"], w["pooled"], "no_such_outcome")
    table = sv.leave_one_out_table(w["inputs"], w["pooled"], w["labels"], w["order"])
    assert table["Left out"].iloc[-1] == "None (all studies)"
    assert len(table) == len({s for t in w["inputs"].values() for s in t["study"]}) + 1


def test_without_each_and_denominator_alternatives(world):
    w = world
    drop = list(w["inputs"]["mortality"]["study"])[:2]
    table, long = sv.without_each(w["inputs"], w["pooled"], drop, w["labels"])
    assert len(long) == len(drop) * len(w["inputs"]) and len(table) == len(drop) + 1
    kept = w["inputs"]["sich"][w["inputs"]["sich"]["study"] != drop[0]]
    direct = pool_proportions(kept["events"], kept["total"], method="REML", knha=True)
    got = long[(long["outcome"] == "sich") & (long["Without"] == w["labels"][drop[0]])]["Pooled %"].iloc[0]
    assert got == pytest.approx(100 * direct.estimate)
    with pytest.raises(ValueError, match="drop"):
        sv.without_each(w["inputs"], w["pooled"], drop[0], w["labels"])
    t = w["inputs"]["mortality"]
    s, k, n = t["study"].iloc[0], int(t["events"].iloc[0]), int(t["total"].iloc[0])
    alt = sv.denominator_alternatives(t, s, [(k, n), (k + 1, n + 1)], "X", n)
    assert list(alt.iloc[:, 0]) == [f"{k}/{n} (as used)", f"{k + 1}/{n + 1}"]
    assert alt["estimate"].iloc[0] == pytest.approx(w["pooled"]["mortality"].estimate)
    with pytest.raises(ValueError, match="study"):
        sv.denominator_alternatives(t, "nobody2099", [(1, 2)], "X", 2)


def test_audit_by_study_counts_every_check():
    from helpers.audit import COLUMNS

    verdicts = ["consistent", "inconsistent", "consistent", "unverifiable", "consistent", "explained"]
    audit = pd.DataFrame({c: [""] * len(verdicts) for c in COLUMNS})
    audit["study"] = ["a", "a", "b", "b", "b", "b"]
    audit["verdict"] = verdicts
    t = sv.audit_by_study(audit, {"a": "A 2020", "b": "B 2021", "c": "C 2022"}, ["a", "b", "c"])
    assert t.to_dict("list") == {"Study": ["A 2020", "B 2021", "C 2022"], "Checks run": [2, 4, 0],
                                 "Consistent": [1, 2, 0], "Explained": [0, 1, 0], "Inconsistent": [1, 0, 0],
                                 "Unverifiable": [0, 1, 0]}
    with pytest.raises(ValueError, match="verdicts"):
        sv.audit_by_study(audit.assign(verdict="maybe"), {"a": "A", "b": "B"}, ["a", "b"])


def test_inputs_audited_needs_one_check_per_row(world):
    empty = pd.DataFrame(columns=["study", "location", "item", "check", "verdict"])
    with pytest.raises(ValueError, match="percentage checks"):
        sv.inputs_audited(empty, world["pkg"]["proportions"], world["rows"])


def test_overlap_pairs(world):
    possible = sv.overlap_pairs(world["appraisal"])
    table = world["appraisal"]["overlap"]
    assert possible == [(r.study_a, r.study_b) for r in table.itertuples() if r.status == "possible"]
    assert all(a != b for a, b in possible + sv.overlap_pairs(world["appraisal"], "not_suspected"))
    with pytest.raises(ValueError, match="status"):
        sv.overlap_pairs(world["appraisal"], "likely")
    with pytest.raises(ValueError, match="appraisal"):
        sv.overlap_pairs({})


def test_studies_side_by_side(world):
    pkg, appraisal = world["pkg"], world["appraisal"]
    n = len(pkg["studies"])
    chars = sv.characteristics_table(pkg, appraisal)
    with_arms = pkg["studies"]["study"].isin(set(pkg["arms"]["study"])).to_numpy()
    assert len(chars) == n and chars["Groups (n)"][with_arms].str.contains(r"\(n = \d+\)").all()
    # a paper scaffolded by make new-paper (no arms, no appraisal yet) is listed, and says so
    assert (chars["Groups (n)"][~with_arms] == "none recorded yet").all()
    bias = sv.comparison_bias_table(pkg, appraisal)
    assert len(bias) == n and list(bias["Study"]) == list(chars["Study"])
    no_arms = {**pkg, "studies": pd.concat([pkg["studies"], pkg["studies"].iloc[[0]].assign(
        study="notyet0000", label="Notyet 0000")], ignore_index=True)}
    assert sv.characteristics_table(no_arms, appraisal)["Groups (n)"].iloc[-1] == "none recorded yet"
    assert sv.comparison_bias_table(no_arms, appraisal).iloc[-1, -1] == "not appraised yet"
    assert set(sv.definitions_table(no_arms).iloc[-1, 1:]) == {"not stated in the text we have"}
    defs = sv.definitions_table(pkg)
    assert list(defs.columns) == ["Study", *sv.DEFINED_OUTCOMES.values()] and len(defs) == n
    with pytest.raises(ValueError, match="pkg"):
        sv.definitions_table({})
