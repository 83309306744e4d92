"""``plan.qgz``: a QGIS project of a plan folder, with relative paths (docs/qgis.md).

The project (a zip holding ``plan.qgs``, rendered from the template ``qgis_project.qgs.j2``)
opens the folder's layers styled as `layout.products.qgis.styles` styles them: the sites and
zones of ``plan.gpkg``, and per industry its score (the first industry shown), criteria and
flags rasters, in groups. Every path is relative to the project (``./plan.gpkg|layername=
sites``, ``./suitability/auto_score.tif``), so the folder can be moved or copied as a whole.
The zip entry carries a fixed date: the same plan writes the same bytes.
"""

from __future__ import annotations

import os
import uuid
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pyproj import CRS

from layout.products.qgis.styles import (
    QGIS_VERSION,
    LayerStyle,
    raster_styles,
    vector_styles,
)

#: The project file of a plan folder.
PROJECT = "plan.qgz"
#: Date of the zip entry (the source document's, as the GeoPackage timestamps).
_ZIP_DATE = (2012, 4, 24, 0, 0, 0)


def layer_id(name: str) -> str:
    """A layer id as QGIS makes them (``name_<uuid>``), the same for the same name.

    Examples
    --------
    >>> layer_id("sites")[:14]
    'sites_eb4854af'
    """
    return f"{name}_{uuid.uuid5(uuid.NAMESPACE_URL, 'layout:' + name).hex}"


@dataclass(frozen=True)
class ProjectLayer:
    """One layer of the project: its id, name, relative source, provider and style."""

    id: str
    name: str
    source: str
    provider: str
    style: LayerStyle
    visible: bool = False


@dataclass(frozen=True)
class ProjectGroup:
    """A group of the layer tree."""

    name: str
    layers: Sequence[ProjectLayer]
    expanded: bool = True


def project_groups(
    *,
    industries: Mapping[str, tuple[str, str, str]],
    layers: Sequence[str],
    rasters: Sequence[str],
) -> list[ProjectGroup]:
    """The layer tree of a plan's project.

    Parameters
    ----------
    industries
        Industry code -> (Chinese name, English name, colour), from the catalog.
    layers
        Layers of ``plan.gpkg`` (those with a style are added).
    rasters
        Raster files present, relative to the plan folder (``suitability/auto_score.tif``).
    """
    vstyles = vector_styles(industries)
    plan = [
        ProjectLayer(layer_id(name), name, f"./plan.gpkg|layername={name}", "ogr",
                     vstyles[name], visible=name != "landuse_infill")
        for name in ("sites", "zones", "landuse_infill") if name in layers
    ]
    groups = [ProjectGroup("plan 规划", plan)]
    present = set(rasters)
    first = True
    for code, (zh, en, _) in industries.items():
        styles = raster_styles(industry=code, name=f"{zh} {en}")
        members = []
        for kind in ("score", "criteria", "flags"):
            rel = f"suitability/{code}_{kind}.tif"
            if rel in present:
                members.append(ProjectLayer(
                    layer_id(f"{code}_{kind}"), f"{code} {kind}", f"./{rel}", "gdal",
                    styles[kind], visible=first and kind == "score"))
        if members:
            groups.append(ProjectGroup(f"{zh} {en}", members, expanded=first))
            first = False
    return groups


def render_project(groups: Sequence[ProjectGroup], *, crs: CRS, title: str) -> str:
    """The ``.qgs`` XML of a project (template ``qgis_project.qgs.j2``)."""
    from layout.products.templating import render

    info = {
        "wkt": crs.to_wkt(),
        "authid": ":".join(crs.to_authority() or ("", "")), "name": crs.name,
    }
    return render("qgis_project.qgs.j2", groups=groups, crs=info, title=title,
                  version=QGIS_VERSION)


def write_project(
    folder: str | os.PathLike[str],
    *,
    industries: Mapping[str, tuple[str, str, str]],
    layers: Sequence[str],
    crs: CRS,
    title: str,
) -> str:
    """Write ``plan.qgz`` into a plan folder; return its name.

    Parameters
    ----------
    folder
        The plan folder, with ``plan.gpkg`` and ``suitability/`` written.
    industries
        Industry code -> (Chinese name, English name, colour), from the catalog.
    layers
        The layers of ``plan.gpkg``.
    crs
        The plan CRS (the project's).
    title
        The plan's name (the project title).
    """
    folder = Path(folder)
    rasters = sorted(p.relative_to(folder).as_posix()
                     for p in (folder / "suitability").glob("*.tif"))
    groups = project_groups(industries=industries, layers=layers, rasters=rasters)
    xml = render_project(groups, crs=crs, title=title)
    info = zipfile.ZipInfo("plan.qgs", date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    with zipfile.ZipFile(folder / PROJECT, "w") as zf:
        zf.writestr(info, xml.encode("utf-8"))
    return PROJECT
