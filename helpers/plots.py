"""Figures for the book: one shared style, forest plots, proportions with CIs, deterministic saving.

* :data:`PALETTE` is the Okabe & Ito (2008) colour-blind-safe palette; :data:`STYLE` the matplotlib
  settings shared by every figure (DejaVu Sans, type sizes readable on a web page, no top/right
  spines). :func:`use_style` applies them globally; :func:`styled` is the same as a context manager.
  No matplotlibrc file is involved.
* :func:`forest_plot` draws study rows (square markers, sized by weight when weights are given, with
  their CI), a pooled diamond, a prediction-interval bar and a right-hand column "est (lo to hi)".
* :func:`proportion_plot` draws a point and its confidence interval (Wilson score or
  Clopper–Pearson, from :mod:`helpers.proportions`) for each rate, optionally coloured by group.
* Size: figures are drawn for the page column, :data:`COLUMN_WIDTH` inches at 1:1 (100 CSS px per
  figure inch), and rendered as PNG at 2x (``figure.dpi`` 200 here and in matplotlibrc; the site's
  ``helpers/site.py`` shows each notebook PNG at its dpi's width, i.e. half its pixel width). A figure up to
  :data:`MAX_WIDTH` inches wide (after ``bbox_inches="tight"``) still shows at >= 80 CSS px per inch in
  the desktop column, so 9-pt type stays >= 10 px on screen; tests/test_book_site.py checks it.
* Never colour alone: :func:`proportion_plot` gives each group its own marker shape as well as its
  colour; :func:`forest_plot` can label the side of the null line that each direction favours.
* :func:`save_figure` writes PNG, SVG or PDF with no timestamps or software versions in the file and
  a fixed SVG hash salt, so that saving the same figure twice gives identical bytes.
"""

from __future__ import annotations

import contextlib
import math
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Polygon
from matplotlib.transforms import blended_transform_factory

from .validation import check_level, check_ci, check_count_le_total, check_finite, check_positive
from .formatting import MINUS, num

__all__ = ["PALETTE", "STYLE", "COLUMN_WIDTH", "MAX_WIDTH", "MARKERS", "use_style", "styled", "forest_plot", "proportion_plot", "save_figure"]

#: Okabe & Ito (2008) colour-universal-design palette (black first for single-series plots).
PALETTE = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
_CYCLE = [PALETTE[k] for k in ("blue", "vermillion", "bluish_green", "orange", "reddish_purple",
                               "sky_blue", "black", "yellow")]

#: Width of the book's text column in figure inches at 1:1 (672 CSS px at 100 px per inch).
COLUMN_WIDTH = 6.7
#: Widest figure (inches, after the tight bounding box) shown at >= 80 CSS px per inch in the column.
MAX_WIDTH = 8.4
#: Marker shapes, one per group, in the order of the colour cycle (shape repeats what colour says).
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")

#: The shared matplotlib settings (a plain dict of rcParams; no matplotlibrc file).
STYLE = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 11,
    "axes.titlesize": 13,
    "axes.labelsize": 12,
    "xtick.labelsize": 10.5,
    "ytick.labelsize": 10.5,
    "legend.fontsize": 10.5,
    "legend.frameon": False,
    "axes.prop_cycle": mpl.cycler(color=_CYCLE),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.linewidth": 0.8,
    "axes.grid": False,
    "lines.linewidth": 1.4,
    "figure.dpi": 200,
    "savefig.dpi": 200,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.1,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "svg.fonttype": "path",
    "svg.hashsalt": "rescue-stenting-book",
    "pdf.fonttype": 42,
}

_SAVE_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
}


def use_style() -> None:
    """Apply :data:`STYLE` to matplotlib's global rcParams (for notebooks)."""
    mpl.rcParams.update(STYLE)


@contextlib.contextmanager
def styled():
    """Context manager applying :data:`STYLE` only inside the ``with`` block."""
    with mpl.rc_context(STYLE):
        yield


# --------------------------------------------------------------------------- helpers


