"""Benchmark: ``layout learn`` for all seven industries on the embedded grid (target <= 30 s).

Prints the AUC table, then one JSON line: the wall time of learning all seven industries from
loaded inputs (criteria, expert scores, spatial block CV with permutation importance, the final
fits and partial dependence; a fresh criteria cache) and, measured in the same run as the
reference, the time of scoring all seven industries with a fresh cache
(`bench_pipeline.py`'s measure), and their ratio.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas as pd

from layout.analysis.context import CriteriaContext
from layout.config.plan import load_plan
from layout.data.inputs import load_inputs
from layout.scoring.learned import learn_all
from layout.scoring.suitability import score


def main() -> None:
    plan = load_plan()
    inputs = load_inputs(plan)
    t0 = time.perf_counter()
    ctx = CriteriaContext(inputs)
    for code in plan.catalog.codes:
        score(inputs, industry=code, context=ctx)
    t_ref = time.perf_counter() - t0
    t1 = time.perf_counter()
    results = learn_all(inputs)
    t_learn = time.perf_counter() - t1
    table = pd.DataFrame([r.summary() for r in results.values()])
    cols = ["industry", "learned_auc", "learned_auc_sd", "expert_auc", "expert_auc_sd",
            "null_auc", "n_presence", "n_background"]
    print(table[cols].to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(json.dumps({"learn_7_industries_s": round(t_learn, 2),
                      "reference_score_7_industries_s": round(t_ref, 2),
                      "ratio": round(t_learn / t_ref, 2), "cpus": os.cpu_count()}))


if __name__ == "__main__":
    main()
