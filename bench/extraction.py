"""Body extraction benchmark: ours against the maintained extractors, set by set, in one run.

Runs every extraction set it knows under the data folder (``extraction-dev``, ``extraction-dev2``:
any sub-folder holding ``ground-truth.json`` with ``articleBody`` texts and ``html/<id>.html.gz``)
or the one set ``--data-dir`` names, and prints one row per set (and per source, when the set
lists its sources' page ids in ``ids/``) and extractor: F1 / precision / recall / exact and pages
per second, scored by the shared scorer (imported from ``../shared/tools``, never copied).

Extractors: ``tidings`` (the whole record, exactly as ``tidings extract`` builds it; its
``body`` is scored), trafilatura with its defaults and with comments off, readability-lxml,
jusText and rs-trafilatura (a Rust port of trafilatura; defaults and ``favor_precision``), each
only if installed. All run in this one process, one after the other, so their
figures compare on equal terms; the clock covers extraction only (pages are decompressed first).

Ground truths differ in one convention that matters: Dragnet's starts with the headline, the
others' never or rarely do. ``--with-title`` puts the page's headline (the record's ``title``,
read once per page off the clock) in front of *every* extractor's text, so the comparison stays
about bodies; it is off by default and the table says when it is on. Readability's ground truth
keeps the story's figure captions, the others' rarely or never do: ``--with-captions`` turns our
record's caption option on (``extract_article(..., captions=True)``); the other extractors run
as they are, and the table says when it is on.

    .venv/bin/python bench/extraction.py                           # every set, every extractor
    .venv/bin/python bench/extraction.py --ids quick --repeat 1     # extraction-dev2's quick subset
    .venv/bin/python bench/extraction.py --ids quick --outside      # every page but that subset
    .venv/bin/python bench/extraction.py --data-dir DIR --only-ours --worst 10
    .venv/bin/python bench/extraction.py --only-ours --without widgets         # an ablation

``--without RULE`` switches one of our body rules off (:data:`ABLATIONS`), for this run only, to
measure what it is worth on every set; the product has no such switch.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.shared_data import data_root, load_scorer  # noqa: E402

#: ../shared/DESIGN.md's figure for body extraction on every set.
TARGET_F1 = 0.97
#: The id list that is a sample for quick runs, not a source of its own.
SAMPLE_IDS = frozenset({"quick"})

#: What a page with no known URL is extracted as (``tidings extract`` uses the file's URI).
NO_URL = "file:///page.html"

Extractor = Callable[[str, str | None], str]


def longer_wins(first: str, second: str, min_words: int) -> str:
    """The second opinion's referee before issue 16's WCXB work: the longer text wins."""
    from crawler.extract.words import word_count

    return max([first, second], key=word_count)


#: Our body rules that ``--without`` can switch off: the name in ``crawler.extract.body`` that is
#: replaced, and what replaces it (the rule doing nothing; for the referee, the rule it replaced).
ABLATIONS: dict[str, tuple[str, object]] = {
    "jsonld": ("agree_with_jsonld", lambda lines, jsonld_body: lines),
    "edges": ("drop_boilerplate", lambda lines, index, titles=(): list(lines)),
    "focus": ("story_focus", lambda tree, paragraphs=None: tree),
    "link-guard": ("MOSTLY_LINKS", float("inf")),
    "second-opinion": ("found_too_little", lambda *args, **kwargs: False),
    "referee": ("referee", longer_wins),
    "widgets": ("drop_widget_lines", lambda lines, widgets, tree, max_share=1.0: lines),
    "furniture": ("furniture_texts", lambda body: []),
    "loose": ("loose_prose", lambda lines, index: lines),
}


def switch_off(rule: str) -> None:
    """Replace one body rule by a no-op for the rest of this process (see :data:`ABLATIONS`)."""
    from crawler.extract import body

    name, replacement = ABLATIONS[rule]
    setattr(body, name, replacement)


def is_extraction_set(folder: Path) -> bool:
    """A folder in the benchmark's format whose ground truth is body text (not dates)."""
    truth = folder / "ground-truth.json"
    if not (truth.is_file() and (folder / "html").is_dir()):
        return False
    first = next(iter(json.loads(truth.read_text(encoding="utf-8")).values()), None)
    return isinstance(first, dict) and "articleBody" in first


