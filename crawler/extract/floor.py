"""When a short body is still an article: the record's word floor, decided on product grounds.

A page whose body is under :data:`MIN_WORDS` is never an article: an empty or error page, a
gallery or video page, a section front, a teaser (headline and a one-line dek linking on).
News briefs of 25–40 words exist ("The council approved the budget on Tuesday. …"), so a body
between :data:`MIN_WORDS` and :data:`BRIEF_WORDS` is kept when it reads as a brief: at least
:data:`BRIEF_SENTENCES` sentences (a dek or a caption is one) and a page that does not declare
itself paywalled (JSON-LD ``isAccessibleForFree: false``: what a short body there shows is
the stub non-subscribers get, not the story). From :data:`BRIEF_WORDS` words on, the body is
taken as extracted, as before.
"""

from __future__ import annotations

from crawler.extract.sentences import sentence_ends

#: Fewer body words than this and the page is never an article.
MIN_WORDS = 25
#: From this many words a body is an article without further checks (the floor until issue 16).
BRIEF_WORDS = 40
#: A shorter body must hold at least this many sentences to count as a brief.
BRIEF_SENTENCES = 2


def floor_verdict(body: str, words: int, paywalled: bool) -> str | None:
    """Why the body is too short to be an article, or None when it passes the floor."""
    if words < MIN_WORDS:
        return f"body has {words} words, fewer than {MIN_WORDS}"
    if words >= BRIEF_WORDS:
        return None
    if paywalled:
        return f"body has {words} words on a paywalled page: a subscriber stub"
    if sentence_ends(body) < BRIEF_SENTENCES:
        return f"body has {words} words and no second sentence: a teaser, not a brief"
    return None
