"""The site opinion (zh and en): every fixed section, in order, in Markdown and HTML.

Facts in the sections are compared with independent sources: the embedded GeoPackage's
constraint confidence (geopandas), the parcel's numbers in the JSON document, the legal table.
"""

from __future__ import annotations

import copy
import hashlib
import re
import shutil
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from layout import settings
from layout.products.sitecheck import SiteCheck, check_parcels, report_dict, to_markdown
from layout.products.sitecheck.legal import ARTICLES
from layout.products.sitecheck.opinion import opinion
from layout.products.sitecheck.opinion_text import SECTIONS
from layout.products.sitecheck.page import report_html
from layout.scoring.cache import ScoreCache, ensure_cache
from tests.fixtures import tiny_plan as tp

DAY = "2026-12-06"


def titles(lang: str) -> list[str]:
    return [zh if lang == "zh" else en for zh, en in SECTIONS.values()]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_section_in_markdown(score_cache: ScoreCache, examples: dict[str, SiteCheck],
                                   lang: str) -> None:
    doc = report_dict(list(examples.values()), cache=score_cache)
    md = to_markdown(doc, lang=lang, date=DAY)
    parcels = md.split("\n## ")[2:]  # after the title and the summary
    assert len(parcels) == 3
    expected = [f"### {i}. {t}" for i, t in enumerate(titles(lang), start=1)]
    for part in parcels:
        heads = [line for line in part.splitlines() if line.startswith("### ")]
        assert heads == expected
        assert DAY in part.split("### 9.")[1]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_section_in_html(score_cache: ScoreCache, examples: dict[str, SiteCheck],
                               lang: str) -> None:
    doc = report_dict(list(examples.values()), cache=score_cache)
    html = report_html(doc, lang=lang, date=DAY)
    sections = html.split('<section class="sc-parcel"')[1:]
    assert len(sections) == 3
    for part in sections:
        found = re.findall(r'<h3 data-section="(\w+)">(\d+)\. ([^<]+)</h3>', part)
        assert [k for k, _, _ in found] == list(SECTIONS)
        assert [int(i) for _, i, _ in found] == list(range(1, 10))
        assert [t for _, _, t in found] == titles(lang)
        assert f"<td>{DAY}</td>" in part


def test_chinese_is_the_default(score_cache: ScoreCache, examples: dict[str, SiteCheck]) -> None:
    doc = report_dict(list(examples.values()), cache=score_cache)
    md = to_markdown(doc, date=DAY)
    assert md.startswith("# 建设项目用地选址审查意见：电子信息")
    assert "## 地块 B-farm: 不适宜" in md and "## 地块 C-lowfar: 有条件适宜" in md
    # the conditions are the reasons' Chinese messages
    farm = md.split("## 地块 B-farm")[1].split("## 地块 C-lowfar")[0]
    assert "与永久基本农田重叠 120.0 亩" in farm


def test_facts_of_the_sections(score_cache: ScoreCache, examples: dict[str, SiteCheck]) -> None:
    doc = report_dict(list(examples.values()), cache=score_cache)
    o = opinion(doc, lang="zh", date=DAY)
    by_id = {p["parcel_id"]: {s["key"]: s for s in p["sections"]} for p in o["parcels"]}
    farm = by_id["B-farm"]
    pdoc = next(p for p in doc["parcels"] if p["parcel_id"] == "B-farm")
    # constraints: mu and share from the document, the article from the legal table
    (row,) = farm["constraints"]["tables"][0]["rows"]
    c = pdoc["constraints"][0]
    assert row[2] == f"{c['area_mu']:,.2f}" and row[3] == f"{100 * c['share']:.2f} %"
    assert ARTICLES["basic_farmland"][0].article in row[5] and "第三十五条" in row[5]
    # planning: the leading industries by Chinese name, the land-use slot empty
    rows = dict(farm["planning"]["rows"])
    assert rows["集聚区主导产业"] == "电子信息、生物医药"
    assert rows["土地利用现状/规划用途（用地代码）"].startswith("无")
    # suitability: the mean and percentile of the document
    rows = dict(farm["suitability"]["rows"])
    assert rows["适宜性评分（均值）"] == f"{pdoc['suitability']['mean']:.1f}"
    # conclusion: every unsuitable and conditional reason, nothing else marked so
    conds = [n for n in farm["conclusion"]["notes"] if n.startswith("[")]
    assert len(conds) == sum(r["severity"] in ("unsuitable", "conditional")
                             for r in pdoc["reasons"])
    # indicators: C-lowfar fails FAR and building coverage
    low = by_id["C-lowfar"]["indicators"]["tables"][0]["rows"]
    assert [r[0] for r in low if r[5] == "不符合"] == ["容积率", "建筑系数"]
    assert [r[1] for r in low[:3]] == ["约束性"] * 3 and low[4][1] == "推荐性"
    # the 2008 figure beside the value used, and the 2023 figures said to be unverified
    assert low[1][4] == "30.0 %" and "2023年数值待核实" in low[1][7]
    assert any("尚未与原文逐条核对" in n for n in by_id["C-lowfar"]["indicators"]["notes"])


