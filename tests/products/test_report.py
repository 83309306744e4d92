"""Tests of `layout.products.report`: the HTML page from its template, byte for byte.

The expected page is built independently, as the report was written before its template: each
block on one line, every text escaped with `html.escape`.
"""

from __future__ import annotations

import html
from pathlib import Path

from layout.allocation.run import PlanResult
from layout.products.report import Block, plan_blocks, render_html, render_markdown

CSS = """body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;max-width:72rem;
margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}table{border-collapse:collapse;
margin:.5rem 0 1.2rem;font-size:.9rem}th,td{border:1px solid #ccc;padding:.25rem .5rem;
text-align:left;vertical-align:top}th{background:#f3f3f3}h1{font-size:1.6rem}
h2{margin-top:2rem;border-bottom:1px solid #ddd}"""


def expected_page(blocks: list[Block], title: str) -> str:
    e = html.escape
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
    assert written == expected_page(blocks, title)
    assert (plan_dir / "report.md").read_text(encoding="utf-8") == render_markdown(blocks)
