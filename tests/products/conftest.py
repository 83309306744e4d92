"""The products tests share one finished plan folder (tests/fixtures/plan_folder.py)."""

from tests.fixtures.plan_folder import outputs, plan_dir, tiny_inputs, tiny_result

__all__ = ["outputs", "plan_dir", "tiny_inputs", "tiny_result"]
