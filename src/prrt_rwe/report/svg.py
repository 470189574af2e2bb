"""A matplotlib figure as inline SVG text: text kept as text (small, searchable), fixed
hash salt and no date, so the same figure gives the same bytes.

Figures are drawn at the width of the report's text column (:data:`COLUMN_WIDTH_IN`, a
journal's full text width, 17 cm), with 8–9 pt text, so that printed at 100 % they fill
the column at print resolution; report.css stretches them to the column on screen. While
the report is being written (:func:`prrt_rwe.report.exports.collect`), the returned text
also carries the standalone SVG and a 300 dpi PNG for OUT/figures (drawn by a worker
process: :func:`_png`).
"""

from __future__ import annotations

import atexit
import io
import multiprocessing
import os
import pickle
import re
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor, ThreadPoolExecutor

import matplotlib
import matplotlib.image
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.backends.backend_svg import FigureCanvasSVG, RendererSVG
from matplotlib.transforms import Bbox

from prrt_rwe.report import exports

COLUMN_WIDTH_IN = 6.7
PNG_PROCESS_MIN_PATIENTS = 10_000   # below: the PNGs are drawn in the report process (_png)
STYLE = {"svg.fonttype": "none", "svg.hashsalt": "prrt-rwe", "font.size": 9,
         "font.family": "DejaVu Sans", "axes.spines.top": False, "axes.spines.right": False}


def _shared_text_metrics(measure):
    """``RendererSVG.get_text_width_height_descent`` with one cache for the process. matplotlib
    caches text metrics per renderer instance, and every figure's layout and save makes a new
    SVG renderer, so the same tick labels were measured again for each of the report's
    figures (issue 17: a tenth of the report). The SVG renderer measures plain text at a fixed
    72 dpi without hinting (``TextToPath``): the width, height and descent depend only on the
    string, the font properties and the rc font settings that pick the font file, which are
    the key (a copy of the mutable FontProperties, as matplotlib's own cache). Mathtext and
    TeX are measured as before."""
    cache: dict = {}

    def get_text_width_height_descent(self, s, prop, ismath):
        if ismath:
            return measure(self, s, prop, ismath)
        rc = matplotlib.rcParams
        key = (s, prop.copy(), tuple(tuple(v) if isinstance(v, list) else v for v in map(rc.__getitem__, _FONT_RC)))
        found = cache.get(key)
        if found is None:
            found = cache[key] = measure(self, s, prop, ismath)
        return found

    get_text_width_height_descent.__doc__ = measure.__doc__
    return get_text_width_height_descent


_FONT_RC = tuple(k for k in matplotlib.rcParams if k.startswith("font."))
RendererSVG.get_text_width_height_descent = _shared_text_metrics(RendererSVG.get_text_width_height_descent)


class FigureSvg(str):
    """Inline SVG text, with ``standalone`` (the SVG file) and ``png`` (300 dpi: a Future of
    the bytes) when exporting."""

    standalone: str | None = None
    png: object = None


def new_figure(width: float, height: float, **subplots):
    """A figure ``height`` inches high at the column width (``width`` is kept for the
    callers' proportions: the height is scaled by COLUMN_WIDTH_IN / width)."""
    with plt.rc_context(STYLE):
        return plt.subplots(figsize=(COLUMN_WIDTH_IN, height * COLUMN_WIDTH_IN / width),
                            layout="constrained", **subplots)


def legend(ax, **kwargs) -> None:
    """``ax.legend(**kwargs)`` when the axes have a labelled artist: an empty group, arm or
    curve draws none, and matplotlib then warns "No artists with labels found"."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(**kwargs)


def column_bbox(fig, pad: float = 0.04):
    """The tight bounding box of the drawing, widened to the column width when narrower;
    runs the figure's layout engine first, measuring text as the SVG does (72 dpi, no
    hinting: the layout savefig(format="svg") makes), so the box is the saved one."""
    canvas, dpi = fig.canvas, fig.dpi
    FigureCanvasSVG(fig)   # the figure's canvas while measuring
    try:
        fig.dpi = 72
        engine = fig.get_layout_engine()
        if engine is not None and fig.axes:
            engine.execute(fig)
        box = fig.get_tightbbox().padded(pad)
    finally:
        fig.dpi = dpi
        fig.set_canvas(canvas)
    extra = COLUMN_WIDTH_IN - box.width
    if extra > 0:
        box = Bbox.from_extents(box.x0 - extra / 2, box.y0, box.x1 + extra / 2, box.y1)
    return box


def to_svg(fig) -> FigureSvg:
    """The figure laid out once, as the SVG measures text (:func:`column_bbox`), then that
    layout kept (layout engine off) for the SVG and the PNG: both files show the layout the
    crop box was measured on, and neither save lays the figure out again (issue 17: laying
    out and measuring text three times, at 100, 72 and 300 dpi, was most of the report's time)."""
    buf = io.StringIO()
    with plt.rc_context(STYLE):
        box = column_bbox(fig)
        fig.set_layout_engine(None)
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches=box)
        png = _png(fig, box) if exports.collecting() else None
    plt.close(fig)
    out = FigureSvg(inline(buf.getvalue()))
    out.standalone, out.png = buf.getvalue(), png
    return out


