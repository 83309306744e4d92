"""layout.config.plan: the embedded plan, the tiny plan, and one test per kind of bad config.

Every bad config must raise `ConfigError` (or its subclass `UnknownIndustryError`) whose message
names the file and the TOML key, so that a planner can fix the TOML without reading code.
"""

from __future__ import annotations

import logging
import math
import os
import re
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from layout.config.criteria import criterion_specs, industry_weights
from layout.config.plan import embedded_plan_path, load_plan, parse_plan
from layout.core.weights import format_matrix
from layout.errors import ConfigError, LayoutError, UnknownIndustryError
from layout.model.constraints import CONSTRAINT_BITS
from layout.model.criteria import WEIGHT_KEYS
from layout.model.layers import INPUT_NAMES
from layout.model.plan import PlanConfig
from tests.fixtures.tiny_plan import EXCLUDE, write_tiny_plan

PLAN = Path("plan.toml")


def parse(data: dict[str, Any]) -> PlanConfig:
    """Parse a plan dict as if read from ``plan.toml`` (every input embedded by default)."""
    return parse_plan(data, path=PLAN)


def raises(data: dict[str, Any], *keys: str, exc: type[Exception] = ConfigError) -> str:
    """Parse ``data``, expect ``exc``, and check the message names the file and every key."""
    with pytest.raises(exc) as info:
        parse(data)
    message = str(info.value)
    assert message.startswith("plan.toml: "), message
    for key in keys:
        assert key in message, f"{key!r} not in {message!r}"
    return message


@pytest.fixture(scope="module")
def tiny_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_plan(tmp_path_factory.mktemp("tiny"))


# --- plans that load ------------------------------------------------------------------------


def test_embedded_plan_loads() -> None:
    plan = load_plan()
    assert plan.path is None and plan.label == "embedded plan"
    assert plan.crs.to_epsg() == 4547 and plan.resolution == 100.0
    assert plan.seed == 20120424
    assert set(plan.inputs) == set(INPUT_NAMES)
    assert all(spec.embedded for spec in plan.inputs.values())
    assert "steep_slope" in plan.exclude and "outside_study_area" not in plan.exclude
    # The file's [weights] table as written (before normalising), access_transport included.
    assert plan.weights["access_transport"] == 0.14 and plan.weights["density"] == 0.10
    assert set(plan.industries) == {"electronics", "aluminium", "new_materials"}
    assert plan.industry("electronics").weights == {"density": 0.12, "airport": 0.12}
    assert plan.industry("food").weights == {}  # no table: empty overrides
    assert embedded_plan_path().exists()


def test_embedded_plan_exclude_bits() -> None:
    plan = load_plan()
    expected = 0
    for name in plan.exclude:
        expected |= CONSTRAINT_BITS[name]
    # 1 + 2 + 4 + 8 + 16 + 32 + 64 + 256 + 512 + 1024: every drawn type, steep slope and the
    # land-use limits, not outside_study_area.
    assert plan.exclude_mask_bits == expected == 1919


def test_empty_plan_takes_the_defaults() -> None:
    plan = parse({})
    assert plan.crs.to_epsg() == 4547 and plan.resolution == 100.0
    assert all(spec.embedded for spec in plan.inputs.values())
    # By default every drawn constraint type excludes, and so do steep slope and the land-use
    # limits (which flag nothing without a land-use layer).
    assert plan.exclude == (
        "basic_farmland",
        "eco_redline",
        "water_source",
        "wetland_reserve",
        "scenic_heritage",
        "flood_zone",
        "steep_slope",
        "landuse_farmland",
        "landuse_water",
        "landuse_ecological",
    )