def _fit_in_figure(ax) -> None:
    """Keep the axes' labels and the right-hand annotation column inside the figure's own width.

    The "est (lo to hi)" and "count/total" columns sit outside the axes; with ``bbox_inches="tight"``
    they would widen the saved figure beyond its ``figsize`` (an 8-inch figure became 9-10 inches
    and was shrunk below 80 px per inch in the column). Here the subplot margins are moved, once
    and deterministically (no layout engine), so that everything drawn so far fits the figure.
    A figure with a layout engine (tight or constrained) is left to it.
    """
    fig = ax.figure
    if fig.get_layout_engine() is not None:
        return
    box = ax.get_tightbbox(fig.canvas.get_renderer())
    width = fig.bbox.width
    left, right = fig.subplotpars.left, fig.subplotpars.right
    if box.x1 > fig.bbox.x1:
        right -= (box.x1 - fig.bbox.x1) / width + 0.01
    if box.x0 < fig.bbox.x0:
        left += (fig.bbox.x0 - box.x0) / width + 0.01
    if (left, right) != (fig.subplotpars.left, fig.subplotpars.right) and right - left > 0.2:
        fig.subplots_adjust(left=left, right=right)


def _seq(values, name: str) -> list:
    if isinstance(values, (str, bytes)):
        raise ValueError(f"{name} must be a sequence, not a string")
    try:
        return list(values)
    except TypeError:
        raise ValueError(f"{name} must be a sequence, got {values!r}") from None


def _same_length(named: dict) -> int:
    lengths = {name: len(v) for name, v in named.items() if v is not None}
    if len(set(lengths.values())) > 1:
        raise ValueError("lengths differ: " + ", ".join(f"{k}={v}" for k, v in lengths.items()))
    n = next(iter(lengths.values()))
    if n == 0:
        raise ValueError(f"{next(iter(lengths))} must not be empty")
    return n


def _fmt(value: float) -> str:
    """Two decimals (two significant digits for very large or small values), true minus sign."""
    magnitude = abs(value)
    if magnitude != 0 and (magnitude >= 1000 or magnitude < 0.01):
        return f"{value:.2g}".replace("-", MINUS)
    return num(value, 2)


def _pooled_triplet(pooled, log_scale: bool):
    if pooled is None:
        return None
    if all(hasattr(pooled, a) for a in ("estimate", "ci_low", "ci_high")):
        values = (pooled.estimate, pooled.ci_low, pooled.ci_high)
    else:
        values = tuple(_seq(pooled, "pooled"))
        if len(values) != 3:
            raise ValueError(f"pooled must be (estimate, ci_low, ci_high), got {len(values)} values")
    return check_ci(*values, ratio=log_scale, names=("pooled estimate", "pooled ci_low", "pooled ci_high"))


# --------------------------------------------------------------------------- forest plot


