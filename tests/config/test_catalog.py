"""Tests of layout.model.catalog: the embedded catalog, the linkage graph and TOML validation."""

from __future__ import annotations

import copy
import json
import math
import os
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

import layout
from layout.config.catalog import check_industry, load_catalog, parse_catalog
from layout.errors import ConfigError, DataFileError, LayoutError, UnknownIndustryError
from layout.model.catalog import GROUPS, OTHER, PRIORITY_CODES, Catalog
from layout.model.industry import CONFIDENCE

CATALOG_TOML = Path(layout.__file__).parent / "config" / "industries.toml"

# --------------------------------------------------------------------------------------------
# A tiny catalog: four industries a, b, c, d; one base of b; four edges.
#   a → b 0.5, b → a 0.8, c → a 0.2, b → c 0.3; d has no links.
# Worked by hand: related(a) = {b: max(0.5, 0.8) = 0.8, c: 0.2}; related(b) = {a: 0.8, c: 0.3};
# related(c) = {b: 0.3, a: 0.2}; related(d) = {}. Suppliers (edges into) and customers (edges
# out of): a ← {b 0.8, c 0.2}, a → {b 0.5}; b ← {a 0.5}, b → {a 0.8, c 0.3}; c ← {b 0.3},
# c → {a 0.2}; d neither.
# --------------------------------------------------------------------------------------------

LAND = """
[land]
building_coverage_min = 0.30
admin_share_max = 0.07
green_ratio_max = 0.20
source = "test"
"""


def industry(code: str, color: str, divisions: list[str]) -> str:
    groups = "".join(
        f"""
  [industries.{name}]
  {values}
  confidence = "L"
  source = "test {name}"
"""
        for name, values in [
            ("transport", "expressway = 0.5\n  rail_freight = 0.4\n  airport = 0.3"),
            (
                "siting",
                "max_slope_deg = 8\n  pollution_intensive = false\n  residential_buffer_m = 0",
            ),
            ("far", "min = 1.0"),
            ("output", "per_mu_wan = 500"),
            ("investment", "per_mu_wan = 200"),
            ("tax", "per_mu_wan = 10"),
        ]
    )
    return f"""
[[industries]]
code = "{code}"
name_zh = "{code}业"
name_en = "Industry {code.upper()}"
group = "traditional"
gbt4754 = {json.dumps(divisions)}
color = "{color}"
{groups}"""


def edge(source: str, target: str, weight: float) -> str:
    return f"""
[[linkages]]
source = "{source}"
target = "{target}"
weight = {weight}
why = "{source} supplies {target}."
weight_source = "judgement"
"""


TINY = (
    "schema_version = 1\n"
    + LAND
    + industry("a", "#111111", ["13"])
    + industry("b", "#222222", ["14"])
    + industry("c", "#333333", ["15"])
    + industry("d", "#444444", ["17"])
    + """
[[bases]]
code = "b_base"
name_zh = "乙基地"
name_en = "B base"
parent = "b"
scale = "100bn"
residential_buffer_m = 500
"""
    + edge("a", "b", 0.5)
    + edge("b", "a", 0.8)
    + edge("c", "a", 0.2)
    + edge("b", "c", 0.3)
)


@pytest.fixture
def tiny_path(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY, encoding="utf-8")
    return path


@pytest.fixture
def tiny_data() -> dict[str, Any]:
    return tomllib.loads(TINY)


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return load_catalog()


# --------------------------------------------------------------------------------------------
# The embedded catalog
# --------------------------------------------------------------------------------------------


def test_seven_codes_in_canonical_order(cat: Catalog) -> None:
    assert cat.codes == PRIORITY_CODES
    assert PRIORITY_CODES == (
        "auto",
        "electronics",
        "new_materials",
        "biomedicine",
        "aluminium",
        "food",
        "textiles",
    )
    assert OTHER not in cat.codes


def test_names_and_groups(cat: Catalog) -> None:
    names = {c: cat.industry(c).name_zh for c in cat.codes}
    assert names == {
        "auto": "汽车及装备制造",
        "electronics": "电子信息",
        "new_materials": "新材料",
        "biomedicine": "生物医药",
        "aluminium": "铝工业",
        "food": "食品工业",
        "textiles": "纺织服装",
    }
    groups = {c: cat.industry(c).group for c in cat.codes}
    assert groups == {
        "auto": "strategic_supporting",
        "electronics": "strategic_supporting",
        "new_materials": "strategic_emerging",
        "biomedicine": "strategic_emerging",
        "aluminium": "traditional",
        "food": "traditional",
        "textiles": "traditional",
    }
    assert all(cat.industry(c).name("en") for c in cat.codes)
    assert set(groups.values()) == set(GROUPS)


