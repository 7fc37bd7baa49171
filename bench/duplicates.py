"""Near-duplicate clusters on labelled data: copies share a ``cluster_id``, distinct stories not.

DESIGN.md: "syndicated / lightly edited copies share a `cluster_id`; distinct stories do not".
The multi-host test counts the first half on generated copies; this measures the second half on
real text, where a false merge would come from (:mod:`tidings.core.fingerprint`, the store's
upsert, as a crawl runs them):

- ``stories-dev`` (ECB+): 496 articles of 42 stories, two different events of one kind per
  topic (two earthquakes in Indonesia...): the hardest distinct stories there are. Pairs in
  one cluster are counted within a story (copies, allowed) and across stories (the error).
- the pages of ``extraction-dev``, ``extraction-dev2`` and ``dates-dev``, extracted as a crawl
  extracts them: 2,700 pages of 1,400 sites, many sites with several pages whose boilerplate
  could leak into their bodies. Every page is its own story unless it is in fact a copy, so
  every pair in one cluster is printed with the exact Jaccard similarity of its word 3-shingles
  (the fingerprint only estimates it): at or above ``SAME_STORY`` it is a copy, below a false
  merge.

Every record gets a unique URL, so only the fingerprints can put two of them in one cluster.

    .venv/bin/python bench/duplicates.py [--data-dir DIR] [--pairs 20]
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import re
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.shared_data import data_root  # noqa: E402
from tidings.core.fingerprint import MIN_WORDS, SHINGLE, bands, fingerprint  # noqa: E402
from tidings.core.store import Store  # noqa: E402

HTML_SETS = ("extraction-dev", "extraction-dev2", "dates-dev")
FETCHED_AT = "2026-12-07T00:00:00Z"
BATCH = 100  # records an upsert (a crawl's batch)
#: Ground-truth bodies this alike are copies (lightly edited or extended wire copy).
COPY_JACCARD = 0.5
COPY_CONTAINED = 0.8
_WORD = re.compile(r"\w+", re.UNICODE)


def ecb_records(data: Path) -> list[Labelled]:
    """Every ECB+ dev article, labelled with its story (copies within a story are allowed)."""
    out = []
    path = data / "stories-dev" / "ecbplus-dev.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        record = {"title": doc["title"], "body": doc["text"] or doc["title"]}
        out.append(Labelled(record, str(doc["story"]), ""))
    return out


def page_records(data: Path, name: str) -> list[Labelled]:
    """Every page of an HTML set that extracts as an article, with its ground-truth text."""
    from crawler.extract import extract_article
    from crawler.extract.errors import NotAnArticle

    truth = json.loads((data / name / "ground-truth.json").read_text())
    out = []
    for page_id, entry in sorted(truth.items()):
        path = data / name / "html" / f"{page_id}.html.gz"
        if not path.is_file():
            continue
        html = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
        url = entry.get("url") or f"https://no-url.invalid/{name}/{page_id}"
        try:
            record = dict(extract_article(html, url, {"fetched_at": FETCHED_AT}))
        except NotAnArticle:
            continue
        out.append(Labelled(record, f"{name}/{page_id}", str(entry.get("articleBody") or "")))
    return out


def _text(record: dict[str, object]) -> str:
    """What the store fingerprints: the headline and the body."""
    return f"{record.get('title') or ''}\n{record.get('body') or ''}"


class Labelled(NamedTuple):
    record: dict[str, object]
    label: str  # its story (ECB+) or its page
    truth: str  # the ground truth's body ("" for ECB+: the label decides)


def shingles(text: str) -> set[tuple[str, ...]]:
    """The word 3-shingles a fingerprint estimates its similarity over."""
    words = _WORD.findall(text.lower())
    width = min(SHINGLE, len(words))
    return {tuple(words[i : i + width]) for i in range(len(words) - width + 1)}


def copies_in_truth(a: str, b: str) -> tuple[bool, float]:
    """Whether two ground-truth bodies are copies (Jaccard ≥ COPY_JACCARD, or the shorter one
    ≥ COPY_CONTAINED inside the longer: an extended edit of one wire story), and their Jaccard."""
    sa, sb = shingles(a), shingles(b)
    if not sa or not sb:
        return False, 0.0
    common = len(sa & sb)
    similar = common / len(sa | sb)
    return similar >= COPY_JACCARD or common / min(len(sa), len(sb)) >= COPY_CONTAINED, similar


def clusters_of(labelled: list[Labelled], store: Store, tag: str) -> list[list[int]]:
    """Store every record (unique URL, one source) through the real upsert; its clusters of
    two or more, as indices into ``labelled``."""
    members: dict[str, list[int]] = defaultdict(list)
    for start in range(0, len(labelled), BATCH):
        batch = []
        for i, item in enumerate(labelled[start : start + BATCH], start):
            url = f"https://{tag}.invalid/{i}"
            batch.append({**item.record, "id": f"{tag}-{i}", "url": url, "canonical_url": url,
                          "source": tag, "fetched_at": FETCHED_AT})  # fmt: skip
        for stored in store.upsert(batch).articles:
            members[str(stored["cluster_id"])].append(int(str(stored["id"]).rsplit("-", 1)[1]))
    return [ids for ids in members.values() if len(ids) > 1]


def true_copies(labelled: list[Labelled]) -> set[tuple[int, int]]:
    """Pairs of pages whose ground-truth bodies are copies: candidates from the LSH bands of
    the truths' own fingerprints (any band in common), each confirmed on the exact shingles."""
    buckets: dict[str, list[int]] = defaultdict(list)
    for i, item in enumerate(labelled):
        if len(item.truth.split()) >= MIN_WORDS and (fp := fingerprint(item.truth)):
            for key in bands(fp):
                buckets[key].append(i)
    candidates = {pair for ids in buckets.values() for pair in itertools.combinations(ids, 2)}
    return {
        (a, b) for a, b in candidates if copies_in_truth(labelled[a].truth, labelled[b].truth)[0]
    }


