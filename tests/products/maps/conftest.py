"""Fixtures of the map tests: a page visitor in headless Chromium and the embedded plan scored."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from layout import settings
from tests.products.maps.browser import Visit
from tests.products.maps.plan_data import sites_on_best_cells


@pytest.fixture
def visit(browser: Any) -> Iterator[Callable[..., Visit]]:
    contexts: list[Any] = []

    def open_page(
        path: Path,
        *,
        wait: bool = True,
        query: str = "",
        context: Any = None,
        answer: str | None = None,
    ) -> Visit:
        """Open ``path`` (with ``?query``) in a new browser context, or again in ``context``
        (``seen.page.context``); dialogs are dismissed, or prompts answered with ``answer``."""
        if context is None:
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            contexts.append(context)
        page = context.new_page()
        seen = Visit(page)

        def route(r: Any) -> None:
            if r.request.url.startswith(("file:", "data:")):
                r.continue_()
            else:
                seen.external.append(r.request.url)
                r.abort()

        def on_dialog(d: Any) -> None:
            seen.dialogs.append(d.message)
            if answer is None:
                d.dismiss()
            else:
                d.accept(answer)

        context.unroute("**/*")
        context.route("**/*", route)
        page.on("pageerror", lambda e: seen.page_errors.append(str(e)))
        page.on(
            "console", lambda m: seen.console_errors.append(m.text) if m.type == "error" else None
        )
        page.on("dialog", on_dialog)
        page.goto(path.resolve().as_uri() + (f"?{query}" if query else ""), wait_until="load")
        if wait:
            page.wait_for_function("() => window.__layout !== undefined", timeout=10_000)
        page.wait_for_timeout(300)
        return seen

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def embedded_plan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The embedded plan scored for every industry, with synthetic sites (slow: ~15 s)."""
    if not settings.embedded_gpkg().exists():
        pytest.skip("the embedded GeoPackage is not built yet (make data)")
    from layout.analysis.context import CriteriaContext
    from layout.data.inputs import load_inputs
    from layout.io import embedded as datasets
    from layout.scoring.suitability import score, write_result

    folder = tmp_path_factory.mktemp("embedded_plan")
    inputs = load_inputs()
    ctx = CriteriaContext(inputs)
    for code in inputs.plan.catalog.codes:
        write_result(score(inputs, industry=code, context=ctx), folder / "suitability")
    sites = sites_on_best_cells(folder / "suitability", datasets.load_all())
    sites.to_file(folder / "plan.gpkg", layer="sites", driver="GPKG")
    return folder
