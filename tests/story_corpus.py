"""Articles about a few real-world events, told by several outlets in different words.

An earthquake (three reports), two earnings reports of the same week (same kind, different
events: two reports each), and six other earnings reports that teach the document frequencies
that an earnings report's stock phrases are common (as a real corpus does).
"""

from __future__ import annotations

import random
from typing import Any

OUTLETS = ("wire", "herald", "techpost", "ledger")


QUAKE = (
    "A magnitude {m} earthquake struck off Sumatra near Padang on {day}, Indonesia's "
    "meteorology agency BMKG said. Rescue teams searched collapsed buildings in Padang and "
    "officials said {n} people were killed. Governor {gov} said the hospital in Padang was full."
)
EARNINGS = (
    "{co} reported quarterly revenue of {rev} billion dollars on {day}. Chief executive {ceo} "
    "told analysts on a call from {city} that {product} would carry {co} next year."
)


def quake(i: int, **kw: str) -> dict[str, Any]:
    return {"id": f"q{i}", "title": kw.pop("title"), "body": QUAKE.format(**kw)}


def earnings(i: int, **kw: str) -> dict[str, Any]:
    return {"id": f"e{i}", "title": kw.pop("title"), "body": EARNINGS.format(**kw)}


#: Other earnings reports of the same week: they teach the document frequencies that an
#: earnings report's stock phrases are common (as a real corpus does).
OTHERS = [
    ("Tesla", "25.2", "Elon Musk", "Austin", "the Cybertruck"),
    ("Intel", "14.2", "Pat Gelsinger", "Santa Clara", "its foundry business"),
    ("Alibaba", "30.8", "Eddie Wu", "Hangzhou", "Taobao and Tmall"),
    ("Netflix", "9.8", "Ted Sarandos", "Los Gatos", "its advertising tier"),
    ("Siemens", "19.4", "Roland Busch", "Munich", "factory automation"),
    ("Walmart", "160.8", "Doug McMillon", "Bentonville", "online grocery orders"),
]


def background() -> list[dict[str, Any]]:
    return [
        earnings(
            10 + i,
            title=f"{co} results",
            co=co,
            rev=rev,
            day="Monday",
            ceo=ceo,
            city=city,
            product=product,
        )  # fmt: skip
        for i, (co, rev, ceo, city, product) in enumerate(OTHERS)
    ]


def corpus() -> list[dict[str, Any]]:
    q = dict(m="7.6", day="Wednesday", n="1,100", gov="Gamawan Fauzi")
    e1 = dict(co="Baidu", rev="3.1", day="Tuesday", ceo="Robin Li", city="Beijing",
              product="its Ernie chatbot and cloud search")  # fmt: skip
    e2 = dict(co="Nvidia", rev="18.1", day="Wednesday", ceo="Jensen Huang", city="Santa Clara",
              product="demand for Blackwell data-centre GPUs")  # fmt: skip
    return [
        quake(1, title="Deadly quake hits Sumatra", **q),
        earnings(1, title="Baidu revenue falls as search slows", **e1),
        quake(2, title="Padang earthquake toll rises", **q),
        earnings(2, title="Nvidia beats forecasts on chip demand", **e2),
        earnings(3, title="Baidu misses estimates", **e1),
        quake(3, title="Rescuers dig through Padang rubble after quake", **q),
        earnings(4, title="Nvidia revenue soars", **e2),
    ]


