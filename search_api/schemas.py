"""Response shapes of the API as marshmallow schemas: they document, views still ``jsonify``.

flask-smorest turns these into the OpenAPI components that clients (and the schemathesis tests)
check responses against. Views return ready responses, so nothing is serialised twice; a test
validates every documented response against these schemas.
"""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields


def _opt(field: fields.Field) -> fields.Field:
    """``field`` that may be null (OpenAPI 3.1: ``type: [..., "null"]``)."""
    field.allow_none = True
    return field


def _str() -> fields.Field:
    return _opt(fields.String())


class Open(Schema):
    """Objects may grow new keys: clients must ignore those they do not know."""

    class Meta:
        unknown = INCLUDE


class ProblemSchema(Open):
    """An RFC 9457 problem document."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    instance = fields.String()
    invalid_params = fields.List(
        fields.Dict(keys=fields.String(), values=fields.String()),
        metadata={"description": "Each bad parameter: `name` and `reason`."},
    )


class SourceRef(Open):
    id = _str()
    name = _str()
    domain = _str()


class TopicRef(Open):
    id = fields.String(required=True)
    score = _opt(fields.Float())
    origin = _str()


class EntityRef(Open):
    text = _str()
    label = _str()
    key = _str()


class ListedArticle(Open):
    """An article in a list: enough to render a result, no body."""

    id = fields.String(required=True)
    title = _str()
    url = _str()
    summary = _str()
    source = _opt(fields.Nested(SourceRef))
    published_at = _str()
    topics = fields.List(fields.Nested(TopicRef))
    entities = fields.List(fields.Nested(EntityRef))
    cluster_id = _str()
    story_id = _opt(fields.String(metadata={"description": "The story (event) it reports."}))


class HitSchema(ListedArticle):
    highlights = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "HTML fragments; only `<b>` is markup, all text is escaped."},
    )
    score = _opt(fields.Float())
    cluster_size = fields.Integer(metadata={"description": "Matching articles in this story."})


class FacetValue(Open):
    value = fields.String(required=True)
    count = fields.Integer(required=True)


class DayCount(Open):
    date = fields.String(required=True, metadata={"description": "YYYY-MM-DD (UTC)"})
    count = fields.Integer(required=True)


class QueryEcho(Open):
    q = fields.String()
    topic = fields.List(fields.String())
    source = fields.List(fields.String())
    entity = fields.List(fields.String())
    lang = fields.List(fields.String())
    from_ = _opt(fields.String(data_key="from"))
    to = _str()
    sort = fields.String()
    limit = fields.Integer()
    cursor = _str()
    collapse = fields.String(
        metadata={"enum": ["none", "cluster", "story"], "description": "What hits were grouped by."}
    )
    recency = fields.Boolean()
    histogram = fields.Boolean()
    facet = fields.List(fields.String(), metadata={"description": "The facets counted."})


class SearchResponse(Open):
    query = fields.Nested(QueryEcho, required=True)
    total = fields.Integer(required=True)
    hits = fields.List(fields.Nested(HitSchema), required=True)
    facets = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Nested(FacetValue)),
        required=True,
        metadata={
            "description": "Counts per requested facet (`facet`; default topic and source), "
            "exactly those requested."
        },
    )
    histogram = _opt(fields.List(fields.Nested(DayCount)))
    next_cursor = _str()


class RecentResponse(Open):
    articles = fields.List(fields.Nested(ListedArticle), required=True)


class TopicExplained(TopicRef):
    terms = _opt(
        fields.List(
            fields.Raw(),
            metadata={"description": "Terms that explain the topic; null if not recorded."},
        )
    )


class ClusterMember(Open):
    id = fields.String(required=True)
    title = _str()
    url = _str()
    source = _opt(fields.Nested(SourceRef))
    published_at = _str()


class ArticleDetail(Open):
    id = fields.String(required=True)
    url = _str()
    canonical_url = _str()
    source = _opt(fields.Nested(SourceRef))
    title = _str()
    summary = _str()
    body = _str()
    authors = fields.List(fields.String())
    published_at = _str()
    updated_at = _str()
    date_source = _str()
    fetched_at = _str()
    language = _str()
    image_url = _str()
    tags = fields.List(fields.String())
    topics = fields.List(fields.Nested(TopicExplained))
    entities = fields.List(fields.Nested(EntityRef))
    model_version = _str()
    word_count = _opt(fields.Integer())
    fingerprint = _str()
    cluster_id = _str()
    story_id = _opt(fields.String(metadata={"description": "The story (event) it reports."}))
    cluster = fields.List(
        fields.Nested(ClusterMember),
        metadata={"description": "Other copies of this story (other sources)."},
    )
    also_covered_by = fields.List(fields.Nested(SourceRef))


class RelatedResponse(Open):
    id = fields.String(required=True)
    articles = fields.List(fields.Nested(ListedArticle), required=True)


class TopicCount(Open):
    id = fields.String(required=True)
    label = _str()
    count = fields.Integer(required=True)


class TopicsResponse(Open):
    topics = fields.List(fields.Nested(TopicCount), required=True)


class SourceHealth(Open):
    last_success = _str()
    last_error = _opt(fields.Dict())
    error_counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    last_run = _opt(fields.Dict())


class SourceSummary(Open):
    id = fields.String(required=True)
    name = _str()
    domain = _str()
    articles = fields.Integer(required=True)
    configured = fields.Boolean()
    health = _opt(fields.Nested(SourceHealth))


class SourcesResponse(Open):
    sources = fields.List(fields.Nested(SourceSummary), required=True)


class EntityCount(Open):
    key = fields.String(required=True)
    text = _str()
    label = _str()
    count = fields.Integer(required=True)


class EntitiesResponse(Open):
    entities = fields.List(fields.Nested(EntityCount), required=True)


class TrendSeries(Open):
    value = fields.String(required=True)
    total = fields.Integer(required=True)
    days = fields.List(fields.Nested(DayCount), required=True)


class TrendsResponse(Open):
    field = fields.String(required=True)
    series = fields.List(fields.Nested(TrendSeries), required=True)


class JobSchema(Open):
    id = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "running | finished | failed"})
    started_at = fields.String()
    exit_code = _opt(fields.Integer())
    command = fields.List(fields.String())
    log = _str()


def _items(schema: type[Schema], description: str) -> fields.List:
    """A required list of ``schema`` objects, described."""
    return fields.List(fields.Nested(schema), required=True, metadata={"description": description})


class StorySource(Open):
    id = fields.String(required=True)
    name = _str()
    domain = _str()
    articles = fields.Integer(required=True, metadata={"description": "Its articles in the story."})


class StoryTopic(Open):
    id = fields.String(required=True)
    count = fields.Integer(required=True, metadata={"description": "Articles in this topic."})


class StorySummary(Open):
    """A story: one real-world event and every outlet's articles about it."""

    id = fields.String(
        required=True, metadata={"description": "Stable: it stays the same as the story grows."}
    )
    headline = fields.String(
        required=True, metadata={"description": "The title of one of its articles."}
    )
    headline_article_id = _str()
    headline_url = _str()
    first_seen = _opt(
        fields.String(
            metadata={"description": "When its first article was published (else fetched), UTC."}
        )
    )
    last_seen = _opt(
        fields.String(
            metadata={"description": "When its latest article was published (else fetched), UTC."}
        )
    )
    article_count = fields.Integer(required=True)
    source_count = fields.Integer(
        required=True, metadata={"description": "Distinct sources (outlets) among its articles."}
    )
    sources = _items(StorySource, "Its sources, most articles first.")
    entities = _items(EntityCount, "Its ten most frequent entities (articles naming each).")
    topics = _items(StoryTopic, "Its ten most frequent topics.")


class RankedStory(StorySummary):
    score = fields.Float(
        required=True,
        metadata={"description": "log2(articles) + 2 log2(sources) - days behind the newest."},
    )


class StoriesResponse(Open):
    stories = fields.List(fields.Nested(RankedStory), required=True)


class StoryArticle(Open):
    id = fields.String(required=True)
    title = _str()
    url = _str()
    source = _opt(fields.Nested(SourceRef))
    published_at = _str()
    cluster_id = _str()


class StoryDetail(StorySummary):
    timeline = _items(DayCount, "Its articles per day (UTC), days without any left out.")
    articles = _items(StoryArticle, "Every article, oldest first; copies share a `cluster_id`.")


class HealthSchema(Open):
    status = fields.String(required=True)
    index = fields.Dict()
    articles = _opt(fields.Integer())


class ReadySchema(Open):
    status = fields.String(required=True)
    checks = fields.Dict(keys=fields.String(), values=fields.Dict())
