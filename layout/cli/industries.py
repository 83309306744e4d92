"""``layout industries``: print the catalog of industries, production bases and linkages."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import click

from layout.model.catalog import GROUPS, SCALES, Base, Catalog, Industry

# Column headers by language: "both" shows Chinese and English names side by side.
_INDUSTRY_HEADERS = {
    "both": ["code", "中文名", "English name", "group", "min FAR", "万元/mu", "pollution", "bases"],
    # English only: no Chinese characters, 万元 (10,000 yuan) is explained in --help.
    "en": ["code", "name", "group", "min FAR", "output/mu", "pollution", "bases"],
    "zh": ["代码", "名称", "类别", "最低容积率", "亩均产值(万元)", "污染(防护距离)", "生产基地"],
}
_BASE_HEADERS = {
    "both": ["code", "中文名", "English name", "industry", "scale", "pollution"],
    "en": ["code", "name", "industry", "scale", "pollution"],
    "zh": ["代码", "名称", "所属产业", "规模", "污染(防护距离)"],
}


@click.command("industries")
@click.option("--json", "as_json", is_flag=True, help="Print the whole catalog as JSON.")
@click.option(
    "--lang",
    type=click.Choice(["both", "zh", "en"]),
    default="both",
    show_default=True,
    help="Names in Chinese, English or both (the table only; JSON has both).",
)
@click.option(
    "--catalog",
    "catalog_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="PATH",
    help="An edited copy of the catalog TOML (default: the embedded industries.toml).",
)
def industries(as_json: bool, lang: str, catalog_path: Path | None) -> None:
    """List the priority industries, their production bases and the linkages between them.

    The table shows each industry's minimum floor-area ratio, its reference output per mu
    (万元; 1 mu = 666.67 m²) and whether it is pollution-intensive, with the buffer to keep
    from housing. Edit a copy of the catalog and pass it with --catalog to change any value.
    """
    from layout.config.catalog import load_catalog

    catalog = load_catalog(catalog_path)
    if as_json:
        click.echo(json.dumps(catalog.to_dict(), ensure_ascii=False, indent=2, sort_keys=True))
    else:
        click.echo(_render(catalog, lang))


def _render(catalog: Catalog, lang: str) -> str:
    zh = lang == "zh"
    rows = [_industry_row(catalog, catalog.industry(code), lang) for code in catalog.codes]
    lines = [_table(_INDUSTRY_HEADERS[lang], rows)]

    lines += ["", "生产基地" if zh else "Production bases"]
    rows = []
    for code in catalog.bases:
        base = catalog.base(code, inherit=True)
        scale = SCALES[base.scale][0 if zh else 1]
        rows.append([code, *_names(base, lang), base.parent, scale, _pollution(base, lang)])
    lines.append(_table(_BASE_HEADERS[lang], rows))

    lines += [
        "",
        "产业关联（供应 → 需求，权重及其来源）" if zh
        else "Linkages (supplier → customer, weight and where it comes from)",
    ]
    label = {code: catalog.industry(code).name_zh if zh else code for code in catalog.codes}
    width = max((_width(text) for text in label.values()), default=0)
    for link in catalog.linkages:
        src, tgt = _pad(label[link.source], width), _pad(label[link.target], width)
        via = f" [via {link.via_base}]" if link.via_base else ""
        origin = _WEIGHT_SOURCE[link.weight_source][0 if zh else 1]
        if link.citation:
            origin += f": {link.citation}"
        lines.append(f"  {src} → {tgt}  {link.weight:.2f} ({origin})  {link.why}{via}")
    lines += ["", f"catalog: {catalog.source}"]
    return "\n".join(lines)


#: How each `layout.model.industry.WeightSource` is shown, in Chinese and English.
_WEIGHT_SOURCE = {"io_coefficient": ("投入产出系数", "input-output coefficient"),
                  "judgement": ("经验判断", "judgement")}


def _names(item: Industry | Base, lang: str) -> list[str]:
    if lang == "both":
        return [item.name_zh, item.name_en]
    return [item.name(lang)]


def _industry_row(catalog: Catalog, ind: Industry, lang: str) -> list[str]:
    group_zh, group_en = GROUPS[ind.group]
    if lang == "zh":
        group, bases = group_zh, "、".join(catalog.base(b).name_zh for b in ind.bases)
    else:
        group, bases = group_en, ", ".join(ind.bases)
    return [
        ind.code,
        *_names(ind, lang),
        group,
        f"{ind.min_far:.1f}",
        f"{ind.output_per_mu_wan:,.0f}",
        _pollution(ind, lang),
        bases or "-",
    ]


def _pollution(item: Industry | Base, lang: str) -> str:
    """Say whether the item is pollution-intensive, with the buffer to keep from housing."""
    if lang == "zh":
        word = "是" if item.pollution_intensive else "否"
    else:
        word = "yes" if item.pollution_intensive else "no"
    buffer = item.residential_buffer_m or 0.0
    return f"{word} ({buffer:,.0f} m)" if buffer else word


def _width(text: str) -> int:
    """Terminal columns of ``text``: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [_width(h) for h in header]
    for row in rows:
        widths = [max(w, _width(cell)) for w, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(_pad(c, w) for c, w in zip(cells, widths, strict=True)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])
