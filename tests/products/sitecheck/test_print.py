"""The site opinion prints one A4 page per parcel: headless Chromium prints the HTML to PDF.

Pages are counted with pypdf when it is installed, else by the page objects of the PDF. Like
the other browser tests (tests/conftest.py) these skip when Chromium is missing, except under
$CI, where they fail.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from layout.products.maps import render_html
from layout.products.sitecheck import (
    check_parcels,
    example_indicators,
    example_parcels,
    report_dict,
    site_map,
)
from layout.scoring.cache import ScoreCache
from tests.conftest import CHROMIUM_ARGS


def chromium() -> str:
    exe = os.environ.get("LAYOUT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(exe):
        reason = f"no Chromium at {exe} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"print tests cannot run: {reason} (CI is set, so this is an error)",
                        pytrace=False)
        pytest.skip(reason)
    return exe


def pages(pdf: Path) -> int:
    data = pdf.read_bytes()
    try:
        from pypdf import PdfReader
    except ImportError:
        return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))
    return len(PdfReader(pdf).pages)


def print_pdf(html: str, folder: Path) -> Path:
    page, pdf = folder / "opinion.html", folder / "opinion.pdf"
    page.write_text(html, encoding="utf-8")
    subprocess.run(
        [chromium(), *CHROMIUM_ARGS, "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
         page.as_uri()],
        check=True, capture_output=True, timeout=120,
    )
    return pdf


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("n", [1, 3])
def test_one_a4_page_per_parcel(score_cache: ScoreCache, tmp_path: Path, n: int,
                                lang: str) -> None:
    chromium()
    parcels = example_parcels().iloc[[1, 0, 2][:n]]  # B-farm, the longest opinion, first
    ind = {k: v for k, v in example_indicators().items() if k in set(parcels["parcel_id"])}
    checks = check_parcels(parcels, industry="electronics", indicators=ind,
                           cache=score_cache, with_geometry=True)
    doc = report_dict(checks, cache=score_cache)
    html = render_html(site_map(checks, doc, cache=score_cache, lang=lang, date="2026-12-06"))
    assert html.count('<section class="sc-parcel"') == n
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="sc-map"') == n
    pdf = print_pdf(html, tmp_path)
    assert pages(pdf) == n
    # A4 portrait: 595 x 842 points
    sizes = set(re.findall(rb"/MediaBox\s*\[\s*0 0 ([0-9.]+) ([0-9.]+)\s*\]", pdf.read_bytes()))
    assert {(round(float(w)), round(float(h))) for w, h in sizes} == {(595, 842)}
