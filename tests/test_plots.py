"""Tests for helpers.plots: deterministic saving, forest plot structure, proportion intervals, bad input.

Reference values for the Wilson intervals are quoted from Newcombe RG. Two-sided confidence
intervals for the single proportion. Stat Med 1998;17:857-872, Table I (method 3, score interval):
81/263 -> 0.2553-0.3662; 15/148 -> 0.0624-0.1605; 0/20 -> 0-0.1611.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from helpers.plots import PALETTE, STYLE, forest_plot, proportion_plot, save_figure, styled, use_style  # noqa: E402

LABELS = ["A", "B", "C", "D", "E"]
EST = [0.5, 0.8, 1.2, 0.9, 0.4]
LO = [0.2, 0.5, 0.7, 0.6, 0.1]
HI = [1.1, 1.3, 2.0, 1.4, 1.6]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _gids(ax, gid):
    artists = list(ax.lines) + list(ax.patches) + list(ax.texts)
    return [a for a in artists if a.get_gid() == gid]


def _forest():
    return forest_plot(LABELS, EST, LO, HI, weights=[10, 20, 30, 25, 15], pooled=(0.8, 0.6, 1.05),
                       prediction=(0.35, 1.8), xlabel="Odds ratio")


@pytest.mark.parametrize("suffix", ["png", "svg", "pdf"])
def test_saving_twice_gives_identical_bytes(tmp_path, suffix):
    ax = _forest()
    first = save_figure(ax.figure, tmp_path / f"a.{suffix}").read_bytes()
    second = save_figure(ax.figure, tmp_path / f"b.{suffix}").read_bytes()
    assert first == second and len(first) > 1000
    # a fresh figure drawn from the same inputs gives the same bytes too
    third = save_figure(_forest().figure, tmp_path / f"c.{suffix}").read_bytes()
    assert third == first


def test_saved_files_carry_no_date_or_version(tmp_path):
    svg = save_figure(_forest().figure, tmp_path / "f.svg").read_text()
    assert "<dc:date>" not in svg and matplotlib.__version__ not in svg
    png = save_figure(_forest().figure, tmp_path / "f.png").read_bytes()
    assert b"Software" not in png and matplotlib.__version__.encode() not in png


def test_forest_plot_rows_and_markers():
    ax = _forest()
    assert len(_gids(ax, "study-marker")) == 5
    assert len(_gids(ax, "study-ci")) == 5
    assert len(_gids(ax, "pooled")) == 1
    assert len(_gids(ax, "prediction")) == 1
    assert [t.get_text() for t in ax.get_yticklabels()] == LABELS + ["Random effects", "Prediction interval"]
    texts = [t.get_text() for t in _gids(ax, "study-text")]
    assert texts[0] == "0.50 (0.20 to 1.10)"
    assert ax.get_xscale() == "log"
    # marker area grows with weight: largest weight (C) has the largest square
    sizes = [m.get_markersize() for m in _gids(ax, "study-marker")]
    assert sizes.index(max(sizes)) == 2
    # the diamond spans the pooled CI
    xs = _gids(ax, "pooled")[0].get_xy()[:, 0]
    assert min(xs) == pytest.approx(0.6) and max(xs) == pytest.approx(1.05)


def test_forest_plot_groups_and_linear_scale():
    ax = forest_plot(LABELS, [-0.1, 0.2, 0.0, 0.3, -0.4], [-0.5, -0.1, -0.3, 0.0, -0.9],
                     [0.3, 0.5, 0.3, 0.6, 0.1], log_scale=False, null=0.0, group=["x", "y", "x", "y", "y"],
                     annotate=False)
    headers = [t.get_text() for t in _gids(ax, "group-header")]
    assert headers == ["x", "y"]
    assert len(_gids(ax, "study-marker")) == 5 and not _gids(ax, "study-text")
    assert ax.get_xscale() == "linear"


def test_forest_plot_accepts_result_objects():
    from helpers.meta import random_effects

    res = random_effects([0.1, 0.3, 0.2], [0.04, 0.05, 0.03])
    ax = forest_plot(["a", "b", "c"], [0.1, 0.3, 0.2], [-0.3, -0.1, -0.1], [0.5, 0.7, 0.5], pooled=res,
                     prediction=(res.pi_low, res.pi_high), log_scale=False, null=0.0, weights=res.weights)
    assert len(_gids(ax, "pooled")) == 1


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"ci_low": [0.2, 0.5, 2.5, 0.6, 0.1]}, "wrong order"),
        ({"estimates": [0.5, 0.8]}, "lengths differ"),
        ({"estimates": [0.5, 0.8, 3.0, 0.9, 0.4]}, "outside"),
        ({"ci_low": [0.0, 0.5, 0.7, 0.6, 0.1]}, "positive"),
        ({"ci_high": [1.1, 1.3, float("nan"), 1.4, 1.6]}, "finite"),
        ({"weights": [1, 2, 3, 4, 0]}, "weights"),
        ({"pooled": (0.8, 1.0, 0.6)}, "wrong order"),
        ({"pooled": (0.8, 0.6)}, "pooled"),
        ({"prediction": (0.3, 1.2)}, "needs pooled"),
        ({"labels": "ABCDE"}, "string"),
    ],
)
def test_forest_plot_rejects_bad_input(kwargs, match):
    args = {"labels": LABELS, "estimates": EST, "ci_low": LO, "ci_high": HI}
    extra = {k: v for k, v in kwargs.items() if k not in args}
    args.update({k: v for k, v in kwargs.items() if k in args})
    with pytest.raises(ValueError, match=match):
        forest_plot(args["labels"], args["estimates"], args["ci_low"], args["ci_high"], **extra)


def test_proportion_plot_matches_newcombe_wilson_intervals():
    ax = proportion_plot(["a", "b", "c"], [81, 15, 0], [263, 148, 20])
    cis = [line.get_xdata() for line in _gids(ax, "proportion-ci")]
    expected = [(25.53, 36.62), (6.24, 16.05), (0.0, 16.11)]
    for (lo, hi), (elo, ehi) in zip(cis, expected):
        assert round(lo, 2) == pytest.approx(elo, abs=0.006) and round(hi, 2) == pytest.approx(ehi, abs=0.006)
    assert len(_gids(ax, "proportion-marker")) == 3
    assert _gids(ax, "proportion-text")[0].get_text() == "81/263 (30.8%)"


def test_proportion_plot_groups_and_exact_method():
    ax = proportion_plot(["a", "b", "c", "d"], [1, 2, 3, 4], [10, 10, 10, 10], groups=["g1", "g2", "g1", "g2"],
                         method="clopper-pearson")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["g1", "g2"]
    colours = {m.get_color() for m in _gids(ax, "proportion-marker")}
    assert len(colours) == 2
    # exact lower bound for 1 event in 10 has the closed form 1 - 0.975**(1/10) (Clopper & Pearson 1934),
    # and the exact interval is wider than Wilson's at both ends here
    wil = proportion_plot(["a"], [1], [10])
    cp_line = _gids(ax, "proportion-ci")[0].get_xdata()
    w_line = _gids(wil, "proportion-ci")[0].get_xdata()
    assert cp_line[0] == pytest.approx(100 * (1 - 0.975 ** (1 / 10)), rel=1e-9)
    assert cp_line[0] < w_line[0] and cp_line[1] > w_line[1]


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        ((["a"], [5], [4]), {}, "exceeds"),
        ((["a"], [-1], [4]), {}, "negative"),
        ((["a"], [1], [0]), {}, "at least 1"),
        ((["a", "b"], [1], [4]), {}, "lengths differ"),
        ((["a"], [1], [4]), {"method": "wald"}, "method"),
        ((["a"], [1], [4]), {"groups": ["x", "y"]}, "lengths differ"),
        ((["a"], [1.5], [4]), {}, "whole"),
    ],
)
def test_proportion_plot_rejects_bad_input(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        proportion_plot(*args, **kwargs)


def test_save_figure_rejects_bad_input(tmp_path):
    fig = _forest().figure
    with pytest.raises(ValueError, match="path"):
        save_figure(fig, tmp_path / "x.jpg")
    with pytest.raises(ValueError, match="fig"):
        save_figure("not a figure", tmp_path / "x.png")
    with pytest.raises(ValueError, match="dpi"):
        save_figure(fig, tmp_path / "x.png", dpi=0)


def test_style_is_colour_blind_palette_and_dejavu():
    assert PALETTE["vermillion"] == "#D55E00" and PALETTE["blue"] == "#0072B2"  # Okabe & Ito 2008
    before = matplotlib.rcParams["font.size"]
    with styled():
        assert matplotlib.rcParams["font.sans-serif"][0] == "DejaVu Sans"
        assert matplotlib.rcParams["font.size"] == STYLE["font.size"]
    assert matplotlib.rcParams["font.size"] == before
    with matplotlib.rc_context():
        use_style()
        assert matplotlib.rcParams["axes.spines.top"] is False


@settings(max_examples=15, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), min_size=1, max_size=5))
def test_proportion_intervals_contain_point(pairs):
    counts = [c for c, _ in pairs]
    totals = [c + extra + 1 for c, extra in pairs]
    ax = proportion_plot([str(i) for i in range(len(pairs))], counts, totals, annotate=False)
    for ci, marker in zip(_gids(ax, "proportion-ci"), _gids(ax, "proportion-marker")):
        lo, hi = ci.get_xdata()
        assert 0 <= lo <= marker.get_xdata()[0] <= hi <= 100
    plt.close("all")


def test_forest_plot_labels_the_side_each_direction_favours():
    import matplotlib.pyplot as plt
    from helpers.plots import forest_plot

    ax = forest_plot(["A", "B"], [0.8, 1.5], [0.5, 1.1], [1.2, 2.0],
                     favours=("favours stenting", "favours no stenting"))
    texts = {t.get_gid(): t for t in ax.texts}
    assert "favours stenting" in texts["favours-left"].get_text()
    assert texts["favours-left"].get_ha() == "right" and texts["favours-right"].get_ha() == "left"
    assert texts["favours-left"].get_position()[0] == 1.0  # at the null line
    plt.close(ax.figure)
    for bad in ("one", ("only one",), ("a", "")):
        with pytest.raises(ValueError, match="favours"):
            forest_plot(["A"], [1.2], [1.0], [1.5], favours=bad)
    with pytest.raises(ValueError, match="favours needs null"):
        forest_plot(["A"], [1.2], [1.0], [1.5], null=None, favours=("a", "b"))


def test_proportion_plot_groups_differ_in_marker_shape_not_only_colour():
    import matplotlib.pyplot as plt
    from helpers.plots import proportion_plot

    ax = proportion_plot(["a", "b", "c"], [1, 2, 3], [10, 10, 10], groups=["x", "y", "x"])
    markers = [line.get_marker() for line in ax.lines if line.get_gid() == "proportion-marker"]
    assert markers[0] == markers[2] != markers[1]
    plt.close(ax.figure)


def test_style_draws_png_at_twice_the_css_resolution():
    from helpers.plots import COLUMN_WIDTH, MAX_WIDTH, STYLE

    assert STYLE["figure.dpi"] == STYLE["savefig.dpi"] == 200
    assert min(STYLE[k] for k in ("font.size", "xtick.labelsize", "ytick.labelsize", "legend.fontsize")) >= 9
    # the desktop column is 672 CSS px: 1:1 is 100 px per inch, MAX_WIDTH keeps >= 80 px per inch
    assert round(COLUMN_WIDTH * 100) == 670 and MAX_WIDTH * 80 <= 672


def test_annotated_plots_stay_within_their_figure_width(tmp_path):
    from PIL import Image
    from helpers.plots import forest_plot, proportion_plot, save_figure

    for draw in (lambda ax: proportion_plot(["a long label", "b"], [3, 40], [60, 61], groups=["x", "y"], ax=ax),
                 lambda ax: forest_plot(["study one", "study two"], [0.8, 1.5], [0.5, 1.1], [1.2, 2.0], ax=ax)):
        fig, ax = plt.subplots(figsize=(6.0, 2.5))
        draw(ax)
        path = save_figure(fig, tmp_path / "f.png", dpi=100)
        plt.close(fig)
        with Image.open(path) as image:
            width_in = image.size[0] / 100
        assert width_in <= 6.0 + 0.25, f"saved {width_in:.2f} in wide from a 6-inch figure"
