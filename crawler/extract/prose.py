"""What is *not* story prose, defined once: the parts of a page a story's text never sits in.

Two readers need the answer: :mod:`crawler.extract.focus` counts a page's prose to find the
story's container, and :mod:`crawler.extract.blocks` collects paragraphs from the copies of that
container. They used to keep two lists that disagreed (one knew ``aside`` only, the other also
``nav`` and ``footer``; one matched "comment" in either case, the other only in lower case).
Here one list of elements and one list of class/id words answer both: a page query
(:func:`story_paragraphs`) and a test for a single element (:func:`outside_prose`).

An element is outside story prose when it, or an element around it, is

* one of :data:`NOT_PROSE_TAGS` — page furniture (``aside``, ``nav``, ``footer``) or never
  text at all (scripts, styles, templates, drawings, buttons); or
* named for a reader discussion: a word of its ``class`` or ``id`` starts with one of
  :data:`DISCUSSION_WORDS`, in any case (nearly every CMS and comment service names its thread
  this way), ``commentary`` and ``commentator`` excepted (an opinion column is story prose).
"""

from __future__ import annotations

import re

from lxml import html as lxml_html

from crawler.extract.names import PageNames

NOT_PROSE_TAGS = frozenset({"aside", "nav", "footer", "script", "style", "noscript", "template",
                            "svg", "button"})  # fmt: skip
DISCUSSION_WORDS = ("comment", "discuss", "disqus", "reply", "replies")
#: One of :data:`DISCUSSION_WORDS` at the start of a word of a class or id (``comments-area``,
#: ``wp-commentlist``, ``postComments``, ``disqus_thread``), in any case; not inside a word
#: (``uncommented``) and not ``commentary`` / ``commentator`` (an opinion column is prose).
_DISCUSSION = re.compile(
    r"(?:(?<![A-Za-z0-9])|(?<=[a-z])(?=[A-Z]))"
    r"(?i:comment(?!ar|at)|discuss|disqus|repl(?:y|ies)(?![a-z]))"
)

def not_prose_roots(
    tree: lxml_html.HtmlElement, names: PageNames | None = None
) -> set[lxml_html.HtmlElement]:
    """The elements of ``tree`` that are themselves outside story prose (their subtrees too).

    Tags are found by lxml's C iterator, and names tested in Python only on the few elements
    whose class or id holds a discussion word at all (:meth:`PageNames.elements`; ``names``:
    the tree's, when the caller has read them): testing every named element in Python cost
    ~1.5 ms on a generated 100 KB page.
    """
    roots = set(tree.iter(*NOT_PROSE_TAGS))
    named = (names or PageNames(tree)).elements(DISCUSSION_WORDS)
    roots.update(el for el in named if names_discussion(el))
    return roots


def story_paragraphs(
    tree: lxml_html.HtmlElement, names: PageNames | None = None
) -> list[lxml_html.HtmlElement]:
    """The page's ``<p>`` elements of story prose: none inside an element outside it."""
    roots = not_prose_roots(tree, names)
    return [
        p
        for p in tree.iter("p")
        if p not in roots and not any(a in roots for a in p.iterancestors())
    ]


def names_discussion(el: lxml_html.HtmlElement) -> bool:
    """Whether the element's class or id names a reader discussion (the substring test first:
    most names hold none of the words, and it is several times cheaper than the pattern)."""
    name = f"{el.get('class') or ''} {el.get('id') or ''}"
    lowered = name.lower()
    return any(word in lowered for word in DISCUSSION_WORDS) and bool(_DISCUSSION.search(name))


def is_not_prose(el: lxml_html.HtmlElement) -> bool:
    """Whether the element itself is furniture, never-text or a discussion (not its ancestors)."""
    return el.tag in NOT_PROSE_TAGS or names_discussion(el)


def outside_prose(el: lxml_html.HtmlElement) -> bool:
    """Whether the element, or any element around it, is outside story prose."""
    return is_not_prose(el) or any(is_not_prose(a) for a in el.iterancestors())
