"""The one place that turns NewsAPI's parameters into Tidings' search request.

- ``q`` (each one, if repeated: all required) and ``qInTitle`` -> ``q`` in Tidings' query
  language (:mod:`.query`); ``qInTitle`` and ``searchIn=title`` scope the words to ``title:``
- ``sources`` -> ``sources`` (source ids); ``domains`` -> ``sources``: those on the domains
- ``excludeDomains`` -> ``NOT source:<id>`` for each source on those domains
- ``from`` / ``to`` -> ``date_from`` / ``date_to``; ``language`` -> ``languages``
- ``sortBy``: ``relevancy`` -> ``relevance``, ``publishedAt`` -> ``date``, ``popularity`` ->
  ``relevance`` re-ranked by how many sources carried the story (:mod:`.popularity`)
- ``country`` -> ``sources``: the sources of that country (:mod:`.sources`)
- ``category`` -> ``topics``: those the taxonomy files under it (:mod:`.categories`)
- ``page`` / ``pageSize`` -> the hits from ``(page-1)*pageSize`` on (:mod:`.running`)

A filter that no source or topic satisfies makes the request match nothing (``None``), as
NewsAPI answers such requests with no articles rather than an error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from search_api.newsapi.categories import category_topics
from search_api.newsapi.errors import NewsApiError, invalid
from search_api.newsapi.params import NewsRequest
from search_api.newsapi.query import QuerySyntaxError, translate
from search_api.newsapi.sources import NewsSource
from tidings.core.index.base import SearchRequest
from tidings.core.index.cursor import MAX_OFFSET

MAX_SOURCES = 20
#: The deepest result a page may reach (Tidings' offset cap, as Elasticsearch's).
MAX_RESULTS = MAX_OFFSET
_SORTS = {"relevancy": "relevance", "popularity": "relevance", "publishedAt": "date"}


@dataclass(frozen=True)
class Plan:
    """What to run for a NewsAPI request: the search (``None``: nothing can match), and the
    slice of its ranking to answer with."""

    request: SearchRequest | None
    start: int
    stop: int
    by_popularity: bool = False


def plan(news: NewsRequest, sources: Callable[[], list[NewsSource]], taxonomy: Path | None) -> Plan:
    """The search for ``news``; :class:`NewsApiError` if NewsAPI would refuse the request.

    ``sources()`` lists the known sources; it is called only when a parameter names sources,
    domains or a country."""
    _check_required(news)
    start, stop = (news.page - 1) * news.page_size, news.page * news.page_size
    if stop > MAX_RESULTS:
        raise invalid(
            f"You have requested too many results: page * pageSize may be at most {MAX_RESULTS}."
        )
    if news.date_from and news.date_to and news.date_from > news.date_to:
        raise invalid("The from parameter is invalid: it is after to.")
    named = news.sources or news.domains or news.exclude_domains or news.country
    known = sources() if named else []
    source_ids, matchable = _source_filter(news, known)
    topics: tuple[str, ...] = ()
    if news.category:
        topics = category_topics(taxonomy, news.category)
        matchable = matchable and bool(topics)
    # top-headlines takes any language value: a region ("en-US") is dropped
    languages = (news.language.lower().partition("-")[0],) if news.language else ()
    request = SearchRequest(
        q=_query(news, known),
        sources=source_ids,
        topics=topics,
        languages=languages,
        date_from=news.date_from,
        date_to=news.date_to,
        sort=_SORTS[news.sort_by] if news.endpoint == "everything" else "date",  # type: ignore[arg-type]
        limit=news.page_size,
        facets=(),
        highlight=False,
    )
    by_popularity = news.endpoint == "everything" and news.sort_by == "popularity"
    return Plan(request if matchable else None, start, stop, by_popularity)


def _check_required(news: NewsRequest) -> None:
    if news.endpoint == "everything":
        if not (news.q or news.q_in_title or news.sources or news.domains):
            raise NewsApiError(
                "parametersMissing",
                "Required parameters are missing, the scope of your search is too broad. "
                "Please set any of the following required parameters and try again: q, "
                "qInTitle, sources, domains.",
            )
        return
    if news.sources and (news.country or news.category):
        raise NewsApiError(
            "parameterInvalid",
            "You cannot mix the sources parameter with the country or category parameters.",
        )
    if not (news.q or news.q_in_title or news.sources or news.country or news.category
            or news.language):  # fmt: skip
        raise NewsApiError(
            "parametersMissing",
            "Required parameters are missing. Please set any of the following parameters and "
            "try again: sources, q, qInTitle, language, country, category.",
        )


def _query(news: NewsRequest, sources: list[NewsSource]) -> str:
    """Every q (all required), qInTitle and excludeDomains as one Tidings query."""
    in_title = bool(news.search_in) and set(news.search_in) == {"title"}
    try:  # each part in parentheses: the parts are all required, whatever is inside
        parts = [f"({translate(q, in_title=in_title)})" for q in news.q]
        if news.q_in_title:
            parts.append(f"({translate(news.q_in_title, in_title=True)})")
    except QuerySyntaxError as exc:
        raise invalid(f"The q parameter is invalid: {exc}.") from None
    for source in _on_domains(sources, news.exclude_domains):
        parts.append(f'NOT source:"{source.id}"')
    return " ".join(parts)


def _source_filter(news: NewsRequest, sources: list[NewsSource]) -> tuple[tuple[str, ...], bool]:
    """The source ids to keep (empty: any) and whether any article can match at all."""
    allowed: set[str] | None = None
    if news.sources:
        wanted = _split(news.sources)
        if len(wanted) > MAX_SOURCES:
            raise NewsApiError(
                "sourcesTooMany",
                f"You have requested too many sources: {len(wanted)}. The limit is "
                f"{MAX_SOURCES} sources per request.",
            )
        known = {s.id for s in sources}
        missing = [sid for sid in wanted if sid not in known]
        if missing:
            raise NewsApiError(
                "sourceDoesNotExist",
                f"You have requested a source which does not exist: {missing[0]}.",
            )
        allowed = set(wanted)
    if news.domains:
        on = {s.id for s in _on_domains(sources, news.domains)}
        allowed = on if allowed is None else allowed & on
    if news.country:
        country = news.country.lower()
        of = {s.id for s in sources if s.country == country}
        allowed = of if allowed is None else allowed & of
    if allowed is None:
        return (), True
    return tuple(sorted(allowed)), bool(allowed)


def _on_domains(sources: Iterable[NewsSource], domains: str | None) -> list[NewsSource]:
    wanted = _split(domains or "")
    return [s for s in sources if any(s.serves(d) for d in wanted)]


def _split(text: str) -> list[str]:
    return list(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
