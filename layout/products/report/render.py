"""The report's blocks as Markdown (GitHub tables) and as one self-contained HTML page.

The HTML page is the template ``templates/report.html.j2`` (no script, no external resource),
filled by `layout.products.templating.render`, which escapes every text of the blocks.
"""

from __future__ import annotations

from collections.abc import Sequence

from layout.products.report.blocks import Block
from layout.products.templating import render

#: Character references as the template engine (markupsafe) writes them, and as the reports have
#: always spelled them (`html.escape`): a report must not change when nothing in the plan did.
REFERENCE_SPELLING: tuple[tuple[str, str], ...] = (("&#39;", "&#x27;"), ("&#34;", "&quot;"))


def render_markdown(blocks: Sequence[Block]) -> str:
    r"""Markdown text of the blocks (GitHub tables).

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
    """
    out: list[str] = []
    for blk in blocks:
        if blk.kind in ("h1", "h2", "h3"):
            out += ["#" * int(blk.kind[1]) + " " + blk.text, ""]
        elif blk.kind == "p":
            out += [blk.text, ""]
        elif blk.kind == "ul":
            out += [f"- {i}" for i in blk.items] + [""]
        elif blk.kind == "table":
            out.append("| " + " | ".join(_cell(h) for h in blk.header) + " |")
            out.append("|" + "|".join("---" for _ in blk.header) + "|")
            out += ["| " + " | ".join(_cell(c) for c in r) + " |" for r in blk.rows]
            out.append("")
    return "\n".join(out)


def _cell(text: str) -> str:
    """Text of a Markdown table cell: pipes escaped, on one line."""
    return text.replace("|", "\\|").replace("\n", " ")


def render_html(blocks: Sequence[Block], *, title: str) -> str:
    r"""A self-contained HTML page of the blocks (no script, no external resource).

    Examples
    --------
    >>> page = render_html([Block("p", "today's <b>output</b> & \"land\"")], title="郑州")
    >>> page.splitlines()[-2:]
    ['<p>today&#x27;s &lt;b&gt;output&lt;/b&gt; &amp; &quot;land&quot;</p>', '</body></html>']
    """
    page = render("report.html.j2", blocks=blocks, title=title)
    # Escaping wrote every "&" of the text as "&amp;", so these references can only come from
    # escaping a quote: respelling them changes no text.
    for engine, report in REFERENCE_SPELLING:
        page = page.replace(engine, report)
    return page
