"""Crawl news sites politely (feeds, sitemaps, pages), extract articles, hand them on in batches.

Imports only ``tidings.core``: the classifier arrives as an object that follows
:class:`tidings.core.tagging.ArticleTagger`, handed in by the CLI.
"""