def test_production_bases(cat: Catalog) -> None:
    expected = {
        "electronic_glass": ("电子玻璃", "electronics", "100bn"),
        "abrasives": ("磨料磨具", "new_materials", "100bn"),
        "aluminium_products": ("铝材", "aluminium", "100bn"),
        "refractories": ("耐材", "new_materials", "100bn"),
        "food_base": ("食品", "food", "100bn"),
        "auto_equipment": ("汽车及装备制造", "auto", "500bn"),
        "electronics_base": ("电子信息", "electronics", "500bn"),
    }
    got = {b.code: (b.name_zh, b.parent, b.scale) for b in cat.bases.values()}
    assert got == expected
    # Each industry lists exactly the bases whose parent it is, in file order.
    for code in cat.codes:
        assert cat.industry(code).bases == tuple(
            b for b, (_, parent, _) in expected.items() if parent == code
        )
    assert cat.industry("new_materials").bases == ("abrasives", "refractories")
    assert set(cat.bases).isdisjoint(cat.codes)


def test_base_overrides_and_inheritance(cat: Catalog) -> None:
    refr = cat.base("refractories")
    assert refr.pollution_intensive is True and refr.residential_buffer_m == 800
    assert cat.industry("new_materials").pollution_intensive is False
    glass = cat.base("electronic_glass", inherit=True)
    assert glass.min_far == 0.7  # a non-metallic mineral product, below electronics' 1.0
    assert glass.pollution_intensive is False
    abr = cat.base("abrasives")
    assert abr.min_far is None and abr.residential_buffer_m is None
    abr_eff = cat.base("abrasives", inherit=True)
    assert abr_eff.min_far == cat.industry("new_materials").min_far
    assert abr_eff.residential_buffer_m == cat.industry("new_materials").residential_buffer_m


def test_far_minima_follow_national_indicators(cat: Catalog) -> None:
    # domain.md §4: 0.6 non-ferrous metals; 0.7 pharmaceuticals and non-metallic minerals;
    # 0.8 textiles; 1.0 food; 0.7 equipment and transport equipment, 1.0 electronics (2008).
    far = {c: cat.industry(c).min_far for c in cat.codes}
    assert far == {
        "auto": 0.7,
        "electronics": 1.0,
        "new_materials": 0.7,
        "biomedicine": 0.7,
        "aluminium": 0.6,
        "food": 1.0,
        "textiles": 0.8,
    }
    for code in cat.codes:
        ind = cat.industry(code)
        assert "2008" in ind.far_source
        assert ind.provenance["far"].confidence == "H"


def test_land_indicators(cat: Catalog) -> None:
    assert cat.land.building_coverage_min == pytest.approx(0.30)
    assert cat.land.admin_share_max == pytest.approx(0.07)
    assert cat.land.green_ratio_max == pytest.approx(0.20)
    assert "工业项目建设用地控制指标" in cat.land.source


def test_every_number_has_provenance(cat: Catalog) -> None:
    for code in cat.codes:
        ind = cat.industry(code)
        assert set(ind.provenance) == {"transport", "siting", "far", "output", "investment", "tax"}
        for prov in ind.provenance.values():
            assert prov.confidence in CONFIDENCE
            assert prov.source.strip()


def test_benchmarks_are_plausible(cat: Catalog) -> None:
    outputs = [cat.industry(c).output_per_mu_wan for c in cat.codes]
    # Set around the national development-zone average of ≈ 866 万元/mu (2011).
    assert min(outputs) < 866 < max(outputs)
    for code in cat.codes:
        ind = cat.industry(code)
        assert ind.output_per_mu_wan > ind.investment_per_mu_wan > ind.tax_per_mu_wan > 0
        assert 0 < ind.max_slope_deg <= 15
    assert cat.industry("aluminium").pollution_intensive
    assert cat.industry("aluminium").residential_buffer_m == 1000
    assert cat.industry("electronics").residential_buffer_m == 0


