"""``layout plan``: the main job — demand, allocation, sites, report, maps."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import click

from layout.cli.options import (
    REPLACED,
    date_option,
    default_date,
    lang_option,
    output_folder,
    plan_argument,
    quiet_option,
)
from layout.cli.terminal import printable

logger = logging.getLogger(__name__)


@click.command(name="plan")
@click.argument("config", required=False, type=click.Path(dir_okay=False, path_type=Path),
                callback=plan_argument)
@click.option("--out", "out", default="out", show_default=True, callback=output_folder,
              type=click.Path(file_okay=False), help=f"Output folder (the plan). {REPLACED}")
@click.option("--maps", "maps_dir", default="maps", show_default=True, callback=output_folder,
              type=click.Path(file_okay=False),
              help="Folder for the maps; replaced together with --out. It may not hold, or lie "
              "in, --out, and neither may hold the plan's input files.")
@click.option("--no-maps", is_flag=True, help="Do not write maps (the maps folder is left "
              "as it is).")
@click.option("--no-sensitivity", is_flag=True, help="Skip the sensitivity analysis.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="A chunked plan (a province): run on the dask.distributed scheduler at "
              "ADDRESS (tcp://host:8786) instead of a local cluster; the workers must reach "
              "the input files and --out (docs/province.md).")
@click.option("--workers", type=click.IntRange(min=1), default=None, metavar="N",
              help="A chunked plan: worker processes of the local cluster [default: [engine] "
              "workers, else one per core].")
@click.option("--title", default=None, metavar="TEXT",
              help="Name of this run on the maps, the report and manifest.json, in both "
              "languages [default: the plan's [plan] name / name_en].")
@lang_option
@date_option
@quiet_option
def plan_command(config: Path | None, out: Path, maps_dir: Path, no_maps: bool,
                 no_sensitivity: bool, scheduler: str | None, workers: int | None,
                 title: str | None, lang: str, date: str | None, quiet: bool) -> None:
    """Plan where each priority industry should go, and which industries each zone should host.

    CONFIG is a plan TOML file or the name of an embedded plan (henan, zhengzhou; the
    embedded Zhengzhou plan when omitted). Writes plan.gpkg,
    suitability rasters, allocation.csv, report.md/html, manifest.json and timings.json into
    --out, and the overview and industry maps into --maps. Both folders are replaced together
    at the end, or not at all: an error, Ctrl-C or SIGTERM leaves the previous plan intact.
    """
    from layout.allocation.province import run_on_engine
    from layout.config.plan import load_plan
    from layout.data.inputs import load_inputs
    from layout.products.outputs import plan_outputs, titled
    from layout.scoring.chunked import remove_work

    t0 = time.perf_counter()
    plan = titled(load_plan(config), title)
    # The folders are checked and staged before the run: a bad folder fails in a second.
    with plan_outputs(plan, out=out, maps=None if no_maps else maps_dir) as outputs:
        inputs = load_inputs(plan, chunked=True)
        timings = {"load": time.perf_counter() - t0}
        logger.info("loaded %s: grid %dx%d at %g m", inputs.plan.label, inputs.grid.nrows,
                    inputs.grid.ncols, inputs.grid.cell)
        work = outputs.stage / ".chunked"  # a chunked plan's blocks: removed before the swap
        result = run_on_engine(inputs, work=work, sensitivity=False if no_sensitivity else None,
                               scheduler=scheduler, workers=workers)
        timings.update(result.timings)
        t = time.perf_counter()
        files = outputs.write_plan(result, timings=timings)
        remove_work(work)
        if result.score_files:  # a chunked plan: the maps read the written rasters, and the
            result.results.clear()  # allocation grid's arrays would only weigh on their workers
        logger.info("wrote %d plan files (%.1f s)", len(files), time.perf_counter() - t)
        if not no_maps:
            t = time.perf_counter()
            logger.info("writing the maps")
            maps = outputs.write_maps(
                lang=lang, date=date or default_date(), config=config,
                title=inputs.plan.name if lang == "zh" else inputs.plan.name_en)
            files += maps
            logger.info("wrote %d maps (%.1f s)", len(maps), time.perf_counter() - t)
    logger.info("replaced %s/%s", out, "" if no_maps else f" and {maps_dir}/")
    if quiet:  # -q: errors only
        return
    sol = result.solution
    solver = (f"{len(result.regions)} cities, to their summed LP bounds" if len(result.regions)
              else f"solver gap {sol.solver_gap:.2%}, to LP bound")
    click.echo(f"plan: {len(result.sites)} sites, {result.sites['area_mu'].sum():,.0f} mu; "
               f"objective {sol.objective:,.0f} ({solver} {sol.gap:.2%}; greedy "
               f"{result.greedy.objective:,.0f}) in {time.perf_counter() - t0:.1f} s")
    for note in result.notes:
        click.echo(printable(f"note: {note}"))
    cwd = Path(os.getcwd())
    click.echo("outputs:")
    for p in files:
        click.echo(f"  {p if not p.is_absolute() else os.path.relpath(p, cwd)}")
