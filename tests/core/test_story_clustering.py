"""Online story clustering (tidings/core/stories): grouping, determinism, copies, time, budget."""

from __future__ import annotations

from tidings.core.stories import StoryClusterer, StoryParams, features_of
from tidings.core.stories.candidates import CandidateSketch
from tidings.core.stories.features import names

QUAKE = (
    "A magnitude {m} earthquake struck off Sumatra near Padang on {day}, Indonesia's "
    "meteorology agency BMKG said. Rescue teams searched collapsed buildings in Padang and "
    "officials said {n} people were killed. Governor {gov} said the hospital in Padang was full."
)
EARNINGS = (
    "{co} reported quarterly revenue of {rev} billion dollars on {day}, and chief executive "
    "{ceo} told analysts that {co} expects growth in {product} sales to continue next year."
)


def quake(i: int, **kw: str) -> dict[str, object]:
    return {"id": f"q{i}", "title": kw.pop("title"), "body": QUAKE.format(**kw)}


def earnings(i: int, **kw: str) -> dict[str, object]:
    return {"id": f"e{i}", "title": kw.pop("title"), "body": EARNINGS.format(**kw)}


def corpus() -> list[dict[str, object]]:
    q = dict(m="7.6", day="Wednesday", n="1,100", gov="Gamawan Fauzi")
    e1 = dict(co="Baidu", rev="3.1", day="Tuesday", ceo="Robin Li", product="search")
    e2 = dict(co="Nvidia", rev="18.1", day="Wednesday", ceo="Jensen Huang", product="chip")
    return [
        quake(1, title="Deadly quake hits Sumatra", **q),
        earnings(1, title="Baidu revenue falls as search slows", **e1),
        quake(2, title="Padang earthquake toll rises", **q),
        earnings(2, title="Nvidia beats forecasts on chip demand", **e2),
        earnings(3, title="Baidu misses estimates", **e1),
        quake(3, title="Rescuers dig through Padang rubble after quake", **q),
        earnings(4, title="Nvidia revenue soars", **e2),
    ]


def groups(assignments: dict[str, str]) -> set[frozenset[str]]:
    by: dict[str, set[str]] = {}
    for aid, sid in assignments.items():
        by.setdefault(sid, set()).add(aid)
    return {frozenset(g) for g in by.values()}


def cluster(articles: list[dict[str, object]], params: StoryParams | None = None) -> dict[str, str]:
    c = StoryClusterer(params)
    return {str(a["id"]): c.add(a).story_id for a in articles}


def test_same_event_in_different_words_joins_and_same_kind_events_stay_apart() -> None:
    assert groups(cluster(corpus())) == {
        frozenset({"q1", "q2", "q3"}),
        frozenset({"e1", "e3"}),
        frozenset({"e2", "e4"}),
    }


def test_same_order_gives_the_same_stories_and_ids() -> None:
    assert cluster(corpus()) == cluster(corpus())


def test_a_story_is_named_after_its_first_article() -> None:
    c = StoryClusterer()
    first, second = corpus()[0], corpus()[2]
    a, b = c.add(first), c.add(second)
    assert a.new and not b.new and a.story_id == b.story_id
    assert c.stories[a.story_id].size == 2


def test_copies_share_a_story_even_when_their_words_differ() -> None:
    c = StoryClusterer()
    c.add({"id": "x1", "title": "Lions win the cup", "body": "The Lions won.", "cluster_id": "k"})
    odd = c.add(
        {"id": "x2", "title": "Unrelated words", "body": "Nothing alike", "cluster_id": "k"}
    )
    assert odd.story_id == c.add({"id": "x3", "title": "z", "cluster_id": "k"}).story_id
    assert len(c.stories) == 1


def test_time_pulls_apart_the_same_words_months_apart() -> None:
    base = corpus()[0]
    params = StoryParams(time_share=0.9, half_life_days=3.0, threshold=0.3)
    c = StoryClusterer(params)
    a = c.add({**base, "published_at": "2024-01-01T10:00:00Z"})
    same_week = c.add({**base, "id": "q9", "published_at": "2024-01-03T10:00:00Z"})
    months_later = c.add({**base, "id": "q10", "published_at": "2024-06-01T10:00:00Z"})
    assert same_week.story_id == a.story_id
    assert months_later.new


def test_quiet_stories_beyond_the_live_budget_can_no_longer_be_joined() -> None:
    c = StoryClusterer(StoryParams(live_stories=2))
    for a in corpus()[:2] + [corpus()[3]]:  # quake, Baidu, Nvidia: the quake goes quiet
        c.add(a)
    assert len(c.stories) == 2
    assert c.add(corpus()[2]).new  # the quake's follow-up starts a new story


def test_the_sketch_keeps_only_the_most_recent_stories_per_term() -> None:
    sketch = CandidateSketch(per_term=2)
    for sid in ("s1", "s2", "s3"):
        sketch.post(sid, ["padang"])
    assert sketch.candidates(["padang"], 10) == ["s3", "s2"]
    sketch.post("s1", ["padang", "quake"])
    assert sketch.candidates(["padang", "quake"], 10)[0] == "s1"


def test_names_are_capitalised_runs_not_sentence_openers() -> None:
    text = "Police said Jamal Williams was held. San Diego Chargers said he was freed."
    assert names(text) == ["jamal williams", "san diego chargers"]


def test_features_read_entities_topics_and_dates() -> None:
    f = features_of(
        {
            "title": "Baidu",
            "body": "Revenue fell.",
            "entities": [{"key": "baidu", "label": "ORG", "text": "Baidu"}],
            "topics": [{"id": "business", "score": 0.9, "origin": "model"}],
            "published_at": "2024-01-02T00:00:00Z",
        }
    )
    assert f.views["entities"] == {"baidu": 1.0}
    assert f.topics == {"business"}
    assert f.seen_at == 19724.0