def test_transport_needs_match_the_domain(cat: Catalog) -> None:
    tr = {c: cat.industry(c).transport for c in cat.codes}
    for t in tr.values():
        assert all(0.0 <= w <= 1.0 for w in t.as_dict().values())
    by_airport = sorted(cat.codes, key=lambda c: -tr[c].airport)
    assert set(by_airport[:2]) == {"electronics", "biomedicine"}
    by_rail = sorted(cat.codes, key=lambda c: -tr[c].rail_freight)
    assert set(by_rail[:2]) == {"aluminium", "new_materials"}
    assert tr["auto"].expressway >= 0.8 and tr["auto"].rail_freight >= 0.5


def test_colours_are_distinct_hex(cat: Catalog) -> None:
    colors = [cat.industry(c).color.lower() for c in cat.codes]
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in colors)
    assert len(set(colors)) == len(colors)


def test_divisions_are_disjoint_and_map_back(cat: Catalog) -> None:
    seen: dict[str, str] = {}
    for code in cat.codes:
        for div in cat.industry(code).gbt4754:
            assert re.fullmatch(r"\d{2}", div)
            assert div not in seen
            seen[div] = code
            assert cat.industry_for_division(div) == code
    assert cat.industry("biomedicine").gbt4754 == ("27",)
    assert cat.industry("electronics").gbt4754[0] == "39"
    assert cat.industry_for_division("3216") == "aluminium"
    assert cat.industry_for_division("26") == OTHER


# --------------------------------------------------------------------------------------------
# Linkages
# --------------------------------------------------------------------------------------------


def test_linkage_graph(cat: Catalog) -> None:
    g = cat.linkage_graph()
    assert list(g.nodes) == list(cat.codes)
    assert g.nodes["aluminium"]["name_zh"] == "铝工业"
    assert 12 <= g.number_of_edges() <= 20
    assert not any(u == v for u, v in g.edges)
    for u, v, data in g.edges(data=True):
        assert 0.0 <= data["weight"] <= 1.0
        assert data["why"].strip().endswith("."), (u, v)  # one sentence each
        if data["via_base"] is not None:
            assert cat.base(data["via_base"]).parent in (u, v)
    # The chains the domain brief names.
    assert g["aluminium"]["auto"]["weight"] >= 0.7
    assert g["new_materials"]["aluminium"]["via_base"] == "refractories"
    assert g.has_edge("new_materials", "auto") and g.has_edge("new_materials", "electronics")
    assert g.has_edge("electronics", "auto")
    # Every industry is linked to at least one other.
    assert all(g.degree(c) > 0 for c in cat.codes)
    # A fresh graph each call: modifying it does not touch the catalog.
    g.remove_edge("aluminium", "auto")
    assert cat.linkage_graph().has_edge("aluminium", "auto")


def test_related_on_tiny_catalog(tiny_path: Path) -> None:
    tiny = load_catalog(tiny_path)
    assert tiny.related("a") == {"b": 0.8, "c": 0.2}
    assert list(tiny.related("c")) == ["b", "a"]  # strongest first
    assert tiny.related("c") == {"b": 0.3, "a": 0.2}
    assert tiny.related("b") == {"a": 0.8, "c": 0.3}
    assert tiny.related("d") == {}
    with pytest.raises(UnknownIndustryError):
        tiny.related("e")


def test_suppliers_and_customers_on_tiny_catalog(tiny_path: Path) -> None:
    tiny = load_catalog(tiny_path)
    assert tiny.suppliers("a") == {"b": 0.8, "c": 0.2}
    assert tiny.customers("a") == {"b": 0.5}
    assert tiny.suppliers("b") == {"a": 0.5}
    assert list(tiny.customers("b")) == ["a", "c"]  # strongest first
    assert tiny.customers("b") == {"a": 0.8, "c": 0.3}
    assert (tiny.suppliers("c"), tiny.customers("c")) == ({"b": 0.3}, {"a": 0.2})
    assert tiny.suppliers("d") == tiny.customers("d") == {}
    with pytest.raises(UnknownIndustryError):
        tiny.suppliers("e")


def test_embedded_links_say_where_their_weight_comes_from(cat: Catalog) -> None:
    # No input-output coefficient is known with confidence for these links (docs/linkage.md):
    # every weight is judgement; a cited coefficient would carry its citation.
    sources = {link.weight_source for link in cat.linkages}
    assert sources == {"judgement"}
    assert all(link.citation for link in cat.linkages if link.weight_source == "io_coefficient")
    data = tomllib.loads(CATALOG_TOML.read_text(encoding="utf-8"))
    assert [k["weight_source"] for k in data["linkages"]] == [k.weight_source for k in cat.linkages]


