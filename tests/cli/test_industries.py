"""Tests of ``layout industries`` through click's CliRunner."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from layout.cli.industries import _table, _width, industries
from layout.cli.options import LayoutGroup
from layout.config.catalog import load_catalog
from layout.errors import ConfigError
from layout.model.catalog import PRIORITY_CODES

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")

# A one-industry catalog for --catalog.
SOLO = """
[land]
building_coverage_min = 0.3
admin_share_max = 0.07
green_ratio_max = 0.2
source = "test"

[[industries]]
code = "solo"
name_zh = "独家"
name_en = "Solo industry"
group = "traditional"
gbt4754 = ["13"]
color = "#123456"
  [industries.transport]
  expressway = 1
  rail_freight = 0
  airport = 0
  confidence = "L"
  source = "test"
  [industries.siting]
  max_slope_deg = 8
  pollution_intensive = true
  residential_buffer_m = 1500
  confidence = "L"
  source = "test"
  [industries.far]
  min = 0.9
  confidence = "L"
  source = "test"
  [industries.output]
  per_mu_wan = 123
  confidence = "L"
  source = "test"
  [industries.investment]
  per_mu_wan = 45
  confidence = "L"
  source = "test"
  [industries.tax]
  per_mu_wan = 6
  confidence = "L"
  source = "test"
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _group() -> click.Group:
    """The ``layout`` group, if every subcommand module it registers exists yet."""
    try:
        from layout.cli.main import cli
    except ImportError as exc:  # other subcommands are written in parallel
        pytest.skip(f"layout.cli.main cannot be imported yet: {exc}")
    return cli


def test_table_lists_the_seven_in_order(runner: CliRunner) -> None:
    result = runner.invoke(industries, [])
    assert result.exit_code == 0, result.output
    out = result.stdout
    positions = [out.index(f"\n{code} ") for code in PRIORITY_CODES]
    assert positions == sorted(positions)
    cat = load_catalog()
    for code in PRIORITY_CODES:
        ind = cat.industry(code)
        row = next(line for line in out.splitlines() if line.startswith(f"{code} "))
        assert ind.name_zh in row and ind.name_en in row
        assert f"{ind.min_far:.1f}" in row
    assert "yes (1,000 m)" in out  # aluminium
    assert "Production bases" in out and "refractories" in out and "500 bn yuan" in out
    assert "aluminium     → auto" in out and "[via aluminium_products]" in out
    edges = [line for line in out.splitlines() if line.startswith("  ") and " → " in line]
    assert len(edges) == len(cat.linkages)
    # Every weight says where it comes from; the embedded ones are all judgement.
    assert all(" (judgement)  " in line for line in edges)


def test_json(runner: CliRunner) -> None:
    result = runner.invoke(industries, ["--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [i["code"] for i in data["industries"]] == list(PRIORITY_CODES)
    by_code = {i["code"]: i for i in data["industries"]}
    assert by_code["aluminium"]["name_zh"] == "铝工业"
    assert by_code["textiles"]["name_en"] == "Textiles and apparel"
    assert by_code["new_materials"]["bases"] == ["abrasives", "refractories"]
    assert by_code["electronics"]["bases"] == ["electronic_glass", "electronics_base"]
    assert {b["code"]: b["scale"] for b in data["bases"]}["auto_equipment"] == "500bn"
    assert all(0 <= e["weight"] <= 1 and e["why"] for e in data["linkages"])
    assert {(e["weight_source"], e["citation"]) for e in data["linkages"]} == {("judgement", None)}
    assert data["land"]["building_coverage_min"] == 0.3
    assert "铝工业" in result.stdout  # ensure_ascii=False
    # Deterministic: the same bytes every time, keys sorted.
    assert runner.invoke(industries, ["--json"]).stdout == result.stdout
    assert list(data) == sorted(data)


def test_english_only(runner: CliRunner) -> None:
    result = runner.invoke(industries, ["--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Automobiles and equipment" in result.stdout
    assert not CJK.search(result.stdout), CJK.findall(result.stdout)


def test_chinese_only(runner: CliRunner) -> None:
    result = runner.invoke(industries, ["--lang", "zh"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "汽车及装备制造" in out and "千亿级" in out and "五千亿级" in out
    assert "Automobiles and equipment" not in out
    assert "铝工业" in out and "磨料磨具、耐材" in out


def test_wide_characters_are_aligned(runner: CliRunner) -> None:
    out = runner.invoke(industries, ["--lang", "zh"]).stdout
    table = out.split("\n\n")[0].splitlines()
    # The "最低容积率" column starts at the same terminal column on every line.
    header, rows = table[0], table[2:]
    col = _width(header[: header.index("最低容积率")])
    for row in rows:
        far = re.search(r"\s(\d\.\d)\s", row)
        assert far is not None
        assert _width(row[: far.start(1)]) == col, row


def test_table_helper_pads_by_display_width() -> None:
    # Widest first column "abc" (3), "铝" counts 2: every line is 3 + 2 + 1 = 6 columns wide.
    text = _table(["a", "b"], [["铝", "x"], ["ab", "y"], ["abc", "z"]])
    lines = text.splitlines()
    assert [_width(line) for line in lines] == [6] * 5
    assert lines[2] == "铝   x"


def test_edited_catalog(tmp_path: Path, runner: CliRunner) -> None:
    path = tmp_path / "solo.toml"
    path.write_text(SOLO, encoding="utf-8")
    result = runner.invoke(industries, ["--catalog", str(path), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Solo industry" in result.stdout and "yes (1,500 m)" in result.stdout
    assert "auto" not in result.stdout.split("Production bases")[0]
    data = json.loads(runner.invoke(industries, ["--catalog", str(path), "--json"]).stdout)
    assert [i["code"] for i in data["industries"]] == ["solo"]
    assert data["linkages"] == [] and data["bases"] == []


def test_bad_catalog_raises_config_error(tmp_path: Path, runner: CliRunner) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(SOLO.replace("expressway = 1", "expressway = 7"), encoding="utf-8")
    result = runner.invoke(industries, ["--catalog", str(path)])
    assert isinstance(result.exception, ConfigError)
    assert "industries[0].transport.expressway = 7: must be in [0, 1]" in str(result.exception)


def test_bad_catalog_through_layout_group(tmp_path: Path, runner: CliRunner) -> None:
    # The same group class as `layout`, holding only this command, so that the test does not
    # depend on the other subcommands.
    @click.group(cls=LayoutGroup)
    def cli() -> None:
        pass

    cli.add_command(industries)
    path = tmp_path / "bad.toml"
    path.write_text(SOLO.replace('code = "solo"', 'code = "Solo"'), encoding="utf-8")
    result = runner.invoke(cli, ["industries", "--catalog", str(path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "error: " in result.stderr and "industries[0].code" in result.stderr
    missing = runner.invoke(cli, ["industries", "--catalog", str(tmp_path / "none.toml")])
    assert missing.exit_code == 2 and "none.toml" in missing.stderr


def test_registered_in_layout_group(runner: CliRunner) -> None:
    cli = _group()
    result = runner.invoke(cli, ["industries", "--json"])
    assert result.exit_code == 0, result.output
    assert [i["code"] for i in json.loads(result.stdout)["industries"]] == list(PRIORITY_CODES)
    assert "--catalog" in runner.invoke(cli, ["industries", "--help"]).stdout
