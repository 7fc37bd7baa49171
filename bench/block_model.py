"""A learned block scorer, trained on WCXB and validated on the sets it never saw (issue 16 item 1).

Per page of extraction-dev and extraction-dev2: our record's body, readability-lxml's text and
the blocks of :mod:`bench.block_features` with their features (cached). A gradient-boosted
tree model (scikit-learn) is fitted on **WCXB pages only** (CC-BY-4.0; Dragnet's AGPL pages are
never trained on, as its README advises): the quick sample's 200 WCXB pages plus half of the
584 outside it; the other half (``wcxb-val``) sets the thresholds. A block's label: at least
half of its shingles are in the ground truth; its weight: its words over the page's body words,
so every page weighs about the same, as in the scorer's macro average.

Three uses are scored per group by the shared scorer, against our body in the same run:

* ``alone``: the blocks the model scores at or above a threshold, in page order;
* ``referee``: where our body and ``alone`` disagree (shingle F1 under ``AGREE``), the one with
  the higher F1 expected under the model's block probabilities;
* with ``--with-second``, also ``referee: ours or readability-lxml``: where the two texts
  disagree, the one with the higher expected F1 (readability runs on every page: not cheap);
* ``filter+add``: our body's lines whose block the model is sure is boilerplate (under ``lo``)
  go; blocks it is sure are body (over ``hi``) next to a kept block come in.

Paired bootstrap (page F1, 1,000 resamples, seed 0) of each use against our body per group.
Dragnet, Readability and extraction-dev are scored only: their pages and truth are never read.
Nothing is shipped: no use beat our body beyond noise on a set it never saw, and the blocks and
features alone cost about half the record's time again (docs/benchmarks.md, Extraction, twelfth
pass).

    nice -n 10 .venv/bin/python bench/block_model.py                 # collect (cached), fit, score
    nice -n 10 .venv/bin/python bench/block_model.py --with-second   # + readability-lxml's share
    nice -n 10 .venv/bin/python bench/block_model.py --cost          # what the features cost
    # the referee between ours and readability-lxml, gated by a model without readability:
    nice -n 10 .venv/bin/python bench/block_model.py --vocabulary-size 60 --probs var/p60.pkl
    nice -n 10 .venv/bin/python bench/block_model.py --vocabulary-size 60 --with-second \
        --probs var/p60s.pkl --gate-probs var/p60.pkl
"""

from __future__ import annotations

import argparse
import gzip
import json
import pickle
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing import Pool
from pathlib import Path
from types import ModuleType

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.block_features import (  # noqa: E402
    NUMERIC,
    PageBlocks,
    held_share,
    page_blocks,
    shingles,
    text_grams,
    tokens,
    vocabulary_columns,
)
from bench.extraction import Ours, readability_lxml  # noqa: E402
from bench.shared_data import data_root, load_scorer  # noqa: E402

#: Texts whose shingle F1 is under this disagree (the referee is asked only there).
AGREE = 0.8
#: Class/id tokens seen on at least this many training pages make the vocabulary.
MIN_PAGES = 15
VOCABULARY_SIZE = 200
#: A block with more than this share of its shingles in our body is not added again.
NOT_HELD = 0.2
OURS = NUMERIC.index("ours")
#: The features that need readability-lxml's text (off unless ``--with-second``).
SECOND = ("second", "second_page_share")


@dataclass
class Page:
    """What the experiment keeps of one page."""

    set_name: str
    page_id: str
    ours: str
    second: str
    blocks: PageBlocks
    feature_ms: float


def _collect_one(job: tuple[str, str, str | None]) -> Page:
    folder, page_id, url = job
    from crawler.extract.body import headlines
    from crawler.extract.document import NotAnArticle, parse_html

    html = gzip.decompress((Path(folder) / "html" / f"{page_id}.html.gz").read_bytes())
    text = html.decode("utf-8", "replace")
    ours = _OURS(text, url)
    try:
        second = readability_lxml(text, url)
    except Exception:  # noqa: BLE001 - readability-lxml raises bare errors on odd pages
        second = ""
    start = time.process_time()
    try:
        tree = parse_html(text)
        blocks = page_blocks(tree, ours, second, headlines(tree))
        blocks.rows = np.asarray(blocks.rows, dtype=np.float32)  # type: ignore[assignment]
    except NotAnArticle:
        blocks = PageBlocks([], [], [], [], [])
    ms = (time.process_time() - start) * 1000
    return Page(Path(folder).name, page_id, ours, second, blocks, ms)


