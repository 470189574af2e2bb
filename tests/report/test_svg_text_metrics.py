"""report/svg.py: the SVG renderer's plain-text metrics, cached once per process."""

import matplotlib
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

import prrt_rwe.report.svg  # noqa: F401  (installs the cache)


def _renderer():
    import io

    return RendererSVG(6.7, 2.0, io.StringIO())


def test_cached_metrics_equal_the_measured_ones_across_renderers():
    prop = FontProperties(family="DejaVu Sans", size=9)
    for text in ("0", "12", "Months since first cycle", "é ≥ 3"):
        first = _renderer().get_text_width_height_descent(text, prop, False)
        again = _renderer().get_text_width_height_descent(text, prop, False)
        assert first == again == TextToPath().get_text_width_height_descent(text, prop, False)


def test_the_key_follows_the_font_properties_and_rc_fonts():
    prop = FontProperties(family="DejaVu Sans", size=9)
    small = _renderer().get_text_width_height_descent("width", prop, False)
    prop.set_size(18)   # the same object changed: measured again
    big = _renderer().get_text_width_height_descent("width", prop, False)
    assert big[0] > small[0] * 1.9
    generic = FontProperties(family="monospace", size=9)
    before = _renderer().get_text_width_height_descent("iiii", generic, False)
    with matplotlib.rc_context({"font.monospace": ["DejaVu Sans"]}):
        after = _renderer().get_text_width_height_descent("iiii", generic, False)
        assert after == TextToPath().get_text_width_height_descent("iiii", generic, False)
    assert after != before


def test_mathtext_is_measured_as_before():
    prop = FontProperties(family="DejaVu Sans", size=9)
    assert (_renderer().get_text_width_height_descent(r"$\alpha^2$", prop, True)
            == TextToPath().get_text_width_height_descent(r"$\alpha^2$", prop, True))