def png_process_for(patients) -> bool:
    """Whether a study of ``patients`` (enrolled) has its PNGs drawn by the worker process:
    from :data:`PNG_PROCESS_MIN_PATIENTS` on. Starting it (a Python with matplotlib) and
    pickling every figure cost a small study more CPU than drawing here, and its report is
    quick either way (tests and CI run hundreds of them); a large one gains the second core."""
    return isinstance(patients, int) and patients >= PNG_PROCESS_MIN_PATIENTS   # None: a count not known


def _png(fig, box):
    """The 300 dpi PNG, as a Future of its bytes (exports resolves it). When the bundle asks
    for the worker process (:func:`png_process_for`) the figure, as laid out, is pickled to
    it, and it draws and compresses the PNG while this one goes on with the next figures
    (issue 17: drawing at 300 dpi was a quarter of the report's time, on one core of two).
    The same bytes as ``savefig(format="png")``, whose last step is the ``imsave`` of
    :func:`_encode_png`. Otherwise, or for a figure that cannot be pickled (a formatter
    defined in a function), it is drawn here, compressed on a worker thread (zlib runs
    without the GIL)."""
    if not exports.png_process():
        return _png_worker().submit(_encode_png, _draw_png(fig, box))
    try:
        state = pickle.dumps((fig, box), protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, AttributeError, TypeError):
        return _png_worker().submit(_encode_png, _draw_png(fig, box))
    return _PngJob(state)


def _draw_png(fig, box) -> np.ndarray:
    """The figure drawn at 300 dpi inside ``box``: its RGBA pixels."""
    raw = io.BytesIO()
    fig.savefig(raw, format="raw", dpi=exports.PNG_DPI, bbox_inches=box)
    shape = np.asarray(fig.canvas.buffer_rgba()).shape   # the renderer just drawn: rows, columns, 4
    return np.frombuffer(raw.getvalue(), dtype=np.uint8).reshape(shape)


def _encode_png(rgba) -> bytes:
    out = io.BytesIO()
    matplotlib.image.imsave(out, rgba, format="png", origin="upper", dpi=exports.PNG_DPI,
                            metadata={"Software": None})
    return out.getvalue()


def png_from_pickle(state: bytes) -> bytes:
    """The PNG of a pickled (figure, box), drawn as :func:`to_svg` draws it (its rc style);
    what the worker process runs."""
    fig, box = pickle.loads(state)
    try:
        with plt.rc_context(STYLE):
            return _encode_png(_draw_png(fig, box))
    finally:
        plt.close(fig)


class _PngJob:
    """A PNG drawn by the worker process; ``result()`` gives its bytes. Where no process can
    be started, or the worker died, the pickled figure is drawn in this process instead."""

    def __init__(self, state: bytes):
        self._state, self._future = state, None
        try:
            self._future = _png_process().submit(png_from_pickle, state)
        except (OSError, ImportError, RuntimeError, NotImplementedError, BrokenExecutor):
            pass

    def result(self) -> bytes:
        if self._future is not None:
            try:
                return self._future.result()
            except (OSError, BrokenExecutor):
                pass
        return png_from_pickle(self._state)


_WORKER: list = []
_PROCESS: list = []


def _png_worker() -> ThreadPoolExecutor:
    if not _WORKER:
        _WORKER.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="prrt-rwe-png"))
    return _WORKER[0]


def _png_process() -> ProcessPoolExecutor:
    """One worker process per report process, started on the first figure or earlier by
    :func:`start_png_process` (spawned: it shares no memory with the statistics, so the
    process tree's RSS grows by matplotlib alone)."""
    if not _PROCESS:
        _PROCESS.append(ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                            initializer=_worker_exits_without_teardown))
    return _PROCESS[0]


def _worker_exits_without_teardown() -> None:
    """In the worker process: once it is shut down (its PNGs sent, multiprocessing's own
    clean-up done) it leaves from the first atexit handler it runs, without freeing matplotlib and
    numpy module by module, which the report process waited for at its exit (issue 17, as
    cli.main does)."""
    atexit.register(os._exit, 0)


def start_png_process(patients) -> None:
    """For a study that will have its PNGs drawn by the worker process (:func:`png_process_for`):
    start it now and have it import matplotlib and draw a small figure, so that its start-up
    (a Python, matplotlib, the font cache: about a CPU second) runs on the second core while
    the statistics run on the first, not while the report waits for its first PNG (issue 17).
    Nothing happens for a small study or where no process can be started."""
    if not png_process_for(patients):
        return
    try:
        _png_process().submit(_warm_up)
    except (OSError, ImportError, RuntimeError, NotImplementedError, BrokenExecutor):
        pass


def _warm_up() -> None:
    """What the first PNG would otherwise pay for in the worker: a figure drawn with text."""
    fig, ax = new_figure(7.0, 2.0)
    ax.set_title("warm-up")
    with plt.rc_context(STYLE):
        _draw_png(fig, column_bbox(fig))
    plt.close(fig)


def inline(text: str) -> str:
    """SVG for embedding in HTML5: no XML prolog, metadata or namespace URLs (the HTML
    parser puts inline ``<svg>`` and ``xlink:href`` in their namespaces by itself)."""
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.DOTALL)
    return re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", text)