def forest_plot(labels, estimates, ci_low, ci_high, *, weights=None, pooled=None, prediction=None,
                log_scale=True, null=1.0, xlabel="Odds ratio", ax=None, annotate=True, group=None,
                pooled_label="Random effects", colour=None, favours=None):
    """Forest plot: one row per study, optional pooled diamond and prediction-interval bar.

    All numbers are on the *display* scale (ratios, not log ratios; with ``log_scale=True`` the
    x axis is logarithmic and every value must be positive). ``weights`` (e.g. ``MetaResult.weights``)
    sets the area of each study's square; ``pooled`` is ``(estimate, ci_low, ci_high)`` or an object
    with those attributes; ``prediction`` is ``(pi_low, pi_high)``; ``group`` gives each study a
    subgroup label, drawn as a header row above its studies (in order of first appearance);
    ``null`` draws the line of no effect (``None`` for none); ``favours`` is ``(left, right)``, e.g.
    ``("favours stenting", "favours no stenting")``, written above the plot on either side of the
    null line with an arrow, so that the reader knows which side is good. ``annotate`` writes "est (lo to hi)" in
    a right-hand column. Returns the Axes. Artists carry ``gid`` values "study-marker", "study-ci",
    "pooled", "prediction" and "group-header" so that callers and tests can find them.
    """
    if not isinstance(log_scale, bool) or not isinstance(annotate, bool):
        raise ValueError("log_scale and annotate must be True or False")
    labels = [str(x) for x in _seq(labels, "labels")]
    est = _seq(estimates, "estimates")
    lo = _seq(ci_low, "ci_low")
    hi = _seq(ci_high, "ci_high")
    w = None if weights is None else _seq(weights, "weights")
    grp = None if group is None else [str(g) for g in _seq(group, "group")]
    n = _same_length({"labels": labels, "estimates": est, "ci_low": lo, "ci_high": hi,
                      "weights": w, "group": grp})
    rows = []
    for i in range(n):
        e, l_, h_ = check_ci(est[i], lo[i], hi[i], ratio=log_scale,
                             names=(f"estimates[{i}]", f"ci_low[{i}]", f"ci_high[{i}]"))
        rows.append((e, l_, h_))
    if w is not None:
        w = [check_positive(x, f"weights[{i}]") for i, x in enumerate(w)]
    pooled_v = _pooled_triplet(pooled, log_scale)
    if prediction is not None:
        pi = _seq(prediction, "prediction")
        if len(pi) != 2:
            raise ValueError(f"prediction must be (pi_low, pi_high), got {len(pi)} values")
        _, pi_lo, pi_hi = check_ci(None, pi[0], pi[1], ratio=log_scale, names=("", "prediction low", "prediction high"))
        if pooled_v is None:
            raise ValueError("prediction needs pooled: a prediction interval is drawn on the pooled row")
    if null is not None:
        null = check_positive(null, "null") if log_scale else check_finite(null, "null")
    if not isinstance(log_scale, bool) or not isinstance(annotate, bool):
        raise ValueError("log_scale and annotate must be True or False")
    if favours is not None:
        if (isinstance(favours, str) or not isinstance(favours, (tuple, list)) or len(favours) != 2
                or not all(isinstance(f, str) and f.strip() for f in favours)):
            raise ValueError(f"favours must be two non-empty strings (left, right), got {favours!r}")
        if null is None:
            raise ValueError("favours needs null: the sides are those of the line of no effect")
    _check_ax(ax)
    if colour is not None and not mpl.colors.is_color_like(colour):
        raise ValueError(f"colour must be a matplotlib colour (e.g. '#0072B2') or None, got {colour!r}")

    # layout: list of ("header", text) or ("study", index), top to bottom
    layout: list[tuple[str, object]] = []
    if grp is None:
        layout = [("study", i) for i in range(n)]
    else:
        for g in dict.fromkeys(grp):
            layout.append(("header", g))
            layout.extend(("study", i) for i in range(n) if grp[i] == g)
    n_rows = len(layout) + (2 if pooled_v is not None else 0)

    with styled():
        if ax is None:
            fig, ax = plt.subplots(figsize=(COLUMN_WIDTH - 1.2, 0.9 + 0.34 * n_rows))
        colour = colour or PALETTE["blue"]
        text_tf = blended_transform_factory(ax.transAxes, ax.transData)
        y_labels, y_ticks = [], []
        max_w = max(w) if w is not None else None
        for r, (kind, item) in enumerate(layout):
            y = -r
            if kind == "header":
                ax.text(-0.02, y, str(item), transform=text_tf, ha="right", va="center",
                        fontweight="bold", gid="group-header")
                continue
            i = item
            e, l_, h_ = rows[i]
            size = 9.0 if w is None else 4.0 + 10.0 * math.sqrt(w[i] / max_w)
            ax.plot([l_, h_], [y, y], color=PALETTE["black"], lw=1.1, solid_capstyle="butt", gid="study-ci")
            ax.plot([e], [y], marker="s", ms=size, color=colour, mec=colour, ls="none", gid="study-marker")
            y_ticks.append(y)
            y_labels.append(("   " if grp is not None else "") + labels[i])
            if annotate:
                ax.text(1.02, y, f"{_fmt(e)} ({_fmt(l_)} to {_fmt(h_)})", transform=text_tf,
                        ha="left", va="center", gid="study-text")
        if pooled_v is not None:
            y = -(len(layout) + 0.6)
            e, l_, h_ = pooled_v
            diamond = Polygon([(l_, y), (e, y + 0.32), (h_, y), (e, y - 0.32)], closed=True,
                              facecolor=PALETTE["vermillion"], edgecolor=PALETTE["black"], lw=0.8, gid="pooled")
            ax.add_patch(diamond)
            y_ticks.append(y)
            y_labels.append(pooled_label)
            if annotate:
                ax.text(1.02, y, f"{_fmt(e)} ({_fmt(l_)} to {_fmt(h_)})", transform=text_tf,
                        ha="left", va="center", fontweight="bold", gid="pooled-text")
            if prediction is not None:
                yp = y - 0.9
                ax.plot([pi_lo, pi_hi], [yp, yp], color=PALETTE["vermillion"], lw=2.6,
                        solid_capstyle="butt", gid="prediction")
                y_ticks.append(yp)
                y_labels.append("Prediction interval")
                if annotate:
                    ax.text(1.02, yp, f"({_fmt(pi_lo)} to {_fmt(pi_hi)})", transform=text_tf,
                            ha="left", va="center", gid="prediction-text")
        if null is not None:
            ax.axvline(null, color="0.45", lw=0.9, ls="--", zorder=0, gid="null")
        if log_scale:
            ax.set_xscale("log")
            # Ticks at 1, 2 and 5 times powers of ten, labelled plainly; no "2×10⁰" minor labels.
            ax.xaxis.set_major_locator(mpl.ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
            ax.xaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
            ax.xaxis.set_minor_formatter(mpl.ticker.NullFormatter())
        xs = [v for r_ in rows for v in r_[1:]] + ([pooled_v[1], pooled_v[2]] if pooled_v else [])
        if prediction is not None:
            xs += [pi_lo, pi_hi]
        if null is not None:
            xs.append(null)
        lo_x, hi_x = min(xs), max(xs)
        if log_scale:
            pad = (math.log(hi_x) - math.log(lo_x)) * 0.06 or 0.1
            ax.set_xlim(math.exp(math.log(lo_x) - pad), math.exp(math.log(hi_x) + pad))
        else:
            pad = (hi_x - lo_x) * 0.06 or 0.1
            ax.set_xlim(lo_x - pad, hi_x + pad)
        ax.set_yticks(y_ticks, y_labels)
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        bottom = min(y_ticks) - 0.7
        ax.set_ylim(bottom, 0.7)
        ax.set_xlabel(xlabel)
        if annotate:
            ax.text(1.02, 0.7, "Estimate (95% CI)", transform=text_tf, ha="left", va="bottom",
                    fontweight="bold", gid="column-header")
        _fit_in_figure(ax)
        if favours is not None:
            side_tf = blended_transform_factory(ax.transData, ax.transData)
            ax.text(null, 0.75, f"\u2190 {favours[0]}  ", transform=side_tf, ha="right", va="bottom",
                    fontsize=mpl.rcParams["xtick.labelsize"], gid="favours-left")
            ax.text(null, 0.75, f"  {favours[1]} \u2192", transform=side_tf, ha="left", va="bottom",
                    fontsize=mpl.rcParams["xtick.labelsize"], gid="favours-right")
    return ax


# --------------------------------------------------------------------------- proportions


def _interval_functions():
    try:
        from .proportions import clopper_pearson, wilson
    except ImportError:  # pragma: no cover - helpers.proportions is part of the package
        from statsmodels.stats.proportion import proportion_confint

        class _I:
            def __init__(self, c, n, level, m):
                self.estimate = c / n
                self.ci_low, self.ci_high = proportion_confint(c, n, alpha=1 - level, method=m)

        def wilson(c, n, level=0.95):
            return _I(c, n, level, "wilson")

        def clopper_pearson(c, n, level=0.95):
            return _I(c, n, level, "beta")

    return {"wilson": wilson, "clopper-pearson": clopper_pearson}


def proportion_plot(labels, counts, totals, *, method="wilson", groups=None, ax=None, level=0.95,
                    xlabel="Proportion (%)", annotate=True):
    """Point and confidence interval (per cent) for each rate ``counts[i]/totals[i]``.

    ``method`` is "wilson" (Wilson 1927 score interval) or "clopper-pearson" (exact, Clopper &
    Pearson 1934), computed by :mod:`helpers.proportions`. ``groups`` gives each rate a group
    (e.g. the study arm); groups get distinct palette colours and a legend. ``annotate`` writes
    "count/total (p%)" to the right. Rows run top to bottom in the order given. Returns the Axes;
    markers carry ``gid="proportion-marker"`` and intervals ``gid="proportion-ci"``.
    """
    funcs = _interval_functions()
    if not isinstance(method, str) or method.lower() not in funcs:
        raise ValueError(f"method must be 'wilson' or 'clopper-pearson', got {method!r}")
    interval = funcs[method.lower()]
    labels = [str(x) for x in _seq(labels, "labels")]
    counts = _seq(counts, "counts")
    totals = _seq(totals, "totals")
    grp = None if groups is None else [str(g) for g in _seq(groups, "groups")]
    n = _same_length({"labels": labels, "counts": counts, "totals": totals, "groups": grp})
    checked = [check_count_le_total(counts[i], totals[i], f"counts[{i}]", f"totals[{i}]") for i in range(n)]
    level = check_level(level)
    if not isinstance(annotate, bool):
        raise ValueError(f"annotate must be True or False, got {annotate!r}")
    _check_ax(ax)
    intervals = [interval(c, t, level) for c, t in checked]
    group_names = list(dict.fromkeys(grp)) if grp is not None else [None]
    colours = {g: _CYCLE[j % len(_CYCLE)] for j, g in enumerate(group_names)}
    markers = {g: MARKERS[j % len(MARKERS)] for j, g in enumerate(group_names)}

    with styled():
        if ax is None:
            fig, ax = plt.subplots(figsize=(COLUMN_WIDTH - 1.2, 0.9 + 0.34 * n))
        text_tf = blended_transform_factory(ax.transAxes, ax.transData)
        seen = set()
        for i, (iv, (c, t)) in enumerate(zip(intervals, checked)):
            y = -i
            g = grp[i] if grp is not None else None
            col = colours[g]
            ax.plot([100 * iv.ci_low, 100 * iv.ci_high], [y, y], color=col, lw=1.6, solid_capstyle="butt",
                    gid="proportion-ci")
            label = g if (g is not None and g not in seen) else None
            seen.add(g)
            ax.plot([100 * iv.estimate], [y], marker=markers[g], ms=7, color=col, ls="none", label=label, clip_on=False,
                    gid="proportion-marker")
            if annotate:
                ax.text(1.02, y, f"{c}/{t} ({100 * c / t:.1f}%)", transform=text_tf, ha="left", va="center",
                        gid="proportion-text")
        ax.set_yticks([-i for i in range(n)], labels)
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.set_ylim(-n + 0.4, 0.6)
        ax.set_xlim(0, 100)
        ax.set_xlabel(xlabel)
        ax.grid(axis="x", color="0.9", lw=0.6)
        ax.set_axisbelow(True)
        if grp is not None:
            ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=min(len(group_names), 4))
        _fit_in_figure(ax)
    return ax


