"""``layout learn``: what today's firms say about the suitability weights."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import click

from layout.cli.options import REPLACED, output_folder, plan_argument, quiet_option

logger = logging.getLogger(__name__)


@click.command(name="learn")
@click.argument("config", required=False, type=click.Path(dir_okay=False, path_type=Path),
                callback=plan_argument)
@click.option("--out", "out", default="out/learned", show_default=True, callback=output_folder,
              type=click.Path(file_okay=False), help=f"Output folder. {REPLACED}")
@click.option("--industry", "industries", multiple=True, metavar="CODE",
              help="Industry code (repeat for several) [default: the seven priority industries].")
@click.option("--block-km", default=10.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Side of the square blocks of the spatial cross-validation, km (twice the "
              "widest kernel bandwidth of the criteria; docs/learned.md).")
@click.option("--folds", default=5, show_default=True, type=click.IntRange(min=2),
              help="Cross-validation folds (blocks dealt out at random).")
@click.option("--background", "n_background", default=4000, show_default=True,
              type=click.IntRange(min=10), help="Background cells per industry.")
@click.option("--target-group", is_flag=True,
              help="Background from the cells of every firm of every industry (corrects for "
              "where firms could be observed at all) instead of the whole study area.")
@click.option("--with-firm-criteria", is_flag=True,
              help="Also learn from the criteria computed from the firms themselves (density, "
              "hot spot, LQ, linkage, anchor, output per mu, infill): they describe the "
              "presences directly (infill is 0 at every firm), so the model learns little else.")
@click.option("--seed", default=0, show_default=True, type=int,
              help="Seed of the background, folds, null surface and model.")
@quiet_option
def learn_command(config: Path | None, out: Path, industries: tuple[str, ...], block_km: float,
                  folds: int, n_background: int, target_group: bool,
                  with_firm_criteria: bool, seed: int, quiet: bool) -> None:
    """Learn where each industry's firms are today and compare with the expert score.

    CONFIG is a plan TOML file or the name of an embedded plan (henan, zhengzhou; the
    embedded Zhengzhou plan when omitted). Per industry, a
    presence-background model on the raw criteria, validated by spatial block cross-validation
    against the expert score and a random surface. Writes auc.csv, importance.csv,
    suggested_weights.toml, one CODE_partial_dependence.png per industry and README.md.
    """
    from layout.config.plan import load_plan
    from layout.data.inputs import load_inputs
    from layout.io.staging import replace_folders
    from layout.products.learned import HONESTY, learned_folder, write_learned
    from layout.products.planfolder import plan_input_files
    from layout.scoring.learned import learn_all

    t0 = time.perf_counter()
    plan = load_plan(config)
    with replace_folders([learned_folder(out)], inputs=plan_input_files(plan)) as (stage,):
        inputs = load_inputs(plan)
        codes = [plan.catalog.industry(c).code for c in industries] or None
        results = learn_all(inputs, industries=codes, block_km=block_km, n_folds=folds,
                            n_background=n_background, target_group=target_group,
                            firm_criteria=with_firm_criteria, seed=seed)
        files = write_learned(results, stage)
    logger.warning("%s", HONESTY)
    if not quiet:
        click.echo(f"{'industry':<14} {'learned AUC':>14} {'expert AUC':>14} {'null':>6} "
                   f"{'pres.':>6} {'backg.':>6}")
        for res in results.values():
            s = res.summary()
            click.echo(f"{s['industry']:<14} {s['learned_auc']:.3f} ± {s['learned_auc_sd']:.3f}"
                       f"  {s['expert_auc']:.3f} ± {s['expert_auc_sd']:.3f} "
                       f"{s['null_auc']:6.3f} {s['n_presence']:6d} {s['n_background']:6d}")
    click.echo(f"wrote {len(files)} files to {out}/ in {time.perf_counter() - t0:.1f} s")
    for p in files:
        click.echo(f"  {out / p.name}")
