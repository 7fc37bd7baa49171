"""The ``tidings train`` workflow: read data, fit, measure, write the artifact and its card.

Kept out of the CLI so the same steps (and the same card) come from scripts and tests too.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from classifier.artifact import CARD_FILE, META_FILE, model_version, save_model
from classifier.card import render_card
from classifier.converters import sha256_file, sha256_tree
from classifier.evaluate import cross_validate, metrics
from classifier.labelled import read_labelled, select_split
from classifier.model import TopicModel
from classifier.text import record_pair

Progress = Callable[[str], None]


def train_to_dir(
    data: Path,
    out_dir: Path,
    *,
    cv_folds: int = 0,
    cv_data: Sequence[Path] = (),
    sources: Sequence[Path] = (),
    seed: int = 0,
    command: str = "",
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Train on the train split of ``data``, save to ``out_dir``; returns the saved meta."""
    say = progress or (lambda _msg: None)
    records = select_split(read_labelled(data), "train")
    if not records:
        raise ValueError(f"{data}: no records with split 'train' (or without a split)")
    data_hash = sha256_file(data)
    say(f"{len(records)} training records from {data} (sha256 {data_hash[:12]}...)")
    start = time.perf_counter()
    model = TopicModel.fit(
        [record_pair(r) for r in records], [r["topics"] for r in records], seed=seed, progress=say
    )
    train_seconds = time.perf_counter() - start
    say(f"trained in {train_seconds:.1f} s")
    oof = model.oof_metrics
    oof_pred = [[label for label, _ in row] for row in model.decide(oof["oof_scores"])]
    oof_metrics = metrics([r["topics"] for r in records], oof_pred)
    cross: dict[str, Any] = {}
    cv_sets = [data] if cv_folds else []
    for path in [*cv_sets, *cv_data]:
        corpus = select_split(read_labelled(path), "train")
        say(f"{cv_folds or 5}-fold cross-validation on {path.name} ({len(corpus)} records)")
        result = cross_validate(corpus, cv_folds or 5, seed, progress=say)
        for summary in result.values():  # the card keeps the summary, not every prediction
            for key in ("gold", "pred", "pooled"):
                summary.pop(key, None)
        cross[path.name] = result
    extra = {
        "command": command,
        "seed": seed,
        "data": [{"path": str(data), "sha256": data_hash, "records": len(records)}],
        "sources": [{"path": str(p), "sha256": sha256_tree(p)} for p in sources],
        "cv_data": [{"path": str(p), "sha256": sha256_file(p)} for p in cv_data],
        "label_counts": dict(Counter(t for r in records for t in r["topics"])),
        "train_seconds": train_seconds,
        "oof_metrics": oof_metrics,
        "cross_validation": cross,
    }
    version = model_version(out_dir.resolve().name, data_hash, model=model)
    meta = save_model(model, out_dir, version, extra)
    (out_dir / CARD_FILE).write_text(render_card(meta), encoding="utf-8")
    say(f"wrote {out_dir / META_FILE} and {out_dir / CARD_FILE} (version {version})")
    return meta
