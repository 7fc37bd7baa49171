"""What is *not* story prose, defined once: the parts of a page a story's text never sits in.

Two readers need the answer: :mod:`crawler.extract.focus` counts a page's prose to find the
story's container, and :mod:`crawler.extract.blocks` collects paragraphs from the copies of that
container. They used to keep two lists that disagreed (one knew ``aside`` only, the other also
``nav`` and ``footer``; one matched "comment" in either case, the other only in lower case).
Here one list of elements and one list of class/id words give both renderings: an XPath
predicate for whole-page queries (run in C) and a Python test for a single element.

An element is outside story prose when it, or an element around it, is

* one of :data:`NOT_PROSE_TAGS` — page furniture (``aside``, ``nav``, ``footer``) or never
  text at all (scripts, styles, templates, drawings, buttons); or
* named for a reader discussion: its ``class`` or ``id`` holds one of :data:`DISCUSSION_WORDS`,
  in any case (nearly every CMS and comment service names its thread this way).
"""

from __future__ import annotations

from lxml import etree
from lxml import html as lxml_html

NOT_PROSE_TAGS = frozenset({"aside", "nav", "footer", "script", "style", "noscript", "template",
                            "svg", "button"})  # fmt: skip
DISCUSSION_WORDS = ("comment", "discuss", "disqus", "reply", "replies")

_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_NAME = f"translate(concat(@class, ' ', @id), '{_UPPER}', '{_UPPER.lower()}')"
#: XPath predicate, true on an element that is itself outside story prose.
_SELF = " or ".join(
    [*(f"self::{tag}" for tag in sorted(NOT_PROSE_TAGS)),
     *(f"contains({_NAME}, '{word}')" for word in DISCUSSION_WORDS)]
)  # fmt: skip
#: ``<p>`` elements of story prose: in the whole page, and below a given element.
PAGE_PARAGRAPHS = etree.XPath(f"//p[not(ancestor-or-self::*[{_SELF}])]")
PARAGRAPHS_WITHIN = etree.XPath(f".//p[not(ancestor-or-self::*[{_SELF}])]")


def names_discussion(el: lxml_html.HtmlElement) -> bool:
    """Whether the element's class or id names a reader discussion."""
    name = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    return any(word in name for word in DISCUSSION_WORDS)


def is_not_prose(el: lxml_html.HtmlElement) -> bool:
    """Whether the element itself is furniture, never-text or a discussion (not its ancestors)."""
    return el.tag in NOT_PROSE_TAGS or names_discussion(el)


def outside_prose(el: lxml_html.HtmlElement) -> bool:
    """Whether the element, or any element around it, is outside story prose."""
    return is_not_prose(el) or any(is_not_prose(a) for a in el.iterancestors())
