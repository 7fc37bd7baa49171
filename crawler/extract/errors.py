"""The one failure extraction reports on purpose."""

from __future__ import annotations


class NotAnArticle(ValueError):
    """The page is not a news article (no title, or too little body text); ``str()`` says why."""