def find_sets(data_dir: Path) -> list[Path]:
    """``data_dir`` itself when it is a set, else every set directly inside it."""
    if is_extraction_set(data_dir):
        return [data_dir]
    if not data_dir.is_dir():
        return []
    return [sub for sub in sorted(data_dir.iterdir()) if sub.is_dir() and is_extraction_set(sub)]


@dataclass
class BenchSet:
    """One set's pages, decompressed before any clock starts, and its groups of page ids."""

    name: str
    truth: dict[str, dict[str, str | None]]
    pages: dict[str, str]
    groups: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path, sample: str | None, outside: bool = False) -> BenchSet:
        """All pages, or those of ``ids/<sample>.json`` when the set has that list; with
        ``outside``, the pages *not* in it (those a sample-driven tuning never looked at).

        Groups: ``all`` plus one per source list in ``ids/`` (the sample list excepted).
        """
        truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
        ids_dir = folder / "ids"
        wanted = sorted(truth)
        if sample and (ids_dir / f"{sample}.json").is_file():
            chosen = set(json.loads((ids_dir / f"{sample}.json").read_text(encoding="utf-8")))
            wanted = [i for i in wanted if (i in chosen) != outside]
        subset = f"outside-{sample}" if outside else sample
        name = folder.name if wanted == sorted(truth) else f"{folder.name}/{subset}"
        pages = {}
        for page_id in wanted:
            raw = gzip.decompress((folder / "html" / f"{page_id}.html.gz").read_bytes())
            pages[page_id] = raw.decode("utf-8", "replace")
        groups = {"all": wanted}
        listed = sorted(ids_dir.glob("*.json")) if ids_dir.is_dir() else []
        for path in listed:
            if path.stem in SAMPLE_IDS:
                continue
            members = set(json.loads(path.read_text(encoding="utf-8")))
            groups[path.stem] = [i for i in wanted if i in members]
        return cls(name, truth, pages, {k: v for k, v in groups.items() if v})

    def url(self, page_id: str) -> str | None:
        return self.truth[page_id].get("url") or None

    def texts(self, ids: list[str]) -> dict[str, str]:
        return {i: self.truth[i]["articleBody"] or "" for i in ids}


def run(extract: Extractor, bench: BenchSet, repeat: int) -> tuple[dict[str, str], float]:
    """Predictions of one extractor over a set and its pages per second (one process, one core).

    The fastest of ``repeat`` passes counts: other work on a shared machine only ever slows a
    pass down, so the minimum time is the least noisy estimate.
    """
    out: dict[str, str] = {}
    best = float("inf")
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        for page_id, html in bench.pages.items():
            out[page_id] = extract(html, bench.url(page_id))
        best = min(best, time.perf_counter() - start)
    return out, len(bench.pages) / best if best else float("inf")


class Ours:
    """``extract_article``'s body; a page it rejects scores as an empty body (no second chance).

    A page without a URL gets a ``file:`` URL, as ``tidings extract FILE`` gives a saved page.
    """

    def __init__(self, captions: bool = False) -> None:
        from crawler.extract import NotAnArticle, extract_article

        self._extract, self._reject = extract_article, NotAnArticle
        self.captions = captions
        self.rejected: dict[str, str] = {}

    def __call__(self, html: str, url: str | None) -> str:
        try:
            record = self._extract(html, url or NO_URL, captions=self.captions)
        except self._reject as exc:
            self.rejected[url or html[:60]] = str(exc)
            return ""
        return record["body"]


def headline(html: str, url: str | None) -> str:
    """The page's headline as the record states it ('' when it has none): for ``--with-title``."""
    from crawler.extract.document import parse_html
    from crawler.extract.metadata import read_metadata

    return read_metadata(parse_html(html), url or NO_URL).title or ""


def trafilatura_default(html: str, url: str | None) -> str:
    """Plain ``trafilatura.extract`` with its default settings."""
    import trafilatura

    return trafilatura.extract(html, url=url) or ""


def trafilatura_no_comments(html: str, url: str | None) -> str:
    """trafilatura's defaults minus comments (its defaults keep reader comments)."""
    import trafilatura

    return trafilatura.extract(html, url=url, include_comments=False) or ""