_OURS = Ours()


def collect(data_dir: Path, cache: Path, workers: int) -> dict[str, Page]:
    """Every page of extraction-dev and extraction-dev2, keyed ``set:id`` (cached)."""
    if cache.is_file():
        return pickle.loads(cache.read_bytes())
    sys.setrecursionlimit(10000)
    jobs = []
    for name in ("extraction-dev", "extraction-dev2"):
        folder = data_dir / name
        truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
        jobs += [(str(folder), i, truth[i].get("url") or None) for i in sorted(truth)]
    with Pool(workers) as pool:
        pages = {f"{p.set_name}:{p.page_id}": p for p in pool.imap(_collect_one, jobs, 8)}
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps(pages))
    return pages


def groups(data_dir: Path) -> dict[str, list[str]]:
    """Page keys of every group scored, and ``train`` (WCXB quick + half of WCXB outside)."""
    ids = data_dir / "extraction-dev2" / "ids"
    quick = set(json.loads((ids / "quick.json").read_text()))
    source = {s: sorted(json.loads((ids / f"{s}.json").read_text()))
              for s in ("dragnet", "wcxb", "readability")}  # fmt: skip
    outside_wcxb = [i for i in source["wcxb"] if i not in quick]
    random.Random(0).shuffle(outside_wcxb)
    half = len(outside_wcxb) // 2
    dev = json.loads((data_dir / "extraction-dev" / "ground-truth.json").read_text())
    dev2 = "extraction-dev2:{}".format
    return {
        "train": [dev2(i) for i in source["wcxb"] if i in quick]
        + [dev2(i) for i in outside_wcxb[:half]],
        "wcxb-val": sorted(dev2(i) for i in outside_wcxb[half:]),
        "dragnet-quick": [dev2(i) for i in source["dragnet"] if i in quick],
        "dragnet-outside": [dev2(i) for i in source["dragnet"] if i not in quick],
        "readability": [dev2(i) for i in source["readability"]],
        "extraction-dev": [f"extraction-dev:{i}" for i in sorted(dev)],
    }


def truths(data_dir: Path, keys: Sequence[str]) -> dict[str, str]:
    """Ground-truth bodies of ``keys`` (read per set; scored groups only through the scorer)."""
    out: dict[str, str] = {}
    for name in ("extraction-dev", "extraction-dev2"):
        truth = json.loads((data_dir / name / "ground-truth.json").read_text(encoding="utf-8"))
        out |= {k: truth[k.split(":", 1)[1]]["articleBody"] or "" for k in keys
                if k.startswith(f"{name}:")}  # fmt: skip
    return out


def learn_vocabulary(pages: Sequence[Page], size: int = VOCABULARY_SIZE) -> list[str]:
    """Class/id tokens on at least ``MIN_PAGES`` training pages, the most common first."""
    seen: Counter[str] = Counter()
    for page in pages:
        seen.update(set().union(*(own | around for own, around in page.blocks.classes)))
    common = [t for t, n in seen.most_common() if n >= MIN_PAGES]
    return common[:size]


def matrix(page: Page, vocabulary: Sequence[str], keep: Sequence[int]) -> np.ndarray:
    """The page's feature rows: the numeric columns in ``keep``, then the vocabulary flags."""
    if not len(page.blocks.rows):
        return np.zeros((0, len(keep) + 2 * len(vocabulary)))
    numeric = np.asarray(page.blocks.rows)[:, keep]
    return np.hstack([numeric, vocabulary_columns(page.blocks.classes, vocabulary)])


