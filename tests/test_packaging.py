"""The wheel carries the embedded data (issue 13): built from a copy of the source tree.

``pip wheel . --no-deps --no-build-isolation`` runs setup.py's build hook, which copies
``gis_data/`` into ``layout/_gis_data``; `layout.settings.data_dir` finds it there when no
``gis_data/`` lies beside the package (an installed wheel).  The members are compared with the
source files byte for byte (their SHA-256).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.fixtures.cli_process import ROOT

SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE")
DATA = ("zhengzhou.gpkg", "zhengzhou_dem.tif", "henan.gpkg", "henan_dem.tif", "README.md")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_the_wheel_carries_the_embedded_data(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for name in SOURCES:
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "layout", src / "layout",
                    ignore=shutil.ignore_patterns("__pycache__", "_gis_data"))
    (src / "gis_data").mkdir()
    for name in DATA:
        shutil.copy2(ROOT / "gis_data" / name, src / "gis_data" / name)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--no-build-isolation",
         "-w", str(tmp_path / "dist"), "-q"],
        cwd=src, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    (wheel,) = (tmp_path / "dist").glob("zz_layout-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        for name in DATA:
            member = f"layout/_gis_data/{name}"
            assert member in names, sorted(n for n in names if "gis" in n)
            assert _sha(zf.read(member)) == _sha((ROOT / "gis_data" / name).read_bytes())
        # What the package reads besides the code: the embedded plan, catalog and templates.
        assert "layout/config/zhengzhou_plan.toml" in names
        assert "layout/config/henan_plan.toml" in names
        assert "layout/config/industries.toml" in names
        assert any(n.startswith("layout/products/templates/") for n in names)
        # The data builder and its sources stay out of the wheel.
        assert not any("build_zhengzhou" in n or "build_henan" in n or "_builders" in n
                       for n in names)


def test_an_installed_package_finds_its_data_inside(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Without gis_data/ beside the package (a wheel), layout/_gis_data is the data folder."""
    from layout import settings

    package = tmp_path / "site-packages" / "layout"
    (package / "_gis_data").mkdir(parents=True)
    (package / "_gis_data" / "zhengzhou.gpkg").write_bytes(b"")
    monkeypatch.delenv("LAYOUT_DATA_DIR", raising=False)
    monkeypatch.setattr(settings, "_PACKAGE_DIR", package)
    assert settings.data_dir() == package / "_gis_data"
    assert settings.embedded_dem() == package / "_gis_data" / "zhengzhou_dem.tif"