def as_records(articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The articles as importable records: each from its own outlet in turn, an hour apart."""
    out = []
    for n, a in enumerate(articles):
        outlet = OUTLETS[n % len(OUTLETS)]
        out.append({
            **a,
            "url": f"https://{outlet}.example/{a['id']}",
            "source": {"id": outlet, "name": outlet.title(), "domain": f"{outlet}.example"},
            "published_at": f"2024-03-04T{n:02d}:00:00Z",
            "topics": [{"id": "business" if a["id"][0] == "e" else "world", "score": 0.9,
                        "origin": "model"}],
            "language": "en",
        })  # fmt: skip
    return out


def synthetic(n: int, events: int, seed: int = 7) -> list[dict[str, Any]]:
    """``n`` articles about ``events`` events, each with its own words and names, in shuffled
    order (the event's number is in its entity key, ``place{event}``)."""
    rng = random.Random(seed)
    common = [f"common{i}" for i in range(300)]
    out = []
    for i in range(n):
        event = rng.randrange(events)
        own = [f"ev{event}word{j}" for j in range(10)]
        text = [rng.choice(own) if rng.random() < 0.4 else rng.choice(common) for _ in range(60)]
        out.append({
            "id": f"a{i}",
            "title": " ".join(rng.sample(own, 3) + rng.sample(common, 2)),
            "body": f"Reports said Mayor Name{event} Place{event} spoke. " + " ".join(text),
            "entities": [{"key": f"place{event}", "label": "GPE", "text": f"Place{event}"}],
        })  # fmt: skip
    return out


def two_events_one_story(n: int = 12) -> list[dict[str, Any]]:
    """A story that absorbs two events: the first two articles tell both (their words and
    names mixed), then event A's and event B's articles alternate. Each event's article is
    close enough to the mixed ones to join their story, but A's and B's are far apart, so by
    the fifth article the story holds two parts (the event's letter is in its entity key,
    ``place{event}``; the mixed ones carry both)."""
    rng = random.Random(2)
    common = [f"common{i}" for i in range(300)]
    words = {e: [f"ev{e}word{j}" for j in range(10)] for e in "AB"}
    out = []
    for i in range(n):
        told = "AB" if i < 2 else "AB"[i % 2]
        own = [w for e in told for w in words[e]]
        text = [rng.choice(own) if rng.random() < 0.4 else rng.choice(common) for _ in range(60)]
        out.append({
            "id": f"m{i}",
            "title": " ".join(rng.sample(own, 3) + rng.sample(common, 2)),
            "body": " ".join(text),
            "entities": [{"key": f"place{e}", "label": "GPE", "text": f"Place{e}"} for e in told],
        })  # fmt: skip
    return out


def _mixed(aid: str, mix: dict[str, float], rng: random.Random) -> dict[str, Any]:
    """An article whose 60 body words are each event's own words at its share of ``mix`` (the
    rest common words); its headline and entities name the events it tells at ≥ 0.2."""
    common = [f"common{i}" for i in range(300)]
    words = {e: [f"ev{e}word{j}" for j in range(10)] for e in mix}
    body = []
    for _ in range(60):
        r, told = rng.random(), None
        for e, share in mix.items():
            r -= share
            if r < 0:
                told = rng.choice(words[e])
                break
        body.append(told or rng.choice(common))
    main = [e for e, share in mix.items() if share >= 0.2]
    own = [w for e in main for w in words[e]] or rng.sample(common, 3)
    return {
        "id": aid,
        "title": " ".join(rng.sample(own, 3) + rng.sample(common, 2)),
        "body": " ".join(body),
        "entities": [{"key": f"place{e}", "label": "GPE", "text": f"Place{e}"} for e in main],
    }


def late_story(seed: int = 16) -> list[dict[str, Any]]:
    """An article that came before its story: ``t`` tells event A faintly (a sixth of its
    words), too far from ``A1`` to join it; ``A2`` then joins ``A1``, and ``t`` is close
    enough to the two of them for a second chance (seed chosen so it is, with the defaults)."""
    rng = random.Random(seed)
    return [_mixed("t", {"A": 0.15}, rng), _mixed("A1", {"A": 0.4}, rng),
            _mixed("A2", {"A": 0.4}, rng)]  # fmt: skip


def misplaced_member(seed: int = 3) -> list[dict[str, Any]]:
    """A member that joined the wrong story first: ``c`` tells event Y more than X, but only
    X's story exists when it comes (``x1``, ``x2``); Y's (``y1``, ``y2``) starts after it, and
    when ``x3`` (X, with a word of Y) joins X's story, ``c`` fits Y's better than its own."""
    rng = random.Random(seed)
    return [_mixed("x1", {"X": 0.4}, rng), _mixed("x2", {"X": 0.4}, rng),
            _mixed("c", {"X": 0.2, "Y": 0.3}, rng), _mixed("y1", {"Y": 0.4}, rng),
            _mixed("y2", {"Y": 0.4}, rng), _mixed("x3", {"X": 0.4, "Y": 0.05}, rng)]  # fmt: skip