def fit(pages: Sequence[Page], gold: dict[str, str], vocabulary: Sequence[str],
        keep: Sequence[int]):  # noqa: ANN201 - a scikit-learn estimator
    """Gradient-boosted trees on the training pages' blocks, each page weighing about one."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    xs, ys, ws = [], [], []
    for page in pages:
        truth = text_grams(gold[key(page)])
        labels = [held_share(s, truth) >= 0.5 for s in page.blocks.shingles]
        body_words = sum(w for w, y in zip(page.blocks.words, labels, strict=True) if y) or 1
        xs.append(matrix(page, vocabulary, keep))
        ys += labels
        ws += [w / body_words for w in page.blocks.words]
    model = HistGradientBoostingClassifier(max_iter=300, learning_rate=0.08, max_leaf_nodes=31,
                                           l2_regularization=1.0, random_state=0)  # fmt: skip
    model.fit(np.vstack(xs), np.asarray(ys), sample_weight=np.minimum(np.asarray(ws), 1.0))
    return model


def key(page: Page) -> str:
    """The page's key in the caches: ``set:id``."""
    return f"{page.set_name}:{page.page_id}"


def f1_between(a: str, b: str) -> float:
    """Shingle F1 of two texts (how much they agree)."""
    sa, sb = shingles(tokens(a)), shingles(tokens(b))
    if not sa and not sb:
        return 1.0
    return 2 * len(sa & sb) / (len(sa) + len(sb)) if sa or sb else 0.0


def alone(page: Page, probs: np.ndarray, threshold: float) -> str:
    """The blocks scored at or over ``threshold``, in page order."""
    return "\n".join(t for t, p in zip(page.blocks.texts, probs, strict=True) if p >= threshold)


def expected_f1(page: Page, probs: np.ndarray, text: str) -> float:
    """F1 of ``text`` if each block is body with the model's probability."""
    held = text_grams(text)
    tp = fp = fn = 0.0
    for s, w, p in zip(page.blocks.shingles, page.blocks.words, probs, strict=True):
        m = held_share(s, held)
        tp += w * p * m
        fp += w * (1 - p) * m
        fn += w * p * (1 - m)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def referee(page: Page, probs: np.ndarray, threshold: float) -> str:
    """Ours, unless the model's own text disagrees and is expected to score better."""
    mine = alone(page, probs, threshold)
    if f1_between(page.ours, mine) >= AGREE or not mine:
        return page.ours
    better = expected_f1(page, probs, mine) > expected_f1(page, probs, page.ours)
    return mine if better else page.ours


def referee_second(page: Page, probs: np.ndarray) -> str:
    """Ours or readability-lxml's text where the two disagree: the higher expected F1 wins."""
    if not page.second or f1_between(page.ours, page.second) >= AGREE:
        return page.ours
    better = expected_f1(page, probs, page.second) > expected_f1(page, probs, page.ours)
    return page.second if better else page.ours


def filter_add(page: Page, probs: np.ndarray, lo: float, hi: float) -> str:
    """Our lines minus those whose block is sure boilerplate, plus sure body blocks beside ours."""
    owner: dict[tuple[str, ...], int] = {}
    for i, s in enumerate(page.blocks.shingles):
        for sh in s:
            owner.setdefault(sh, i)
    lines = [line for line in page.ours.splitlines() if line.strip()]
    line_block: list[int | None] = []
    for line in lines:
        found = Counter(owner[sh] for sh in shingles(tokens(line)) if sh in owner)
        line_block.append(found.most_common(1)[0][0] if found else None)
    keep = [b is None or probs[b] >= lo for b in line_block]
    out = [(b, line) for b, line, k in zip(line_block, lines, keep, strict=True) if k]
    survivors = {b for b, _ in out if b is not None}
    held = page.blocks.rows[:, OURS] if len(page.blocks.rows) else []
    added: list[int] = []
    for i, p in enumerate(probs):
        if held[i] > NOT_HELD or p <= hi:
            continue  # only blocks our body does not hold at all are candidates
        if {i - 1, i + 1} & (survivors | set(added)):
            added.append(i)
    for i in added:
        at = 0
        for pos, (b, _) in enumerate(out):
            if b is not None and b < i:
                at = pos + 1
        out.insert(at, (i, page.blocks.texts[i]))
    return "\n".join(line for _, line in out)