def test_a_cited_io_coefficient_is_accepted(tiny_data: dict[str, Any]) -> None:
    data = copy.deepcopy(tiny_data)
    data["linkages"][0] |= {"weight_source": "io_coefficient",
                            "citation": "Henan input-output table 2017, direct requirement"}
    link = parse_catalog(data).linkages[0]
    assert (link.weight_source, link.citation) == (
        "io_coefficient", "Henan input-output table 2017, direct requirement")


def test_related_ties_in_canonical_order(cat: Catalog) -> None:
    rel = cat.related("food")
    assert rel == {"auto": 0.3, "biomedicine": 0.3, "aluminium": 0.3, "textiles": 0.15}
    assert list(rel) == ["auto", "biomedicine", "aluminium", "textiles"]


def test_related_is_symmetric(cat: Catalog) -> None:
    for a in cat.codes:
        for b, w in cat.related(a).items():
            assert cat.related(b)[a] == w


# --------------------------------------------------------------------------------------------
# Look-ups and unknown codes
# --------------------------------------------------------------------------------------------


def test_unknown_code_suggests_the_closest(cat: Catalog) -> None:
    with pytest.raises(UnknownIndustryError) as info:
        cat.industry("autos")
    msg = str(info.value)
    assert msg.startswith("unknown industry 'autos'; did you mean 'auto'? known codes: auto, ")
    assert "textiles" in msg
    # Also a ConfigError, a KeyError and a LayoutError, and not quoted like a KeyError.
    assert isinstance(info.value, ConfigError | KeyError | LayoutError)
    assert not msg.startswith('"')


@pytest.mark.parametrize(
    ("given", "hint"),
    [
        ("electronic", "did you mean 'electronics'?"),
        ("alu", "did you mean 'aluminium'?"),
        ("铝工业", "did you mean 'aluminium' (铝工业)?"),
        ("Textiles and apparel", "did you mean 'textiles'"),
        ("refractories", "'refractories' is a production base of industry 'new_materials'"),
    ],
)
def test_check_industry_hints(given: str, hint: str) -> None:
    with pytest.raises(UnknownIndustryError, match=re.escape(hint)):
        check_industry(given)


def test_check_industry_normalises_and_other() -> None:
    assert check_industry(" Aluminium ") == "aluminium"
    assert check_industry("OTHER", allow_other=True) == OTHER
    with pytest.raises(UnknownIndustryError, match=r"known codes: .*textiles$"):
        check_industry("other")
    with pytest.raises(UnknownIndustryError, match=r"known codes: .*textiles, other$"):
        check_industry("xyz", allow_other=True)
    with pytest.raises(UnknownIndustryError, match="unknown industry nan"):
        check_industry(math.nan)  # type: ignore[arg-type]  # a pandas missing value


def test_check_industry_against_a_given_catalog(tiny_path: Path) -> None:
    tiny = load_catalog(tiny_path)
    assert check_industry("a", catalog=tiny) == "a"
    with pytest.raises(UnknownIndustryError, match="known codes: a, b, c, d"):
        check_industry("auto", catalog=tiny)


def test_unknown_base(cat: Catalog) -> None:
    with pytest.raises(UnknownIndustryError, match="did you mean 'refractories'"):
        cat.base("refractory")
    with pytest.raises(UnknownIndustryError, match="'auto' is an industry, not a base"):
        cat.base("auto")


def test_name_language(cat: Catalog) -> None:
    ind = cat.industry("textiles")
    assert ind.name() == "纺织服装" and ind.name("en") == "Textiles and apparel"
    with pytest.raises(ConfigError, match="lang must be"):
        ind.name("fr")


# --------------------------------------------------------------------------------------------
# Loading, caching, immutability, export
# --------------------------------------------------------------------------------------------


def test_default_is_cached_and_read_only(cat: Catalog) -> None:
    assert load_catalog() is load_catalog() is cat
    assert Path(cat.source).name == "industries.toml"
    with pytest.raises(TypeError):
        cat.industries["x"] = cat.industry("auto")  # type: ignore[index]


