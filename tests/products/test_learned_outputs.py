"""The suggested-weights snippet: pasted into a plan, it gives back the suggested weights."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from types import SimpleNamespace

import pytest

from layout.config.criteria import industry_weights
from layout.config.plan import load_plan
from layout.products.learned import weights_toml
from layout.scoring.learned import suggest_weights


def test_pasted_snippet_gives_the_suggested_weights(tmp_path: Path) -> None:
    importance = {"zone_fit": 0.06, "expressway": 0.03, "density": 0.02, "linkage_upstream": 0.01,
                  "slope": -0.004, "labour": 0.0}
    suggested = suggest_weights(importance)
    fake = SimpleNamespace(criteria=list(importance), suggested_weights=suggested)
    plan = (resources.files("layout.config") / "zhengzhou_plan.toml").read_text("utf-8")
    path = tmp_path / "plan.toml"
    snippet = weights_toml({"food": fake})  # type: ignore[dict-item]
    path.write_text(plan + "\n" + snippet, encoding="utf-8")
    weights, source = industry_weights(load_plan(path), "food")
    # Independent: the positive importances over their sum, rounded to 4 decimals as written.
    pos = {k: v for k, v in importance.items() if v > 0}
    expected = {k: v / sum(pos.values()) for k, v in pos.items()}
    assert source == "direct"
    assert set(weights) == set(expected)
    for k, v in expected.items():
        assert weights[k] == pytest.approx(v, abs=1e-4)