def readability_lxml(html: str, url: str | None) -> str:
    """readability-lxml's ``summary()``, its block elements one per line."""
    from lxml import html as lxml_html
    from readability import Document

    summary = Document(html, url=url).summary(html_partial=True)
    root = lxml_html.fragment_fromstring(summary, create_parent="div")
    for block in root.iter("p", "div", "li", "br", "h1", "h2", "h3", "h4", "tr", "blockquote"):
        block.tail = "\n" + (block.tail or "")
    return root.text_content()


def justext_paragraphs(html: str, url: str | None) -> str:
    """jusText's non-boilerplate paragraphs, with the stoplist of the page's declared language."""
    import justext
    from lxml import html as lxml_html

    try:
        lang = (lxml_html.document_fromstring(html.encode()).get("lang") or "en")[:2].lower()
    except (ValueError, lxml_html.etree.ParserError):
        lang = "en"
    names = {"en": "English", "de": "German", "fr": "French", "es": "Spanish",
             "pt": "Portuguese", "it": "Italian", "cs": "Czech", "nl": "Dutch"}  # fmt: skip
    stoplist = justext.get_stoplist(names.get(lang, "English"))
    paragraphs = justext.justext(html.encode("utf-8"), stoplist, encoding="utf-8")
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def rs_trafilatura_default(html: str, url: str | None) -> str:
    """rs-trafilatura's ``main_content`` with its defaults (comments already off there)."""
    import rs_trafilatura

    return rs_trafilatura.extract(html, url=url).main_content or ""


def rs_trafilatura_precision(html: str, url: str | None) -> str:
    """rs-trafilatura with ``favor_precision``: its stricter filtering."""
    import rs_trafilatura

    return rs_trafilatura.extract(html, url=url, favor_precision=True).main_content or ""


def extractors(only_ours: bool, captions: bool = False) -> list[tuple[str, Extractor]]:
    """Ours first (with the story's captions when ``captions``), then every maintained
    extractor that is installed."""
    found: list[tuple[str, Extractor]] = [("tidings", Ours(captions))]
    if only_ours:
        return found
    found += [("trafilatura-default", trafilatura_default),
              ("trafilatura-no-comments", trafilatura_no_comments)]  # fmt: skip
    if importlib.util.find_spec("readability") is not None:
        found.append(("readability-lxml", readability_lxml))
    if importlib.util.find_spec("justext") is not None:
        found.append(("justext", justext_paragraphs))
    if importlib.util.find_spec("rs_trafilatura") is not None:
        found += [("rs-trafilatura", rs_trafilatura_default),
                  ("rs-trafilatura-precision", rs_trafilatura_precision)]  # fmt: skip
    return found


def with_title(pred: dict[str, str], titles: dict[str, str]) -> dict[str, str]:
    """Every text with the page's headline as its first line."""
    return {k: f"{titles[k]}\n{text}" if titles.get(k) else text for k, text in pred.items()}


