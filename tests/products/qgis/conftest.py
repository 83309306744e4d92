"""QGIS for the tests: Debian's PyQGIS and ``qgis_process``, always in a subprocess.

PyQGIS imports only in the system Python QGIS was built for (``/usr/bin/python3``), never in
the project's virtual environment, so the tests run ``qgis_check.py`` with that Python
(``$LAYOUT_QGIS_PYTHON``) and ``qgis_process.bin`` (``$LAYOUT_QGIS_PROCESS``; Debian's
``qgis_process`` wrapper passes an option 3.22 rejects), headless (``QT_QPA_PLATFORM=offscreen``).
They are skipped when QGIS is missing, except when ``$CI`` is set: CI must run them (``.ci/run``
installs ``qgis python3-qgis``), so there they fail instead, as the browser tests do.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

#: A script run by QGIS's Python, not by pytest (it imports qgis.core).
collect_ignore = ["qgis_check.py"]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"QGIS tests cannot run: {reason} (CI is set, so this is an error)",
                    pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def qgis_env() -> dict[str, str]:
    """Environment of a headless QGIS process (no display)."""
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


@pytest.fixture(scope="session")
def qgis_python(qgis_env: dict[str, str]) -> str:
    """Debian's Python with PyQGIS; skips (or fails under $CI) without it."""
    python = os.environ.get("LAYOUT_QGIS_PYTHON") or "/usr/bin/python3"
    if not shutil.which(python):
        _unavailable(f"no Python at {python} (apt-get install python3-qgis)")
    done = subprocess.run([python, "-c", "import qgis.core"], capture_output=True, text=True,
                          env=qgis_env, timeout=120, check=False)
    if done.returncode != 0:
        _unavailable(f"{python} cannot import qgis.core (apt-get install qgis python3-qgis)")
    return python


@pytest.fixture(scope="session")
def qgis_process() -> str:
    """``qgis_process.bin``; skips (or fails under $CI) without it."""
    exe = os.environ.get("LAYOUT_QGIS_PROCESS") or shutil.which("qgis_process.bin")
    if not exe:
        _unavailable("no qgis_process.bin (apt-get install qgis)")
    return str(exe)
