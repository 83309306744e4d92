"""Build the installable zip of the QGIS plugin: ``dist/layout_provider-<version>.zip``.

``make qgis-plugin`` runs it. The zip holds the folder ``layout_provider/`` (what QGIS's
*Plugins > Manage and Install Plugins > Install from ZIP* expects), without caches, with fixed
dates: the same sources build the same bytes.
"""

from __future__ import annotations

import configparser
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PLUGIN = HERE / "layout_provider"


def build(dist: Path) -> Path:
    """Write the zip into ``dist``; return its path."""
    meta = configparser.ConfigParser()
    meta.read(PLUGIN / "metadata.txt", encoding="utf-8")
    version = meta["general"]["version"]
    dist.mkdir(parents=True, exist_ok=True)
    target = dist / f"layout_provider-{version}.zip"
    files = sorted(p for p in PLUGIN.rglob("*")
                   if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(HERE).as_posix(),
                                   date_time=(2012, 4, 24, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, path.read_bytes())
    return target


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent / "dist"))
