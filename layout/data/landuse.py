"""Read a land-use layer's codes in their schema: normalise, classify, and report disagreements.

A land-use layer, once its columns are mapped (`layout.data.mapping`: ``code`` from DLBM or the
plan's ``code_column``, ``name`` from DLMC or ``name_column``), goes through `classify_landuse`
with the schema the plan states (``[inputs.landuse] schema``, ``layout validate --schema``):

* each ``code`` is normalised (``601`` -> ``0601``, ``601.0`` -> ``0601``, upper-case suffix
  letters) and looked up in the schema's built-in list (`layout.config.landuse.landuse_codes`);
* the columns ``schema`` (the schema, on every row: a code never travels without it),
  ``lu_class`` (`layout.model.landuse.LandUseClass`) and ``lu_name`` (the list's name of the
  code) are added;
* problems: a missing or unknown code is an error (map it with ``values.code``); a ``name``
  that is not the list's name of the code is a warning (the code is what the plan reads; the
  two disagreeing usually means a wrong schema or a shifted column), and an error when most
  named features fit the other schema (the plan states the wrong one); a code of an abridged
  class read as its parent is a warning (its name is not compared); a code written otherwise
  than the list writes it (``601``, ``601.0``, ``0201k``) is a warning saying how it was read.

Problems sharing a value are reported once, with the number of features and the first of them.
"""

from __future__ import annotations

from collections import defaultdict

import geopandas as gpd

from layout.config.landuse import landuse_codes
from layout.errors import ConfigError, Problem
from layout.model.landuse import SCHEMAS, LandUseClass, LandUseCodes, normalise_code
from layout.model.table import suggest

#: Features named per problem before "and N more".
MAX_ROWS = 5


def _rows(rows: list[int]) -> str:
    head = ", ".join(str(r) for r in rows[:MAX_ROWS])
    more = f" and {len(rows) - MAX_ROWS} more" if len(rows) > MAX_ROWS else ""
    return f"row{'s' if len(rows) > 1 else ''} {head}{more}"


