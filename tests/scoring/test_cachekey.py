"""The score cache's key (layout.scoring.cachekey) and folder (layout.scoring.cache.cache_root).

The key hashes the scoring code by walking the package: checked on a copy of the package's
``.py`` files (`PACKAGE_ROOT` pointed at it), where a module added, changed or renamed in a
floor below allocation changes the key and one in allocation, products or cli does not.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from layout.scoring import cachekey
from layout.scoring.cache import cache_root
from layout.scoring.cachekey import PACKAGE_ROOT, cache_key, scoring_code_files

SCORING = ["", "core", "io", "model", "config", "data", "analysis", "scoring"]  # "": ground
ABOVE = ["allocation", "products", "cli", "products/maps"]


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the package's .py files, which the key hashes instead of the real ones."""
    root = tmp_path / "layout"
    for path in PACKAGE_ROOT.rglob("*.py"):
        target = root / path.relative_to(PACKAGE_ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    monkeypatch.setattr(cachekey, "PACKAGE_ROOT", root)
    return root


def test_code_files_are_every_module_below_allocation() -> None:
    rel = [p.relative_to(PACKAGE_ROOT).as_posix() for p in scoring_code_files()]
    assert rel == sorted(rel)
    expected = sorted(
        p.relative_to(PACKAGE_ROOT).as_posix()
        for p in PACKAGE_ROOT.rglob("*.py")
        if p.parent == PACKAGE_ROOT or p.relative_to(PACKAGE_ROOT).parts[0] in SCORING
    )
    assert rel == expected
    assert {"errors.py", "settings.py", "version.py", "scoring/cachekey.py"} <= set(rel)
    assert not any(r.split("/")[0] in ("allocation", "products", "cli") for r in rel)


def test_the_key_depends_on_code_content_not_on_its_location(package: Path) -> None:
    copied = cache_key()
    shutil.rmtree(package / "products")  # not part of the key
    assert cache_key() == copied
    # the same bytes at the same relative paths as the installed package
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cachekey, "PACKAGE_ROOT", PACKAGE_ROOT)
        assert cache_key() == copied


@pytest.mark.parametrize("floor", [*SCORING, "io/nested/deeper"])
def test_a_new_module_in_a_scoring_floor_changes_the_key(package: Path, floor: str) -> None:
    before = cache_key()
    folder = package / floor
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "brand_new.py").write_text('"""New."""\n', encoding="utf-8")
    assert cache_key() != before


@pytest.mark.parametrize("module", ["errors.py", "core/quantiles.py", "analysis/terrain.py"])
def test_a_changed_module_changes_the_key(package: Path, module: str) -> None:
    before = cache_key()
    path = package / module
    path.write_bytes(path.read_bytes() + b"\n# one more line\n")
    assert cache_key() != before


def test_a_renamed_module_changes_the_key(package: Path) -> None:
    before = cache_key()
    (package / "model/grid.py").rename(package / "model/cells.py")
    assert cache_key() != before


@pytest.mark.parametrize("floor", ABOVE)
def test_modules_above_scoring_do_not_count(package: Path, floor: str) -> None:
    before = cache_key()
    (package / floor / "brand_new.py").write_text('"""New."""\n', encoding="utf-8")
    existing = sorted((package / floor).glob("*.py"))[0]
    existing.write_bytes(existing.read_bytes() + b"\n# changed\n")
    assert cache_key() == before


def test_cache_dir_env_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAYOUT_CACHE_DIR", str(tmp_path / "mine"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "mine"


def test_cache_root_is_the_user_cache_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    from platformdirs import user_cache_dir

    monkeypatch.delenv("LAYOUT_CACHE_DIR", raising=False)
    assert cache_root() == Path(user_cache_dir("zz-layout", appauthor=False))
    assert cache_root().name in ("zz-layout", "Cache")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG layout is Linux's")
def test_cache_root_on_linux_as_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LAYOUT_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "zz-layout"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_root() == tmp_path / "home" / ".cache" / "zz-layout"
