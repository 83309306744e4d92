"""``layout overview [PLAN]``: summarise a plan's input data and write its overview map."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import click

from layout.cli.options import (
    REPLACED,
    basemap_option,
    cdn_option,
    date_option,
    default_date,
    lang_option,
    output_folder,
    plan_argument,
    quiet_option,
)
from layout.cli.terminal import printable

if TYPE_CHECKING:
    import geopandas as gpd

#: Default output folder (``make demo`` writes here).
DEFAULT_OUT = "maps"


@click.command("overview")
@click.argument("config", required=False, metavar="[PLAN]",
                type=click.Path(dir_okay=False, path_type=Path), callback=plan_argument)
@click.option(
    "--out",
    "out_dir",
    default=DEFAULT_OUT,
    show_default=True,
    metavar="DIR",
    callback=output_folder,
    type=click.Path(file_okay=False),
    help=f"Folder for overview.html and overview.png. {REPLACED}",
)
@lang_option
@cdn_option
@basemap_option
@date_option
@quiet_option
def overview(
    config: Path | None,
    out_dir: Path,
    lang: str,
    cdn: bool,
    basemap: str,
    date: str | None,
    quiet: bool,
) -> None:
    """Summarise PLAN's input data and write DIR/overview.html and DIR/overview.png.

    PLAN is a plan TOML file or the name of an embedded plan (henan, zhengzhou; the embedded
    Zhengzhou plan and data when omitted): its input
    layers are drawn, in its CRS (named on the PNG), under its name.  The HTML map opens
    offline (Leaflet inlined, no tiles) unless --cdn or --basemap osm is given.  Each layer is
    validated first and its number of problems is shown.
    """
    from layout.config.plan import load_plan
    from layout.io import embedded as datasets
    from layout.io.staging import replace_folders
    from layout.products import summary as report
    from layout.products.maps import overview_map, overview_png, save_map
    from layout.products.maps.plan import maps_folder, plan_title

    inputs = [config] if config is not None else []
    with replace_folders([maps_folder(out_dir)], inputs=inputs) as (stage,):
        if config is None:
            layers, crs = datasets.load_all(), load_plan(None).crs
        else:
            from layout.data.inputs import load_inputs

            # validated on loading: errors stop it, warnings logged (only the layers are used)
            loaded = load_inputs(config, chunked=True)
            layers, crs = dict(loaded.layers), loaded.plan.crs
        problems = _validate(layers)
        if not quiet:
            click.echo(printable(report.format_summary(layers, lang=lang, problems=problems,
                                                       crs=crs)))
        title = plan_title(config, lang)
        when = date or default_date()
        m = overview_map(layers, title=title, lang=lang, date=when, crs=crs,
                         basemap=None if basemap == "none" else basemap)
        save_map(m, stage / "overview.html", cdn=cdn)
        overview_png(layers, stage / "overview.png", lang=lang, title=title, date=when, crs=crs)
    for path in (out_dir / "overview.html", out_dir / "overview.png"):
        size = path.stat().st_size / 1e6
        click.echo(f"wrote {path} ({size:.1f} MB)")


def _validate(layers: Mapping[str, gpd.GeoDataFrame]) -> dict[str, int] | None:
    """Problems per layer (`layout.data.validate.validate_layer`), or None if unavailable."""
    try:
        from layout.data.validate import validate_layer
        from layout.model.layers import LAYER_SCHEMAS
    except ImportError:
        return None
    study_area = layers.get("boundary")
    counts: dict[str, int] = {}
    for name, gdf in layers.items():
        if name not in LAYER_SCHEMAS:
            continue
        found = validate_layer(
            gdf,
            kind=name,
            source=gdf.attrs.get("source", name),
            study_area=study_area if study_area is not None else False,
        )
        counts[name] = len(found)
    return counts
