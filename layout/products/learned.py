"""The ``layout learn`` folder: AUC table, importances, suggested weights, plots and a README.

`write_learned` writes, for a set of `layout.scoring.learned.LearnedSuitability` results:

* ``auc.csv`` — one row per industry: learned AUC (spatial block CV) mean and sd, expert AUC
  mean and sd, null AUC, presences, background, folds, block size, background kind;
* ``importance.csv`` — per industry and criterion: permutation importance on held-out blocks
  (mean, sd), the plan's weight and the suggested weight;
* ``suggested_weights.toml`` — one ``[industries.CODE.weights]`` table per industry, to paste
  into a plan (every weight key written, so the table replaces the shared weights entirely);
* ``CODE_partial_dependence.png`` — per criterion, the learned partial dependence beside the
  plan's transform;
* ``README.md`` — what the files mean and what the AUC of synthetic firms can and cannot say.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from layout.io.csvsafe import write_csv
from layout.io.staging import OutputFolder
from layout.model.criteria import CRITERIA, WEIGHT_KEYS
from layout.scoring.learned import LearnedSuitability

#: The files ``layout learn`` writes into its folder.
LEARNED_NAMES: tuple[str, ...] = ("auc.csv", "importance.csv", "suggested_weights.toml",
                                  "README.md", "*_partial_dependence.png")

#: What the AUC of the embedded firms can say (README, log).
HONESTY = (
    "Most enterprises of the embedded Zhengzhou data are synthetic: generated around the "
    "cluster zones and anchor firms the domain notes name, not surveyed. A model that learns "
    "where they are learns how they were generated, so its AUC (and the expert score's) says "
    "little about the real city; read the figures as a test of the method and of the weights' "
    "consistency with the data given, not as evidence about Zhengzhou."
)


def learned_folder(path: str | os.PathLike[str], *, option: str = "--out") -> OutputFolder:
    """The ``layout learn`` folder at ``path``, replaced as a whole (`replace_folders`)."""
    return OutputFolder(Path(path), "learned", option, LEARNED_NAMES)


def weights_toml(results: Mapping[str, LearnedSuitability]) -> str:
    """The suggested weights as TOML tables a planner can paste into a plan.

    Every weight key (`layout.model.criteria.WEIGHT_KEYS`) is written, 0 for those the model
    did not use, so that the table replaces the shared ``[weights]`` for the industry entirely
    (``access_transport`` and ``linkage`` at 0 with their parts given explicitly).

    Examples
    --------
    >>> from layout.scoring.learned import suggest_weights
    >>> class R:
    ...     criteria = ["zone_fit", "slope"]
    ...     suggested_weights = suggest_weights({"zone_fit": 0.03, "slope": 0.01})
    >>> text = weights_toml({"food": R()})
    >>> [line for line in text.splitlines() if line.startswith(("[", "zone_fit", "slope"))]
    ['[industries.food.weights]', 'zone_fit = 0.75', 'slope = 0.25']
    """
    lines = [
        "# Suggested criterion weights from `layout learn`: permutation importances on held-out",
        "# spatial blocks, clipped at 0 and normalised to sum to 1. Paste a table into the plan",
        "# in place of the industry's own [industries.CODE.weights] table (an [industries.CODE.",
        "# ahp] table would override it). Weights learned from synthetic firms describe how they",
        "# were generated, not the city: review before use. Criteria the model did not learn",
        "# from (by default those computed from the firms themselves) are written as 0.",
    ]
    for code, res in results.items():
        sugg = res.suggested_weights
        lines += ["", f"[industries.{code}.weights]"]
        for key in WEIGHT_KEYS:
            lines.append(f"{key} = {round(sugg.get(key, 0.0), 4)!r}")
    return "\n".join(lines) + "\n"


def plot_partial_dependence(res: LearnedSuitability, path: Path) -> None:
    """One PNG: per criterion, learned partial dependence (solid) and plan transform (dashed)."""
    from matplotlib.figure import Figure

    names = res.criteria
    ncols = 4
    nrows = int(np.ceil(len(names) / ncols))
    fig = Figure(figsize=(3.2 * ncols, 2.6 * nrows + 0.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    imp, sugg = res.importance, res.suggested_weights
    for ax, name in zip(axes, names, strict=False):
        values, prob = res.partial[name]
        ax.plot(values, prob, color="tab:blue", lw=1.8, label="learned P(presence)")
        ax.set_ylabel("learned probability", color="tab:blue", fontsize=7)
        twin = ax.twinx()
        if values.size:
            line = np.linspace(float(values.min()), float(values.max()), 100)
            twin.plot(line, np.asarray(res.transforms[name].apply(line)), color="tab:orange",
                      ls="--", lw=1.4, label="plan transform")
        twin.set_ylim(-0.05, 1.05)
        twin.set_ylabel("plan transform 0-1", color="tab:orange", fontsize=7)
        crit = CRITERIA[name]
        ax.set_xlabel(f"{name} ({crit.unit})", fontsize=7)
        ax.set_title(f"{name}: importance {imp[name]:+.3f}\n"
                     f"weight {res.expert_weights.get(name, 0):.2f} -> suggested {sugg[name]:.2f}",
                     fontsize=8)
        ax.tick_params(labelsize=6)
        twin.tick_params(labelsize=6)
    for ax in axes[len(names):]:
        ax.set_visible(False)
    s = res.summary()
    fig.suptitle(f"{res.industry}: learned AUC {s['learned_auc']:.3f} ± {s['learned_auc_sd']:.3f}, "
                 f"expert {s['expert_auc']:.3f}, null {s['null_auc']:.3f} (spatial block CV, "
                 f"{res.block_km:g} km) - solid: learned, dashed: plan transform", fontsize=9)
    fig.savefig(path, dpi=90)


def readme_text(results: Mapping[str, LearnedSuitability]) -> str:
    """README.md of the folder: the files, the method, the AUC table and the caveat."""
    table = pd.DataFrame([r.summary() for r in results.values()])
    rows = [
        "| industry | learned AUC | sd | expert AUC | sd | null AUC | presences | background |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for _, r in table.iterrows():
        rows.append(f"| {r['industry']} | {r['learned_auc']:.3f} | {r['learned_auc_sd']:.3f} | "
                    f"{r['expert_auc']:.3f} | {r['expert_auc_sd']:.3f} | {r['null_auc']:.3f} | "
                    f"{r['n_presence']} | {r['n_background']} |")
    any_res = next(iter(results.values()))
    background = ("the cells of the firms of every industry (target group)" if any_res.target_group
                  else "cells drawn at random in the study area")
    return "\n".join([
        "# Learned suitability (`layout learn`)",
        "",
        f"**Caution.** {HONESTY}",
        "",
        "Per industry, a presence-background model (gradient-boosted trees, scikit-learn) learns "
        "where the industry's firms are from the plan's criteria, raw (before transforms). "
        f"Presences: the cells holding a firm of the industry; background: {background}. "
        f"Validation: spatial block cross-validation, {any_res.block_km:g} km squares dealt "
        f"into {any_res.cv.auc['learned'].size or 0} folds; on the same held-out samples, the "
        "AUC of the learned model, of the plan's expert score and of a random surface (null).",
        "",
        f"Learned from: {', '.join(any_res.criteria)}. The criteria computed from the firms "
        "themselves (density, hot spot, LQ, linkage, anchor, output per mu, infill) describe the "
        "presences directly (infill is 0 at every firm) and are left out unless the run says "
        "`--with-firm-criteria`; the expert score is the plan's full score, and its AUC is "
        "flattered by them.",
        "",
        *rows,
        "",
        "Files: `auc.csv` (the table), `importance.csv` (permutation importance on held-out "
        "blocks: the mean drop in AUC when a criterion is shuffled; the plan's weight; the "
        "suggested weight = positive importances normalised to 1), `suggested_weights.toml` "
        "(tables to paste into a plan), `CODE_partial_dependence.png` (learned partial "
        "dependence, solid, beside the plan's transform, dashed).",
        "",
    ])


def write_learned(results: Mapping[str, LearnedSuitability], folder: Path) -> list[Path]:
    """Write the folder's files (module docstring); returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / "auc.csv", folder / "importance.csv", folder / "suggested_weights.toml",
               folder / "README.md"]
    write_csv(pd.DataFrame([r.summary() for r in results.values()]), written[0],
              float_format="%.4f")
    write_csv(pd.concat([r.importance_table() for r in results.values()], ignore_index=True),
              written[1], float_format="%.5f")
    written[2].write_text(weights_toml(results), encoding="utf-8")
    written[3].write_text(readme_text(results), encoding="utf-8")
    for code, res in results.items():
        path = folder / f"{code}_partial_dependence.png"
        plot_partial_dependence(res, path)
        written.append(path)
    return written
