"""``layout plan``: the main job — demand, allocation, sites, report, maps."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import click

from layout.cli.options import date_option, default_date, lang_option, quiet_option

logger = logging.getLogger(__name__)


@click.command(name="plan")
@click.argument("config", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out", default=Path("out"), show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@click.option("--maps", "maps_dir", default=Path("maps"), show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Folder for the maps.")
@click.option("--no-maps", is_flag=True, help="Do not write maps.")
@click.option("--no-sensitivity", is_flag=True, help="Skip the sensitivity analysis.")
@lang_option
@date_option
@quiet_option
def plan_command(config: Path | None, out: Path, maps_dir: Path, no_maps: bool,
                 no_sensitivity: bool, lang: str, date: str | None, quiet: bool) -> None:
    """Plan where each priority industry should go, and which industries each zone should host.

    CONFIG is a plan TOML file (the embedded Zhengzhou plan when omitted). Writes plan.gpkg,
    suitability rasters, allocation.csv, report.md/html and manifest.json into --out, and the
    overview and industry maps into --maps.
    """
    from layout.allocation.run import run_plan
    from layout.data.inputs import load_inputs
    from layout.products.planfolder import write_plan

    t0 = time.perf_counter()
    inputs = load_inputs(config)
    timings = {"load": time.perf_counter() - t0}
    logger.info("loaded %s: grid %dx%d at %g m", inputs.plan.label, inputs.grid.nrows,
                inputs.grid.ncols, inputs.grid.cell)
    result = run_plan(inputs, sensitivity=False if no_sensitivity else None)
    timings.update(result.timings)
    t = time.perf_counter()
    files = write_plan(result, out, timings=timings)
    logger.info("wrote %d files to %s/ (%.1f s)", len(files), out, time.perf_counter() - t)
    if not no_maps:
        from layout.products.maps.plan import write_plan_maps

        t = time.perf_counter()
        maps = write_plan_maps(out, out_dir=maps_dir, lang=lang, date=date or default_date(),
                               title=inputs.plan.name if lang == "zh" else inputs.plan.name_en,
                               config=config)
        files += maps
        logger.info("wrote %d maps to %s/ (%.1f s)", len(maps), maps_dir, time.perf_counter() - t)
    sol = result.solution
    click.echo(f"plan: {len(result.sites)} sites, {result.sites['area_mu'].sum():,.0f} mu; "
               f"objective {sol.objective:,.0f} (gap to LP bound {sol.gap:.2%}; greedy "
               f"{result.greedy.objective:,.0f}) in {time.perf_counter() - t0:.1f} s")
    for note in result.notes:
        click.echo(f"note: {note}")
    cwd = Path(os.getcwd())
    click.echo("outputs:")
    for p in files:
        click.echo(f"  {p if not p.is_absolute() else os.path.relpath(p, cwd)}")
