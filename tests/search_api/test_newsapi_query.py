"""NewsAPI's q syntax: each operator, read with boolean precedence and written in Tidings'
language; malformed queries are parameterInvalid (400), never a 500 and never guessed at."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from search_api.newsapi.query import MAX_DEPTH, QuerySyntaxError, parse, translate
from tidings.core.index import query_language

RATES = {"Central bank raises interest rates", "Central bank raises rates again"}
CLIMATE_BILL = "Parliament passes climate bill after long debate"
FLOODS = "Floods force thousands from homes"
ELECTION = "Election campaign enters final week"
CUP = "Underdogs win the cup final"
MARATHON = "Record broken at city marathon"


@pytest.mark.parametrize(
    ("newsapi", "tidings"),
    [
        ("bitcoin", "bitcoin"),
        ('"central bank"', '"central bank"'),
        ('"  central   bank "', '"central bank"'),
        ("+bitcoin -ethereum", "bitcoin AND NOT ethereum"),
        ('+"central bank" -"rate cut"', '"central bank" AND NOT "rate cut"'),
        ("crypto AND (ethereum OR litecoin) NOT bitcoin",
         "crypto AND (ethereum OR litecoin) AND NOT bitcoin"),
        ("a AND b OR c", "(a AND b) OR c"),  # AND binds tighter than OR, as NewsAPI users expect
        ("a OR b c", "a OR (b AND c)"),
        ("-(a OR b) c", "NOT (a OR b) AND c"),
        ("NOT NOT a", "NOT NOT a"),
        ("source:reuters topic:x", '"source:reuters" AND "topic:x"'),  # never Tidings' scopes
        ("and or not", "and AND or AND not"),  # operators are upper case only
        ("covid-19 AT&T", "covid-19 AND AT&T"),
    ],
)  # fmt: skip
def test_operators_are_written_in_tidings_language(newsapi: str, tidings: str) -> None:
    assert translate(newsapi) == tidings


@pytest.mark.parametrize(
    "newsapi",
    ["a AND b OR c", "a OR b c", "x (a OR b) -c", "NOT (a OR b) AND c OR d", "a OR b OR c d"],
)
def test_tidings_reads_the_translation_as_newsapi_meant_it(newsapi: str) -> None:
    meant = parse(newsapi)
    read = query_language.parse(translate(newsapi))
    expected = meant if isinstance(meant, query_language.And) else query_language.And((meant,))
    assert read == expected


def test_in_title_scopes_every_word_and_phrase() -> None:
    assert translate('merger "rate cut" -rumour', in_title=True) == (
        'title:merger AND title:"rate cut" AND NOT title:rumour'
    )


MALFORMED = [
    '"unclosed phrase',
    'bitcoin "',
    "(bitcoin OR ethereum",
    "bitcoin)",
    "(a) b)",
    "NOT",
    "bitcoin NOT",
    "bitcoin OR",
    "OR bitcoin",
    "AND",
    "bitcoin AND OR ethereum",
    "bitcoin NOT )",
    "()",
    "-",
    "+",
    '""',
    "***",
    "(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1),
]


@pytest.mark.parametrize("q", [*MALFORMED, "", "   "])
def test_malformed_queries_are_refused(q: str) -> None:
    with pytest.raises(QuerySyntaxError):
        translate(q)


@pytest.mark.parametrize("q", MALFORMED)
def test_malformed_queries_are_parameter_invalid(client: FlaskClient, q: str) -> None:
    resp = client.get("/v2/everything", query_string={"q": q})
    assert resp.status_code == 400 and resp.mimetype == "application/json"
    body = resp.get_json()
    assert body["status"] == "error" and body["code"] == "parameterInvalid"
    assert body["message"].startswith("The q parameter is invalid")


def _titles(client: FlaskClient, **params: Any) -> set[str]:
    resp = client.get("/v2/everything", query_string={"pageSize": 100, **params})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["totalResults"] == len(body["articles"])
    return {a["title"] for a in body["articles"]}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ('"central bank"', RATES),
        ("+climate -election", {CLIMATE_BILL, FLOODS}),
        ("climate NOT election", {CLIMATE_BILL, FLOODS}),
        ("climate AND (floods OR parliament)", {CLIMATE_BILL, FLOODS}),
        ("marathon OR final", {MARATHON, CUP, ELECTION}),
        # (marathon) OR (cup AND final); Tidings' own precedence would read
        # (marathon OR cup) AND final and miss the marathon
        ("marathon OR cup AND final", {MARATHON, CUP}),
        ('-"central bank" +rates', {"Jobs report beats expectations"}),
    ],
)
def test_operators_find_what_they_say(client: FlaskClient, q: str, expected: set[str]) -> None:
    assert _titles(client, q=q) == expected


def test_qintitle_and_search_in_title_search_titles_only(client: FlaskClient) -> None:
    # "climate" is in the body of three articles, in the title of one
    assert _titles(client, q="climate") == {CLIMATE_BILL, FLOODS, ELECTION}
    assert _titles(client, qInTitle="climate") == {CLIMATE_BILL}
    assert _titles(client, q="climate", searchIn="title") == {CLIMATE_BILL}
    assert _titles(client, q="climate", searchIn="title,content") == {CLIMATE_BILL, FLOODS,
                                                                     ELECTION}  # fmt: skip
