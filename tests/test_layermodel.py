import pytest

from binhai_geo.layermodel import COMMON_FIELDS, LAYER_KINDS, fields_of, get_kind

REQUIRED_KINDS = {
    "boundary", "sea_area", "coastline", "salt_pan", "fish_pond", "offshore_zone", "tidal_flat", "breakwater",
    "rooftop", "wetland", "forest", "protected_area", "exclusion", "substation", "project",
}


def test_every_kind_of_the_plan_is_declared_with_bilingual_names():
    assert REQUIRED_KINDS <= set(LAYER_KINDS)
    for kind in LAYER_KINDS.values():
        assert kind.zh and kind.en and kind.geometry
        assert kind.label == f"{kind.zh} {kind.en}"
        for f in fields_of(kind):
            assert f.zh and f.en, (kind.name, f.name)


def test_geometry_families():
    assert get_kind("coastline").geometry_types == {"LineString", "MultiLineString"}
    assert get_kind("substation").geometry_types == {"Point", "MultiPoint"}
    assert "MultiPolygon" in get_kind("salt_pan").geometry_types


def test_fields_carry_units_and_ranges():
    project = get_kind("project")
    cap = project.field("capacity_mw")
    assert cap.required and cap.unit == "MW" and cap.min == 0
    assert get_kind("forest").field("canopy_cover").max == 1.0
    assert get_kind("offshore_zone").field("allowed_use").allowed == ("pv", "wind", "both")
    assert get_kind("coastline").field("natural").dtype == "bool"


def test_common_fields_added_once():
    names = [f.name for f in fields_of(get_kind("project"))]
    assert len(names) == len(set(names))
    assert {f.name for f in COMMON_FIELDS} <= set(names)


def test_unknown_kind_lists_known_ones():
    with pytest.raises(KeyError, match="known kinds: .*salt_pan"):
        get_kind("saltpan")
