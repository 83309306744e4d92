"""Tests of `layout.products.report`: the HTML page from its template, byte for byte.

The expected page is built independently, as the report was written before its template: each
block on one line, every text escaped with `html.escape`.
"""

from __future__ import annotations

import csv
import html
import json
import warnings
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import pyogrio
import pytest
from markdown_it import MarkdownIt

from layout.allocation.run import PlanResult, run_plan
from layout.data.inputs import load_inputs
from layout.products.escape import unmark
from layout.products.planfolder import write_plan
from layout.products.report import Block, plan_blocks, render_html, render_markdown
from tests.fixtures import tiny_plan as tp
from tests.fixtures.plan_folder import ALLOCATION, DEMAND

CSS = """body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;max-width:72rem;
margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}table{border-collapse:collapse;
margin:.5rem 0 1.2rem;font-size:.9rem}th,td{border:1px solid #ccc;padding:.25rem .5rem;
text-align:left;vertical-align:top}th{background:#f3f3f3}h1{font-size:1.6rem}
h2{margin-top:2rem;border-bottom:1px solid #ddd}"""


#: The map section of a report written without maps (`layout.products.report.maps`).
NO_MAPS = ("<h2>Maps (图)</h2>\n<p>No maps were written with this plan (--no-maps); `layout map` "
           "draws them from this folder.</p>")


def expected_page(blocks: list[Block], title: str, *, tail: str | None = None) -> str:
    def e(text: str) -> str:  # data marks (mark_data) are for the Markdown writer only
        return html.escape(unmark(text))

    out = [
        "<!DOCTYPE html>",
        '<html lang="zh"><head><meta charset="utf-8">',
        f"<title>{e(title)}</title><style>{CSS}</style></head><body>",
    ]
    for blk in blocks:
        if blk.kind in ("h1", "h2", "h3"):
            out.append(f"<{blk.kind}>{e(blk.text)}</{blk.kind}>")
        elif blk.kind == "p":
            out.append(f"<p>{e(blk.text)}</p>")
        elif blk.kind == "ul":
            out.append("<ul>" + "".join(f"<li>{e(i)}</li>" for i in blk.items) + "</ul>")
        elif blk.kind == "table":
            head = "".join(f"<th>{e(h)}</th>" for h in blk.header)
            body = "".join(
                "<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in blk.rows
            )
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    if tail is not None:
        out.append(tail)
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def test_render_html_escapes_every_text_as_html_escape_does() -> None:
    blocks = [
        Block("h1", "郑州 & <中牟>"),
        Block("p", "today's \"output\", written &#39; or {{ title }}"),
        Block("ul", items=("a<b", "", "<script>alert(1)</script>")),
        Block("ul"),
        Block("h3", "sites"),
        Block("table", header=("site", "mu's"), rows=(("a|b", "&amp;"), ("", "1,200"))),
        Block("table", header=("empty",)),
        Block("figure", "not a kind the report knows: left out"),
    ]
    title = "plan \"A\" <b>&</b> 'B'"
    page = render_html(blocks, title=title)
    assert page == expected_page(blocks, title)
    assert "<script>" not in page and "not a kind" not in page


def test_the_written_report_is_its_blocks(tiny_result: PlanResult, plan_dir: Path) -> None:
    blocks = plan_blocks(tiny_result)
    title = tiny_result.inputs.plan.name
    written = (plan_dir / "report.html").read_text(encoding="utf-8")
    assert written == expected_page(blocks, title, tail=NO_MAPS)
    assert (plan_dir / "report.md").read_text(encoding="utf-8") == render_markdown(blocks)


# --- names from the data are inert in report.md (issue 11) ----------------------------------

#: Names a hostile data file may carry: HTML, Markdown links and images, emphasis, table
#: pipes, line breaks, headings and list markers.
HOSTILE = {
    "zone": "<img src=x onerror=alert(1)>",
    "zone2": "- 1. a|b <script>alert(2)</script>\n# h",
    "industry": "![i](http://e.x/i.png) *em* __b__ `c` ~~s~~ [l](javascript:alert(3)) \\",
    "plan": "<b onmouseover=alert(4)>plan</b> | x",
    "plan_en": "1) <iframe src=javascript:alert(5)> &amp; &#60;",
    "file": "<svg onload=alert(6)>|e",
    "formula": '=HYPERLINK("http://evil.example/","x")',
}

#: The elements our own report is made of: anything else came from the data.
REPORT_TAGS = {"h1", "h2", "h3", "p", "ul", "li", "table", "thead", "tbody", "tr", "th", "td"}


