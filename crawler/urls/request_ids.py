"""Request fingerprints on canonical URLs, so Scrapy's dupefilter drops the same article
found through a feed and a sitemap under slightly different spellings (tracking parameters,
host case, default port, query order).

Trailing slashes are kept here: servers redirect ``/a`` to ``/a/``, and a fingerprint that
merged the two would drop the redirect as a duplicate.
"""

from __future__ import annotations

import hashlib

from scrapy import Request

from crawler.urls.canonical import canonicalize


class CanonicalRequestFingerprinter:
    """``REQUEST_FINGERPRINTER_CLASS`` that fingerprints method, canonical URL and body."""

    def fingerprint(self, request: Request) -> bytes:
        digest = hashlib.sha1(usedforsecurity=False)
        digest.update(request.method.encode())
        digest.update(b"\0")
        digest.update(canonicalize(request.url, keep_trailing_slash=True).encode())
        digest.update(b"\0")
        digest.update(request.body or b"")
        return digest.digest()
