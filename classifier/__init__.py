"""Topic classification and entity extraction for Tidings.

Imports only :mod:`tidings.core` (never the crawler, the API or the CLI), so the crawler can be
handed a tagger without depending on scikit-learn or spaCy itself.
"""
