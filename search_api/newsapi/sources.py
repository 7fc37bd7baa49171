"""Tidings' sources described as NewsAPI describes its sources.

Sources are those the store holds articles of and those the sources file configures (as
``/api/v1/sources`` lists them). NewsAPI's fields are derived, never invented per source:
``url`` is the source's home (else ``https://<domain>``); ``language`` is the configured one,
else the commonest among its indexed articles; ``category`` is that of the first of its
configured default topics that the taxonomy files under a category, else that of its
commonest such topic among its indexed articles, else ``general``; ``country`` is the country
of the domain's country-code TLD (``.co.uk`` -> ``gb``), none for generic TLDs such as
``.com``. What is read from the index is one facet search per source, remembered for a minute.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from search_api.catalog import configured_sources
from search_api.resources import resources
from search_api.searching import run_search
from tidings.core.index.base import SearchRequest
from tidings.core.taxonomy import topic_categories

#: How long what a source's articles say (language, topics) is remembered, in seconds.
OBSERVED_SECONDS = 60.0

#: Country-code TLDs whose ISO 3166 code differs.
_TLD_COUNTRY = {"uk": "gb"}
#: Two-letter TLDs that are not used as countries (European Union, tech vanity domains).
_NOT_COUNTRIES = frozenset({"eu", "io", "ai", "tv", "me", "co", "fm", "ly", "gg", "sh"})


@dataclass(frozen=True)
class NewsSource:
    id: str
    name: str
    description: str
    url: str | None
    category: str
    language: str | None
    country: str | None
    domain: str | None

    def record(self) -> dict[str, Any]:
        """The source in NewsAPI's shape."""
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "url": self.url,
            "category": self.category,
            "language": self.language,
            "country": self.country,
        }

    def serves(self, domain: str) -> bool:
        """Does this source publish on ``domain`` (or a subdomain of it)?"""
        own = (self.domain or "").lower().removeprefix("www.")
        wanted = domain.lower().strip().removeprefix("www.")
        return bool(own and wanted) and (own == wanted or own.endswith("." + wanted))


def country_of(domain: str | None) -> str | None:
    """The country a domain's country-code TLD names, if it names one."""
    tld = (domain or "").lower().rstrip(".").rpartition(".")[2]
    if len(tld) != 2 or not tld.isalpha() or tld in _NOT_COUNTRIES:
        return None
    return _TLD_COUNTRY.get(tld, tld)


def all_sources(*, described: bool = True) -> list[NewsSource]:
    """Every source the store holds articles of or the sources file configures; with
    ``described=False`` without what only the index can say (language, category: they stay
    as configured), for filters that need only ids and domains."""
    configured = {s.id: s for s in configured_sources()}
    stored = {row["id"]: row for row in resources().store.source_counts()}
    categories = topic_categories(resources().settings.taxonomy)
    out = []
    for sid in dict.fromkeys([*stored, *configured]):
        source, row = configured.get(sid), stored.get(sid, {})
        domain = (source.domain if source else None) or row.get("domain") or None
        name = (source.name if source else None) or row.get("name") or sid
        language = source.language if source else None
        topics = source.topics if source else ()
        if described and (not language or not any(t in categories for t in topics)):
            seen_language, seen_topics = _observed(sid)
            language = language or seen_language
            topics = (*topics, *seen_topics)
        out.append(
            NewsSource(
                id=sid,
                name=name,
                description=f"{name}: {row.get('articles', 0)} articles in this Tidings",
                url=(source.home if source else None) or (f"https://{domain}" if domain else None),
                category=next((categories[t] for t in topics if t in categories), "general"),
                language=language,
                country=country_of(domain),
                domain=domain,
            )
        )
    return out


#: (home, source id) -> (until, language, topics): per Tidings home, since tests run many apps.
_seen: dict[tuple[str, str], tuple[float, str | None, tuple[str, ...]]] = {}
_seen_lock = threading.Lock()


def _observed(source_id: str) -> tuple[str | None, tuple[str, ...]]:
    """The commonest language and the topics (commonest first) of a source's articles."""
    now = time.monotonic()
    key = (str(resources().settings.home), source_id)
    with _seen_lock:
        hit = _seen.get(key)
    if hit and hit[0] > now:
        return hit[1], hit[2]
    request = SearchRequest(
        sources=(source_id,), limit=1, facets=("language", "topic"), highlight=False
    )
    facets = run_search(request).facets
    languages = [value for value, _ in facets.get("language", [])]
    topics = tuple(value for value, _ in facets.get("topic", []))
    with _seen_lock:
        if len(_seen) > 10_000:
            _seen.clear()
        _seen[key] = (now + OBSERVED_SECONDS, languages[0] if languages else None, topics)
    return (languages[0] if languages else None), topics
