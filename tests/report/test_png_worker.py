"""The 300 dpi PNG drawn by report.svg's worker process has the bytes the report process
itself draws (the figure pickled as laid out); a figure that does not pickle is drawn in
the report process, and so is every figure of a small study (no worker process)."""

import io

import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter

from prrt_rwe.report import exports, svg


def _figure(formatter=None):
    fig, ax = svg.new_figure(7.0, 3.0)
    ax.step([0, 1, 2, 5, 8], [1.0, 0.9, 0.7, 0.55, 0.4], where="post", label="curve")
    ax.fill_between([0, 1, 2, 5, 8], 0.3, 0.8, step="post", alpha=0.2)
    ax.annotate("median 4.2", (4.2, 0.5), textcoords="offset points", xytext=(4, 0), fontsize=7)
    ax.set_xlabel("Months since first PRRT cycle")
    svg.legend(ax, frameon=False)
    if formatter is not None:
        ax.xaxis.set_major_formatter(formatter)
    return fig


def _in_process(fig) -> bytes:
    """What to_svg did before the worker: lay out, save the SVG, draw the PNG here."""
    with plt.rc_context(svg.STYLE):
        box = svg.column_bbox(fig)
        fig.set_layout_engine(None)
        fig.savefig(io.StringIO(), format="svg", metadata={"Date": None, "Creator": None}, bbox_inches=box)
        png = svg._encode_png(svg._draw_png(fig, box))
    plt.close(fig)
    return png


def test_worker_png_has_the_in_process_bytes():
    with exports.collect(png_process=True):
        drawn = svg.to_svg(_figure())
    assert isinstance(drawn.png, svg._PngJob)
    png = drawn.png.result()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png == _in_process(_figure())


def test_a_figure_that_does_not_pickle_is_drawn_here():
    def local(x, _pos):   # a function defined in a function does not pickle
        return f"{x:g} mo"

    with exports.collect(png_process=True):
        drawn = svg.to_svg(_figure(FuncFormatter(local)))
    assert not isinstance(drawn.png, svg._PngJob)
    assert drawn.png.result() == _in_process(_figure(FuncFormatter(local)))


def test_a_dead_worker_means_the_png_is_drawn_here(monkeypatch):
    class Broken:
        def submit(self, *args):
            raise OSError("no process")

    monkeypatch.setattr(svg, "_png_process", lambda: Broken())
    with exports.collect(png_process=True):
        drawn = svg.to_svg(_figure())
    assert drawn.png.result() == _in_process(_figure())


def test_a_small_study_draws_its_pngs_here_with_the_same_bytes(monkeypatch):
    def no_process():
        raise AssertionError("a small study starts no worker process")

    monkeypatch.setattr(svg, "_png_process", no_process)
    with exports.collect():   # the default: no worker process
        drawn = svg.to_svg(_figure())
    assert not isinstance(drawn.png, svg._PngJob)
    assert drawn.png.result() == _in_process(_figure())


def test_the_worker_process_from_ten_thousand_patients():
    assert svg.PNG_PROCESS_MIN_PATIENTS == 10_000
    assert not svg.png_process_for(9_999)
    assert svg.png_process_for(10_000)
    assert svg.png_process_for(1_000_000)
    assert not svg.png_process_for(None)   # a count not known: drawn here


def test_the_worker_leaves_without_teardown_and_the_report_process_exits_cleanly():
    """The first atexit handler the worker runs is os._exit (svg._worker_exits_without_teardown): a process
    that had a PNG drawn by it still exits 0, quietly, once it is shut down."""
    import subprocess
    import sys

    script = """
from prrt_rwe.report import exports, svg
fig, ax = svg.new_figure(7.0, 2.0)
ax.plot([0, 1], [0, 1])
with exports.collect(png_process=True):
    drawn = svg.to_svg(fig)
assert drawn.png.result()[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
worker = svg._png_process()
worker.shutdown()
print("shut down")
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert (result.returncode, result.stdout, result.stderr) == (0, "shut down\n", "")