def report(name: str, labelled: list[Labelled], store: Store, show: int) -> dict[str, object]:
    """One row: pairs in one cluster, those of two stories (false merges; printed), and with
    ground-truth bodies the copies among the pages and how many share a cluster."""
    clusters = clusters_of(labelled, store, name.replace(" ", "-"))
    together = {pair for ids in clusters for pair in itertools.combinations(sorted(ids), 2)}
    with_truth = any(item.truth for item in labelled)
    copies = true_copies(labelled) if with_truth else set()
    false_merges = []
    for a, b in sorted(together):
        (ra, la, ta), (rb, lb, tb) = labelled[a], labelled[b]
        if la == lb or (a, b) in copies or (with_truth and copies_in_truth(ta, tb)[0]):
            continue
        false_merges.append((la, lb))
        if len(false_merges) <= show:
            truth = f", truth Jaccard {copies_in_truth(ta, tb)[1]:.2f}" if with_truth else ""
            print(f"  {name}: {la} / {lb}{truth}: {str(ra.get('title'))[:50]!r} / "
                  f"{str(rb.get('title'))[:50]!r}")  # fmt: skip
    for a, b in sorted(copies - together)[:show]:
        (ra, la, ta), (rb, lb, tb) = labelled[a], labelled[b]
        ours = len(shingles(_text(ra)) & shingles(_text(rb))) / max(
            1, len(shingles(_text(ra)) | shingles(_text(rb)))
        )
        print(
            f"  {name}: copies apart: {la} / {lb}, truth Jaccard {copies_in_truth(ta, tb)[1]:.2f}, "
            f"extracted {ours:.2f}: {str(ra.get('title'))[:50]!r} / {str(rb.get('title'))[:50]!r}"
        )
    return {"set": name, "records": len(labelled), "clusters of 2+": len(clusters),
            "pairs in one cluster": len(together),
            "pairs of distinct stories in one cluster": len(false_merges),
            "copies in the truth": len(copies) if with_truth else "n/a",
            "of which in one cluster": len(copies & together) if with_truth else "n/a"}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--pairs", type=int, default=20, help="different-label pairs to print")
    args = parser.parse_args()
    data = args.data_dir or data_root()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        pages = [item for name in HTML_SETS for item in page_records(data, name)]
        for name, labelled in (("stories-dev", ecb_records(data)), ("html sets", pages)):
            store = Store(Path(tmp) / f"{name}.db")  # one store a set: no cross-set clusters
            rows.append(report(name, labelled, store, args.pairs))
            store.close()
    keys = list(rows[0])
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for row in rows:
        print("| " + " | ".join(str(row[k]) for k in keys) + " |")


if __name__ == "__main__":
    main()