def page_f1(scorer: ModuleType, truth: str, pred: str) -> float:
    (tp, fp, fn), _ = scorer.page_counts(truth, pred)
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0


def paired(scorer: ModuleType, gold: dict[str, str], base: dict[str, str],
           other: dict[str, str]) -> str:
    """Mean page-F1 difference other − base, its 95% bootstrap interval, pages better/worse."""
    keys = sorted(base)
    d = [page_f1(scorer, gold[k], other[k]) - page_f1(scorer, gold[k], base[k]) for k in keys]
    rng, n = random.Random(0), len(d)
    means = sorted(sum(d[rng.randrange(n)] for _ in range(n)) / n for _ in range(1000))
    better, worse = sum(x > 0.001 for x in d), sum(x < -0.001 for x in d)
    return f"{sum(d) / n:+.4f} [{means[25]:+.4f}, {means[974]:+.4f}] {better}/{worse}"


def fit_and_score(pages: dict[str, Page], sets: dict[str, list[str]],
                  args: argparse.Namespace) -> dict[str, np.ndarray]:
    """Fit on the training pages (saved with ``--save``); the block probabilities of every
    other group's pages."""
    keep = [i for i, name in enumerate(NUMERIC) if args.with_second or name not in SECOND]
    train = [pages[k] for k in sets["train"]]
    gold_train = truths(args.data_dir, sets["train"])
    vocabulary = learn_vocabulary(train, args.vocabulary_size)
    start = time.perf_counter()
    model = fit(train, gold_train, vocabulary, keep)
    print(f"fitted on {len(train)} WCXB pages, {sum(len(p.blocks.rows) for p in train)} blocks, "
          f"{len(keep)} numeric + {2 * len(vocabulary)} vocabulary columns, "
          f"{time.perf_counter() - start:.0f} s")  # fmt: skip
    if args.save:
        import joblib

        args.save.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump({"model": model, "vocabulary": vocabulary, "numeric":
                     [NUMERIC[i] for i in keep]}, args.save, compress=3)  # fmt: skip
    return {k: probs_of(model, pages[k], vocabulary, keep)
            for g in sets if g != "train" for k in sets[g]}  # fmt: skip


def probs_of(
    model,  # noqa: ANN001 - a fitted scikit-learn classifier
    page: Page,
    vocabulary: Sequence[str],
    keep: Sequence[int],
) -> np.ndarray:
    """The model's probability that each block of the page is body."""
    x = matrix(page, vocabulary, keep)
    return model.predict_proba(x)[:, 1] if len(x) else np.zeros(0)