class _Collect(HTMLParser):
    """The element names and the texts of table cells and other leaves of rendered HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.texts.append("")

    def handle_data(self, data: str) -> None:
        if self.texts:
            self.texts[-1] += data


@pytest.fixture(scope="module")
def hostile_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny plan with hostile zone, industry, plan and file names, written (a few s)."""
    folder = tmp_path_factory.mktemp("hostile")
    cat = resources.files("layout.config").joinpath("industries.toml").read_text("utf-8")
    cat = cat.replace('name_zh = "食品工业"', f"name_zh = {json.dumps(HOSTILE['industry'])}")
    (folder / "catalog.toml").write_text(cat, encoding="utf-8")
    path = tp.write_tiny_plan(
        folder,
        plan={"name": HOSTILE["plan"], "name_en": HOSTILE["plan_en"], "catalog": "catalog.toml"},
        inputs={"enterprises": HOSTILE["file"] + ".gpkg"},
        demand={"industries": {c: {"mu": mu} for c, mu in DEMAND.items()}},
        allocation=dict(ALLOCATION),
    )
    (folder / "enterprises.gpkg").rename(folder / (HOSTILE["file"] + ".gpkg"))
    zones = pyogrio.read_dataframe(folder / "layers.gpkg", layer="zones")
    zones["name_zh"] = [HOSTILE["zone"], HOSTILE["zone2"], HOSTILE["formula"]]
    pyogrio.write_dataframe(zones, folder / "layers.gpkg", layer="zones")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=PendingDeprecationWarning)
        result = run_plan(load_inputs(path), sensitivity=False)
    write_plan(result, folder / "out")
    return folder


def test_report_md_renders_hostile_names_as_text(hostile_plan: Path) -> None:
    md = (hostile_plan / "out" / "report.md").read_text(encoding="utf-8")
    page = MarkdownIt("commonmark").enable("table").render(md)
    seen = _Collect()
    seen.feed(page)
    assert seen.tags <= REPORT_TAGS, seen.tags - REPORT_TAGS  # no img, script, a, em, code...
    assert "<img" not in page and "<script" not in page and "<iframe" not in page
    texts = [" ".join(t.split()) for t in seen.texts]
    # Each name is the whole text of its table cell or heading (a pipe split no row).
    assert HOSTILE["zone"] in texts
    assert " ".join(HOSTILE["zone2"].split()) in texts
    assert f"{HOSTILE['industry']} food".strip() in [t.strip() for t in texts]
    assert HOSTILE["plan"] in texts and HOSTILE["plan_en"] in texts
    assert any(f"enterprises: {HOSTILE['file']}.gpkg sha256=" in t for t in texts)


def test_report_html_keeps_hostile_names_escaped(hostile_plan: Path) -> None:
    page = (hostile_plan / "out" / "report.html").read_text(encoding="utf-8")
    seen = _Collect()
    seen.feed(page)
    assert seen.tags <= REPORT_TAGS | {"html", "head", "meta", "title", "style", "body"}
    assert HOSTILE["zone"] in [t.strip() for t in seen.texts]
    assert "\ue000" not in page and "\ue001" not in page  # no data mark left


def test_reports_name_inputs_relative_to_the_plan(hostile_plan: Path, plan_dir: Path) -> None:
    for folder, out in ((hostile_plan, hostile_plan / "out"), (None, plan_dir)):
        for name in ("report.md", "report.html"):
            text = (out / name).read_text(encoding="utf-8")
            assert "layers.gpkg:zones sha256=" in text
            assert "/tmp" not in text and str(Path.home()) not in text
            if folder is not None:
                assert str(folder) not in text


def test_allocation_csv_holds_no_formula(hostile_plan: Path) -> None:
    with (hostile_plan / "out" / "allocation.csv").open(encoding="utf-8", newline="") as f:
        header, *rows = list(csv.reader(f))
    assert header == ["industry", "industry_zh", "industry_en", "zone_id", "zone_name", "area_mu",
                      "area_ha"]
    for row in rows:
        assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in row), row
    names = {r[4] for r in rows}
    assert {"'" + HOSTILE["formula"], "'" + HOSTILE["zone2"].replace("\r", "\n")} <= names
    layer = pyogrio.read_dataframe(hostile_plan / "out" / "plan.gpkg", layer="allocation")
    assert [float(r[5]) for r in rows] == pytest.approx(layer["area_mu"].tolist(), abs=1e-3)


def test_zone_section_shows_every_allocation(tiny_result: PlanResult, plan_dir: Path) -> None:
    """Every (zone, industry) with land -- from the site polygons -- is a row of the section."""
    import shapely

    md = (plan_dir / "report.md").read_text(encoding="utf-8")
    section = md.split("## Which industries each zone should host")[1].split("\n## ")[0]
    html = MarkdownIt().enable("table").render(section)
    parser = _Cells()
    parser.feed(html)
    header, *rows = parser.rows
    got = {(r[header.index("zone")], r[header.index("industry")].split()[-1]):
           float(r[header.index("allocated mu")].replace(",", "")) for r in rows}
    names = dict(zip(tiny_result.inputs.layer("zones")["zone_id"],
                     tiny_result.inputs.layer("zones")["name_zh"], strict=True))
    expected = {}
    for zid, (_, _, _, box) in tp.ZONES.items():
        for site in tiny_result.sites.itertuples():
            mu = shapely.intersection(site.geometry, shapely.box(*box)).area / (10_000 / 15)
            if mu > 1e-6:
                key = (names[zid], site.industry)
                expected[key] = expected.get(key, 0.0) + mu
    assert expected
    for key, mu in expected.items():
        assert got[key] == pytest.approx(mu, abs=0.5), key
    # and the top three of every zone by score
    per_zone = {z: sum(1 for k in got if k[0] == z) for z in names.values()}
    assert all(n >= 3 for n in per_zone.values())


class _Cells(HTMLParser):
    """Rows of the cells' text of an HTML table."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