def test_landuse_slot_shows_a_code_when_there_is_one(score_cache: ScoreCache,
                                                     examples: dict[str, SiteCheck]) -> None:
    doc = copy.deepcopy(report_dict(list(examples.values()), cache=score_cache))
    # two codes of the 2023 classification, by area (the English name of one missing)
    doc["parcels"][0]["landuse"] = [
        {"code": "100102", "schema": "ydyh2023", "schema_title": "用地用海分类 2023",
         "name_zh": "二类工业用地", "name_en": "Class 2 industrial land", "class": "industrial",
         "area_mu": 30.0, "share": 0.75},
        {"code": "1701", "schema": "ydyh2023", "schema_title": "用地用海分类 2023",
         "name_zh": "河流水面", "name_en": "", "class": "water", "area_mu": 10.0, "share": 0.25}]
    doc["parcels"][1]["landuse"] = []
    zh = opinion(doc, lang="zh", date=DAY)["parcels"]
    en = opinion(doc, lang="en", date=DAY)["parcels"]
    key_zh, key_en = "土地利用现状/规划用途（用地代码）", "Land use (land-use code)"
    assert dict(zh[0]["sections"][2]["rows"])[key_zh] == (
        "100102 二类工业用地 30.00 亩（75.0 %）；1701 河流水面 10.00 亩（25.0 %）")
    assert dict(en[0]["sections"][2]["rows"])[key_en] == (
        "100102 Class 2 industrial land 30.00 mu (75.0 %); 1701 河流水面 10.00 mu (25.0 %)")
    assert dict(en[0]["sections"][2]["rows"])["Land-use classification"] == "用地用海分类 2023"
    assert dict(zh[1]["sections"][2]["rows"])[key_zh] == "无（地块未压覆土地利用图斑）"
    assert dict(en[1]["sections"][2]["rows"])[key_en] == (
        "none (the parcel meets no land-use patch)")
    doc["parcels"][1]["landuse"] = None
    assert dict(opinion(doc, lang="zh", date=DAY)["parcels"][1]["sections"][2]["rows"])[
        key_zh] == "无（本次审查未提供土地利用图层）"


def test_illustrative_statement_follows_the_layer(score_cache: ScoreCache,
                                                  examples: dict[str, SiteCheck]) -> None:
    cons = gpd.read_file(settings.embedded_gpkg(), layer="constraints")
    illustrative = bool((cons["confidence"] == "illustrative").any())
    doc = report_dict(list(examples.values()), cache=score_cache)
    assert doc["data"]["illustrative_constraints"] is illustrative
    for lang, word in (("zh", "示意数据"), ("en", "illustrative")):
        md = to_markdown(doc, lang=lang, date=DAY)
        data = md.split("### 8.")[1].split("### 9.")[0]
        assert (word in data) is illustrative
    doc["data"]["illustrative_constraints"] = False
    assert "示意数据" not in to_markdown(doc, date=DAY).split("### 8.")[1].split("### 9.")[0]


def test_data_version_is_the_inputs_hash_wherever_they_lie(tmp_path: Path) -> None:
    versions = []
    tp.write_tiny_plan(tmp_path / "a" / "plan")
    shutil.copytree(tmp_path / "a" / "plan", tmp_path / "b/c" / "plan")  # the same bytes
    for where in ("a", "b/c"):
        plan = tmp_path / where / "plan" / "plan.toml"
        cache = ensure_cache(plan, root=tmp_path / where / "cache", progress=None)
        parcel = gpd.GeoDataFrame({"parcel_id": ["P"]},
                                  geometry=[shapely.box(501_200, 3_843_000, 502_200, 3_844_000)],
                                  crs=tp.METRIC)
        doc = report_dict(check_parcels(parcel, industry="auto", cache=cache), cache=cache)
        data = doc["data"]
        # independent: the content hashes of the input files are in the sources
        boundary = (tmp_path / where / "plan" / "boundary.geojson").read_bytes()
        row = next(d for d in data["layers"] if d["layer"] == "boundary")
        digest = hashlib.sha256(boundary).hexdigest()[:16]
        assert row["source"] == f"boundary.geojson sha256={digest}"
        assert str(tmp_path) not in str(data)
        versions.append(data["version"])
    assert versions[0] == versions[1] and re.fullmatch(r"[0-9a-f]{16}", versions[0])