def test_tiny_plan_loads_with_relative_paths(tiny_plan: Path) -> None:
    plan = load_plan(tiny_plan)
    assert plan.label == "plan.toml" and plan.path == tiny_plan
    assert plan.resolution == 200.0 and plan.exclude == EXCLUDE
    folder = tiny_plan.parent
    assert plan.inputs["boundary"].path == folder / "boundary.geojson"
    assert plan.inputs["counties"].path == folder / "counties" / "counties.shp"
    zones = plan.inputs["zones"]
    assert (zones.path, zones.layer) == (folder / "layers.gpkg", "zones")
    assert plan.inputs["urban_areas"].crs == "EPSG:4326"
    assert plan.inputs["dem"].path == folder / "dem.tif"
    assert not any(spec.embedded for spec in plan.inputs.values())


def test_optional_inputs_may_be_left_out() -> None:
    required = {name: "embedded" for name, req in INPUT_NAMES.items() if req}
    plan = parse({"inputs": required})
    assert set(plan.inputs) == set(required)


# --- bad configs: one ConfigError per mistake, naming file and key -------------------------


def test_unknown_industry_suggests_the_closest() -> None:
    message = raises(
        {"industries": {"autos": {"weights": {"density": 1}}}},
        "industries.autos",
        "'autos'",
        "did you mean 'auto'",
        exc=UnknownIndustryError,
    )
    assert "\n" not in message


def test_unknown_industry_error_is_also_a_key_error() -> None:
    with pytest.raises(KeyError):
        parse({"industries": {"autos": {}}})


def test_unknown_criterion_in_weights() -> None:
    raises({"weights": {"densty": 1.0}}, "weights.densty", "did you mean 'density'")


def test_unknown_criterion_in_industry_weights() -> None:
    raises(
        {"industries": {"food": {"weights": {"zonefit": 1.0}}}},
        "industries.food.weights.zonefit",
        "did you mean 'zone_fit'",
    )


def test_unknown_criterion_in_shared_criteria() -> None:
    raises({"criteria": {"slop": {}}}, "criteria.slop", "did you mean 'slope'")


def test_unknown_criterion_in_industry_criteria() -> None:
    raises(
        {"industries": {"food": {"criteria": {"slop": {}}}}},
        "industries.food.criteria.slop",
        "unknown key",
        "did you mean 'slope'",
    )


def test_access_transport_is_a_weight_not_a_criterion() -> None:
    parse({"weights": {"access_transport": 0.2}})  # fine as a weight
    raises({"criteria": {"access_transport": {}}}, "criteria.access_transport")


def test_unknown_transform_kind_suggests_close() -> None:
    # Every industry's transforms are resolved when the plan loads, so errors come at once.
    message = raises(
        {
            "industries": {
                "food": {
                    "criteria": {"density": {"transform": {"kind": "lienar", "low": 0, "high": 1}}}
                }
            }
        },
        "industries.food.criteria.density.transform",
        "unknown transform kind",
        "'lienar'",
        "did you mean 'linear'",
    )
    assert message.startswith("plan.toml: industries.food.criteria.density.transform: ")


def test_unknown_transform_parameter() -> None:
    message = raises(
        {
            "industries": {
                "auto": {
                    "criteria": {
                        "anchor": {"transform": {"kind": "near", "midpoint": 5000, "spred": 2}}
                    }
                }
            }
        },
        "unknown key", "known: kind, midpoint",
    )
    assert message.startswith("plan.toml: industries.auto.criteria.anchor.transform.spred")


def test_transform_error_names_the_shared_table_it_was_written_in() -> None:
    raises({"criteria": {"density": {"transform": {"kind": "lienar"}}}},
           "plan.toml: criteria.density.transform")


def test_catalog_placeholder_is_resolved_per_industry() -> None:
    # "catalog" stands for the industry's value: slope low = max_slope_deg (food 8°, auto 5°).
    plan = parse({"criteria": {"slope": {"transform": {"kind": "small", "midpoint": 3.0}}}})
    assert dict(criterion_specs(plan, "food")["slope"].transform.params) == {"midpoint": 3.0}
    plan = parse({})
    assert criterion_specs(plan, "food")["slope"].transform.params["low"] == 8.0
    assert criterion_specs(plan, "auto")["slope"].transform.params["low"] == 5.0


def test_catalog_placeholder_in_an_unsupported_key() -> None:
    raises({"criteria": {"anchor": {"transform": {"kind": "near", "midpoint": "catalog"}}}},
           "criteria.anchor.transform.midpoint", "only a linear")


