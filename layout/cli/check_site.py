"""``layout check-site``: is this parcel right for this project? (`layout.products.sitecheck`).

Only `click` is imported at module level: the command imports the library when it runs, so that
``layout --help`` and a warm check stay fast (docs/sitecheck.md, "Speed").
"""

from __future__ import annotations

import datetime
import logging
from pathlib import Path

import click

from layout.cli.options import crs_option, datum_option, plan_argument, quiet_option
from layout.cli.terminal import printable

logger = logging.getLogger(__name__)

FORMATS = ("json", "md", "html", "csv")


@click.command("check-site")
@click.argument(
    "parcels", required=False, type=click.Path(dir_okay=False, path_type=Path), metavar="[PARCELS]"
)
@click.option("--industry", required=True, metavar="CODE",
              help="Industry code of the project (see `layout industries`).")
@click.option("--indicators", "indicators_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, metavar="FILE",
              help="Planned land indicators (CSV, JSON or TOML): far, building_coverage, "
                   "admin_share, green_ratio (ratios 0-1), investment_per_mu_wan, and optional "
                   "output_per_mu_wan, tax_per_mu_wan; one set or one per parcel id. Without "
                   "it, the parcel file's own columns (容积率, 建筑系数, 投资强度, 亩均税收 ...) "
                   "are read.")
@click.option("--config", "config", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="CONFIG", callback=plan_argument,
              help="Plan TOML file or the name of an embedded plan (henan, zhengzhou; default: "
              "the embedded Zhengzhou plan).")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              metavar="DIR",
              help="Write DIR/sitecheck_<id>_<industry>.json, .csv and .geojson (one row or "
                   "feature per parcel), and .md or .html for --format md/html, instead of "
                   "printing the report.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True,
              help="Report format: json (machines; schema in docs/sitecheck.md), md or html "
                   "(people; html has a map, opens offline and prints one parcel per A4 page), "
                   "csv (one row per parcel).")
@click.option("--lang", "lang", type=click.Choice(("zh", "en")), default="zh", show_default=True,
              help="Language of the md and html documents (the site opinion's sections are "
                   "the same in both).")
