"""Tests for binhai_geo.landclasses: the 三调 land-class code table (DLBM codes -> layer kinds)."""

from __future__ import annotations

import pandas as pd
import pytest

from binhai_geo import landclasses as lc
from binhai_geo.errors import LayerError


def test_normalise_codes_restores_leading_zeros_and_suffixes():
    s = pd.Series([301, 301.0, "301", " 1104a ", "0603", 9, "05h1", None, "", "9999"], dtype=object)
    got = lc.normalise_codes(s).tolist()
    assert got[:7] == ["0301", "0301", "0301", "1104A", "0603", "09", "05H1"]
    assert got[7] is pd.NA and got[8] is pd.NA
    assert got[9] == "9999"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["0301", "乔木林地", "Tree", "woods", "", "", ""], "unknown layer kind 'woods'"),
        (["0301", "乔木林地", "Tree", "forest", "forest_type", "pine", ""], "not one of"),
        (["0301", "乔木林地", "Tree", "forest", "colour", "green", ""], "has no field 'colour'"),
        (["0301", "乔木林地", "Tree", "forest", "", "", ""], "requires field 'forest_type'"),
        (["0301", "乔木林地", "Tree", "forest", "canopy_cover", "0.5", ""], "filled from the survey data"),
        (["0301", "乔木林地", "Tree", "substation", "voltage_kv", "110", ""], "holds no polygons"),
        (["03X", "乔木林地", "Tree", "", "", "", ""], "is not a land-class code"),
    ],
)
def test_bad_mapping_rows_are_refused(tmp_path, row, message):
    path = tmp_path / "bad.csv"
    pd.DataFrame([row], columns=list(lc.MAPPING_COLUMNS)).to_csv(path, index=False)
    with pytest.raises(LayerError, match=message) as exc:
        lc.load_mapping(path)
    assert exc.value.file == str(path)
    # a single problem is located by feature/field; several are listed by line in the message
    assert exc.value.feature == "CSV line 2" or "line 2, column" in str(exc.value)


def test_gbk_mapping_is_refused_with_a_hint(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes(
        ("dlbm,dlmc,name_en,layer_kind,attribute,value,notes\n0603,盐田,Salt pan,salt_pan,,,\n").encode("gbk")
    )
    with pytest.raises(LayerError, match="not UTF-8") as exc:
        lc.load_mapping(path)
    assert "GBK" in exc.value.hint