def test_edited_file_is_reloaded(tiny_path: Path) -> None:
    first = load_catalog(tiny_path)
    assert load_catalog(str(tiny_path)) is first
    tiny_path.write_text(TINY.replace("weight = 0.8", "weight = 0.9"), encoding="utf-8")
    st = tiny_path.stat()
    os.utime(tiny_path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    second = load_catalog(tiny_path)
    assert second is not first
    assert second.related("a")["b"] == 0.9


def test_to_dict_is_json(cat: Catalog) -> None:
    d = cat.to_dict()
    text = json.dumps(d, ensure_ascii=False, sort_keys=True)
    back = json.loads(text)
    assert [i["code"] for i in back["industries"]] == list(PRIORITY_CODES)
    alu = back["industries"][4]
    assert alu["name_zh"] == "铝工业" and alu["bases"] == ["aluminium_products"]
    assert alu["benchmarks"]["min_far"] == 0.6
    refr = next(b for b in back["bases"] if b["code"] == "refractories")
    assert refr["overrides"] == ["pollution_intensive", "residential_buffer_m"]
    abr = next(b for b in back["bases"] if b["code"] == "abrasives")
    assert abr["min_far"] == 0.7 and abr["overrides"] == []
    assert len(back["linkages"]) == len(cat.linkages)
    assert back["land"]["admin_share_max"] == 0.07


def test_from_dict_matches_file(tiny_path: Path, tiny_data: dict[str, Any]) -> None:
    a = parse_catalog(tiny_data)
    b = load_catalog(tiny_path)
    assert a.industries == b.industries and a.linkages == b.linkages and a.bases == b.bases
    assert a.source == "<dict>" and b.source == str(tiny_path.resolve())


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match=r"nope\.toml"):
        load_catalog(tmp_path / "nope.toml")
    with pytest.raises(DataFileError, match="not a folder"):
        load_catalog(tmp_path)


# --------------------------------------------------------------------------------------------
# Validation: every problem names the file and the key
# --------------------------------------------------------------------------------------------


