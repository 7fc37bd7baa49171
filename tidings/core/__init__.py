"""The shared core: imported by ``crawler``, ``classifier`` and ``search_api``.

It imports none of them, so the dependency arrows point one way.
"""
