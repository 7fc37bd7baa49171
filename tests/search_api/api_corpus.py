"""The test articles: varied topics, sources and dates, two copies of one story, one XSS title."""

from __future__ import annotations

from typing import Any

XSS_TITLE = "<img src=x onerror=alert(1)>"

_SOURCES = {
    "wire": {"id": "wire", "name": "Daily Wire Service", "domain": "wire.example.com"},
    "herald": {"id": "herald", "name": "The Herald", "domain": "herald.example.org"},
    "tech": {"id": "techpost", "name": "Tech Post", "domain": "techpost.example.net"},
}
_SHARED_BODY = (
    "The central bank raised interest rates by a quarter point on Tuesday, citing persistent "
    "inflation in services and a tight labour market. Officials said further increases were "
    "possible if price growth did not slow over the coming months, and markets fell on the news "
    "as traders priced in a longer period of high borrowing costs for households and firms."
)


#: The API key of the `admin_client` fixture.
KEY = "test-key-0123456789"
#: The `admin_client` app: one API key, no rate limits, 127.0.0.1 allowed as a source host
#: (the loopback test sites) through the setting, as an operator would.
ADMIN_CONFIG = {
    "TIDINGS_API_KEYS": (KEY,),
    "RATELIMIT_ENABLED": False,
    "TIDINGS_ALLOW_INTERNAL_HOSTS": frozenset({"127.0.0.1"}),
}

def _topics(*ids: str) -> list[dict[str, Any]]:
    return [{"id": t, "score": 0.9, "origin": "model"} for t in ids]


def raw_articles() -> list[dict[str, Any]]:
    rows = [
        (
            "wire",
            "/politics/climate-bill",
            "Parliament passes climate bill after long debate",
            "Lawmakers approved the climate bill.",
            "The climate bill sets emission targets for "
            "industry and was passed by parliament after a debate lasting two weeks.",
            "2024-05-01T08:00:00Z",
            ("politics", "environment"),
        ),
        (
            "herald",
            "/politics/election",
            "Election campaign enters final week",
            "Candidates make their last appeals.",
            "The election campaign enters its final week "
            "with candidates touring swing districts and debating climate policy.",
            "2024-05-02T09:30:00Z",
            ("politics",),
        ),
        (
            "tech",
            "/ai/chips",
            "New AI chips promise faster training",
            "A start-up unveils accelerator chips.",
            "The new chips train neural networks faster "
            "while using less power than rival accelerators, the company said.",
            "2024-05-03T10:00:00Z",
            ("technology",),
        ),
        (
            "tech",
            "/security/patch",
            "Security patch fixes browser flaw",
            "Update closes a serious hole.",
            "The security patch fixes a flaw that let attackers "
            "run code through malicious images in the browser.",
            "2024-05-04T11:15:00Z",
            ("technology", "security"),
        ),
        (
            "herald",
            "/sport/final",
            "Underdogs win the cup final",
            "A stunning upset in the final.",
            "The underdogs won the cup final with a late goal, "
            "ending a forty year wait for a trophy.",
            "2024-05-05T18:45:00Z",
            ("sport",),
        ),
        (
            "wire",
            "/sport/marathon",
            "Record broken at city marathon",
            "A new course record.",
            "Runners enjoyed cool weather as the course record was "
            "broken by almost a minute at the city marathon.",
            "2024-05-06T07:20:00Z",
            ("sport",),
        ),
        (
            "wire",
            "/business/rates",
            "Central bank raises interest rates",
            "Rates rise by a quarter point.",
            _SHARED_BODY,
            "2024-05-07T12:00:00Z",
            ("business", "economy"),
        ),
        (
            "herald",
            "/business/rates-copy",
            "Central bank raises rates again",
            "Rates up a quarter point.",
            _SHARED_BODY + " Analysts expect one more rise.",
            "2024-05-07T13:00:00Z",
            ("business", "economy"),
        ),
        (
            "tech",
            "/security/xss",
            XSS_TITLE,
            "<script>alert('summary')</script> A page that tries to inject markup.",
            "Security researchers found markup injection in a news page title and body: "
            "<script>alert(2)</script> never runs.",
            "2024-05-08T16:00:00Z",
            ("security",),
        ),
        (
            "herald",
            "/environment/floods",
            "Floods force thousands from homes",
            "Heavy rain swells rivers.",
            "Heavy rain caused floods across the region; scientists "
            "link the intensity of the storms to climate change.",
            "2024-05-09T06:00:00Z",
            ("environment",),
        ),
        (
            "wire",
            "/economy/jobs",
            "Jobs report beats expectations",
            "Hiring accelerates.",
            "Employers added more jobs than forecast, easing worries that "
            "high interest rates would cool the labour market.",
            "2024-04-28T14:00:00Z",
            ("economy",),
        ),
    ]
    out = []
    for source, path, title, summary, body, published, topics in rows:
        src = _SOURCES[source]
        out.append(
            {
                "url": f"https://{src['domain']}{path}",
                "source": src,
                "title": title,
                "summary": summary,
                "body": body,
                "published_at": published,
                "language": "en",
                "topics": _topics(*topics),
                "entities": [{"text": "Parliament", "label": "ORG", "key": "parliament"}]
                if "Parliament" in title
                else [],
            }
        )
    return out


def by_title(articles: list[dict[str, Any]], title: str) -> dict[str, Any]:
    return next(a for a in articles if a["title"] == title)


def build_home(
    home: Any, articles: list[dict[str, Any]] | None = None
) -> tuple[Any, list[dict[str, Any]]]:
    """Store and index ``articles`` (default: the test articles) under ``home`` as every writer
    does; returns (settings, stored records)."""
    from tidings.core.article import normalise
    from tidings.core.config import Settings
    from tidings.core.index import open_index
    from tidings.core.store import Store
    from tidings.core.sync import store_and_index

    settings = Settings(home=home)
    records = [normalise(r) for r in (raw_articles() if articles is None else articles)]
    store = Store(settings.db_path)
    index = open_index(settings, writable=True)
    try:  # as every writer does: stories placed, articles stored and indexed, then stories
        stored = list(store_and_index(store, index, records).articles)
    finally:
        index.close()
        store.close()
    return settings, stored
