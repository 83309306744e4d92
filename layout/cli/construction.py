"""``layout construction-suitability``: 城镇建设适宜性 (双评价) classes on the plan's grid."""

from __future__ import annotations

import time
from pathlib import Path

import click

from layout.cli.options import REPLACED, output_folder, plan_argument, quiet_option


@click.command(name="construction-suitability")
@click.argument("config", required=False, type=click.Path(dir_okay=False, path_type=Path),
                callback=plan_argument)
@click.option(
    "--out",
    "out",
    default="out/construction",
    show_default=True,
    callback=output_folder,
    type=click.Path(file_okay=False),
    help=f"Output folder. {REPLACED}",
)
@click.option("--rules", "rules_path", default=None,
              type=click.Path(dir_okay=False, path_type=Path),
              help="Rule table TOML [default: the built-in layout/config/construction_rules.toml].")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the map.")
@quiet_option
def construction_command(config: Path | None, out: Path, rules_path: Path | None, lang: str,
                         quiet: bool) -> None:
    """Grade the plan's grid for urban construction (适宜 / 一般适宜 / 不适宜).

    CONFIG is a plan TOML file or the name of an embedded plan (henan, zhengzhou; the
    embedded Zhengzhou plan when omitted); it needs a DEM.
    Writes construction_class.tif, slope.tif (slope and relief used), area_by_county.csv
    (mu and ha), construction.png and rules.toml (the rules applied, each citing its clause).
    """
    from layout.analysis.construction import construction_suitability
    from layout.config.construction import load_rules, rules_text
    from layout.config.plan import load_plan
    from layout.data.inputs import load_inputs
    from layout.io.staging import replace_folders
    from layout.model.construction import CLASSES
    from layout.products.construction import construction_folder, write_construction
    from layout.products.planfolder import plan_input_files

    t0 = time.perf_counter()
    plan = load_plan(config)
    rules = load_rules(rules_path)
    inputs_files = [*plan_input_files(plan), *([rules_path] if rules_path else [])]
    with replace_folders([construction_folder(out)], inputs=inputs_files) as (stage,):
        inputs = load_inputs(plan)
        result = construction_suitability(inputs, rules=rules)
        paths = write_construction(result, stage, counties=inputs.layer("counties"),
                                   rules_text=rules_text(rules_path), lang=lang)
    if not quiet:
        cell_mu = inputs.grid.cell_area_m2 / (10_000.0 / 15.0)
        click.echo("  ".join(
            f"{c.label_zh} {float((result.classes == c.code).sum()) * cell_mu / 15.0:,.0f} ha"
            for c in CLASSES.values()))
    click.echo(f"wrote {len(paths)} files to {out}/ in {time.perf_counter() - t0:.1f} s")
    for p in paths:
        click.echo(f"  {out / p.name}")
