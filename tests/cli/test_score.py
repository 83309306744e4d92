"""``layout score`` (click's CliRunner) and `layout.analysis.measures.agglomeration_table` on
the tiny plan (tests/fixtures/tiny_plan.py).

Exit status: 0 on success; 2 for bad input (a `LayoutError`, turned into a one-line message by
`layout.cli.options.LayoutGroup`), and then nothing is written: outputs appear all together or
not at all.  LQs are compared with a pandas calculation at 1e-5 relative (measures.csv keeps six
significant digits).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner, Result

from layout.analysis.measures import agglomeration_table
from layout.cli.main import cli
from layout.cli.score import score_command
from layout.config.catalog import load_catalog
from layout.data.inputs import load_inputs
from tests.fixtures import tiny_plan as tp

CODES = load_catalog().codes
COLUMNS = ["industry", "measure", "region_type", "region_id", "region_name", "value"]


@pytest.fixture(scope="module")
def tiny_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tp.write_tiny_plan(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def scored(tiny_plan: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Path]:
    out = tmp_path_factory.mktemp("run") / "suitability"
    result = CliRunner().invoke(
        score_command, [str(tiny_plan), "--industry", "all", "--out", str(out)]
    )
    return result, out


def lq_by_hand(firms: pd.DataFrame, region: str) -> pd.DataFrame:
    """(e_ri / e_r) / (E_i / E) of output over the firms given."""
    t = firms.pivot_table(
        index=region, columns="industry", values="output_wan", aggfunc="sum", fill_value=0.0
    )
    return t.div(t.sum(axis=1), axis=0).div(t.sum(axis=0) / t.to_numpy().sum(), axis=1)


def lq_zone_by_hand(firms: pd.DataFrame) -> pd.DataFrame:
    """Zone LQs against the whole city: (e_zi / e_z) / (E_i / E), E over every firm."""
    inside = firms[firms["zone_id"] != ""]
    t = inside.pivot_table(
        index="zone_id", columns="industry", values="output_wan", aggfunc="sum", fill_value=0.0
    )
    city = firms.groupby("industry")["output_wan"].sum()
    t = t.reindex(columns=city.index, fill_value=0.0)
    return t.div(t.sum(axis=1), axis=0).div(city / city.sum(), axis=1)


def read_measures(path: Path) -> pd.DataFrame:
    text = ["industry", "measure", "region_type", "region_id", "region_name"]
    m = pd.read_csv(path, dtype=dict.fromkeys(text, str))
    m[text] = m[text].fillna("")
    return m


#: Prefix of the staging folders (layout.io.staging.STAGING_PREFIX), spelt out independently.
STAGING = ".layout-staging."


def leftovers(folder: Path) -> list[str]:
    """Staging folders or temporary files left next to or inside the output folder."""
    names = [p.name for p in folder.parent.iterdir()]
    if folder.exists():
        names += [p.name for p in folder.rglob("*")]
    return [n for n in names if n.endswith((".partial", ".part")) or n.startswith(STAGING)]


# --- a successful run ----------------------------------------------------------------------


def test_score_all_exits_0_and_lists_its_files(scored: tuple[Result, Path]) -> None:
    result, out = scored
    assert result.exit_code == 0, result.output
    assert result.exception is None
    expected = {f"{c}_{kind}.tif" for c in CODES for kind in ("score", "criteria", "flags")}
    expected.add("measures.csv")
    assert {p.name for p in out.iterdir()} == expected | {".layout-output"}
    lines = result.stdout.splitlines()  # progress goes to stderr
    assert lines[0].startswith("plan: Tiny test plan (plan.toml); grid ")
    assert lines[0].endswith(" at 200 m, 1,895 cells in the study area")
    summary = next(i for i, line in enumerate(lines) if line.startswith("wrote "))
    assert lines[summary].startswith(f"wrote {len(expected)} files to {out}/ in ")
    listed = [Path(line.strip()) for line in lines[summary + 1 :]]
    assert {p.name for p in listed} == expected
    assert all(p.exists() and p.parent == out for p in listed)
    for code in CODES:  # one progress line per industry
        assert any(line.strip().startswith(code) and "mean" in line for line in lines)
    assert leftovers(out) == []


def test_measures_csv_columns_and_lq(scored: tuple[Result, Path]) -> None:
    _, out = scored
    m = read_measures(out / "measures.csv")
    assert list(m.columns) == COLUMNS
    assert set(m["industry"]) == set(CODES)
    firms = tp.tiny_enterprises()
    lq_county = lq_by_hand(firms, "county")
    lq_zone = lq_zone_by_hand(firms)
    rows = m[m["measure"] == "lq"]
    for code in ("auto", "electronics", "food", "aluminium"):
        for adcode in tp.COUNTIES:
            got = rows.query(
                "industry == @code and region_type == 'county' and region_id == @adcode"
            )
            assert got["value"].item() == pytest.approx(lq_county.loc[adcode, code], rel=1e-5)
            assert got["region_name"].item() == tp.COUNTIES[adcode][0]  # GBK Shapefile, decoded
        for zid in tp.ZONES:  # aluminium has no firm in zones: LQ 0 there
            got = rows.query("industry == @code and region_type == 'zone' and region_id == @zid")
            assert got["value"].item() == pytest.approx(lq_zone.loc[zid, code], rel=1e-5)
    # Food sits in the west county only: LQ there = share of food in the west / share overall.
    west = firms[firms["county"] == "410191"]
    by_hand = (
        west.loc[west["industry"] == "food", "output_wan"].sum() / west["output_wan"].sum()
    ) / (firms.loc[firms["industry"] == "food", "output_wan"].sum() / firms["output_wan"].sum())
    food_west = rows.query("industry == 'food' and region_id == '410191'")["value"].item()
    assert food_west == pytest.approx(by_hand, rel=1e-5)
    # Industries without firms in the tiny plan have no LQ rows.
    assert not rows["industry"].isin(["new_materials", "biomedicine", "textiles"]).any()


def test_measures_csv_sizes(scored: tuple[Result, Path]) -> None:
    _, out = scored
    m = read_measures(out / "measures.csv").set_index(["industry", "measure"])
    firms = tp.tiny_enterprises()
    for code in ("auto", "food", "new_materials"):
        sub = firms[firms["industry"] == code]
        assert m.loc[(code, "firms"), "value"] == len(sub)
        assert m.loc[(code, "output_wan"), "value"] == pytest.approx(
            sub["output_wan"].sum(), rel=1e-5
        )
        assert m.loc[(code, "employees"), "value"] == sub["employees"].sum()
    auto = firms[firms["industry"] == "auto"]
    share = auto.loc[auto["zone_id"] != "", "output_wan"].sum() / auto["output_wan"].sum()
    assert m.loc[("auto", "zone_output_share"), "value"] == pytest.approx(share, rel=1e-5)


def test_through_the_main_group(tiny_plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "food_only"
    result = CliRunner().invoke(
        cli, ["score", str(tiny_plan), "--industry", "food", "--out", str(out), "-q"]
    )
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.iterdir()}
    assert names == {"food_score.tif", "food_criteria.tif", "food_flags.tif", "measures.csv",
                     ".layout-output"}
    assert result.stdout == "" and result.stderr == ""  # quiet: errors only
    m = read_measures(out / "measures.csv")
    assert set(m["industry"]) == {"food"}


# --- bad input: exit 2, one line, nothing written -------------------------------------------


def assert_bad_input(result: Result, out: Path, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    message = result.stderr.strip()
    assert message.startswith("error: ") and "\n" not in message, message
    for word in words:
        assert word in message, message
    assert not out.exists() or not any(out.iterdir())
    assert leftovers(out) == []


def test_bad_industry(tiny_plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["score", str(tiny_plan), "--industry", "autos", "--out", str(out)]
    )
    assert_bad_input(result, out, "'autos'", "'auto'")


def test_missing_input_file(tmp_path: Path) -> None:
    plan = tp.write_tiny_plan(tmp_path / "plan", inputs={"urban_areas": "urban.geojson"})
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["score", str(plan), "--out", str(out)])
    assert_bad_input(result, out, "plan.toml: inputs.urban_areas: file", "urban.geojson")


def test_missing_plan_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["score", str(tmp_path / "nope.toml"), "--out", str(out)])
    assert_bad_input(result, out, "nope.toml", "not found")


def test_failure_after_some_industries_writes_nothing(tmp_path: Path) -> None:
    # A transform error that only aluminium (the 5th industry) meets: residential_buffer has a
    # weight for pollution-intensive industries only. The plan is refused when it is read
    # (every industry's criteria are resolved then); the output folder must keep exactly what
    # it held before.
    bad = {"aluminium": {"criteria": {"residential_buffer": {"transform": {"kind": "nearr"}}}}}
    plan = tp.write_tiny_plan(tmp_path / "plan", industries=bad)
    out = tmp_path / "out"
    out.mkdir()
    (out / "auto_score.tif").write_bytes(b"an earlier run")
    result = CliRunner().invoke(cli, ["score", str(plan), "--out", str(out), "-q"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    where = "industries.aluminium.criteria.residential_buffer.transform"
    assert f"{where}: unknown transform kind" in result.stderr
    assert "did you mean 'near'" in result.stderr
    assert [p.name for p in out.iterdir()] == ["auto_score.tif"]
    assert (out / "auto_score.tif").read_bytes() == b"an earlier run"
    assert leftovers(out) == []


def test_bad_data_is_reported_without_traceback(tmp_path: Path) -> None:
    plan = tp.write_tiny_plan(tmp_path / "plan")
    (tmp_path / "plan" / "dem.tif").write_bytes(b"not a tiff")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["score", str(plan), "--out", str(out)])
    assert_bad_input(result, out, "dem.tif")


@pytest.mark.parametrize(
    ("criteria", "key"),
    [
        pytest.param(
            {"density": {"weight_column": "employee"}},
            "plan.toml: criteria.density.",
            id="weight_column-typo",
        ),
        pytest.param(
            {"density": {"bandwidth_m": "wide"}},
            "plan.toml: criteria.density.",
            id="bandwidth-not-a-number",
        ),
        pytest.param(
            {"density": {"bandwidth_m": -5.0}},
            "plan.toml: criteria.density.",
            id="bandwidth-negative",
        ),
        pytest.param(
            {"lq": {"measure": "employee"}},
            "plan.toml: criteria.lq.measure",
            id="lq-measure-typo",
        ),
    ],
)
def test_bad_criterion_parameter_values(
    tmp_path: Path, criteria: dict[str, dict[str, object]], key: str
) -> None:
    plan = tp.write_tiny_plan(tmp_path / "plan", criteria=criteria)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["score", str(plan), "--industry", "food", "--out", str(out)])
    assert_bad_input(result, out, "plan.toml", key)


def test_an_industry_with_every_cell_excluded(tmp_path: Path) -> None:
    plan = tp.write_tiny_plan(tmp_path / "plan")
    everything = gpd.GeoDataFrame(
        {"constraint_id": ["all"], "type": ["basic_farmland"], "legal_basis": ["土地管理法"]},
        geometry=[tp.BOUNDARY.buffer(400)],
        crs=tp.METRIC,
    )
    everything.to_file(tmp_path / "plan" / "layers.gpkg", layer="constraints", engine="pyogrio")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["score", str(plan), "--industry", "food", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "food_score.tif").exists()


# --- agglomeration_table on the tiny plan --------------------------------------------------


def test_agglomeration_table_lq_by_county_and_zone(tiny_plan: Path) -> None:
    inputs = load_inputs(tiny_plan)
    codes = ["auto", "electronics", "food", "aluminium"]
    table = agglomeration_table(
        inputs.layer("enterprises"),
        counties=inputs.layer("counties"),
        zones=inputs.layer("zones"),
        grid=inputs.grid,
        industries=codes,
    )
    assert list(table.columns) == COLUMNS
    firms = tp.tiny_enterprises()
    by_county = lq_by_hand(firms, "county")
    by_zone = lq_zone_by_hand(firms)
    lq = table[table["measure"] == "lq"]
    for code in codes:
        county = lq[(lq["industry"] == code) & (lq["region_type"] == "county")]
        assert list(county["region_id"]) == list(tp.COUNTIES)
        for adcode, value in zip(county["region_id"], county["value"], strict=True):
            assert value == pytest.approx(by_county.loc[adcode, code], rel=1e-12)
        zone = lq[(lq["industry"] == code) & (lq["region_type"] == "zone")]
        assert not zone.empty  # LQ 0 where a zone has no firm of the industry (aluminium)
        assert list(zone["region_id"]) == list(tp.ZONES)
        for zid, value in zip(zone["region_id"], zone["value"], strict=True):
            assert value == pytest.approx(by_zone.loc[zid, code], rel=1e-12)
    # The output-weighted mean of the county LQs is 1: sum_r LQ_r e_r = sum_r e_ri E / E_i = E.
    county_output = firms.groupby("county")["output_wan"].sum()
    for code in codes:
        rows = lq[(lq["industry"] == code) & (lq["region_type"] == "county")]
        weighted = sum(
            v * county_output[r] for r, v in zip(rows["region_id"], rows["value"], strict=True)
        )
        assert weighted / firms["output_wan"].sum() == pytest.approx(1.0, rel=1e-12)
