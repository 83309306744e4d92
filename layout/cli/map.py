"""``layout map``: the maps of a plan folder (overview and one per industry, HTML and PNG)."""

from __future__ import annotations

from pathlib import Path

import click

from layout.cli.options import (
    REPLACED,
    basemap_option,
    cdn_option,
    date_option,
    default_date,
    lang_option,
    output_folder,
    quiet_option,
)
from layout.cli.overview import DEFAULT_OUT


@click.command("map")
@click.argument(
    "plan_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), metavar="PLAN_DIR"
)
@click.option(
    "--out",
    "out_dir",
    default=DEFAULT_OUT,
    show_default=True,
    metavar="DIR",
    callback=output_folder,
    type=click.Path(file_okay=False),
    help=f"Folder for the maps. {REPLACED} It may not hold PLAN_DIR.",
)
@click.option(
    "--config",
    default=None,
    metavar="PLAN.toml",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Plan whose input layers and name are used [default: the plan PLAN_DIR was written "
    "from, as PLAN_DIR/manifest.json records it: its absolute path, else its path relative to "
    "PLAN_DIR, from any working folder; the embedded data only for a folder of the embedded "
    "plan]. Needed when that file has moved: layout map then stops with one line.",
)
@click.option("--no-png", "no_png", is_flag=True, help="Write the HTML maps only.")
@click.option("--title", default=None, metavar="TEXT",
              help="Name shown on the maps [default: the name the plan folder was written "
              "under (manifest.json title), else the plan's [plan] name].")
@lang_option
@cdn_option
@basemap_option
@date_option
@quiet_option
def map_command(
    plan_dir: Path,
    out_dir: Path,
    lang: str,
    cdn: bool,
    basemap: str,
    date: str | None,
    config: Path | None,
    no_png: bool,
    title: str | None,
    quiet: bool,
) -> None:
    """Write the maps of PLAN_DIR (a folder written by `layout plan`) into DIR.

    DIR/overview.html and .png show the input layers and every industry's recommended sites;
    DIR/industry_CODE.html and .png show one industry's suitability surface, exclusion reasons
    and sites.  The HTML maps open offline (one self-contained file each) unless --cdn or a
    basemap is given.  PLAN_DIR must be complete (every file its manifest.json lists), or a
    folder of scores without a manifest (`layout score --out PLAN_DIR/suitability`).
    """
    from layout.products.maps.plan import write_plan_maps

    paths = write_plan_maps(
        plan_dir,
        out_dir=out_dir,
        lang=lang,
        cdn=cdn,
        basemap=None if basemap == "none" else basemap,
        date=date or default_date(),
        config=config,
        png=not no_png,
        title=title or None,
    )
    if quiet:  # -q: errors only
        return
    for path in paths:
        click.echo(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    total = sum(p.stat().st_size for p in paths) / 1e6
    click.echo(f"wrote {len(paths)} files to {out_dir}/ ({total:.1f} MB)")
