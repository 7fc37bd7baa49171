"""Where a sentence ends, defined once, in the three strengths its users need.

* Counting (:func:`sentence_ends`): the word floor asks whether a short body holds two
  sentences (:mod:`crawler.extract.floor`). A sentence ends at ``.``, ``!`` or
  ``?``, possibly before a closing quote or bracket, followed by a space or the line's end (so
  3.5's point does not count), or at a CJK full stop, question or exclamation mark, which no
  space follows. An ellipsis is no end: a teaser's "Read on…" must not count as a sentence.
* Splitting (:func:`split_sentences`): the summary takes a body's first sentences, so a split
  must be sure: an end mark (possibly before a closing quote or bracket), a space, then what
  starts a sentence in Latin script (a capital, a digit or an opening quote); "e.g. the" stays
  whole (an abbreviation before a number does not: "approx. 40" splits). CJK text is not split.
* Ending (:func:`ends_sentence`): loose text put back into a body must end as a finished
  sentence does; an ellipsis ("check out...", "Read on…") ends a teaser or a prompt instead.
"""

from __future__ import annotations

import re

_END = re.compile(r"[.!?][\"'”’»)\]]*(?=\s|$)|[。！？]", re.MULTILINE)
_LAST = re.compile(r"(?<![.…])[.!?。！？][\"'”’»)\]]*$")
_SPLIT = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'”’»)\]]))\s+(?=[A-Z0-9\"“'])")


def sentence_ends(text: str) -> int:
    """How many sentence ends ``text`` holds (lenient: for counting, never for cutting)."""
    return len(_END.findall(text))


def split_sentences(text: str) -> list[str]:
    """``text`` cut where a sentence surely ends (strict: a capital must follow)."""
    return _SPLIT.split(text)


def ends_sentence(text: str) -> bool:
    """Whether ``text`` ends as a finished sentence ends (not in an ellipsis)."""
    return _LAST.search(text) is not None
