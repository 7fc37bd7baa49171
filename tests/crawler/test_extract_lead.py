"""The lead (standfirst, dek) between the headline and the body is the story's first statement."""

from __future__ import annotations

from crawler.extract import extract_article

URL = "https://courier.example/sport/west-ham"
LEAD = (
    "A miracle of one season? West Ham keep answering the doubters, and the football world is "
    "starting to see that the elite of English football has a new member this year."
)


def para(i: int) -> str:
    return (
        f"Paragraph {i}: the manager spoke about the squad after the match, saying that the "
        f"players had worked for this result number {i} since the summer and deserved it fully."
    )


def page(between: str) -> str:
    return (
        "<!doctype html><html><head><title>West Ham win again</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/sport'>Sport</a></nav><div class='article'>"
        f"<h1>West Ham win again</h1><div class='byline'>By A. Writer, 2 hours ago</div>{between}"
        "<figure><img src='x.jpg'><figcaption>The captain after the win at the stadium on "
        "Sunday afternoon, in front of a full away end of travelling supporters.</figcaption>"
        "</figure>" + "".join(f"<p>{para(i)}</p>" for i in range(6)) + "</div></body></html>"
    )


def test_a_lead_set_apart_from_the_body_comes_back_first() -> None:
    body = extract_article(page(f"<div class='perex'>{LEAD}</div>"), URL)["body"]
    lines = body.splitlines()
    assert lines[0] == LEAD
    assert all(f"Paragraph {i}:" in body for i in range(6))


def test_bylines_captions_and_link_text_are_not_a_lead() -> None:
    teasers = (f"<a href='/s/{i}'>A long linked teaser number {i} here</a>." for i in range(3))
    links = f"<div class='more'>{' '.join(teasers)}</div>"
    body = extract_article(page(links), URL)["body"]
    assert body.splitlines()[0].startswith("Paragraph 0:")
    assert "By A. Writer" not in body and "teaser" not in body


def test_a_one_clause_label_is_not_a_lead() -> None:
    body = extract_article(page("<div>Read the whole series on the club and its owners</div>"), URL)
    assert body["body"].splitlines()[0].startswith("Paragraph 0:")