def cost(data_dir: Path, rounds: int = 2) -> None:
    """CPU ms a page on extraction-dev: the whole record, the blocks and features on top of it
    (parse, headlines, segment, features; no model) and readability-lxml's reading (what
    ``--with-second`` needs), alternated, the fastest round of each."""
    from crawler.extract.body import headlines
    from crawler.extract.document import parse_html

    folder = data_dir / "extraction-dev"
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = [(gzip.decompress((folder / "html" / f"{i}.html.gz").read_bytes()).decode(
        "utf-8", "replace"), truth[i].get("url")) for i in sorted(truth)]  # fmt: skip
    bodies = [_OURS(html, url) for html, url in pages]

    def features() -> None:
        for (html, _), body in zip(pages, bodies, strict=True):
            tree = parse_html(html)
            page_blocks(tree, body, None, headlines(tree))

    def record() -> None:
        for html, url in pages:
            _OURS(html, url)

    def second() -> None:
        for html, url in pages:
            readability_lxml(html, url)

    runs = (("record", record), ("blocks and features", features), ("readability-lxml", second))
    best = dict.fromkeys((name for name, _ in runs), float("inf"))
    for _ in range(rounds):
        for name, run in runs:
            start = time.process_time()
            run()
            best[name] = min(best[name], time.process_time() - start)
    for name, seconds in best.items():
        print(f"{name}: {1000 * seconds / len(pages):.1f} CPU-ms a page "
              f"({len(pages) / seconds:.0f} pages/s)")  # fmt: skip
    print(f"load {Path('/proc/loadavg').read_text().split()[:3]}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", type=Path, default=data_root())
    ap.add_argument("--cache", type=Path, default=REPO / "var" / "block-model" / "pages.pkl")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--with-second", action="store_true",
                    help="readability-lxml's share of each block is a feature")  # fmt: skip
    ap.add_argument("--thresholds", default="0.3,0.4,0.5,0.6,0.7")
    ap.add_argument("--lo", default="0.02,0.05,0.1")
    ap.add_argument("--hi", default="0.9,0.95,0.98")
    ap.add_argument("--save", type=Path, help="write the fitted model here (joblib)")
    ap.add_argument("--probs", type=Path, help="block probabilities cached here (fit once)")
    ap.add_argument("--gate-probs", type=Path,
                    help="with --with-second: a model without it (its --probs) gates the referee")
    ap.add_argument("--vocabulary-size", type=int, default=VOCABULARY_SIZE)
    ap.add_argument("--cost", action="store_true",
                    help="only time the record and the features on extraction-dev")  # fmt: skip
    args = ap.parse_args(argv)
    if args.cost:
        cost(args.data_dir, rounds=3)
        return 0

    pages = collect(args.data_dir, args.cache, args.workers)
    scorer = load_scorer("extraction_score.py", args.data_dir)
    sets = groups(args.data_dir)
    scored = [g for g in sets if g != "train"]
    gold = truths(args.data_dir, [k for g in scored for k in sets[g]])
    if args.probs and args.probs.is_file():
        probs = pickle.loads(args.probs.read_bytes())
    else:
        probs = fit_and_score(pages, sets, args)
        if args.probs:
            args.probs.write_bytes(pickle.dumps(probs))
    variants: dict[str, object] = {"ours": lambda p, pr: p.ours}
    for t in map(float, args.thresholds.split(",")):
        variants[f"alone {t}"] = lambda p, pr, t=t: alone(p, pr, t)
    for t in map(float, args.thresholds.split(",")):
        variants[f"referee {t}"] = lambda p, pr, t=t: referee(p, pr, t)
    if args.with_second:
        variants["referee: ours or readability-lxml"] = referee_second
    if args.with_second and args.gate_probs:  # readability only where the cheap model disagrees
        cheap = pickle.loads(args.gate_probs.read_bytes())
        for agree in (0.8, 0.9):
            variants[f"gated < {agree}: ours or readability-lxml"] = (
                lambda p, pr, a=agree: referee_second(p, pr)
                if f1_between(p.ours, alone(p, cheap[key(p)], 0.5)) < a else p.ours
            )
    for lo in map(float, args.lo.split(",")):
        for hi in map(float, args.hi.split(",")):
            variants[f"filter {lo} add {hi}"] = (
                lambda p, pr, lo=lo, hi=hi: filter_add(p, pr, lo, hi)
            )
    print(f"\n| use | {' | '.join(scored)} |")
    print("|---|" + "---:|" * len(scored))
    preds: dict[str, dict[str, dict[str, str]]] = {}
    for name, make in variants.items():
        cells = []
        for g in scored:
            pred = {k: make(pages[k], probs[k]) for k in sets[g]}  # type: ignore[operator]
            preds.setdefault(name, {})[g] = pred
            m = scorer.score({k: gold[k] for k in sets[g]}, pred, n_bootstrap=0)
            cell = f"{m['f1']:.4f}"
            if name != "ours":
                cell += f" ({paired(scorer, gold, preds['ours'][g], pred)})"
            cells.append(cell)
        print(f"| {name} | {' | '.join(cells)} |", flush=True)
    ms = [p.feature_ms for p in pages.values()]
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(f"\nfeatures: {sum(ms) / len(ms):.1f} CPU-ms a page (mean over {len(ms)} pages, "
          f"median {sorted(ms)[len(ms) // 2]:.1f}), load {load}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