def test_unknown_criterion_parameter_at_load() -> None:
    raises({"criteria": {"density": {"bandwith_m": 2000.0}}}, "criteria.density.bandwith_m",
           "unknown key", "did you mean 'bandwidth_m'")


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"bandwidth_m": -5}, "bandwidth_m = -5: must be > 0"),
        ({"bandwidth_m": "wide"}, 'bandwidth_m = "wide": must be a number'),
        ({"weight_column": "employee"}, 'weight_column = "employee": must be one of'),
    ],
)
def test_bad_criterion_parameter_values_at_load(params: dict[str, Any], fragment: str) -> None:
    raises({"criteria": {"density": params}}, "criteria.density.", fragment)


def test_bad_hotspot_metric_at_load() -> None:
    raises({"criteria": {"hotspot": {"metric": "rook"}}}, 'criteria.hotspot.metric = "rook"',
           "must be one of 'queen', 'distance'")


def test_negative_weight() -> None:
    raises({"weights": {"density": -0.1}}, "weights.density = -0.1", "must be >= 0")
    raises(
        {"industries": {"food": {"weights": {"slope": -1}}}},
        "industries.food.weights.slope = -1",
    )


def test_non_numeric_weight() -> None:
    raises({"weights": {"density": "high"}}, "weights.density", "must be a number")
    raises({"weights": {"density": True}}, "weights.density", "must be a number")


def test_all_zero_weights() -> None:
    raises({"weights": dict.fromkeys(WEIGHT_KEYS, 0.0)}, "weights: all weights are zero")


def test_ahp_not_reciprocal_names_the_pair() -> None:
    matrix = [[1, 3, 5], [0.5, 1, 3], ["1/5", "1/3", 1]]
    raises(
        {
            "industries": {
                "food": {"ahp": {"labels": ["density", "zone_fit", "slope"], "matrix": matrix}}
            }
        },
        "industries.food.ahp: matrix:",
        "pair (0, 1) is not reciprocal",
        "density over zone_fit",
        "a[1][0] = 1/3",
    )


def test_ahp_inconsistent_is_one_line_with_cr(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="layout")
    labels = ["density", "zone_fit", "slope"]
    # density beats zone_fit, zone_fit beats slope, yet slope beats density: circular.
    upper = [9, "1/9", 9]
    full = np.array([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]])
    lam = max(np.linalg.eigvals(full).real)
    cr = (lam - 3) / 2 / 0.58  # Saaty's RI for n = 3
    message = raises(
        {"industries": {"food": {"ahp": {"labels": labels, "matrix": upper}}}},
        "industries.food.ahp: matrix:",
        f"CR = {cr:.3f} > 0.10",
    )
    assert "\n" not in message  # one line; the matrix goes to the debug log
    assert "(density over zone_fit) = 9" in message
    assert format_matrix(full, labels) in caplog.text


def test_ahp_unknown_label_and_missing_matrix() -> None:
    raises(
        {"industries": {"food": {"ahp": {"labels": ["densty"], "matrix": []}}}},
        "industries.food.ahp.labels[0]",
        "'densty'",
        "did you mean 'density'",
    )
    raises(
        {"industries": {"food": {"ahp": {"labels": ["density", "slope"]}}}},
        "industries.food.ahp.matrix: missing",
    )


def test_ahp_upper_triangle_of_the_wrong_length() -> None:
    raises(
        {"industries": {"food": {"ahp": {"labels": ["density", "slope", "lq"], "matrix": [3, 5]}}}},
        "industries.food.ahp: matrix:",
        "has 3 values",
    )


def test_geographic_plan_crs() -> None:
    raises({"plan": {"crs": "EPSG:4326"}}, 'plan.crs = "EPSG:4326"', "geographic", "EPSG:4547")


def test_unknown_plan_crs() -> None:
    raises({"plan": {"crs": "EPSG:999999"}}, 'plan.crs = "EPSG:999999"', "not a CRS")


