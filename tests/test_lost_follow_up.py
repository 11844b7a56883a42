"""helpers.lost_follow_up: the denominator search for a printed p-value."""

from __future__ import annotations

import pytest

from helpers.consistency import candidate_totals
from helpers.formatting import p_value
from helpers.lost_follow_up import denominator_search
from helpers.pvalues import categorical_pvalues


def test_finds_the_smaller_table_a_printed_p_came_from():
    # 10/40 vs 20/45 printed as percentages of the full groups would be 25.0% and 44.4%; the
    # p-value printed is Fisher's on 10/38 vs 20/44, i.e. two patients without an outcome.
    p = categorical_pvalues([[10, 28], [20, 24]])["p"]["fisher"]
    printed_p = p_value(p, 3)
    fits_a, fits_b, hits = denominator_search("26.3%", 40, "45.5%", 45, printed_p)
    assert (10, 38) in fits_a and (20, 44) in fits_b
    assert (10, 38, 20, 44) in hits
    # every hit is a pair of fits, and the fits are exactly candidate_totals'
    assert all((ka, da) in fits_a and (kb, db) in fits_b for ka, da, kb, db in hits)
    assert fits_a == candidate_totals("26.3%", min_total=1, max_total=40)


def test_no_hit_when_nothing_gives_the_p():
    _, _, hits = denominator_search("50.0%", 10, "50.0%", 10, "0.001")
    assert hits == []


@pytest.mark.parametrize("kwargs, match", [
    ({"max_a": 0}, "max_a must be a positive integer"),
    ({"max_b": 2.5}, "max_b must be a positive integer"),
    ({"p_printed": ""}, "p_printed must be the p as printed"),
])
def test_bad_input_names_the_argument(kwargs, match):
    args = {"printed_a": "50.0%", "max_a": 10, "printed_b": "50.0%", "max_b": 10, "p_printed": "0.5"}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        denominator_search(**args)
