"""Build hook: the wheel carries the embedded data as ``layout/_gis_data`` (issue 13).

Everything else about the package is declared in pyproject.toml.  In a source checkout the data
lives in ``gis_data/`` beside the package (`layout.settings.data_dir` looks there first); a wheel
has no such folder, so the files are copied into the package at build time.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

#: The files of ``gis_data/`` the package reads at run time (the builder scripts stay out).
EMBEDDED = ("zhengzhou.gpkg", "zhengzhou_dem.tif", "henan.gpkg", "henan_dem.tif", "README.md")


class BuildWithData(build_py):
    """``build_py`` that also copies the embedded data into ``layout/_gis_data``."""

    def run(self) -> None:
        """Build the package, then copy `EMBEDDED` from ``gis_data/`` (an error if missing)."""
        super().run()
        source = Path(__file__).resolve().parent / "gis_data"
        target = Path(self.build_lib) / "layout" / "_gis_data"
        missing = [name for name in EMBEDDED if not (source / name).is_file()]
        if missing:
            raise SystemExit(
                f"{source}: {', '.join(missing)} missing; run `make data` before building"
            )
        target.mkdir(parents=True, exist_ok=True)
        for name in EMBEDDED:
            shutil.copyfile(source / name, target / name)


setup(cmdclass={"build_py": BuildWithData})
