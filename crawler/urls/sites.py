"""Which site a URL belongs to: its registrable domain, by the Public Suffix List.

A page may speak for its own site only (its canonical URL, its article id): ``a.example.co.uk``
and ``b.example.co.uk`` are one site, ``evil.co.uk`` and ``victim.co.uk`` are two, and so are
``evil.github.io`` and ``victim.github.io`` (the list's private section names hosting domains
whose subdomains have different owners). tldextract reads the list from the snapshot bundled
in its package: no network access and no cache directory at run time.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import tldextract

from tidings.core.hosts import within_domain

_EXTRACT = tldextract.TLDExtract(
    cache_dir=None, suffix_list_urls=(), include_psl_private_domains=True
)


@lru_cache(maxsize=4096)
def registrable_domain(host: str) -> str:
    """``host``'s registrable domain; a host with no public suffix (an IP address,
    ``localhost``) is a site of its own."""
    host = host.lower().rstrip(".")
    return _EXTRACT.extract_str(host).top_domain_under_public_suffix or host


def same_site(host: str, page_host: str, own_domains: Iterable[str] = ()) -> bool:
    """True if ``host`` is on ``page_host``'s site, or both are under the source's
    ``own_domains`` (a publisher may name several domains as its own, e.g. an AMP or CDN host)."""
    if not host or not page_host:
        return False
    if registrable_domain(host) == registrable_domain(page_host):
        return True
    return any(within_domain(host, d) for d in own_domains) and any(
        within_domain(page_host, d) for d in own_domains
    )