def page_f1(scorer: ModuleType, truth: str, pred: str) -> tuple[float, float, float]:
    """(F1, false-positive share, false-negative share) of one page, as the scorer counts them."""
    (tp, fp, fn), _ = scorer.page_counts(truth, pred)
    return (tp / (tp + 0.5 * (fp + fn)) if tp else 0.0), fp, fn


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", type=Path, default=data_root(),
                    help="a set folder, or a folder of sets (default $TIDINGS_DATA_DIR or "
                         "<repo>/../shared/data)")  # fmt: skip
    ap.add_argument(
        "--ids",
        metavar="NAME",
        help="only the pages of ids/NAME.json in sets that have it (e.g. quick)",
    )
    ap.add_argument(
        "--outside",
        action="store_true",
        help="with --ids: only the pages NOT in that list (a sample's held-out rest)",
    )
    ap.add_argument(
        "--with-title",
        action="store_true",
        help="put the page's headline before every extractor's text",
    )
    ap.add_argument(
        "--with-captions",
        action="store_true",
        help="our record keeps the story's figure captions (Readability's convention)",
    )
    ap.add_argument("--out", type=Path, default=REPO / "var" / "bench-extraction",
                    help="prediction and score JSON files go here")  # fmt: skip
    ap.add_argument("--only-ours", action="store_true", help="skip the other extractors")
    ap.add_argument("--n-bootstrap", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=2, help="timing passes; the fastest counts")
    ap.add_argument("--worst", type=int, default=0, help="list our N lowest-F1 pages per set")
    ap.add_argument("--without", choices=sorted(ABLATIONS), action="append", default=[],
                    help="switch one of our body rules off (repeatable): an ablation")  # fmt: skip
    args = ap.parse_args(argv)
    for rule in args.without:
        switch_off(rule)

    folders = find_sets(args.data_dir)
    if not folders:
        print(f"error: no extraction set in {args.data_dir}", file=sys.stderr)
        return 2
    scorer = load_scorer("extraction_score.py", args.data_dir)
    runners = extractors(args.only_ours, args.with_captions)
    args.out.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[str, str, int, str, dict[str, float]]] = []
    for folder in folders:
        bench = BenchSet.load(folder, args.ids, args.outside)
        titles = {i: headline(h, bench.url(i)) for i, h in bench.pages.items()} \
            if args.with_title else {}  # fmt: skip
        for name, fn in runners:
            fn(next(iter(bench.pages.values())), None)  # imports and caches off the clock
            pred, rate = run(fn, bench, args.repeat)
            if args.with_title:
                pred = with_title(pred, titles)
            stem = bench.name.replace("/", "-")
            (args.out / f"{stem}.{name}.json").write_text(json.dumps(pred, ensure_ascii=False))
            for group, ids in bench.groups.items():
                m = scorer.score(bench.texts(ids), pred, n_bootstrap=args.n_bootstrap, seed=0)
                m["pages_per_s"] = rate
                rows.append((bench.name, group, len(ids), name, m))
            if name == "tidings" and args.worst:
                print(f"{bench.name}: our {args.worst} lowest-F1 pages")
                scored = [(*page_f1(scorer, bench.truth[i]["articleBody"] or "", pred[i]), i)
                          for i in bench.pages]  # fmt: skip
                for f1, fp, fn_, page_id in sorted(scored)[: args.worst]:
                    print(f"  {f1:.3f} fp={fp:.3f} fn={fn_:.3f} {page_id} {bench.url(page_id)}")
        if isinstance(runners[0][1], Ours) and runners[0][1].rejected:
            rejected = runners[0][1].rejected
            print(f"{bench.name}: tidings rejected {len(rejected)} page(s) (scored as empty)")

    print(
        f"\n{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} cores (one used)"
        f"{', headline prepended to every text (--with-title)' if args.with_title else ''}"
        f"{', tidings keeps figure captions (--with-captions)' if args.with_captions else ''}"
        f"{''.join(f', tidings without {rule}' for rule in args.without)}"
    )
    head = ("set", "group", "pages", "extractor", "F1", "precision", "recall", "exact", "pages/s")
    print(f"{head[0]:<22} {head[1]:<12} {head[2]:>5}  {head[3]:<24} {head[4]:>14} {head[5]:>9} "
          f"{head[6]:>7} {head[7]:>6} {head[8]:>8}")  # fmt: skip
    for set_name, group, n, name, m in rows:
        f1 = f"{m['f1']:.4f} ± {m.get('f1_std', 0):.3f}"
        print(f"{set_name:<22} {group:<12} {n:>5}  {name:<24} {f1:>14} {m['precision']:>9.4f} "
              f"{m['recall']:>7.4f} {m['accuracy']:>6.3f} {m['pages_per_s']:>8.1f}")  # fmt: skip
    print()
    for key in dict.fromkeys((s, g) for s, g, *_ in rows):
        scores = {name: m["f1"] for s, g, _, name, m in rows if (s, g) == key}
        others = {n: f for n, f in scores.items() if n != "tidings"}
        line = f"{key[0]} {key[1]}: tidings F1 {scores['tidings']:.4f}"
        if others:
            best = max(others, key=others.__getitem__)
            gap = scores["tidings"] - others[best]
            line += f", {gap:+.4f} against the best other ({best} {others[best]:.4f})"
        reached = "reached" if scores["tidings"] >= TARGET_F1 else "NOT reached"
        line += f"; target {TARGET_F1} {reached}"
        print(line)
    results = {f"{s}|{g}|{name}": m for s, g, _, name, m in rows}
    (args.out / "scores.json").write_text(json.dumps(results, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