def test_resolution_out_of_range() -> None:
    raises({"plan": {"resolution_m": 1}}, "plan.resolution_m = 1", "must be >= 5")


def test_bad_seed() -> None:
    raises({"plan": {"seed": -3}}, "plan.seed = -3", "must be >= 0")


def test_unknown_top_level_key() -> None:
    raises({"plans": {}}, "plans: unknown key", "did you mean 'plan'")


def test_unknown_key_in_plan_and_industry_tables() -> None:
    raises({"plan": {"resolution": 100}}, "plan.resolution: unknown key",
           "did you mean 'resolution_m'")
    raises(
        {"industries": {"food": {"weigths": {}}}},
        "industries.food.weigths: unknown key",
        "did you mean 'weights'",
    )


def test_missing_required_input() -> None:
    raises({"inputs": {"boundary": "embedded"}}, "inputs.counties: missing")


def test_unknown_input_name() -> None:
    raises({"inputs": {"dems": "embedded"}}, "inputs.dems: unknown key", "did you mean 'dem'")


def test_missing_input_file(tmp_path: Path) -> None:
    data = {"inputs": {"boundary": "nope.geojson", "counties": "embedded", "zones": "embedded",
                       "enterprises": "embedded"}}  # fmt: skip
    with pytest.raises(ConfigError) as info:
        parse_plan(data, path=tmp_path / "plan.toml")
    message = str(info.value)
    assert message.startswith("plan.toml: inputs.boundary: file ")
    assert str(tmp_path / "nope.geojson") in message  # resolved from the plan's folder


def test_missing_input_file_in_a_table(tmp_path: Path) -> None:
    data = {"inputs": {"boundary": "embedded", "counties": "embedded", "zones": "embedded",
                       "enterprises": {"path": "firms.gpkg", "layer": "enterprises"}}}  # fmt: skip
    with pytest.raises(ConfigError, match=r"^plan\.toml: inputs\.enterprises: file .*firms"):
        parse_plan(data, path=tmp_path / "plan.toml")


def test_unknown_key_in_an_input_table(tiny_plan: Path) -> None:
    data = {"inputs": {"boundary": "embedded", "counties": "embedded", "zones": "embedded",
                       "enterprises": {"path": "enterprises.gpkg", "layr": "x"}}}  # fmt: skip
    with pytest.raises(ConfigError) as info:
        parse_plan(data, path=tiny_plan)
    message = str(info.value)
    assert "inputs.enterprises.layr: unknown key" in message and "did you mean 'layer'" in message


def test_bad_datum_and_crs_of_an_input(tiny_plan: Path) -> None:
    base = {"boundary": "embedded", "counties": "embedded", "zones": "embedded"}
    with pytest.raises(ConfigError, match=r"inputs\.enterprises\.datum = \"wgs48\": unknown datum"):
        parse_plan(
            {"inputs": {**base, "enterprises": {"path": "enterprises.gpkg", "datum": "wgs48"}}},
            path=tiny_plan,
        )
    with pytest.raises(ConfigError, match=r"inputs\.enterprises\.crs = \"EPSG:0\": not a CRS"):
        parse_plan(
            {"inputs": {**base, "enterprises": {"path": "enterprises.gpkg", "crs": "EPSG:0"}}},
            path=tiny_plan,
        )


def test_unknown_constraint_type_in_exclude() -> None:
    raises(
        {"constraints": {"exclude": ["basic_farmland", "water_sorce"]}},
        "constraints.exclude[1]: unknown constraint type 'water_sorce'",
        "did you mean 'water_source'",
    )


def test_outside_study_area_cannot_be_excluded() -> None:
    # Cells outside the boundary are never scored; the bit is not a choice.
    raises({"constraints": {"exclude": ["outside_study_area"]}},
           "constraints.exclude[0]: unknown constraint type")


def test_exclude_must_be_a_list() -> None:
    raises({"constraints": {"exclude": "basic_farmland"}},
           'constraints.exclude = "basic_farmland": must be a list')


