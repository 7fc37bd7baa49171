"""The NewsAPI-compatible endpoints on the test corpus: parameters, shapes, errors, keys,
CORS, rate limits, popularity, categories, paging and the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest
from api_corpus import KEY
from flask.testing import FlaskClient

from search_api import create_app
from search_api.newsapi.shapes import cut_content
from tidings.core.config import Settings
from tidings.core.taxonomy import load_taxonomy

RATES = {"Central bank raises interest rates", "Central bank raises rates again"}


def _ok(client: FlaskClient, path: str = "/v2/everything", **params: Any) -> dict[str, Any]:
    resp = client.get(path, query_string=params)
    assert resp.status_code == 200, resp.get_json()
    assert resp.mimetype == "application/json"
    body = resp.get_json()
    assert body["status"] == "ok"
    return body


def _error(resp: Any, status: int, code: str) -> str:
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == "application/json"
    body = resp.get_json()
    assert set(body) == {"status", "code", "message"}
    assert (body["status"], body["code"]) == ("error", code)
    return body["message"]


def _titles(body: dict[str, Any]) -> list[str]:
    return [a["title"] for a in body["articles"]]


def test_article_shape(client: FlaskClient, articles: list[dict[str, Any]]) -> None:
    body = _ok(client, q='"central bank"', sortBy="publishedAt")
    assert body["totalResults"] == 2
    first = body["articles"][0]
    assert list(first) == ["source", "author", "title", "description", "url", "urlToImage",
                           "publishedAt", "content"]  # fmt: skip
    stored = next(a for a in articles if a["title"] == first["title"])
    assert first["source"] == {"id": "herald", "name": "The Herald"}
    assert first["title"] == "Central bank raises rates again"  # newest first
    assert first["description"] == stored["summary"]
    assert first["url"] == stored["url"]
    assert first["publishedAt"] == "2024-05-07T13:00:00Z"
    body_text = stored["body"].strip()
    assert len(body_text) > 200 and "  " not in body_text[:200]
    assert first["content"] == body_text[:200].rstrip() + f"… [+{len(body_text) - 200} chars]"


def test_content_is_cut_as_newsapi_cuts_it() -> None:
    assert cut_content(None) is None and cut_content("  \n") is None
    assert cut_content(" short  body\nhere ") == "short body here"
    text = "word " * 100  # 499 characters once the trailing space is stripped
    assert cut_content(text) == ("word " * 40).strip() + "… [+299 chars]"
    spaced = "a\n\n" + "b" * 300
    assert cut_content(spaced) == "a " + "b" * 197 + "… [+103 chars]"


def test_at_least_one_scope_is_required(client: FlaskClient) -> None:
    message = _error(client.get("/v2/everything"), 400, "parametersMissing")
    assert "q, qInTitle, sources, domains" in message
    _error(client.get("/v2/everything?q=%20%20"), 400, "parametersMissing")
    _error(client.get("/v2/top-headlines?pageSize=5"), 400, "parametersMissing")


def test_sources_cannot_mix_with_country_or_category(client: FlaskClient) -> None:
    resp = client.get("/v2/top-headlines?sources=wire&category=business")
    assert "cannot mix" in _error(resp, 400, "parameterInvalid")
    _error(client.get("/v2/top-headlines?sources=wire&country=us"), 400, "parameterInvalid")


def test_sources_are_checked(client: FlaskClient) -> None:
    many = ",".join(f"s{i}" for i in range(21))
    _error(client.get(f"/v2/everything?sources={many}"), 400, "sourcesTooMany")
    message = _error(client.get("/v2/everything?sources=wire,bbc-news"), 400, "sourceDoesNotExist")
    assert "bbc-news" in message
    body = _ok(client, sources="wire,herald", q="rates")
    assert set(_titles(body)) == RATES | {"Jobs report beats expectations"}


def test_bad_values_are_parameter_invalid(client: FlaskClient) -> None:
    for query in ("pageSize=0", "pageSize=101", "page=0", "page=x", "sortBy=newest",
                  "from=yesterday", "to=2024-13-01", "language=english", "searchIn=body",
                  "from=2024-05-09&to=2024-05-01", "page=101&pageSize=100"):  # fmt: skip
        message = _error(client.get(f"/v2/everything?q=rates&{query}"), 400, "parameterInvalid")
        assert message.startswith(("The ", "You have requested too many")), message
    _error(client.get("/v2/top-headlines?category=weather"), 400, "parameterInvalid")


def test_parameter_names_in_any_case_and_repeated_q(client: FlaskClient) -> None:
    plain = _ok(client, q="climate", pageSize=2, sortBy="relevancy")
    shouted = _ok(client, Q="climate", PAGESIZE=2, SortBy="relevancy")
    assert shouted == plain and len(plain["articles"]) == 2
    lower = _ok(client, qintitle="climate", pagesize=5)
    assert _titles(lower) == ["Parliament passes climate bill after long debate"]
    both = client.get("/v2/everything?q=climate&q=parliament")  # every q is required
    assert _titles(both.get_json()) == ["Parliament passes climate bill after long debate"]


def test_json_content_type_on_a_get_is_fine(client: FlaskClient) -> None:
    resp = client.get(
        "/v2/everything?q=climate", headers={"Content-Type": "application/json"}, data=""
    )
    assert resp.status_code == 200 and resp.get_json()["totalResults"] == 3


def test_cors_preflight_allows_newsapi_headers(client: FlaskClient) -> None:
    resp = client.options(
        "/v2/everything",
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "x-api-key, x-no-cache",
        },
    )
    assert resp.status_code == 200
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    allowed = {h.strip().lower() for h in resp.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"x-api-key", "x-no-cache", "authorization"} <= allowed
    assert "GET" in resp.headers["Access-Control-Allow-Methods"]
    got = client.get("/v2/everything?q=climate", headers={"Origin": "https://app.example"})
    assert got.headers["Access-Control-Allow-Origin"] == "*"


def test_other_methods_and_proxied_paths(client: FlaskClient) -> None:
    assert client.post("/v2/everything?q=climate").status_code == 405
    direct = _ok(client, q="climate")
    for prefix in ("/https://newsapi.org", "/https:/newsapi.org", "/http://newsapi.org"):
        assert _ok(client, f"{prefix}/v2/everything", q="climate") == direct
    assert client.get("/https://example.org/v2/everything?q=climate").status_code == 404


@pytest.fixture()
def keyed(corpus: tuple[Settings, Any]) -> FlaskClient:
    app = create_app(corpus[0], config={"TIDINGS_API_KEYS": (KEY,), "RATELIMIT_ENABLED": False})
    return app.test_client()


def test_keys_in_every_way_newsapi_clients_send_them(keyed: FlaskClient) -> None:
    url = "/v2/everything?q=climate"
    message = _error(keyed.get(url), 401, "apiKeyMissing")
    assert "apiKey" in message
    _error(keyed.get(f"{url}&apiKey=wrong"), 401, "apiKeyInvalid")
    _error(keyed.get(url, headers={"X-Api-Key": "wrong"}), 401, "apiKeyInvalid")
    _error(keyed.get(url, headers={"Authorization": "Bearer wrong"}), 401, "apiKeyInvalid")
    assert keyed.get(f"{url}&apiKey={KEY}").status_code == 200
    assert keyed.get(f"{url}&apikey={KEY}").status_code == 200
    assert keyed.get(url, headers={"X-Api-Key": KEY}).status_code == 200
    assert keyed.get(url, headers={"x-api-key": KEY}).status_code == 200
    assert keyed.get(url, headers={"Authorization": f"Bearer {KEY}"}).status_code == 200
    assert keyed.get(url, headers={"Authorization": KEY}).status_code == 200
    for path in ("/v2/top-headlines?q=x", "/v2/sources", "/v2/top-headlines/sources"):
        _error(keyed.get(path), 401, "apiKeyMissing")
    # the rest of the read API stays open
    assert keyed.get("/api/v1/search?q=climate").status_code == 200


def test_rate_limited_like_the_rest(corpus: tuple[Settings, Any]) -> None:
    config = {"TIDINGS_RATELIMIT": "3 per minute", "TIDINGS_API_KEYS": (KEY,)}
    client = create_app(corpus[0], config=config).test_client()
    for _ in range(3):
        assert client.get(f"/v2/everything?q=climate&apiKey={KEY}").status_code == 200
    resp = client.get(f"/v2/sources?apiKey={KEY}")
    message = _error(resp, 429, "rateLimited")
    assert "rate limit" in message.lower()
    assert 1 <= int(resp.headers["Retry-After"]) <= 61
    assert resp.headers["X-RateLimit-Limit"] == "3"
    # the key is the bucket, wherever it is sent: another client address is still limited
    again = client.get(
        "/v2/sources", headers={"X-Api-Key": KEY}, environ_base={"REMOTE_ADDR": "10.9.9.9"}
    )
    _error(again, 429, "rateLimited")


def test_popularity_is_how_many_sources_carried_the_story(client: FlaskClient) -> None:
    body = _ok(client, q="rates", sortBy="popularity")
    titles = _titles(body)
    assert set(titles[:2]) == RATES  # one story, run by the wire and the herald
    assert titles[2:] == ["Jobs report beats expectations"]  # an exclusive
    carried = []
    for article in body["articles"]:
        hit = client.get("/api/v1/search", query_string={"q": f'title:"{article["title"]}"'})
        detail = client.get(f"/api/v1/articles/{hit.get_json()['hits'][0]['id']}").get_json()
        carried.append(1 + len(detail["also_covered_by"]))
    assert carried == sorted(carried, reverse=True) and carried[0] == 2


def _search_urls(client: FlaskClient, **params: Any) -> set[str]:
    found = client.get("/api/v1/search", query_string={"limit": 100, **params}).get_json()
    return {h["url"] for h in found["hits"]}


@pytest.mark.parametrize("category", ["sports", "business", "technology", "general"])
def test_categories_follow_the_taxonomy(client: FlaskClient, category: str) -> None:
    topics = [t for t, c in load_taxonomy().categories().items() if c == category]
    assert topics, category
    body = _ok(client, "/v2/top-headlines", category=category, pageSize=100)
    assert body["totalResults"] > 0
    assert {a["url"] for a in body["articles"]} == _search_urls(client, topic=topics)


def test_a_category_no_topic_is_filed_under_matches_nothing(client: FlaskClient) -> None:
    body = _ok(client, "/v2/top-headlines", category="health")
    assert body == {"status": "ok", "totalResults": 0, "articles": []}


def test_taxonomy_categories_are_inherited() -> None:
    categories = load_taxonomy().categories()
    assert categories["sport"] == "sports" and categories["politics"] == "general"
    assert categories["ai"] == "technology"  # a child of technology names none of its own


def test_domains_and_exclude_domains(client: FlaskClient) -> None:
    herald = _ok(client, domains="herald.example.org", pageSize=100)
    assert herald["totalResults"] == 4
    assert {a["source"]["id"] for a in herald["articles"]} == {"herald"}
    assert _ok(client, domains="www.herald.example.org,example.com")["totalResults"] == 8
    assert _ok(client, domains="nowhere.example")["totalResults"] == 0
    rest = _ok(client, q="rates", excludeDomains="herald.example.org")
    assert "herald" not in {a["source"]["id"] for a in rest["articles"]}
    assert rest["totalResults"] == 2
    only_wire = _ok(client, domains="example.org,example.com", excludeDomains="herald.example.org")
    assert {a["source"]["id"] for a in only_wire["articles"]} == {"wire"}
    assert only_wire["totalResults"] == 4


def test_dates_and_language(client: FlaskClient) -> None:
    body = _ok(client, domains="example.org,example.com,example.net", **{
        "from": "2024-05-05", "to": "2024-05-07", "pageSize": 100})  # fmt: skip
    dates = [a["publishedAt"] for a in body["articles"]]
    assert dates and all("2024-05-05" <= d[:10] <= "2024-05-07" for d in dates)
    assert body["totalResults"] == 4
    assert _ok(client, q="climate", language="en")["totalResults"] == 3
    assert _ok(client, q="climate", language="en-US")["totalResults"] == 3
    assert _ok(client, q="climate", language="de")["totalResults"] == 0
    # top-headlines takes any language value
    assert _ok(client, "/v2/top-headlines", language="xx-whatever")["totalResults"] == 0


@pytest.mark.parametrize("sort", ["publishedAt", "relevancy", "popularity"])
def test_pages_are_slices_of_one_ranking(client: FlaskClient, sort: str) -> None:
    scope = {"domains": "example.org,example.com,example.net", "sortBy": sort}
    whole = _titles(_ok(client, pageSize=9, **scope))
    pages = [_titles(_ok(client, pageSize=3, page=n, **scope)) for n in (1, 2, 3, 4)]
    assert pages[0] + pages[1] + pages[2] == whole
    assert len(pages[3]) == 2  # 11 articles
    assert _ok(client, pageSize=3, page=5, **scope)["articles"] == []


def test_default_page_sizes(client: FlaskClient) -> None:
    scope = "domains=example.org,example.com,example.net"
    assert len(client.get("/v2/everything?" + scope).get_json()["articles"]) == 11  # 100
    one = client.get("/v2/top-headlines?language=en").get_json()
    assert one["totalResults"] == 11 and len(one["articles"]) == 11  # default 20


def test_sources_endpoints(client: FlaskClient) -> None:
    listed = _ok(client, "/v2/top-headlines/sources")
    assert listed == _ok(client, "/v2/sources")
    by_id = {s["id"]: s for s in listed["sources"]}
    assert set(by_id) == {"wire", "herald", "techpost"}
    tech = by_id["techpost"]
    assert list(tech) == ["id", "name", "description", "url", "category", "language", "country"]
    assert tech["name"] == "Tech Post" and tech["url"] == "https://techpost.example.net"
    assert tech["category"] == "technology" and tech["language"] == "en"
    assert tech["country"] is None  # .net names no country
    only = _ok(client, "/v2/sources", category="technology", language="en")["sources"]
    assert [s["id"] for s in only] == ["techpost"]
    assert _ok(client, "/v2/sources", language="zz", country="whatever")["sources"] == []


def test_country_comes_from_the_domain() -> None:
    from search_api.newsapi.sources import country_of

    assert country_of("www.bbc.co.uk") == "gb"
    assert country_of("spiegel.de") == "de"
    assert country_of("example.com") is None and country_of("startup.io") is None
    assert country_of(None) is None and country_of("localhost") is None


def test_openapi_documents_the_endpoints(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/v2/everything", "/v2/top-headlines", "/v2/top-headlines/sources",
                 "/v2/sources"):  # fmt: skip
        op = spec["paths"][path]["get"]
        assert {"200", "400", "401", "429"} <= set(op["responses"])
        error = op["responses"]["400"]["content"]["application/json"]["schema"]
        assert error == {"$ref": "#/components/schemas/NewsError"}
        assert {"apiKeyQuery": []} in op["security"]
    names = {p["name"] for p in spec["paths"]["/v2/everything"]["get"]["parameters"]}
    assert names == {"q", "qInTitle", "searchIn", "sources", "domains", "excludeDomains", "from",
                     "to", "language", "sortBy", "pageSize", "page"}  # fmt: skip
    assert spec["components"]["securitySchemes"]["apiKeyQuery"]["name"] == "apiKey"


def test_an_unavailable_index_is_503_in_newsapi_shape(tmp_path: Any) -> None:
    app = create_app(Settings(home=tmp_path, index_backend="no-such-backend"))
    client = app.test_client()
    for url in ("/v2/everything?q=x", "/v2/top-headlines?category=business"):
        resp = client.get(url)
        _error(resp, 503, "unexpectedError")
        assert resp.headers["Retry-After"] == "30"


def test_taxonomy_category_must_be_one_of_newsapis(tmp_path: Any) -> None:
    from tidings.core.taxonomy import TaxonomyError

    path = tmp_path / "taxonomy.toml"
    path.write_text(
        '[[topics]]\nid = "a"\nlabel = "A"\ndescription = "d"\ncategory = "weather"\n',
        encoding="utf-8",
    )
    with pytest.raises(TaxonomyError, match="'category' must be one of business"):
        load_taxonomy(path)
    path.write_text(
        '[[topics]]\nid = "a"\nlabel = "A"\ndescription = "d"\ncategory = "science"\n'
        '[[topics]]\nid = "b"\nlabel = "B"\ndescription = "d"\nparent = "a"\n'
        '[[topics]]\nid = "c"\nlabel = "C"\ndescription = "d"\n',
        encoding="utf-8",
    )
    assert load_taxonomy(path).categories() == {"a": "science", "b": "science"}
