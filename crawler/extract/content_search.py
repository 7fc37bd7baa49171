"""trafilatura's content search (``trafilatura.xpaths.BODY_XPATH``) answered in one walk.

Two body rules ask what trafilatura's content search finds in a document: the story focus
(:mod:`crawler.extract.focus`: does the container's copy, or the page, hold a marker at all?)
and the container walk (:mod:`crawler.extract.container_text`: which element does each stage
mark?). As XPath, the search's ``re:test`` predicates run a Python callback for every
``<article>``, ``<div>``, ``<main>`` and ``<section>`` of the document, stage after stage:
~1.1 CPU-ms a focused page for the walk's search alone, more on a whole page. Here one walk
over those elements tests each one's own attributes in Python, once, for every stage.

Each stage is "the first element in document order that passes a test of its own tag and
attributes" (the first stage's ``[1]`` on the child step picks the first matching child of
each parent, and the first of those in document order is the first match of all; the last
stage is a union whose first member is whichever part matches first). The tests below are
transcriptions of trafilatura's expressions, so they are used only while its expressions are
the ones transcribed (:data:`TRANSCRIBED`, checked at import); any other trafilatura version
gets its own XPath, unchanged. ``tests/crawler/test_content_search.py`` compares both ways,
stage by stage, on pages built to hit every predicate.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from lxml import html as lxml_html
from trafilatura.xpaths import BODY_XPATH

Element = lxml_html.HtmlElement
#: SHA-256 of trafilatura's ``BODY_XPATH`` expressions (joined by NUL) that the tests below
#: transcribe (trafilatura 2.3.1).
TRANSCRIBED = "1cbf719d5948b3bbd5a27762b0d60452eb214d7434c84f4e67a535539c704570"

_CONTAINERS = ("article", "div", "main", "section")
_S0_ID = re.compile(
    r"(?:entry|article|art)-content|article__content|article(?:-|__)?body|articleBody|body-text"
)
_S0_CLASS = re.compile(
    r"post[-_]text|post-body|post-?entry|post[-_]?content|postContent|post_inner_wrapper|"
    r"article-?text|articleText|(?:entry|page|text|article|art)-content|article__content|"
    r"article(?:-|__)?body|articleBody|ArticleContent|body-text|article__container"
)
_S2_ID = re.compile(r"^primary|story-body")
_S2_CLASS_I = re.compile(r"fulltext", re.IGNORECASE)
_S2_CLASS = re.compile(
    r"^article |post-bodycopy|story-?content|(?:theme|blog|section|single)-content|single-post|"
    r"main-column|wpb_text_column|story-body|field-body"
)
_S3_ID = re.compile(r"content-main|content-body|contentBody")
_S3_CLASS = re.compile(r"content[-_]main|content(?:-|__)body")


def _stage0(tag: str, ident: str, cls: str, el: Element) -> bool:
    return (
        cls in ("post", "entry")
        or el.get("itemprop") == "articleBody"
        or ident == "articleContent"
        or bool(_S0_ID.search(ident) or _S0_CLASS.search(cls))
    )


def _stage1(tag: str, ident: str, cls: str, el: Element) -> bool:
    return tag == "article"


def _stage2(tag: str, ident: str, cls: str, el: Element) -> bool:
    return (
        el.get("role") == "article"
        or ident in ("article", "story")
        or cls in ("postarea", "art-postcontent", "text", "cell", "story")
        or bool(_S2_ID.search(ident) or _S2_CLASS_I.search(cls) or _S2_CLASS.search(cls))
    )


def _stage3(tag: str, ident: str, cls: str, el: Element) -> bool:
    return (
        ident == "content"
        or cls == "content"
        or bool(_S3_ID.search(ident) or _S3_CLASS.search(cls))
        or "main-content" in ident.replace("C", "c").replace("M", "m")
        or "main-content" in cls.replace("C", "c").replace("M", "m")
        or "page-content" in cls.replace("C", "c").replace("P", "p")
    )


def _stage4(tag: str, ident: str, cls: str, el: Element) -> bool:
    role = el.get("role") or ""
    return tag == "main" or any(x.startswith("main") for x in (cls, ident, role))


#: The stages in trafilatura's order, each testing one ``<article>``, ``<div>``, ``<main>`` or
#: ``<section>`` (the second and last stages narrow the tags themselves).
_STAGES: tuple[Callable[[str, str, str, Element], bool], ...] = (
    _stage0, _stage1, _stage2, _stage3, _stage4,
)  # fmt: skip


def _fingerprint() -> str:
    return hashlib.sha256("\0".join(x.path for x in BODY_XPATH).encode()).hexdigest()


TRANSCRIPTION_HOLDS = _fingerprint() == TRANSCRIBED and len(BODY_XPATH) == len(_STAGES)
#: Without the transcription, whether any stage finds an element is asked of the stages
#: without regular expressions first (the answer does not depend on the order).
_BY_COST = sorted(BODY_XPATH, key=lambda search: search.path.count("re:test"))


def marks(doc: Element) -> list[Element | None]:
    """What each stage of trafilatura's content search finds first in ``doc`` (below its root),
    in trafilatura's stage order; None where a stage finds nothing."""
    if not TRANSCRIPTION_HOLDS:
        return [next(iter(search(doc)), None) for search in BODY_XPATH]
    found: list[Element | None] = [None] * len(_STAGES)
    left = len(_STAGES)
    for element in doc.iterdescendants(_CONTAINERS):
        tag, ident, cls = element.tag, element.get("id") or "", element.get("class") or ""
        for stage, test in enumerate(_STAGES):
            if found[stage] is None and test(tag, ident, cls, element):
                found[stage] = element
                left -= 1
        if not left:
            break
    return found


def has_mark(doc: Element) -> bool:
    """Whether any stage of trafilatura's content search finds an element in ``doc``."""
    if not TRANSCRIPTION_HOLDS:
        return any(search(doc) for search in _BY_COST)
    for element in doc.iterdescendants(_CONTAINERS):
        tag, ident, cls = element.tag, element.get("id") or "", element.get("class") or ""
        if any(test(tag, ident, cls, element) for test in _STAGES):
            return True
    return False
