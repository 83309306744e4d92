"""The report's blocks as Markdown (GitHub tables) and as one self-contained HTML page.

Text marked as data (`layout.products.escape.mark_data`) is escaped for Markdown
(`layout.products.escape.escape_markdown`); the rest is our own prose and written as it is. The
HTML page is the template ``templates/report.html.j2`` (no script, no external resource),
filled by `layout.products.templating.render`, which escapes every text of the blocks.
"""

from __future__ import annotations

from collections.abc import Sequence

from layout.products.escape import markdown_from_marked, unmark
from layout.products.report.blocks import Block
from layout.products.report.maps import MapLink
from layout.products.templating import render

#: Character references as the template engine (markupsafe) writes them, and as the reports have
#: always spelled them (`html.escape`): a report must not change when nothing in the plan did.
REFERENCE_SPELLING: tuple[tuple[str, str], ...] = (("&#39;", "&#x27;"), ("&#34;", "&quot;"))


def render_markdown(blocks: Sequence[Block]) -> str:
    r"""Markdown text of the blocks (GitHub tables); text marked as data is escaped.

    Examples
    --------
    >>> print(render_markdown([Block("h2", "Sites"), Block("table", header=("site", "mu"),
    ...                                                        rows=(("a|b", "300"),))]))
    ## Sites
    <BLANKLINE>
    | site | mu |
    |---|---|
    | a\|b | 300 |
    <BLANKLINE>
    >>> from layout.products.escape import mark_data
    >>> print(render_markdown([Block("p", f"Zone {mark_data('<b>*x*</b>')}: [0, 1]")]))
    Zone &lt;b&gt;\*x\*&lt;/b&gt;: [0, 1]
    <BLANKLINE>
    """
    out: list[str] = []
    for blk in blocks:
        if blk.kind in ("h1", "h2", "h3"):
            out += ["#" * int(blk.kind[1]) + " " + markdown_from_marked(blk.text), ""]
        elif blk.kind == "p":
            out += [markdown_from_marked(blk.text), ""]
        elif blk.kind == "ul":
            out += [f"- {markdown_from_marked(i)}" for i in blk.items] + [""]
        elif blk.kind == "table":
            out.append("| " + " | ".join(_cell(h) for h in blk.header) + " |")
            out.append("|" + "|".join("---" for _ in blk.header) + "|")
            out += ["| " + " | ".join(_cell(c) for c in r) + " |" for r in blk.rows]
            out.append("")
    return "\n".join(out)


def _cell(text: str) -> str:
    """Text of a Markdown table cell: data escaped, pipes escaped, on one line."""
    return markdown_from_marked(text, prose=lambda t: t.replace("|", "\\|").replace("\n", " "))


def render_html(
    blocks: Sequence[Block], *, title: str, maps: Sequence[MapLink] | None = None
) -> str:
    r"""An HTML page of the blocks (no script, no external resource but the linked maps).

    ``maps`` adds a section "Maps" at the end: each map's PNG linking to its HTML map
    (`layout.products.report.maps.map_links`), or, when empty, a line saying that no maps were
    written with the plan. None (default) adds no section.

    Examples
    --------
    >>> page = render_html([Block("p", "today's <b>output</b> & \"land\"")], title="郑州")
    >>> page.splitlines()[-2:]
    ['<p>today&#x27;s &lt;b&gt;output&lt;/b&gt; &amp; &quot;land&quot;</p>', '</body></html>']
    """
    page = render("report.html.j2", blocks=[_unmarked(b) for b in blocks], title=unmark(title),
                  maps=None if maps is None else tuple(maps))
    # Escaping wrote every "&" of the text as "&amp;", so these references can only come from
    # escaping a quote: respelling them changes no text.
    for engine, report in REFERENCE_SPELLING:
        page = page.replace(engine, report)
    return page


def _unmarked(block: Block) -> Block:
    """The block without data marks (the template escapes every text)."""
    return Block(
        block.kind,
        unmark(block.text),
        tuple(unmark(i) for i in block.items),
        tuple(unmark(h) for h in block.header),
        tuple(tuple(unmark(c) for c in r) for r in block.rows),
    )
