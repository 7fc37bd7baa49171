"""Story clustering benchmark: the online path on ECB+ dev against two same-run baselines.

Clusters ``../shared/data/stories-dev/ecbplus-dev.jsonl`` (or ``--data``, any JSON Lines file of
``{"id", "title", "text"}`` objects; ``story`` and ``topic`` are read only to score and to split)
with :class:`tidings.core.stories.StoryClusterer`, one article at a time in a seeded random order,
as the ingest path does, and scores it with the shared ``cluster_score.py``. Entities come from
the tagger's own NER (:class:`classifier.entities.EntityExtractor`, title + lead), as in a crawl.
The data has no dates, so the time signal is off (every article has ``published_at`` None).

Same-run baselines: every article alone; TF-IDF (sublinear, English stop words, IDF fitted on
the docs) with average-link agglomerative clustering on cosine distance, its threshold chosen on
the same data by B-cubed F1 (an upper bound for that baseline).

``--tune`` chooses the method's weights and threshold by B-cubed F1 on one half of the topics
(``A``: every other topic in sorted order) and reports them on both halves, so the figure on
``B`` is one the method was never fitted to; the defaults in ``StoryParams`` are what it chose.

``--scale`` measures the cost of one ``add`` (CPU and wall time) after 10k / 100k / 1M
synthetic stored articles (stories of realistic, heavy-tailed sizes over a Zipf vocabulary), in
a window of articles, with the size of what the story book persists per batch and per snapshot
(``bench/stories_scale.py``).

    .venv/bin/python bench/stories.py [--data FILE.jsonl] [--out PRED.json] [--orders 5]
    .venv/bin/python bench/stories.py --tune
    .venv/bin/python bench/stories.py --variants   # the 4th to 6th rounds' variants, per half
    .venv/bin/python bench/stories.py --scale [--sizes 10000 100000 1000000]
    .venv/bin/python bench/stories.py --memory [--sizes 10000 100000]   # state bytes
    .venv/bin/python bench/stories.py --placing [--records F.jsonl] [--out P.json] [--profile F]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.shared_data import data_root, load_scorer  # noqa: E402
from bench.stories_variants import compare, embed, tag, variants, view_aucs  # noqa: E402
from tidings.core.stories import StoryClusterer, StoryParams, features_of  # noqa: E402

Docs = list[dict[str, Any]]
Pred = dict[str, str]


def load_docs(path: Path) -> Docs:
    """The records of a JSON Lines file, as article records (``text`` becomes ``body``)."""
    docs = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            rec = json.loads(line)
            if "id" not in rec:
                raise SystemExit(f"{path}:{n}: a record needs an 'id'")
            docs.append({**rec, "id": str(rec["id"]), "body": rec.get("text") or ""})
    if not docs:
        raise SystemExit(f"{path}: no records")
    return docs


def add_entities(docs: Docs) -> float:
    """Tag entities as a crawl does (title + lead); returns the seconds it took."""
    from classifier.entities import EntityExtractor

    start = time.perf_counter()
    for doc, ents in zip(docs, EntityExtractor().extract(docs), strict=True):
        doc["entities"] = ents
    return time.perf_counter() - start


def online(docs: Docs, seed: int, params: StoryParams) -> tuple[Pred, float]:
    """The ingest path with ``params``; see :func:`place`."""
    return place(docs, seed, lambda: StoryClusterer(params))


def place(docs: Docs, seed: int, make: Callable[[], StoryClusterer]) -> tuple[Pred, float]:
    """Articles one at a time in a seeded random order through ``make()``, as the ingest path
    does; (pred, CPU seconds of the placing, features included: CPU time, because wall time
    on a shared machine is mostly waiting for a core)."""
    order = list(docs)
    random.Random(seed).shuffle(order)
    clusterer = make()
    start = time.process_time()
    pred: Pred = {}
    for d in order:
        placed = clusterer.add(d, features_of(d))
        pred[d["id"]] = placed.story_id
        for move in placed.moves:  # a split, a fold or a re-home moves earlier articles
            pred.update(dict.fromkeys(move.moved, move.target))
    return pred, time.process_time() - start


def singletons(docs: Docs) -> Pred:
    return {d["id"]: d["id"] for d in docs}


def average_link(docs: Docs, score: Callable[[Pred], float]) -> tuple[Pred, float]:
    """TF-IDF + average-link; the distance threshold with the best score on these docs."""
    import numpy as np
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [f"{d.get('title') or ''}\n{d.get('text') or ''}" for d in docs]
    x = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(texts).toarray()
    best: tuple[float, float, Pred] = (-1.0, 0.0, {})
    for t in np.arange(0.50, 0.991, 0.01):
        labels = AgglomerativeClustering(
            n_clusters=None, metric="cosine", linkage="average", distance_threshold=float(t)
        ).fit_predict(x)
        pred = {d["id"]: str(label) for d, label in zip(docs, labels, strict=True)}
        s = score(pred)
        if s > best[0]:
            best = (s, float(t), pred)
    return best[2], best[1]


def halves(docs: Docs) -> tuple[Docs, Docs]:
    """Split by topic: A gets every other topic in sorted order, B the rest."""
    topics = sorted({d.get("topic") for d in docs}, key=str)
    a_topics = set(topics[::2])
    return [d for d in docs if d.get("topic") in a_topics], [
        d for d in docs if d.get("topic") not in a_topics
    ]


class Scorer:
    """cluster_score.py's metrics against the docs' ``story`` labels."""

    def __init__(self, data: Path) -> None:
        self.module = load_scorer("cluster_score.py", data.parent)

    def metrics(self, docs: Docs, pred: Pred) -> dict[str, float]:
        gold = {d["id"]: str(d["story"]) for d in docs}
        return self.module.score(gold, {k: v for k, v in pred.items() if k in gold})[0]

    def b3(self, docs: Docs) -> Callable[[Pred], float]:
        return lambda pred: self.metrics(docs, pred)["b3_f1"]


def row(name: str, m: dict[str, float]) -> str:
    return (f"| {name} | {m['b3_precision']:.3f} | {m['b3_recall']:.3f} | {m['b3_f1']:.3f} | "
            f"{m['pair_f1']:.3f} | {m['ari']:.3f} | {m['pred_clusters']} |")  # fmt: skip


HEADER = (
    "| method | B3 P | B3 R | B3 F1 | pair F1 | ARI | clusters |\n|---|---|---|---|---|---|---|"
)


def grid() -> list[StoryParams]:
    """The candidate settings --tune searches (weights sum to 1; a threshold per setting)."""
    out = []
    weights = [
        (0.1, 0.55, 0.2, 0.15),
        (0.1, 0.6, 0.3, 0.0),
        (0.0, 0.6, 0.2, 0.2),
        (0.2, 0.5, 0.15, 0.15),
        (0.0, 1.0, 0.0, 0.0),
    ]  # title, text, names, entities
    for w, share, thr in itertools.product(weights, (0.0, 0.4, 0.5), (0.12, 0.15, 0.18, 0.22)):
        out.append(StoryParams(weights=w, threshold=thr, cohesion_share=share, time_share=0.0))
    return out


def tune(docs: Docs, scorer: Scorer, seeds: Sequence[int]) -> None:
    """Choose on half A (mean over the seeds' orders), confirm on half B."""
    a, b = halves(docs)
    print(f"tuning on A: {len({d['topic'] for d in a})} topics, {len(a)} docs; "
          f"confirming on B: {len({d['topic'] for d in b})} topics, {len(b)} docs")  # fmt: skip
    scored = []
    for params in grid():
        s = statistics.mean(scorer.b3(a)(online(a, seed, params)[0]) for seed in seeds)
        scored.append((s, params))
    scored.sort(key=lambda sp: -sp[0])
    for s, p in scored[:5]:
        sb = statistics.mean(scorer.b3(b)(online(b, seed, p)[0]) for seed in seeds)
        print(f"weights {p.weights} threshold {p.threshold:.2f} cohesion share "
              f"{p.cohesion_share}: A {s:.4f}  B {sb:.4f}")  # fmt: skip
    d = StoryParams(time_share=0.0)
    sa, sb = (
        statistics.mean(scorer.b3(h)(online(h, seed, d)[0]) for seed in seeds) for h in (a, b)
    )
    print(
        f"defaults (StoryParams) weights {d.weights} threshold {d.threshold:.2f} "
        f"cohesion share {d.cohesion_share}: "
        f"A {sa:.4f}  B {sb:.4f}"
    )


def quality(args: argparse.Namespace) -> None:
    docs = load_docs(args.data)
    ner_s = (tag if args.variants else add_entities)(docs)
    if args.variants:  # the sixth round's sentence vectors: headline + 60 / + 200 body words
        costs = [embed(docs, n, field) for n, field in ((60, "dense"), (200, "dense200"))]
        print(f"sentence embeddings: {costs[0] * 1e3:.1f} / {costs[1] * 1e3:.1f} CPU ms per "
              f"article (headline + 60 / 200 words; load {load_average()})")  # fmt: skip
    labelled = all("story" in d for d in docs)
    seeds = list(range(args.seed, args.seed + args.orders))
    params = StoryParams(time_share=0.0)  # no dates in the data: the time signal is off
    print(f"{args.data}: {len(docs)} docs; NER {ner_s:.1f} s; load {load_average()}; "
          f"params {params}")  # fmt: skip
    runs = [online(docs, seed, params) for seed in seeds]
    if args.out:
        args.out.write_text(json.dumps(runs[0][0], indent=0, sort_keys=True))
        print(f"wrote {args.out} (order seed {seeds[0]})")
    per_article = statistics.median(sec / len(docs) for _, sec in runs)
    print(f"online path: {per_article * 1e6:.0f} CPU µs per article, features included "
          f"(median of {len(runs)} orders; load {load_average()})")  # fmt: skip
    if not labelled:
        return
    scorer = Scorer(args.data)
    if args.tune:
        tune(docs, scorer, seeds[:3])
        return
    metrics = [scorer.metrics(docs, pred) for pred, _ in runs]
    print(HEADER)
    print(row("every article alone", scorer.metrics(docs, singletons(docs))))
    pred, threshold = average_link(docs, scorer.b3(docs))
    print(row(f"TF-IDF + average-link, t={threshold:.2f} (chosen on these docs)",
              scorer.metrics(docs, pred)))  # fmt: skip
    for seed, m in zip(seeds, metrics, strict=True):
        print(row(f"online stories, order seed {seed}", m))
    f1s = [m["b3_f1"] for m in metrics]
    print(
        f"online B3 F1 over {len(f1s)} orders: mean {statistics.mean(f1s):.4f}, "
        f"min {min(f1s):.4f}, max {max(f1s):.4f}, sd {statistics.pstdev(f1s):.4f}"
    )
    if all("topic" in d for d in docs):
        for name, half in zip("AB", halves(docs), strict=True):
            hf = [scorer.b3(half)(online(half, seed, params)[0]) for seed in seeds]
            print(f"half {name} alone ({len(half)} docs): B3 F1 mean {statistics.mean(hf):.4f}, "
                  f"min {min(hf):.4f}, max {max(hf):.4f}")  # fmt: skip
        if args.variants:  # after the baselines, so the table has them from the same run
            a, b = halves(docs)
            sets = {"A": a, "B": b, "all": docs}
            compare(sets, scorer.b3, place, seeds, variants(data_root()))
            view_aucs(sets, dense=("dense", "dense200"))


def load_average() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path,
                    default=data_root() / "stories-dev" / "ecbplus-dev.jsonl")  # fmt: skip
    ap.add_argument("--out", type=Path, help="write {article id: story id} of the first order")
    ap.add_argument("--orders", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tune", action="store_true", help="choose the params on half A, show B")
    ap.add_argument("--variants", action="store_true",
                    help="the 4th to 6th rounds' variants against the defaults, per half; "
                    "the views' pair AUCs")  # fmt: skip
    ap.add_argument("--scale", action="store_true", help="per-article cost at corpus sizes")
    ap.add_argument("--memory", action="store_true",
                    help="the clusterer's state bytes per structure at --sizes")
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--catch-up", action="store_true",
                    help="a second writer's catch-up: snapshot reload, journal replay")  # fmt: skip
    ap.add_argument("--placing", action="store_true",
                    help="CPU of placing real extracted and tagged records (--records)")
    ap.add_argument("--records", type=Path, default=Path("/tmp/tidings-story-records.jsonl"),
                    help="--placing: the records' cache (built from --real when missing)")
    ap.add_argument("--real", action="append", default=None,
                    help="--placing: extraction sets to build the records from (repeatable)")
    ap.add_argument("--data-dir", type=Path, default=data_root())
    ap.add_argument("--repeat", type=int, default=0,
                    help="--placing: store the records again under new ids this many times")
    ap.add_argument("--profile", type=Path, help="--placing: write cProfile stats here")
    ap.add_argument("--split", action="store_true", help="--placing: CPU by part of placing")
    ap.add_argument("--checkpoints", type=Path,
                    help="--scale: time one window at each size from states saved here (made "
                    "when missing): two versions compared on the same state")  # fmt: skip
    args = ap.parse_args(argv)
    if args.placing:
        from bench.stories_placing import main as placing

        args.real = args.real or ["extraction-dev2", "extraction-dev"]
        placing(args)
        return
    if args.catch_up:
        from bench.stories_catchup import catch_up

        catch_up(args.sizes, args.seed)
        return
    if args.memory:
        from bench.stories_memory import memory

        memory(args.sizes, args.seed)
        return
    if args.scale and args.checkpoints:
        from bench.stories_scale import checkpoints

        checkpoints(args.sizes, args.seed, args.checkpoints)
        return
    if args.scale:
        from bench.stories_scale import scale

        scale(args.sizes, args.seed)
        return
    if not args.data.is_file():
        raise SystemExit(f"{args.data}: no such file")
    quality(args)


if __name__ == "__main__":
    main()
