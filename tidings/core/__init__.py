"""The shared core: imported by ``crawler``, ``classifier`` and ``search_api``; imports none of them."""
