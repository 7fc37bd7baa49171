"""trafilatura's content search answered in one walk finds what its own XPath finds, stage by
stage, on documents built to hit (and nearly hit) every predicate of every stage."""

from __future__ import annotations

import random

import pytest
from trafilatura.xpaths import BODY_XPATH

from crawler.extract import content_search
from crawler.extract.content_search import has_mark, marks
from crawler.extract.document import parse_html

TAGS = ("article", "div", "main", "section", "span", "p", "aside")
#: id, class and role values: each stage's matches, near misses, case variants, and plain ones.
IDS = ("articleContent", "entry-content", "art-content", "article__body", "articleBody",
       "body-text", "article", "story", "primary-col", "x-primary", "story-body", "content",
       "content-main", "contentBody", "Main-Content", "MAIN-CONTENT", "the-main-content",
       "main", "mainbar", "Main", "Article", "nav", "sidebar", "contentbody")  # fmt: skip
CLASSES = ("post", "entry", "post entry", "post-text", "post_content", "postContent",
           "post_inner_wrapper", "articleText", "page-content", "Page-Content", "ArticleContent",
           "article__container", "postarea", "art-postcontent", "text", "cell", "story",
           "FullText", "x-fulltext-y", "article wide", "xarticle y", "post-bodycopy",
           "storycontent", "blog-content", "single-post", "main-column", "wpb_text_column",
           "field-body", "content", "content_main", "content__body", "Main-Content",
           "main", "mainwrap", "x main", "teaser", "related", "")  # fmt: skip
ROLES = ("article", "main", "mainish", "navigation", "Article")


def _element(rng: random.Random, depth: int) -> str:
    tag = rng.choice(TAGS)
    attributes = []
    if rng.random() < 0.4:
        attributes.append(f'id="{rng.choice(IDS)}"')
    if rng.random() < 0.5:
        attributes.append(f'class="{rng.choice(CLASSES)}"')
    if rng.random() < 0.1:
        attributes.append(f'role="{rng.choice(ROLES)}"')
    if rng.random() < 0.05:
        attributes.append('itemprop="articleBody"')
    children = "".join(
        _element(rng, depth + 1) for _ in range(rng.randint(0, 3 if depth < 4 else 0))
    )
    return f"<{tag} {' '.join(attributes)}>t{children}</{tag}>"


def _documents(count: int) -> list[str]:
    rng = random.Random(16)
    return [
        "<html><body>"
        + "".join(_element(rng, 0) for _ in range(rng.randint(1, 6)))
        + "</body></html>"
        for _ in range(count)
    ]


def _xpath_marks(doc) -> list:  # type: ignore[no-untyped-def]
    return [next(iter(search(doc)), None) for search in BODY_XPATH]


def test_the_transcription_is_of_the_installed_trafilatura() -> None:
    # fails when trafilatura's expressions change: re-transcribe them (until then the slower
    # XPath answers, so output stays right)
    assert content_search.TRANSCRIPTION_HOLDS


def test_every_stage_finds_what_trafilatura_finds() -> None:
    hits = [0] * len(BODY_XPATH)
    for html in _documents(600):
        doc = parse_html(html)
        want = _xpath_marks(doc)
        got = marks(doc)
        assert [id(e) if e is not None else None for e in got] == [
            id(e) if e is not None else None for e in want
        ], html
        assert all(a is b for a, b in zip(got, want, strict=True)), html
        assert has_mark(doc) == any(e is not None for e in want), html
        hits = [n + (e is not None) for n, e in zip(hits, want, strict=True)]
    assert all(n >= 20 for n in hits), hits  # every stage was exercised, matching and not


@pytest.mark.parametrize(
    ("html", "stage"),
    [
        ('<div class="Post"><div class="post">x</div></div>', 0),  # equality is case-sensitive
        ('<section class="x-FULLTEXT">x</section>', 2),  # the one case-blind pattern
        ('<div id="Main-Content">x</div>', 3),  # translate() folds C and M (only)
        ('<span class="main"><main>x</main></span>', 4),  # <main> by the union's second part
    ],
)
def test_edge_predicates_agree(html: str, stage: int) -> None:
    doc = parse_html(f"<html><body>{html}</body></html>")
    want, got = _xpath_marks(doc), marks(doc)
    assert got[stage] is want[stage]
    assert got[stage] is not None


def test_another_trafilatura_gets_its_own_xpath(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = parse_html("<html><body><div class='content'><article>x</article></div></body></html>")
    monkeypatch.setattr(content_search, "TRANSCRIPTION_HOLDS", False)
    assert all(a is b for a, b in zip(marks(doc), _xpath_marks(doc), strict=True))
    assert has_mark(doc)