@click.option("--date", "review_date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              metavar="YYYY-MM-DD", help="Date of review printed in the documents [default: "
                                         "today].")
@click.option("--overwrite", is_flag=True, default=False,
              help="Replace the files of an earlier check of the same parcels and industry in "
                   "--out DIR (refused otherwise).")
@click.option("--wkt", "wkt", multiple=True, metavar="WKT",
              help="A parcel polygon as WKT instead of PARCELS (repeatable); lon/lat degrees "
                   "unless --crs says otherwise.")
@crs_option
@datum_option
@click.option("--layer", default=None, metavar="NAME", help="Layer of a GeoPackage.")
@click.option("--id-column", "id_column", default=None, metavar="COLUMN",
              help="Column of parcel ids [default: parcel_id, id, 地块编号, name ... if present].")
@click.option("--radius-km", "radius_km", type=float, default=10.0, show_default=True,
              help="Search radius for better alternatives.")
@click.option("--plan-dir", "plan_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, metavar="DIR",
              help="Output folder of `layout plan`: take alternatives from DIR/plan.gpkg sites.")
@quiet_option
def check_site(
    parcels: Path | None,
    industry: str,
    indicators_path: Path | None,
    config: Path | None,
    out: Path | None,
    fmt: str,
    wkt: tuple[str, ...],
    crs: str | None,
    datum: str,
    layer: str | None,
    id_column: str | None,
    radius_km: float,
    plan_dir: Path | None,
    lang: str,
    review_date: datetime.datetime | None,
    overwrite: bool,
    quiet: bool,
) -> None:
    """Check whether PARCELS suit an industrial project of industry CODE.

    PARCELS is a GeoJSON, GeoPackage or Shapefile with one parcel or many (one result per
    parcel, keyed by its id column), in WGS84, CGCS2000 (EPSG:4490) or the plan CRS; use
    --datum gcj02/bd09 for coordinates copied from Gaode/Baidu maps. Each parcel gets a verdict
    -- suitable, conditional or unsuitable -- with every reason, most serious first: hard
    constraint overlaps, cluster zone, suitability score and percentile, land indicators,
    better-suited industries and better sites nearby.

    The first run for a plan builds a score cache ($LAYOUT_CACHE_DIR, else the user cache
    folder: ~/.cache/zz-layout on Linux), later runs read it. Exit status 0 when every parcel
    was assessed, whatever the verdicts; 2 on bad input.
    """
    from layout.config.catalog import check_industry
    from layout.config.plan import load_plan
    from layout.data.parcels import read_parcels
    from layout.products.sitecheck import check_parcels, report_dict, to_json
    from layout.scoring.cache import ensure_cache

    plan = load_plan(config)  # cheap: validating a plan imports no scoring code
    code = check_industry(industry, catalog=plan.catalog)
    gdf = read_parcels(parcels, wkt=wkt, crs=crs, datum=datum, layer=layer, id_column=id_column)
    for note in gdf.attrs.get("notes", []):
        logger.info("note: %s", note)
    names: list[str] = []
    if out is not None:  # refuse before any work
        names = _output_names(out, [str(v) for v in gdf["parcel_id"]], code, fmt,
                              overwrite=overwrite)
    indicator_sets = None
    if indicators_path is not None:
        from layout.data.indicators import read_indicators

        indicator_sets = read_indicators(indicators_path)
    sites = None
    if plan_dir is not None:
        from layout.products.planfolder import read_sites

        sites = read_sites(plan_dir)
    cache = ensure_cache(plan)  # built on first use, logged
    html = fmt == "html"
    checks = check_parcels(
        gdf,
        industry=code,
        indicators=indicator_sets,
        cache=cache,
        radius_m=radius_km * 1000.0,
        plan_sites=sites,
        with_geometry=html,
        indicators_source=indicators_path.name if indicators_path else "indicators",
        standards=plan.standards,
    )
    for check in checks:
        for warning in check.warnings:
            logger.warning("%s", warning)
    document = report_dict(
        checks, cache=cache, radius_m=radius_km * 1000.0,
        alternatives_from="plan" if sites is not None else "raster",
    )
    day = (review_date.date() if review_date else datetime.date.today()).isoformat()
    text = json_text = to_json(document)
    if fmt == "md":
        from layout.products.sitecheck import to_markdown

        text = to_markdown(document, lang=lang, date=day)
    elif html:
        from layout.products.maps import render_html
        from layout.products.sitecheck import site_map

        text = render_html(site_map(checks, document, cache=cache, lang=lang, date=day))
    elif fmt == "csv":
        from layout.products.sitecheck.batch import batch_csv

        text = batch_csv(document)
    if out is None:
        click.echo(printable(text), nl=False)  # names from the data: no terminal controls
        return
    from layout.io.staging import staged_output
    from layout.products.sitecheck.batch import to_geojson, write_batch_csv

    with staged_output(out) as stage:
        for name in names:
            ext = name.rsplit(".", 1)[1]
            if ext == "json":
                (stage / name).write_text(json_text, encoding="utf-8")
            elif ext == "csv":
                write_batch_csv(document, stage / name)
            elif ext == "geojson":
                (stage / name).write_text(to_geojson(checks, document, crs=cache.crs),
                                          encoding="utf-8")
            else:
                (stage / name).write_text(text, encoding="utf-8")
    for check in checks:
        first = check.reasons[0].message if check.reasons else ""
        click.echo(printable(f"{check.parcel_id}: {check.verdict} -- {first}"))
    click.echo(printable(f"wrote {', '.join(str(out / w) for w in names)}"))


def _output_names(out: Path, ids: list[str], code: str, fmt: str, *, overwrite: bool) -> list[str]:
    """The files a check writes into ``out``; an existing one is refused without --overwrite."""
    from layout.io.staging import OutputFolderError
    from layout.products.sitecheck.batch import output_stem

    stem = output_stem(ids, code)
    exts = ["json", "csv", "geojson"] + ([fmt] if fmt in ("md", "html") else [])
    names = [f"{stem}.{e}" for e in exts]
    if out.exists() and not out.is_dir():
        raise OutputFolderError(f"--out {out} is a file; give a folder")
    existing = [n for n in names if (out / n).exists()]
    if existing and not overwrite:
        raise OutputFolderError(
            f"{out / existing[0]} exists (an earlier check of these parcels for {code}); "
            "give --overwrite to replace it, or another --out folder"
        )
    return names
