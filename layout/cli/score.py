"""``layout score``: suitability rasters and agglomeration statistics per industry."""

from __future__ import annotations

import time
from pathlib import Path

import click

from layout.cli.options import REPLACED, output_folder, plan_argument, quiet_option
from layout.progress import track


@click.command(name="score")
@click.argument("config", required=False, type=click.Path(dir_okay=False, path_type=Path),
                callback=plan_argument)
@click.option(
    "--industry",
    "industry",
    default="all",
    show_default=True,
    help="Industry code, or 'all' for the seven priority industries.",
)
@click.option(
    "--out",
    "out",
    default="out/suitability",
    show_default=True,
    callback=output_folder,
    type=click.Path(file_okay=False),
    help=f"Output folder. {REPLACED}",
)
@quiet_option
def score_command(config: Path | None, industry: str, out: Path, quiet: bool) -> None:
    """Score every cell of the study area for each industry.

    CONFIG is a plan TOML file or the name of an embedded plan (henan, zhengzhou; the
    embedded Zhengzhou plan when omitted). Writes, per industry,
    CODE_score.tif (the score 0-100), CODE_criteria.tif (one band per criterion) and
    CODE_flags.tif (constraint bit flags), Cloud Optimized GeoTIFFs with overviews, plus
    measures.csv with today's agglomeration statistics.
    """
    import numpy as np

    from layout.analysis.context import CriteriaContext
    from layout.analysis.measures import agglomeration_table
    from layout.config.plan import load_plan
    from layout.data.inputs import load_inputs
    from layout.io.csvsafe import write_csv
    from layout.io.staging import replace_folders
    from layout.products.planfolder import plan_input_files, scores_folder
    from layout.scoring.suitability import score, write_result

    t0 = time.perf_counter()
    plan = load_plan(config)
    written: list[Path] = []
    # The folder is checked and staged first; it is replaced as a whole at the end.
    with replace_folders([scores_folder(out)], inputs=plan_input_files(plan)) as (stage,):
        catalog = plan.catalog  # a bad --industry stops before the layers are read
        codes = list(catalog.codes) if industry == "all" else [catalog.industry(industry).code]
        inputs = load_inputs(plan)
        if not quiet:
            g = inputs.grid
            click.echo(
                f"plan: {inputs.plan.name_en} ({inputs.plan.label}); grid {g.nrows}x{g.ncols} "
                f"at {g.cell:g} m, {g.n_cells:,} cells in the study area"
            )
        ctx = CriteriaContext(inputs)
        hot_z = {}
        for code in track(codes, stage="scoring industries"):
            t = time.perf_counter()
            result = score(inputs, industry=code, context=ctx)
            paths = write_result(result, stage)
            if "hotspot" in result.raw:
                hot_z[code] = result.raw["hotspot"]
            written += [out / p.name for p in paths]
            if not quiet:
                s = result.score[result.eligible]
                if not s.size:
                    s = np.zeros(1, np.float32)  # every cell excluded: all scores are 0
                click.echo(
                    f"  {code:<14} mean {float(s.mean()):5.1f}  max {float(s.max()):5.1f}  "
                    f"excluded {result.excluded.sum() / inputs.grid.n_cells:5.1%}  "
                    f"({time.perf_counter() - t:.1f} s)"
                )
        table = agglomeration_table(
            inputs.layer("enterprises"),
            counties=inputs.layer("counties"),
            zones=inputs.layer("zones"),
            grid=inputs.grid,
            industries=codes,
            hotspot_z=hot_z,
        )
        write_csv(table, stage / "measures.csv", float_format="%.6g")
        written.append(out / "measures.csv")
    if quiet:  # -q: errors only
        return
    click.echo(f"wrote {len(written)} files to {out}/ in {time.perf_counter() - t0:.1f} s")
    for p in written:
        click.echo(f"  {p}")