# --- load_plan: files ----------------------------------------------------------------------


def test_load_plan_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="plan file not found"):
        load_plan(tmp_path / "nowhere.toml")


def test_load_plan_invalid_toml(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[plan\nname = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^broken\.toml: not valid TOML"):
        load_plan(path)


def test_load_plan_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "gbk.toml"
    path.write_bytes('[plan]\nname = "郑州"\n'.encode("gbk"))
    with pytest.raises(ConfigError, match=r"^gbk\.toml: not UTF-8"):
        load_plan(path)


def test_load_plan_errors_name_the_file(tmp_path: Path) -> None:
    path = write_tiny_plan(tmp_path, weights={"densty": 1.0})
    with pytest.raises(ConfigError, match=r"^plan\.toml: weights\.densty"):
        load_plan(path)


def test_load_plan_missing_data_file(tmp_path: Path) -> None:
    path = write_tiny_plan(tmp_path)
    (tmp_path / "dem.tif").unlink()
    with pytest.raises(ConfigError, match=r"^plan\.toml: inputs\.dem: file .*dem\.tif"):
        load_plan(path)


def test_every_error_is_a_layout_error() -> None:
    for data in ({"plans": {}}, {"industries": {"autos": {}}}, {"weights": {"x": 1}}):
        with pytest.raises(LayoutError):
            parse(data)


def test_weights_given_as_written() -> None:
    plan = parse({"weights": {"density": 3, "slope": 1}})
    assert plan.weights == {"density": 3.0, "slope": 1.0}
    assert all(isinstance(v, float) and math.isfinite(v) for v in plan.weights.values())


# --- docs/config.md stays true ---------------------------------------------------------------

DOC = Path(__file__).resolve().parents[2] / "docs" / "config.md"


def toml_blocks() -> list[str]:
    return re.findall(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_doc_toml_blocks_parse() -> None:
    blocks = toml_blocks()
    assert len(blocks) >= 5
    for block in blocks:
        tomllib.loads(block)


def test_doc_complete_example_loads(tmp_path: Path) -> None:
    example = next(b for b in toml_blocks() if b.startswith("[plan]"))
    plan_path = write_tiny_plan(tmp_path)  # the files the example names
    plan_path.write_text(example, encoding="utf-8")
    plan = load_plan(plan_path)
    assert plan.exclude == EXCLUDE
    for code in plan.catalog.codes:
        specs = criterion_specs(plan, code)
        assert math.fsum(s.weight for s in specs.values()) == pytest.approx(1.0)
    weights, source = industry_weights(plan, "food")
    assert source == "ahp" and list(weights) == ["density", "zone_fit", "expressway", "labour"]
    assert "airport" in criterion_specs(plan, "electronics")
    assert criterion_specs(plan, "aluminium")["residential_buffer"].transform.kind == "linear"


def test_a_plan_that_is_a_named_pipe_or_device(tmp_path: Path) -> None:
    fifo = tmp_path / "plan.toml"
    os.mkfifo(fifo)  # reading it would block the test forever
    with pytest.raises(ConfigError, match=r"plan\.toml is a named pipe \(FIFO\), not a plan file"):
        load_plan(fifo)
    with pytest.raises(ConfigError, match=r"^/dev/zero is a character device, not a plan file"):
        load_plan("/dev/zero")  # reading it would never end


def test_a_plan_without_names_is_called_by_its_file_name(tmp_path: Path) -> None:
    folder = tmp_path / "city"
    write_tiny_plan(folder, plan={"name": None, "name_en": None})
    plan_file = (folder / "plan.toml").rename(folder / "suzhou_2030.toml")
    plan = load_plan(plan_file)
    assert (plan.name, plan.name_en) == ("suzhou_2030", "suzhou_2030")
    text = plan_file.read_text(encoding="utf-8").replace("[plan]", '[plan]\nname = "苏州规划"')
    plan_file.write_text(text, encoding="utf-8")
    plan = load_plan(plan_file)
    assert (plan.name, plan.name_en) == ("苏州规划", "苏州规划")  # one name serves both
