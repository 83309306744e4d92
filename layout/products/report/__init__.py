"""The plan report: one list of blocks rendered to Markdown and to self-contained HTML.

`plan_blocks` (`layout.products.report.blocks`) turns a `PlanResult` into headings,
paragraphs, lists and tables, opening with the plan's flags (`plan_flags`,
`layout.products.report.flags`); `render_markdown` and `render_html`
(`layout.products.report.render`) write them as ``report.md`` and ``report.html``
(`layout.products.planfolder.write_plan`).
"""

from layout.products.report.blocks import Block, plan_blocks
from layout.products.report.flags import Flag, plan_flags
from layout.products.report.render import render_html, render_markdown

__all__ = ["Block", "Flag", "plan_blocks", "plan_flags", "render_html", "render_markdown"]
