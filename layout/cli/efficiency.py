"""``layout efficiency``: 亩均效益 grades of the plan's enterprises."""

from __future__ import annotations

import time
from pathlib import Path

import click

from layout.cli.options import REPLACED, output_folder, plan_argument, quiet_option


@click.command(name="efficiency")
@click.argument("config", required=False, type=click.Path(dir_okay=False, path_type=Path),
                callback=plan_argument)
@click.option(
    "--out",
    "out",
    default="out/efficiency",
    show_default=True,
    callback=output_folder,
    type=click.Path(file_okay=False),
    help=f"Output folder. {REPLACED}",
)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the map.")
@quiet_option
def efficiency_command(config: Path | None, out: Path, lang: str, quiet: bool) -> None:
    """Grade every enterprise A/B/C/D by output per mu (亩均效益评价).

    CONFIG is a plan TOML file or the name of an embedded plan (henan, zhengzhou; the
    embedded Zhengzhou plan when omitted); its [efficiency]
    table picks the scheme (zhengzhou2018 by default, or weighted). Writes efficiency.gpkg
    and firms.csv (indicators, score, grade), by_zone/by_county/by_industry.csv,
    ungraded.csv (firms not graded, with the reason), efficiency.png and scheme.txt.
    """
    from layout.analysis.efficiency import grade_firms
    from layout.config.plan import load_plan
    from layout.data.inputs import load_inputs
    from layout.io.staging import replace_folders
    from layout.model.efficiency import GRADES
    from layout.products.efficiency import efficiency_folder, write_efficiency
    from layout.products.planfolder import plan_input_files

    t0 = time.perf_counter()
    plan = load_plan(config)
    with replace_folders([efficiency_folder(out)], inputs=plan_input_files(plan)) as (stage,):
        inputs = load_inputs(plan)
        graded = grade_firms(inputs.layer("enterprises"), options=plan.efficiency)
        paths = write_efficiency(graded, stage, options=plan.efficiency,
                                 counties=inputs.layer("counties"),
                                 zones=inputs.layer("zones"), lang=lang)
    if not quiet:
        counts = graded["grade"].value_counts()
        click.echo(f"{plan.efficiency.scheme}: " + "  ".join(
            f"{g} {int(counts.get(g, 0))}" for g in GRADES)
            + f"  not graded {int(counts.get('', 0))} of {len(graded)} firms")
    click.echo(f"wrote {len(paths)} files to {out}/ in {time.perf_counter() - t0:.1f} s")
    for p in paths:
        click.echo(f"  {out / p.name}")