def classify_landuse(
    gdf: gpd.GeoDataFrame, *, schema: str, source: str = "landuse"
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Normalise and classify the ``code`` column of a land-use layer in ``schema``.

    Parameters
    ----------
    gdf
        The layer, its columns mapped onto the data model (``code``, optionally ``name``).
    schema
        ``gbt21010`` or ``ydyh2023`` (`layout.model.landuse.LandUseSchema`).
    source
        Name of the data in the problems.

    Returns
    -------
    tuple
        A copy of the layer with ``code`` normalised and ``schema``, ``lu_class``, ``lu_name``
        added (unknown codes get class ``other`` and an empty name), and the problems found.
        Without a ``code`` column the layer comes back as it is (the missing required column is
        reported by `layout.data.validate`).

    Raises
    ------
    ConfigError
        ``schema`` is not one of the two schemas.

    Examples
    --------
    >>> import shapely
    >>> lu = gpd.GeoDataFrame(
    ...     {"code": ["601", "1001", "0101"], "name": ["工业用地", "工业用地", "水田"]},
    ...     geometry=[shapely.box(0, 0, 1, 1)] * 3, crs="EPSG:4547")
    >>> out, problems = classify_landuse(lu, schema="gbt21010", source="DLTB.shp")
    >>> out[["code", "lu_class", "lu_name"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['0601', 'industrial', '工业用地'], ['1001', 'built', '铁路用地'],
     ['0101', 'farmland', '水田']]
    >>> print(problems[0])
    warning: DLTB.shp, feature row 1, column 'code': code '601' read as 0601 (normalised: \
leading zero, number format or case)
    >>> print(problems[1])
    warning: DLTB.shp, feature row 2, column 'name': code 1001 is 铁路用地 in GB/T 21010-2017 \
土地利用现状分类 but the name column says '工业用地'; check the schema (schema = "ydyh2023"?) \
or the code
    """
    if schema not in SCHEMAS:
        raise ConfigError(f"unknown land-use code schema {schema!r}{suggest(schema, SCHEMAS)}")
    if "code" not in gdf.columns:
        return gdf, []
    table = landuse_codes()
    codes = table.codes(schema)
    other = next(s for s in SCHEMAS if s != schema)
    out = gdf.copy()
    normal: list[str] = []
    classes: list[str] = []
    names: list[str] = []
    missing: list[int] = []
    matched = 0
    unknown: dict[str, list[int]] = defaultdict(list)
    abridged: dict[tuple[str, str], list[int]] = defaultdict(list)
    mismatch: dict[tuple[str, str], list[int]] = defaultdict(list)
    rewritten: dict[tuple[str, str], list[int]] = defaultdict(list)
    given_names = out["name"].tolist() if "name" in out.columns else [None] * len(out)
    for row, (value, given) in enumerate(zip(out["code"], given_names, strict=True), start=1):
        code = normalise_code(value, schema=schema)
        hit = table.lookup(code, schema=schema) if code else None
        normal.append(code)
        written = "" if value is None else str(value).strip()
        if code and written != code:
            rewritten[(written, code)].append(row)
        classes.append(hit.land_class.value if hit else LandUseClass.OTHER.value)
        names.append(hit.name if hit else "")
        if not code:
            missing.append(row)
        elif hit is None:
            unknown[code].append(row)
        else:
            if hit.abridged:  # the list has no name of the code to compare with
                abridged[(code, hit.listed)].append(row)
                continue
            text = normalise_code(given) if given is not None else ""
            name = "" if text in ("", "NAN", "NONE") else str(given).strip()
            if name and name != hit.name:
                mismatch[(code, name)].append(row)
            elif name:
                matched += 1
    out["code"] = normal
    out["schema"] = schema
    out["lu_class"] = classes
    out["lu_name"] = names
    title = codes.title
    problems: list[Problem] = []
    if missing:
        problems.append(Problem(source, f"{len(missing)} feature(s) without a land-use code "
                                        f"({_rows(missing)}); fill the code column",
                                column="code"))
    for code, rows in unknown.items():
        there = table.lookup(code, schema=other)
        hint = (f"; it is {there.name} in {table.codes(other).title} (schema = \"{other}\"?)"
                if there else "")
        count = f" in {len(rows)} features" if len(rows) > 1 else ""
        problems.append(Problem(
            source, f"unknown {title} code {code!r}{count}{hint}; correct it or map it: "
            f'[inputs.landuse] values.code = {{ "{code}" = "CODE" }}',
            feature=_rows(rows), column="code"))
    for (written, code), rows in rewritten.items():
        count = f" ({len(rows)} features)" if len(rows) > 1 else ""
        problems.append(Problem(
            source, f"code {written!r} read as {code}{count} (normalised: leading zero, "
            "number format or case)", feature=_rows(rows), column="code", severity="warning"))
    for (code, listed), rows in abridged.items():
        problems.append(Problem(
            source, f"code {code} ({len(rows)} features) is read as {listed} "
            f"{codes.codes[listed].name}: the built-in list of {title} is abridged there",
            feature=_rows(rows), column="code", severity="warning"))
    named = sum(len(r) for r in mismatch.values()) + matched
    fits_other = sum(len(rows) for (code, name), rows in mismatch.items()
                     if _name_in(table, code, other) == name)
    if named and fits_other > named / 2:
        problems.append(Problem(
            source, f"the names of {fits_other} of {named} named features fit the codes in "
            f"{table.codes(other).title}, not in {title}: the schema looks wrong; use "
            f'schema = "{other}" (--schema {other})', column="code"))
    for (code, name), rows in mismatch.items():
        hit = table.lookup(code, schema=schema)
        assert hit is not None
        there = table.lookup(code, schema=other)
        hint = (f' (schema = "{other}"?)' if there is not None and there.name == name else "")
        count = f" ({len(rows)} features)" if len(rows) > 1 else ""
        problems.append(Problem(
            source, f"code {code} is {hit.name} in {title} but the name column says "
            f"{name!r}{count}; check the schema{hint or ''} or the code",
            feature=_rows(rows), column="name", severity="warning"))
    return out, problems


def _name_in(table: LandUseCodes, code: str, schema: str) -> str | None:
    hit = table.lookup(code, schema=schema)
    return hit.name if hit is not None else None
