"""``layout compare``: what changed between two plan folders (Markdown, HTML, CSV, a map)."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from layout.cli.options import (
    REPLACED,
    date_option,
    default_date,
    lang_option,
    output_folder,
    quiet_option,
)
from layout.cli.terminal import printable

logger = logging.getLogger(__name__)

_PLAN_DIR = click.Path(exists=True, file_okay=False, path_type=Path)


@click.command("compare")
@click.argument("plan_a", type=_PLAN_DIR, metavar="PLAN_A")
@click.argument("plan_b", type=_PLAN_DIR, metavar="PLAN_B")
@click.option("--out", "out_dir", default="compare", show_default=True, metavar="DIR",
              callback=output_folder, type=click.Path(file_okay=False),
              help=f"Folder for the comparison. {REPLACED}")
@lang_option
@date_option
@quiet_option
def compare_command(plan_a: Path, plan_b: Path, out_dir: Path, lang: str, date: str | None,
                    quiet: bool) -> None:
    """Compare PLAN_B with PLAN_A (folders written by `layout plan --out`).

    Writes DIR/compare.md and .html (flags, settings, demand and allocation by industry and
    zone, sites kept, moved, removed and added, solver), the same tables as CSV
    (industries, allocation, sites, solver) and DIR/difference_map.html (offline: land that
    changed industry, the sites of both plans). Every change is B minus A. Flags: the solver
    gap rising above 1 %, a site of PLAN_B unstable while new or stable in PLAN_A.
    """
    from layout.products.comparefiles import write_comparison

    paths = write_comparison(plan_a, plan_b, out_dir=out_dir, lang=lang,
                             date=date or default_date(),
                             progress=lambda stage: logger.info("%s", stage))
    if quiet:
        return
    flags = (out_dir / "compare.md").read_text(encoding="utf-8")
    click.echo(f"compared {plan_b} with {plan_a}:")
    for line in flags.split("## Flags", 1)[1].split("\n## ", 1)[0].splitlines()[1:]:
        if line.strip():
            click.echo(printable(f"  {line.strip()}"))
    click.echo(f"wrote {len(paths)} files to {out_dir}/")
