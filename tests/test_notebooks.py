"""The walkthrough notebooks (notebooks/*.ipynb): stored clean, and every cell runs.

Each notebook is executed by nbclient in a fresh kernel of this interpreter (never a ``python3``
kernel installed elsewhere on the machine), in a temporary working directory: the files the
notebooks write (``out/...``) land there, and so does the score cache of notebook 02
(``$LAYOUT_CACHE_DIR``), never the repository. A cell that raises fails the test with the
cell's traceback; so does a warning printed by a cell, a plot or map that does not show, or a
notebook slower than `BUDGET_S`.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

REPO = Path(__file__).resolve().parents[1]
FOLDER = REPO / "notebooks"
NAMES = ("01_planner.ipynb", "02_land_department.ipynb", "03_reviewer.ipynb")
#: Longest a single cell may take (the plan with 10 sensitivity runs is the slowest, ~25 s).
CELL_TIMEOUT_S = 180
#: Longest a whole notebook may take. Each runs in 25-40 s on two cores; the budget is generous
#: so that a loaded CI machine does not fail, but a notebook that creeps towards minutes does.
BUDGET_S = 150.0
#: What each notebook must leave in its working directory, and how many inline figures
#: (matplotlib PNGs) and maps (iframes of the offline page) it must show.
EXPECTED: dict[str, dict[str, Any]] = {
    "01_planner.ipynb": {
        "files": [
            "out/01_planner/plan/plan.gpkg",
            "out/01_planner/plan/manifest.json",
            "out/01_planner/maps/overview.html",
            "out/01_planner/maps/industry_food.html",
        ],
        "images": 2,
        "maps": 1,
    },
    "02_land_department.ipynb": {
        "files": ["out/02_land_department/sitecheck.json", "out/02_land_department/sitecheck.html"],
        "images": 1,
        "maps": 1,
    },
    "03_reviewer.ipynb": {
        "files": ["out/03_reviewer/plan/plan.gpkg", "out/03_reviewer/plan/report.html"],
        "images": 2,
        "maps": 1,
    },
}


def _read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(FOLDER / name, as_version=4)


def test_the_three_walkthroughs_are_there() -> None:
    assert sorted(p.name for p in FOLDER.glob("*.ipynb")) == list(NAMES)
    assert (FOLDER / "README.md").is_file()


@pytest.mark.parametrize("name", NAMES)
def test_stored_without_outputs(name: str) -> None:
    nb = _read(name)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, f"{name} has no code cell"
    for cell in code:
        assert cell.outputs == [], f"{name}, cell {cell.get('id')}: outputs are stored"
        assert cell.execution_count is None, f"{name}, cell {cell.get('id')}: execution count"
    assert nb.cells[0].cell_type == "markdown", f"{name} should open with an explanation"


def _kernel_manager() -> AsyncKernelManager:
    """A kernel of this interpreter: no kernel directories, so only the native spec is found."""
    specs = KernelSpecManager(kernel_dirs=[], ensure_native_kernel=True)
    return AsyncKernelManager(kernel_name="python3", kernel_spec_manager=specs)


def _outputs(nb: nbformat.NotebookNode) -> list[tuple[str, dict[str, Any]]]:
    return [(str(c.get("id")), o) for c in nb.cells if c.cell_type == "code" for o in c.outputs]


@pytest.mark.slow
@pytest.mark.notebook
@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("LAYOUT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    before = sorted(FOLDER.rglob("*"))
    nb = _read(name)
    client = NotebookClient(
        nb,
        km=_kernel_manager(),
        timeout=CELL_TIMEOUT_S,
        startup_timeout=120,
        resources={"metadata": {"path": str(work)}},
    )
    start = time.perf_counter()
    try:
        client.execute(cleanup_kc=True)  # shut the kernel down although we made its manager
    except CellExecutionError as exc:
        pytest.fail(f"{name}: a cell raised\n{exc}", pytrace=False)
    seconds = time.perf_counter() - start
    with capsys.disabled():
        print(f"\n{name}: executed in {seconds:.1f} s")

    outputs = _outputs(nb)
    for cell_id, out in outputs:
        assert out.get("output_type") != "error", f"{name}, cell {cell_id}: {out}"
        text = str(out.get("text", "")) if out.get("output_type") == "stream" else ""
        assert "Warning" not in text, f"{name}, cell {cell_id} printed a warning:\n{text}"
    images = [o for _, o in outputs if "image/png" in o.get("data", {})]
    maps = [
        o
        for _, o in outputs
        if str(o.get("data", {}).get("text/html", "")).startswith("<iframe srcdoc=")
    ]
    expected = EXPECTED[name]
    assert len(images) >= expected["images"], f"{name}: {len(images)} inline figures"
    assert len(maps) == expected["maps"], f"{name}: {len(maps)} inline maps"
    for page in maps:  # the offline page: Leaflet inlined, nothing loaded from a CDN
        html = str(page["data"]["text/html"])
        assert "leaflet" in html.lower() and "cdn.jsdelivr" not in html
    for rel in expected["files"]:
        assert (work / rel).is_file(), f"{name} did not write {rel} in its working directory"
    assert sorted(FOLDER.rglob("*")) == before, f"{name} wrote into {FOLDER}"
    assert seconds < BUDGET_S, f"{name} took {seconds:.0f} s (budget {BUDGET_S:.0f} s)"