def test_bad_weight_in_file_names_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "industries.toml"
    path.write_text(TINY.replace("weight = 0.3", "weight = 1.4"), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_catalog(path)
    assert str(info.value) == (f"{path}: linkages[3].weight = 1.4: must be in [0, 1] (edge b → c)")


def test_invalid_toml(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[land\nx = 1", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"broken\.toml: not valid TOML: .*line 1"):
        load_catalog(path)


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``data[path]`` for a dotted path with list indices (``industries.0.far.min``)."""
    keys = [int(k) if k.isdigit() else k for k in path.split(".")]
    target: Any = data
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = value


def _delete(data: dict[str, Any], path: str) -> None:
    keys = [int(k) if k.isdigit() else k for k in path.split(".")]
    target: Any = data
    for key in keys[:-1]:
        target = target[key]
    del target[keys[-1]]


_DELETE = object()

BAD_CASES = [
    # (what, dotted path to change, new value, expected text in the message)
    ("weight above 1", "linkages.0.weight", 1.4, "linkages[0].weight = 1.4: must be in [0, 1]"),
    ("negative weight", "linkages.0.weight", -0.1, "linkages[0].weight = -0.1: must be in [0, 1]"),
    ("weight not a number", "linkages.0.weight", "high", 'linkages[0].weight = "high": must be'),
    ("self-loop", "linkages.0.target", "a", 'linkages[0].target = "a": a linkage cannot join'),
    ("edge to unknown code", "linkages.0.target", "bb", 'linkages[0].target = "bb": unknown'),
    ("edge to a base", "linkages.0.target", "b_base", "set via_base = 'b_base'"),
    ("empty why", "linkages.0.why", " ", 'linkages[0].why = " ": must not be empty'),
    ("missing why", "linkages.0.why", _DELETE, "linkages[0].why: missing"),
    ("unknown via_base", "linkages.0.via_base", "x_base", 'linkages[0].via_base = "x_base"'),
    ("via_base of neither end", "linkages.2.via_base", "b_base", "neither end of the edge"),
    ("duplicate edge", "linkages.2.source", "b", "linkages[2]: duplicate of linkages[1]"),
    ("missing weight_source", "linkages.1.weight_source", _DELETE,
     "linkages[1].weight_source: missing"),
    ("bad weight_source", "linkages.1.weight_source", "guess",
     "linkages[1].weight_source = \"guess\": must be one of 'io_coefficient', 'judgement'"),
    ("io_coefficient uncited", "linkages.1.weight_source", "io_coefficient",
     "linkages[1].citation: missing: a weight_source = \"io_coefficient\" cites"),
    ("typo in a link key", "linkages.1.weight_sauce", "judgement",
     "linkages[1].weight_sauce: unknown key; did you mean 'weight_source'"),
    ("unknown parent", "bases.0.parent", "bee", 'bases[0].parent = "bee": unknown industry code'),
    ("bad scale", "bases.0.scale", "1000bn", 'bases[0].scale = "1000bn": must be one of'),
    ("base code = industry", "bases.0.code", "a", 'bases[0].code = "a": duplicate code'),
    ("base buffer < 0", "bases.0.residential_buffer_m", -5, "bases[0].residential_buffer_m = -5"),
    ("missing field", "industries.0.name_en", _DELETE, "industries[0].name_en: missing"),
    ("missing group table", "industries.1.far", _DELETE, "industries[1].far: missing table"),
    ("duplicate code", "industries.1.code", "a", 'industries[1].code = "a": duplicate industry'),
    ("reserved code", "industries.0.code", "other", "'other' is reserved"),
    ("bad code", "industries.0.code", "Auto Parts", "must be a code of lower-case letters"),
    ("bad group", "industries.0.group", "tradition", "did you mean 'traditional'?"),
    ("bad colour", "industries.0.color", "red", 'industries[0].color = "red": must be'),
    ("same colour", "industries.1.color", "#111111", "same colour as 'a'"),
    ("bad division", "industries.0.gbt4754", ["3"], "must be two-digit strings"),
    ("shared division", "industries.1.gbt4754", ["13"], "division 13 is already listed by 'a'"),
    ("transport > 1", "industries.2.transport.airport", 2, "industries[2].transport.airport = 2"),
    ("bool as number", "industries.0.far.min", True, "industries[0].far.min = true: must be a"),
    ("FAR of zero", "industries.0.far.min", 0, "industries[0].far.min = 0: must be in (0, 10]"),
    ("nan output", "industries.0.output.per_mu_wan", math.nan, "must be a finite number"),
    ("slope 90", "industries.0.siting.max_slope_deg", 90, "must be in (0, 90)"),
    ("pollution not bool", "industries.0.siting.pollution_intensive", "no", "true or false"),
    ("bad confidence", "industries.0.tax.confidence", "X", "must be one of 'H', 'M', 'L'"),
    ("typo in key", "industries.0.far.mni", 1.0, "industries[0].far.mni: unknown key; did you"),
    ("unknown top key", "linkage", [], "linkage: unknown key; did you mean 'linkages'?"),
    ("land share > 1", "land.green_ratio_max", 20, "land.green_ratio_max = 20: must be in"),
    ("missing land", "land", _DELETE, "land: missing table"),
    ("schema version", "schema_version", 2, "schema_version = 2: must be 1"),
    ("no industries", "industries", [], "industries: missing"),
]


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [case[1:] for case in BAD_CASES],
    ids=[case[0] for case in BAD_CASES],
)
def test_bad_catalog_names_the_key(
    tiny_data: dict[str, Any], path: str, value: Any, expected: str
) -> None:
    data = copy.deepcopy(tiny_data)
    if value is _DELETE:
        _delete(data, path)
    else:
        _set(data, path, value)
    with pytest.raises(ConfigError) as info:
        parse_catalog(data, source="mine.toml")
    msg = str(info.value)
    assert msg.startswith("mine.toml: ")
    assert expected in msg


def test_all_problems_are_reported_together(tiny_data: dict[str, Any]) -> None:
    data = copy.deepcopy(tiny_data)
    data["linkages"][3]["weight"] = 1.4
    data["bases"][0]["parent"] = "zz"
    del data["industries"][2]["name_zh"]
    with pytest.raises(ConfigError) as info:
        parse_catalog(data, source="mine.toml")
    lines = str(info.value).splitlines()
    assert lines[0] == "mine.toml: 3 problems:"
    assert lines[1:] == [
        "  - industries[2].name_zh: missing (industry 'c')",
        '  - bases[0].parent = "zz": unknown industry code; known codes: a, b, c, d'
        " (base 'b_base')",
        "  - linkages[3].weight = 1.4: must be in [0, 1] (edge b → c)",
    ]


def test_a_bad_industry_does_not_cascade(tiny_data: dict[str, Any]) -> None:
    # An industry with a bad value is still a known code for its bases and edges.
    data = copy.deepcopy(tiny_data)
    data["industries"][1]["far"]["min"] = -1
    with pytest.raises(ConfigError) as info:
        parse_catalog(data, source="mine.toml")
    assert str(info.value) == (
        "mine.toml: industries[1].far.min = -1: must be in (0, 10] (industry 'b')"
    )
