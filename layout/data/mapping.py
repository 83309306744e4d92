"""Map a planner's own layer onto the data model: columns, Shapefile aliases, values, industries.

Agencies deliver files with their own column names (园区编号, 主导产业, 年产值万元 …), Shapefiles
whose field names are cut to ten characters, lists written with 、 or ；, and industries named in
Chinese or by GB/T 4754 division.  `map_layer` turns such a frame, as read, into the data model
of its kind (`layout.model.layers.LAYER_SCHEMAS`), in this order:

1. ``columns``: each data-model name takes the file column the plan names for it
   (``[inputs.KIND] columns``, ``layout validate --columns``); a named column the file lacks is
   an error with the closest names found;
2. Shapefile aliases (``built_shr`` for ``built_share`` …) are accepted as they are;
3. list cells are split at any of `LIST_SEPARATORS` and written with ``,``;
4. ``values``: a file value (each item of a list) becomes the data-model value the plan maps it to;
5. industry columns (the enterprises' ``industry``, the zones' ``leading``): an industry's Chinese
   or English name of the catalog, or a GB/T 4754 division (two to four digits; a division
   outside the catalog's industries is ``other`` where ``other`` is allowed), becomes its code;
   ``其他``/``其它`` is ``other``.  A value that is none of these is an error naming it and
   listing the known industries.

The file is never modified: the result is a new frame.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import pandas as pd

from layout.errors import Problem
from layout.model.catalog import OTHER, Catalog
from layout.model.layers import COORDINATE_KEYS, LAYER_SCHEMAS, LIST_SEPARATORS, LayerSchema

__all__ = ["LIST_SEPARATORS", "industry_names", "map_layer", "split_items"]

#: Chinese words for "other" in an industry column.
OTHER_WORDS = ("其他", "其它")
_DIVISION = re.compile(r"^\d{2,4}$")
_SPLIT = re.compile("|".join(re.escape(s) for s in LIST_SEPARATORS))


def split_items(value: object) -> list[str]:
    """The items of a list cell, split at any of `LIST_SEPARATORS` (empty items dropped).

    Examples
    --------
    >>> split_items("电子信息、汽车及装备制造；食品工业; food,auto，textiles")
    ['电子信息', '汽车及装备制造', '食品工业', 'food', 'auto', 'textiles']
    >>> split_items(None), split_items(float("nan")), split_items("")
    ([], [], [])
    """
    text = _text(value)
    return [t.strip() for t in _SPLIT.split(text) if t.strip()] if text else []


def _text(value: object) -> str:
    """A cell as text: '' for missing, ``36`` for a whole number read as ``36.0``."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def industry_names(catalog: Catalog, *, allow_other: bool) -> dict[str, str]:
    """Every name of an industry that an industry column may hold, mapped to its code.

    Codes, Chinese and English names (English compared in lower case), and `OTHER_WORDS`
    when ``allow_other``; divisions are looked up separately (`Catalog.industry_for_division`).

    Examples
    --------
    >>> from layout.config.catalog import load_catalog
    >>> names = industry_names(load_catalog(), allow_other=True)
    >>> names["电子信息"], names["automobiles and equipment"], names["其他"], names["other"]
    ('electronics', 'auto', 'other', 'other')
    """
    out: dict[str, str] = {}
    for code, ind in catalog.industries.items():
        out[code] = code
        out[ind.name_zh] = code
        out[ind.name_en.lower()] = code
    if allow_other:
        out[OTHER] = OTHER
        out.update(dict.fromkeys(OTHER_WORDS, OTHER))
    return out


