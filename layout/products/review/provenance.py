"""Where a plan's inputs came from and how far to trust them.

`data_provenance` checks the input hashes ``manifest.json`` recorded against the files on
disk; `confidence_summary` counts the features of each layer by the confidence of their data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from layout import settings
from layout.io.files import file_sha256
from layout.products.manifest import config_text
from layout.products.planfolder import PlanOutputs
from layout.products.review.tables import text_column


def parse_source(text: str) -> tuple[str, str, str]:
    r"""``(file, layer, sha256 prefix)`` of an input the manifest records (`load_inputs`).

    Examples
    --------
    >>> parse_source("zhengzhou.gpkg:zones sha256=ab12")
    ('zhengzhou.gpkg', 'zones', 'ab12')
    >>> parse_source(r"C:\data\boundary.geojson sha256=ab")
    ('C:\\data\\boundary.geojson', '', 'ab')
    """
    where, _, digest = str(text).rpartition(" sha256=")
    if not where:
        where, digest = str(text), ""
    head, sep, tail = where.rpartition(":")
    if sep and head and len(head) > 1 and not re.search(r"[\\/]", tail):
        return head, tail, digest
    return where, "", digest


def _resolve(file: str, config: str | None) -> Path | None:
    """The file a manifest entry names, as found now (None when there is none)."""
    path = Path(file)
    candidates = [path]
    if not path.is_absolute() and config and config.endswith(".toml"):
        candidates.append(Path(config).parent / path)
    if (
        path.name in (settings.embedded_gpkg().name, settings.embedded_dem().name)
        and len(path.parts) == 1
    ):
        candidates.append(settings.data_dir() / path.name)
    for c in candidates:
        if c.is_file():
            return c
    return None


def data_provenance(plan: PlanOutputs | Mapping[str, Any]) -> pd.DataFrame:
    """Where each input of a plan came from, and whether the file is still the same.

    Parameters
    ----------
    plan
        `PlanOutputs`, or a manifest (``manifest.json`` as a mapping).

    Returns
    -------
    DataFrame
        One row per input, in manifest order: ``input``, ``file``, ``layer``, ``sha256`` (the
        recorded prefix), ``path`` (the file found now, or empty) and ``unchanged`` (True when
        the file found now has the recorded hash, False when it differs, None when no file was
        found). Embedded files (``zhengzhou.gpkg``, ``zhengzhou_dem.tif``) are looked up in the
        embedded data folder, relative paths also next to the plan TOML.

    Examples
    --------
    >>> from layout import settings
    >>> from layout.io.files import file_sha256
    >>> gpkg = settings.embedded_gpkg()
    >>> man = {"inputs": {"zones": f"zhengzhou.gpkg:zones sha256={file_sha256(gpkg)[:16]}",
    ...                   "dem": "old_dem.tif sha256=0123456789abcdef"}}
    >>> data_provenance(man)[["input", "file", "layer", "unchanged"]]
       input            file  layer unchanged
    0  zones  zhengzhou.gpkg  zones      True
    1    dem     old_dem.tif             None
    """
    manifest = plan.manifest if isinstance(plan, PlanOutputs) else plan
    inputs = manifest.get("inputs") or {}
    config = config_text(manifest)
    digests: dict[Path, str] = {}
    rows = []
    for name, text in inputs.items():
        file, layer, digest = parse_source(str(text))
        found = _resolve(file, config)
        unchanged: bool | None = None
        if found is not None and digest:
            if found not in digests:
                digests[found] = file_sha256(found)
            unchanged = digests[found].startswith(digest)
        rows.append(
            {
                "input": str(name),
                "file": file,
                "layer": layer,
                "sha256": digest,
                "path": str(found) if found else "",
                "unchanged": unchanged,
            }
        )
    cols = ["input", "file", "layer", "sha256", "path", "unchanged"]
    out = pd.DataFrame(rows, columns=cols)
    out["unchanged"] = out["unchanged"].astype(object)
    return out


def confidence_summary(layers: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Features of each layer by the confidence of their data (gis_data/README.md).

    Parameters
    ----------
    layers
        Layers by name, e.g. `layout.io.embedded.load_all` or `PlanInputs.layers`; a layer's
        ``confidence`` column (``H``, ``M``, ``L``, ``synthetic``, ``illustrative`` ...) is
        counted, features without one count as ``not stated``.

    Returns
    -------
    DataFrame
        Indexed by layer: ``features`` then one column per confidence value (``H``, ``M``,
        ``L`` first, then the others sorted, ``not stated`` last), counts.

    Examples
    --------
    >>> import pandas as pd
    >>> confidence_summary({"zones": pd.DataFrame({"confidence": ["L", "H", "L"]}),
    ...                     "counties": pd.DataFrame({"adcode": ["410102"]})})
              features  H  L  not stated
    layer
    zones            3  1  2           0
    counties         1  0  0           1
    """
    counts: dict[str, dict[str, int]] = {}
    for name, gdf in layers.items():
        values = text_column(gdf, "confidence").str.strip().replace("", "not stated")
        counts[str(name)] = {str(k): int(v) for k, v in values.value_counts().items()}
    seen = {k for c in counts.values() for k in c}
    head = [k for k in ("H", "M", "L") if k in seen]
    tail = ["not stated"] if "not stated" in seen else []
    cols = head + sorted(seen - set(head) - set(tail)) + tail
    out = pd.DataFrame(
        [[sum(c.values()), *(c.get(k, 0) for k in cols)] for c in counts.values()],
        index=pd.Index(list(counts), name="layer"),
        columns=["features", *cols],
    )
    return out
