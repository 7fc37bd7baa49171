"""Links into docs/benchmarks.md land on a heading that exists.

The file is thousands of lines of dated subsections, and its status table at the top (and the
README) point into them by anchor: a heading renamed or a link mistyped would leave a dead link
that nobody notices on GitHub. Anchors are computed as GitHub computes them, on headings found
by a Markdown parser (a `# line` inside a code block is not a heading)."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.token import Token

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS = REPO / "docs" / "benchmarks.md"

#: Unicode categories a GitHub anchor keeps (Ruby's \p{Word}: letters, marks, decimal and letter
#: numbers, connectors such as `_`); every other character but `-` and space is dropped.
KEPT_CATEGORIES = ("Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "Pc")

PARSER = MarkdownIt("commonmark").enable("table")


def github_slug(text: str) -> str:
    """A heading's anchor before de-duplication: lowercase, punctuation and symbols dropped
    (hyphens and underscores kept), each space a hyphen (runs of spaces are not collapsed)."""
    kept = (c for c in text.lower() if c in "- " or unicodedata.category(c) in KEPT_CATEGORIES)
    return "".join(kept).replace(" ", "-")


def heading_text(inline: Token) -> str:
    """What a heading shows (the text GitHub slugs): its words and code spans, no markup."""
    return "".join(c.content for c in inline.children or () if c.type in ("text", "code_inline"))


def heading_anchors(markdown: str) -> list[str]:
    """Every heading's anchor in document order; a repeated one gets -1, -2… (github-slugger)."""
    tokens = PARSER.parse(markdown)
    occurrences: dict[str, int] = {}
    anchors = []
    for opening, inline in zip(tokens, tokens[1:], strict=False):
        if opening.type != "heading_open":
            continue
        original = slug = github_slug(heading_text(inline))
        while slug in occurrences:
            occurrences[original] += 1
            slug = f"{original}-{occurrences[original]}"
        occurrences[slug] = 0
        anchors.append(slug)
    return anchors


def link_targets(markdown: str) -> list[str]:
    """Every link's destination, in tables and reference links too."""
    return [
        str(child.attrs["href"])
        for token in PARSER.parse(markdown)
        if token.type == "inline"
        for child in token.children or ()
        if child.type == "link_open"
    ]


def anchors_linked_into(target: Path, source: Path) -> list[str]:
    """The anchors of `target` that `source` links to (`#x` inside it, `path#x` from elsewhere)."""
    anchors = []
    for href in link_targets(source.read_text(encoding="utf-8")):
        path, hash_sign, fragment = href.partition("#")
        if not hash_sign or "://" in path:
            continue
        linked = (source.parent / path).resolve() if path else source.resolve()
        if linked == target.resolve():
            anchors.append(unquote(fragment))
    return anchors


def dead_anchors(target: Path, sources: list[Path]) -> list[str]:
    """Links from `sources` to an anchor `target` does not have, as `file: #anchor`."""
    existing = set(heading_anchors(target.read_text(encoding="utf-8")))
    return [
        f"{source.relative_to(target.parents[1])}: #{anchor}"
        for source in sources
        for anchor in anchors_linked_into(target, source)
        if anchor not in existing
    ]


def markdown_files() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def test_every_link_into_the_benchmarks_lands_on_a_heading() -> None:
    assert dead_anchors(BENCHMARKS, markdown_files()) == []


def test_the_status_table_links_into_the_file() -> None:
    own_links = anchors_linked_into(BENCHMARKS, BENCHMARKS)
    headings = heading_anchors(BENCHMARKS.read_text(encoding="utf-8"))
    assert any(anchor.startswith("where-each-figure-stands") for anchor in headings)
    assert len(own_links) >= 10


def test_anchors_are_made_as_github_makes_them() -> None:
    cases = {
        "Ours vs baseline (5-fold, same folds)": "ours-vs-baseline-5-fold-same-folds",
        "Run 2026-12-06 21:30–21:50 (item 3: audit — which rules hold)": (
            "run-2026-12-06-21302150-item-3-audit--which-rules-hold"
        ),
        "1,000,000 articles, `facet` parameter": "1000000-articles-facet-parameter",
        "snake_case, ≥ 80 × goes; µs, 日本語 stay": "snake_case--80--goes-µs-日本語-stay",
    }
    assert {text: github_slug(text) for text in cases} == cases


def test_a_headings_markup_is_not_in_its_anchor() -> None:
    assert heading_anchors("### `tidings import` speed, **before** and after\n") == [
        "tidings-import-speed-before-and-after"
    ]


def test_repeated_headings_are_numbered_as_github_numbers_them() -> None:
    markdown = "## Measured\n\ntext\n\n### Measured\n\n## Measured-1\n\n#### Measured\n"
    assert heading_anchors(markdown) == ["measured", "measured-1", "measured-1-1", "measured-2"]


def test_a_hash_line_inside_a_code_block_is_not_a_heading() -> None:
    assert heading_anchors("## Real\n\n```\n# before\n```\n") == ["real"]


def test_a_dead_link_is_reported_with_its_file(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    target = docs / "benchmarks.md"
    target.write_text("# Benchmarks\n\n## Search\n\n| [here](#search) · [gone](#crawl) |\n|---|\n")
    readme = tmp_path / "README.md"
    readme.write_text(
        "[ok](docs/benchmarks.md#search), [dead](docs/benchmarks.md#stories), [web](https://x.org/#a)\n"
    )
    assert dead_anchors(target, [readme, target]) == [
        "README.md: #stories",
        "docs/benchmarks.md: #crawl",
    ]
