"""Tests of helpers.robplots: traffic-light and summary plots carry colour and symbol per judgement."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from helpers.robplots import JBI_SCALE, ROBINS_SCALE, summary_plot, traffic_light  # noqa: E402

ROWS = ["A", "B"]
COLS = ["D1", "D2", "D3"]
GRID = [["low", "serious", "no_information"], ["moderate", "critical", "low"]]


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_traffic_light_draws_a_symbol_in_every_cell():
    fig = traffic_light(ROWS, COLS, GRID, overall=["serious", "critical"], column_titles=["a", "b", "c"])
    symbols = [ROBINS_SCALE[v][1] for r in GRID for v in r] + ["×", "!"]
    texts = _texts(fig)
    assert sorted(t for t in texts if len(t) == 1) == sorted(symbols)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == COLS + ["Overall"]
    # the legend names each level with its symbol (never colour alone)
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {f"{s}  {w}" for _, s, w in ROBINS_SCALE.values()}
    plt.close(fig)


def test_summary_plot_weighted_shares():
    fig = summary_plot(COLS, GRID, weights=[3, 1], overall=["serious", "critical"])
    ax = fig.axes[0]
    widths = {}
    for patch, in zip(ax.patches):
        widths.setdefault(round(patch.get_y() + patch.get_height() / 2), []).append(round(patch.get_width(), 6))
    # D1: low (weight 3) 75%, moderate 25%; the overall bar: serious 75%, critical 25%
    assert widths[0] == [75.0, 25.0] and widths[3] == [75.0, 25.0]
    assert len([t for t in _texts(fig) if t in {"+", "−", "×", "!", "?"}]) == len(ax.patches)
    plt.close(fig)


def test_jbi_scale_works():
    fig = traffic_light(["S"], ["Q1", "Q2"], [["yes", "unclear"]], scale=JBI_SCALE)
    assert {"+", "?"} <= set(_texts(fig))
    plt.close(fig)


@pytest.mark.parametrize("call, word", [
    (lambda: traffic_light(ROWS, COLS, [["low"]]), "judgements"),
    (lambda: traffic_light(ROWS, COLS, [["low", "low", "bad"], ["low"] * 3]), "not a level"),
    (lambda: traffic_light(ROWS, COLS, GRID, overall=["low"]), "overall"),
    (lambda: traffic_light("AB", COLS, GRID), "rows"),
    (lambda: traffic_light(ROWS, COLS, GRID, scale={"low": "green"}), "scale"),
    (lambda: summary_plot(COLS, GRID, weights=[1, -1]), "weights"),
    (lambda: summary_plot(COLS, GRID, weights=[1]), "weights"),
    (lambda: summary_plot(COLS, []), "judgements"),
])
def test_bad_input(call, word):
    with pytest.raises(ValueError, match=word):
        call()
