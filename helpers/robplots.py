"""Risk-of-bias figures in the conventions of robvis (McGuinness LA, Higgins JPT. Risk-of-bias
VISualization (robvis): an R package and Shiny web app for visualizing risk-of-bias assessments.
*Res Syn Meth* 2021;12:55-61), drawn with matplotlib in the book's style.

* :func:`traffic_light`: one row per study (or comparison), one column per domain plus the
  overall judgement; each cell a filled circle whose colour *and* symbol give the judgement
  (robvis symbols: ``+`` low, ``−`` moderate, ``×`` serious, ``!`` critical, ``?`` no
  information), with a legend naming both.
* :func:`summary_plot`: one horizontal bar per domain (and the overall), split into the share of
  the evidence at each level of risk; with ``weights`` each study counts by its weight (e.g. its
  number of participants), as robvis's weighted summary plot does. Each segment carries the
  judgement's symbol, so the bar reads without colour.

The colours are the Okabe & Ito colour-blind-safe palette of :data:`helpers.plots.PALETTE`, not
robvis's red/green, and the figures use :func:`helpers.plots.styled`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.transforms import offset_copy
from matplotlib.patches import Patch

from .validation import check_reals
from .plots import PALETTE, _check_ax, styled

__all__ = ["ROBINS_SCALE", "JBI_SCALE", "traffic_light", "summary_plot"]

#: judgement -> (colour, symbol, words), least to most severe, for ROBINS-I
ROBINS_SCALE = {
    "low": (PALETTE["bluish_green"], "+", "Low"),
    "moderate": (PALETTE["yellow"], "−", "Moderate"),
    "serious": (PALETTE["orange"], "×", "Serious"),
    "critical": ("#9E3A00", "!", "Critical"),  # vermilion darkened, to stand apart from serious
    "no_information": ("#BBBBBB", "?", "No information"),
}
#: answer -> (colour, symbol, words) for checklists such as JBI's (yes is the good answer)
JBI_SCALE = {
    "yes": (PALETTE["bluish_green"], "+", "Yes"),
    "unclear": (PALETTE["yellow"], "?", "Unclear"),
    "no": (PALETTE["vermillion"], "×", "No"),
    "not_applicable": ("#BBBBBB", "–", "Not applicable"),
}


def _ink(colour) -> str:
    """Black or white, whichever reads better on ``colour`` (relative luminance)."""
    r, g, b = mpl.colors.to_rgb(colour)
    return "white" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.35 else "black"


def _check_scale(scale) -> dict:
    if not isinstance(scale, Mapping) or not scale:
        raise ValueError("scale must map each judgement to (colour, symbol, words)")
    for key, value in scale.items():
        if not (isinstance(value, tuple) and len(value) == 3):
            raise ValueError(f"scale[{key!r}] must be a (colour, symbol, words) triple, got {value!r}")
    return dict(scale)


def _grid(judgements):
    if isinstance(judgements, (str, bytes)) or not isinstance(judgements, Sequence):
        return None
    if any(isinstance(r, (str, bytes)) or not isinstance(r, Sequence) for r in judgements):
        return None
    return [list(r) for r in judgements]


def _overall(overall) -> list:
    if isinstance(overall, (str, bytes)) or not isinstance(overall, Sequence):
        raise ValueError(f"overall must be a sequence of judgements, one per row, got {overall!r}"[:120])
    return list(overall)


def _labels(values, name) -> list[str]:
    if isinstance(values, str) or not isinstance(values, Sequence) or len(values) == 0:
        raise ValueError(f"{name} must be a non-empty sequence of labels")
    return [str(v) for v in values]


def traffic_light(rows, columns, judgements, *, scale=ROBINS_SCALE, overall=None, title=None,
                  column_titles=None, ax=None):
    """A robvis traffic-light plot: ``judgements[i][j]`` is the judgement of row ``rows[i]`` in
    domain ``columns[j]``; ``overall`` (one per row, optional) adds a last column, set apart.

    ``column_titles`` (optional, one per domain) are printed under the plot as a key from
    column label to its full name (e.g. "D1: Confounding"). Returns the figure. Raises
    ``ValueError`` for ragged or mismatched inputs and judgements not in ``scale``.
    """
    scale = _check_scale(scale)
    rows = _labels(rows, "rows")
    columns = _labels(columns, "columns")
    _check_ax(ax)
    grid = _grid(judgements)
    if grid is None or len(grid) != len(rows) or any(len(r) != len(columns) for r in grid):
        raise ValueError(f"judgements must be {len(rows)} rows of {len(columns)} judgements "
                         f"(one per row and per one of columns)")
    if overall is not None:
        overall = _overall(overall)
        if len(overall) != len(rows):
            raise ValueError(f"overall must hold one judgement per row ({len(rows)}), got {len(overall)}")
    for value in [v for r in grid for v in r] + (overall or []):
        if value not in scale:
            raise ValueError(f"judgements: {value!r} is not a level of the scale ({', '.join(scale)})")
    if column_titles is not None and len(_labels(column_titles, "column_titles")) != len(columns):
        raise ValueError(f"column_titles must hold one title per column ({len(columns)})")

    cols = columns + (["Overall"] if overall is not None else [])
    n_c = len(cols)
    with styled():
        if ax is None:
            label_chars = max(len(line) for r in rows for line in r.splitlines())
            fig, ax = plt.subplots(figsize=(min(0.55 * n_c + 0.075 * label_chars, 7.6), 0.9 + 0.62 * len(rows)))
        else:
            fig = ax.figure
        for i, row in enumerate(rows):
            values = grid[i] + ([overall[i]] if overall is not None else [])
            for j, value in enumerate(values):
                x = j + (0.35 if overall is not None and j == n_c - 1 else 0)
                colour, symbol, _ = scale[value]
                ax.scatter([x], [i], s=560, color=colour, edgecolor="black", linewidth=0.8, zorder=2)
                ax.text(x, i, symbol, ha="center", va="center", fontsize=13, fontweight="bold", zorder=3,
                        color=_ink(colour))
        xs = [j + (0.35 if overall is not None and j == n_c - 1 else 0) for j in range(n_c)]
        ax.set_xticks(xs, cols)
        ax.xaxis.tick_top()
        ax.set_yticks(range(len(rows)), rows)
        ax.set_xlim(-0.6, xs[-1] + 0.6)
        ax.set_ylim(len(rows) - 0.5, -0.5)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.tick_params(length=0)
        if overall is not None:
            ax.axvline(xs[-1] - 0.67, color="#666666", linewidth=0.8, linestyle=":")
        handles = [Line2D([], [], marker="o", linestyle="", markersize=14, markerfacecolor=c,
                          markeredgecolor="black", label=f"{s}  {w}") for c, s, w in scale.values()]
        # The legend and the key of domain names go under the plot (not beside it), so that the
        # figure stays within the page column (helpers.plots.MAX_WIDTH) at 1:1.
        below = offset_copy(ax.transAxes, fig=fig, y=-6, units="points")
        legend = ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, 0.0), bbox_transform=below,
                           title="Judgement", ncol=3, handletextpad=0.4, columnspacing=1.2, alignment="left")
        if column_titles is not None:
            pairs = [f"{c}: {t}" for c, t in zip(columns, column_titles)]
            key = "\n".join("   ".join(pairs[i:i + 4]) for i in range(0, len(pairs), 4))
            ax.text(0.0, 0.0, key, transform=offset_copy(ax.transAxes, fig=fig, y=-84, units="points"),
                    ha="left", va="top", fontsize=9.5)
        if title:
            ax.set_title(title, loc="left", fontweight="bold", pad=28)
    return fig


def summary_plot(columns, judgements, *, weights=None, scale=ROBINS_SCALE, overall=None, column_titles=None,
                 ax=None, xlabel=None):
    """A robvis summary plot: for each domain (column of ``judgements``, rows are studies) a
    horizontal bar split into the share of studies at each level of ``scale``; with ``weights``
    (one positive number per study, e.g. participants) each study counts by its weight.
    ``overall`` adds an "Overall" bar at the bottom. Returns the figure."""
    scale = _check_scale(scale)
    columns = _labels(columns, "columns")
    _check_ax(ax)
    grid = _grid(judgements)
    if not grid or any(len(r) != len(columns) for r in grid):
        raise ValueError(f"judgements must be rows (studies) of {len(columns)} judgements (one per one of columns)")
    n = len(grid)
    if weights is None:
        w = np.ones(n)
    else:
        w = check_reals(weights, "weights", min_length=n, max_length=n, positive=True)
    if column_titles is not None and len(_labels(column_titles, "column_titles")) != len(columns):
        raise ValueError(f"column_titles must hold one title per column ({len(columns)})")
    if overall is not None:
        overall = _overall(overall)
        if len(overall) != n:
            raise ValueError(f"overall must hold one judgement per study ({n})")
    for value in [v for r in grid for v in r] + (overall or []):
        if value not in scale:
            raise ValueError(f"judgements: {value!r} is not a level of the scale ({', '.join(scale)})")
    labels = [f"{c}: {t}" for c, t in zip(columns, column_titles)] if column_titles else list(columns)
    bars = [[r[j] for r in grid] for j in range(len(columns))]
    if overall is not None:
        labels.append("Overall")
        bars.append(overall)
    with styled():
        if ax is None:
            fig, ax = plt.subplots(figsize=(4.6, 0.9 + 0.5 * len(bars)))
        else:
            fig = ax.figure
        for i, values in enumerate(bars):
            left = 0.0
            for level, (colour, symbol, _) in scale.items():
                share = float(sum(wi for wi, v in zip(w, values) if v == level) / w.sum())
                if share == 0:
                    continue
                ax.barh(i, 100 * share, left=100 * left, color=colour, edgecolor="black", linewidth=0.6, height=0.7)
                ax.text(100 * (left + share / 2), i, symbol, ha="center", va="center", fontsize=12, fontweight="bold",
                        color=_ink(colour))
                left += share
        ax.set_yticks(range(len(bars)), labels)
        ax.set_ylim(len(bars) - 0.5, -0.6)
        ax.set_xlim(0, 100)
        ax.set_xlabel(xlabel or ("share of participants (%)" if weights is not None else "share of studies (%)"))
        if overall is not None:
            ax.axhline(len(bars) - 1.5, color="#666666", linewidth=0.8, linestyle=":")
        handles = [Patch(facecolor=c, edgecolor="black", label=f"{s}  {wd}") for c, s, wd in scale.values()]
        below = offset_copy(ax.transAxes, fig=fig, y=-30, units="points")
        ax.legend(handles=handles, loc="upper right", bbox_to_anchor=(1.0, 0.0), bbox_transform=below,
                  ncol=3, handlelength=1.2, columnspacing=1.0)
    return fig