# --------------------------------------------------------------------------- saving


def _check_ax(ax) -> None:
    if ax is not None and not isinstance(ax, mpl.axes.Axes):
        raise ValueError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")


def save_figure(fig, path, *, dpi=200):
    """Save ``fig`` to ``path`` (.png, .svg or .pdf) reproducibly and return the Path.

    No creation date or software version is written (PNG ``Software``, SVG ``Date``/``Creator``,
    PDF dates/producer set to ``None``), and SVG element ids come from a fixed ``svg.hashsalt``,
    so saving the same figure twice gives byte-identical files.
    """
    if not hasattr(fig, "savefig"):
        raise ValueError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    if not isinstance(path, (str, Path)) or str(path) == "":
        raise ValueError(f"path must be a file path ending in .png, .svg or .pdf, got {path!r}")
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in _SAVE_METADATA:
        raise ValueError(f"path must end in .png, .svg or .pdf, got {path.name!r}")
    dpi = check_positive(dpi, "dpi")
    if not (isinstance(dpi, float) and dpi.is_integer() and 10 <= dpi <= 1200):
        raise ValueError(f"dpi must be a whole number from 10 to 1200, got {dpi!r}")
    dpi = int(dpi)
    path.parent.mkdir(parents=True, exist_ok=True)
    with mpl.rc_context({"svg.hashsalt": STYLE["svg.hashsalt"], "svg.fonttype": "path", "pdf.fonttype": 42}):
        fig.savefig(path, format=fmt, dpi=dpi, metadata=_SAVE_METADATA[fmt], bbox_inches="tight",
                    pad_inches=0.1, facecolor="white")
    return path
