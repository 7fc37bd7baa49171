"""Tidings: crawl news, tag it with topics and entities, index it, serve it.

This package holds the shared core (``tidings.core``: configuration, the article record, the
store of record and the index backends), the bundled demo news site (``tidings.demo``) and the
``tidings`` command line (``tidings.cli``), which is the only place that ties the crawler,
the classifier and the search API together.
"""

__version__ = "0.1.0"
