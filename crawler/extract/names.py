"""Elements found by what their class or id says, when a rule looks for a few words among a
page's many names.

A generated 100 KB page names ~1,300 elements; making an element proxy for each and testing
its name in Python cost the rules that look for reader discussions and widgets ~1 ms each a
page. Here the page's names are read once as plain strings (one XPath each for ``class`` and
``id``) and searched at once for each rule's words; only when a name matches are the elements
that bear one picked: by an XPath over the attributes when a few names match, else by one walk.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache

from lxml import etree
from lxml import html as lxml_html

#: Joins the names searched at once: no attribute value holds a NUL, so no match spans two.
_APART = "\0"
_CLASSES = etree.XPath("//@class", smart_strings=False)
_IDS = etree.XPath("//@id", smart_strings=False)


#: Up to this many names found, their elements are found by an XPath over the attributes
#: (0.46-0.52 against 0.74 CPU-ms a generated page, which names its reader comments
#: ``comment``); more, by one walk of the elements, whose cost does not grow with the names.
FEW_NAMES = 4
_VARIABLES = tuple(f"v{k}" for k in range(FEW_NAMES))


@cache
def _bearing(count: int) -> etree.XPath:
    """The elements in and under the context element whose ``class`` or ``id`` is one of
    ``count`` names (``$v0``...), in document order, each once: what the walk finds."""
    test = " or ".join(f".=${name}" for name in _VARIABLES[:count])
    return etree.XPath(f".//@class[{test}]/.. | .//@id[{test}]/..")


class PageNames:
    """Every class and id value of a page, read once for the rules that search them."""

    def __init__(self, tree: lxml_html.HtmlElement) -> None:
        self.tree = tree
        self.names: list[str] = [*_CLASSES(tree), *_IDS(tree)]
        #: lower() may change lengths, never the separators
        self.lowered = _APART.join(self.names).lower()

    def elements(
        self, words: Iterable[str], pattern: re.Pattern[str] | None = None, scope: str = "//"
    ) -> list[lxml_html.HtmlElement]:
        """The elements under ``scope`` (``//``: the whole page; ``//body//``: inside the body)
        whose ``class`` or ``id``, lower-cased, holds one of ``words`` (and a match of
        ``pattern``, when given: each of its matches holds one of ``words``); in document order.

        A superset of what a rule testing ``f"{class} {id}".lower()`` for ``words`` can flag (no
        word holds a space, so each lies within the one or the other); the rule tests those.
        """
        words = tuple(words)
        if not any(word in self.lowered for word in words):  # most pages: a plain search
            return []
        pattern = pattern or re.compile("|".join(map(re.escape, words)))
        hits = {self.names[n] for n in self._matching(pattern)}
        if not hits:
            return []
        if scope == "//" and len(hits) <= FEW_NAMES:
            # libxml2 tests the attributes; proxies only for the elements that bear a hit
            return _bearing(len(hits))(self.tree, **dict(zip(_VARIABLES, hits, strict=False)))
        # one pass over the elements, whatever the number of names found (an XPath testing
        # each name costs with their number: pages name hundreds of comments "comment-1234")
        return [el for el in self._under(scope) if el.get("class") in hits or el.get("id") in hits]

    def _under(self, scope: str) -> Iterator[lxml_html.HtmlElement]:
        """The elements under ``scope``, in document order."""
        if scope == "//":
            return self.tree.iter(etree.Element)
        return (el for body in self.tree.iter("body") for el in body.iterdescendants(etree.Element))

    def _matching(self, pattern: re.Pattern[str]) -> Iterator[int]:
        """Positions in :attr:`names` of the names ``pattern`` finds a match in (the
        separators before each match counted once, in one pass over the text)."""
        at = seen = 0
        for match in pattern.finditer(self.lowered):
            at += self.lowered.count(_APART, seen, match.start())
            seen = match.start()
            yield at
