"""Static print maps (PNG and PDF) and the Chinese font they need."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from deliverables_synthetic import synthetic_plan

from binhai_geo.deliverables import fonts
from binhai_geo.deliverables.atlas import choropleths_of, overlays_of
from binhai_geo.deliverables.build import build_deliverables
from binhai_geo.deliverables.printmaps import PAGES, render_print_map
from binhai_geo.errors import WorkflowError


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    return synthetic_plan(tmp_path_factory.mktemp("print"))


@pytest.fixture(scope="module")
def font():
    f = fonts.cjk_font()
    if f is None:
        pytest.skip("no font with Chinese glyphs here: " + fonts.NO_FONT_HINT)
    return f


def test_font_has_chinese_glyphs(font):
    assert fonts._has_glyphs(font.path)
    assert fonts.rc_params(font)["font.sans-serif"][0] == font.family


def test_mplfonts_font_is_preferred_when_installed(font):
    path = fonts._mplfonts_file()
    if path is None:
        pytest.skip("mplfonts not installed (system font used instead)")
    assert font.path == path and font.family == "Noto Sans CJK SC"


def test_font_file_errors(tmp_path):
    with pytest.raises(WorkflowError, match="does not exist") as info:
        fonts.cjk_font(tmp_path / "nope.otf")
    assert info.value.field == "deliverables.font_file"
    import matplotlib

    dejavu = matplotlib.get_data_path() + "/fonts/ttf/DejaVuSans.ttf"
    with pytest.raises(WorkflowError, match="no Simplified-Chinese glyphs"):
        fonts.cjk_font(dejavu)


def test_print_map_png_and_pdf(plan, font):
    from PIL import Image

    pm = render_print_map(plan, "energy", font, overlays=overlays_of(plan.geo), choropleths=choropleths_of(plan),
                          dpi=80)
    img = Image.open(io.BytesIO(pm.files["png"]))
    w, h = PAGES["A4"]
    assert abs(img.size[0] - w * 80) <= 1 and abs(img.size[1] - h * 80) <= 1
    # the map area is not blank: many colours (layers, legend, inset)
    assert len(img.convert("RGB").getcolors(1 << 20)) > 50
    pdf = pm.files["pdf"]
    assert pdf.startswith(b"%PDF")
    assert b"NotoSansCJK" in pdf or font.family.replace(" ", "").encode() in pdf  # the CJK font is embedded
    if shutil.which("pdftotext"):  # poppler-utils: read the text back, Chinese included
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        for part in ("EPSG:4527", "图例 Legend", "风机 Wind turbines", "位置 Location", "北", "km"):
            assert part in text, part
    assert b"CreationDate" not in pdf  # deterministic: no timestamp


def test_themes_without_content_are_skipped(plan, font):
    assert render_print_map(plan, "targets", font, overlays=[], choropleths=[]) is None
    pm = render_print_map(plan, "targets", font, overlays=[], choropleths=choropleths_of(plan), formats=["png"],
                          dpi=60)
    assert set(pm.files) == {"png"}


def test_no_chinese_font_says_so(plan, monkeypatch):
    monkeypatch.setattr(fonts, "cjk_font", lambda font_file=None: None)
    out = build_deliverables(plan, parts=["print"])
    assert out.files == {}
    assert any("Print maps not drawn" in m and "mplfonts" in m for m in out.messages)
