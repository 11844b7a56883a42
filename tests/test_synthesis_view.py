"""Tests of helpers.synthesis_view: the synthesis chapter's wording helpers."""

import pytest

from helpers import synthesis_view as sv
from helpers.data import load_package


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
