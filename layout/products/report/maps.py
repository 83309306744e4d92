"""The report's map section: links from ``report.html`` to the maps of the same run.

``layout plan --maps DIR`` writes the plan folder and the maps folder together
(`layout.products.outputs.plan_outputs`), so the report can point at the maps by a path
relative to the plan folder: the two folders are replaced as one unit and move together. The
images are linked rather than embedded (data URIs would double the report's size and copy every
PNG); a report written without maps (``--no-maps``) says so and names ``layout map``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath


@dataclass(frozen=True)
class MapLink:
    """One map of the maps folder as the report links it.

    Attributes
    ----------
    name
        The map's name: ``overview`` or an industry code (the files' stem).
    html
        Link to the interactive HTML map, relative to the plan folder (POSIX separators).
    png
        Link to its static PNG, or None when the map has none.
    """

    name: str
    html: str
    png: str | None = None


def _href(path: Path, *, start: Path) -> str:
    """``path`` relative to ``start`` as a URL path; a file URI when no relative path exists."""
    try:
        rel = os.path.relpath(path.absolute(), start.absolute())
    except ValueError:  # another drive (Windows): no relative path
        return path.absolute().as_uri()
    return PurePosixPath(*Path(rel).parts).as_posix()


def map_links(names: Sequence[str], *, maps: Path, plan: Path) -> tuple[MapLink, ...]:
    """The links of the maps ``names`` (files in ``maps``) from a report in ``plan``.

    Each HTML map gives one link, in the order of ``names``, with the PNG of the same stem
    when there is one; files other than HTML and PNG are left out.

    Examples
    --------
    >>> map_links(["overview.html", "overview.png", "C26.html"], maps=Path("run/maps"),
    ...           plan=Path("run/out"))  # doctest: +NORMALIZE_WHITESPACE
    (MapLink(name='overview', html='../maps/overview.html', png='../maps/overview.png'),
     MapLink(name='C26', html='../maps/C26.html', png=None))
    """
    files = {PurePosixPath(n) for n in names}
    links: list[MapLink] = []
    for f in files_in_order(names):
        if f.suffix != ".html":
            continue
        png = f.with_suffix(".png")
        links.append(MapLink(
            name=f.stem,
            html=_href(maps / f, start=plan),
            png=_href(maps / png, start=plan) if png in files else None,
        ))
    return tuple(links)


def files_in_order(names: Sequence[str]) -> list[PurePosixPath]:
    """``names`` as paths, in their order, without repeats."""
    return list(dict.fromkeys(PurePosixPath(n) for n in names))