def map_layer(
    gdf: gpd.GeoDataFrame,
    *,
    kind: str,
    columns: Mapping[str, str] | None = None,
    values: Mapping[str, Mapping[str, str]] | None = None,
    catalog: Catalog | None = None,
    origin: str | None = None,
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Map a layer as read onto the data model of ``kind``; return the new frame and problems.

    Parameters
    ----------
    gdf
        The layer as read (`layout.io.vector.read_layer`), ``attrs["source"]`` naming its file.
    kind
        A key of `LAYER_SCHEMAS`.
    columns
        Data-model name -> the file's column (``lon``/``lat`` are used when reading, skipped).
    values
        Data-model column -> {file value: data-model value}; items of list columns one by one.
    catalog
        The industry catalog for industry columns; None leaves them as they are.
    origin
        Where the mapping was written, for messages (``"inputs.zones in plan.toml"``).

    Returns
    -------
    tuple
        The mapped frame (a copy; ``attrs`` kept, what was mapped added to ``attrs["notes"]``,
        the names mapped to columns the file lacks in ``attrs["unmapped"]``) and the problems
        found: mapped columns the file lacks, unknown industries.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from layout.config.catalog import load_catalog
    >>> zones = gpd.GeoDataFrame({"园区编号": ["Z1"], "主导产业": ["电子信息、汽车及装备制造"],
    ...                           "built_shr": [0.4]},
    ...                          geometry=[shapely.box(113, 34, 113.1, 34.1)], crs="EPSG:4326")
    >>> zones.attrs["source"] = "园区.shp"
    >>> out, problems = map_layer(zones, kind="zones", catalog=load_catalog(),
    ...                           columns={"zone_id": "园区编号", "leading": "主导产业"})
    >>> out[["zone_id", "leading", "built_share"]].values.tolist(), problems
    ([['Z1', 'electronics,auto', 0.4]], [])
    >>> _, problems = map_layer(zones, kind="zones", columns={"zone_id": "园区编码"})
    >>> print(problems[0])
    error: 园区.shp: columns.zone_id = "园区编码": the file has no such column; did you mean \
'园区编号'? columns: 园区编号, 主导产业, built_shr
    """
    schema = LAYER_SCHEMAS[kind]
    source = str(gdf.attrs.get("source", "layer"))
    where = f" ({origin})" if origin else ""
    notes: list[str] = []
    problems: list[Problem] = []
    out = gdf.copy()
    present = [str(c) for c in gdf.columns if c != gdf.geometry.name]
    renamed: dict[str, str] = {}
    unmapped: list[str] = []
    for name, column in (columns or {}).items():
        if name in COORDINATE_KEYS:
            continue
        if column not in gdf.columns:
            close = difflib.get_close_matches(column, present, n=3, cutoff=0.5)
            hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ";"
            problems.append(Problem(source, f'columns.{name} = "{column}"{where}: the file has '
                                            f"no such column{hint} columns: {', '.join(present)}"))
            unmapped.append(name)
            continue
        out[name] = gdf[column]
        renamed[name] = column
    dropped = [c for c in set(renamed.values()) if c not in renamed and c not in schema.columns
               and c not in gdf.attrs.get("lonlat_columns", ())]
    out = out.drop(columns=dropped)
    for name, alias in schema.aliases.items():
        if name not in out.columns and alias in out.columns:
            out = out.rename(columns={alias: name})
            renamed[name] = alias
    if renamed:
        notes.append("columns mapped: " + ", ".join(f"{v} -> {k}" for k, v in renamed.items()))
    for name in schema.lists:
        if name in out.columns:
            out[name] = [",".join(split_items(v)) for v in out[name]]
    for name, mapping in (values or {}).items():
        if name in out.columns and mapping:
            out[name] = _map_values(out[name], mapping, listed=name in schema.lists)
    if catalog is not None:
        for name, allow_other in schema.industry.items():
            if name in out.columns:
                out[name], found = _industry_codes(out[name], catalog, allow_other=allow_other,
                                                  listed=name in schema.lists)
                problems += _unknown_industries(found, out, schema, name, catalog, source=source,
                                                allow_other=allow_other,
                                                file_column=renamed.get(name), kind=kind)
    out.attrs = {**gdf.attrs, "notes": [*gdf.attrs.get("notes", []), *notes]}
    if unmapped:  # reported here: `layout.data.checks.check_columns` does not repeat them
        out.attrs["unmapped"] = unmapped
    return out, problems


def _map_values(series: pd.Series, mapping: Mapping[str, str], *, listed: bool) -> pd.Series:
    def one(value: object) -> object:
        if listed:
            return ",".join(i for item in split_items(value)
                            for i in split_items(mapping.get(item, item)))
        text = _text(value)
        return mapping.get(text, value)

    return pd.Series([one(v) for v in series], index=series.index, name=series.name)


def _industry_codes(
    series: pd.Series, catalog: Catalog, *, allow_other: bool, listed: bool
) -> tuple[pd.Series, dict[str, list[Any]]]:
    """The column with every industry name or division replaced by its code; unknown values."""
    names = industry_names(catalog, allow_other=allow_other)
    unknown: dict[str, list[Any]] = {}

    def code(item: str, index: Any) -> str:
        found = names.get(item) or names.get(item.lower())
        if found is None and _DIVISION.match(item):
            found = catalog.industry_for_division(item)
            if found == OTHER and not allow_other:
                found = None
        if found is None:
            unknown.setdefault(item, []).append(index)
            return item
        return found

    mapped = []
    for index, value in series.items():
        if listed:
            mapped.append(",".join(code(i, index) for i in split_items(value)))
        else:
            text = _text(value)
            mapped.append(code(text, index) if text else value)
    return pd.Series(mapped, index=series.index, name=series.name), unknown


def _unknown_industries(
    unknown: Mapping[str, list[Any]],
    gdf: gpd.GeoDataFrame,
    schema: LayerSchema,
    name: str,
    catalog: Catalog,
    *,
    source: str,
    allow_other: bool,
    file_column: str | None,
    kind: str,
) -> list[Problem]:
    """One problem per unknown industry value: where, the closest industry, the known ones."""
    known = [f"{code} {ind.name_zh}" for code, ind in catalog.industries.items()]
    known += [OTHER] if allow_other else []
    names = industry_names(catalog, allow_other=allow_other)
    problems = []
    for value, rows in unknown.items():
        close = difflib.get_close_matches(value, list(names), n=1, cutoff=0.4)
        close = close or [n for n in names if len(value) > 1 and (value in n or n in value)][:1]
        hint = f"; did you mean {names[close[0]]!r} ({close[0]})?" if close else ""
        column = f" (file column {file_column!r})" if file_column else ""
        count = f" in {len(rows)} features" if len(rows) > 1 else ""
        idx = rows[0]
        fid = (str(gdf.at[idx, schema.id_column]) if schema.id_column in gdf.columns
               else f"row {gdf.index.get_loc(idx) + 1}")
        problems.append(Problem(
            source,
            f"unknown industry {value!r}{count}{column}{hint} known: {', '.join(known)}, or a "
            f"GB/T 4754 division; map it in [inputs.{kind}]: values.{name} = "
            f'{{ "{value}" = "CODE" }}',
            feature=fid, column=name))
    return problems
