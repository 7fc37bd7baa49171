"""Online story clustering (tidings/core/stories): grouping, determinism, copies, time, budget."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import Any

import pytest
from story_corpus import (
    OTHERS,
    background,
    corpus,
    late_story,
    misplaced_member,
    synthetic,
    two_events_one_story,
)

from tidings.core.stories import StoryClusterer, StoryParams, features_of
from tidings.core.stories.candidates import CandidateSketch
from tidings.core.stories.clustering import Assignment, Move, story_id_for
from tidings.core.stories.features import names
from tidings.core.stories.frequencies import HashedCounts
from tidings.core.stories.split import unpack


def groups(assignments: dict[str, str]) -> set[frozenset[str]]:
    by: dict[str, set[str]] = {}
    for aid, sid in assignments.items():
        by.setdefault(sid, set()).add(aid)
    return {frozenset(g) for g in by.values()}


def cluster(articles: list[dict[str, object]], params: StoryParams | None = None) -> dict[str, str]:
    c = StoryClusterer(params)
    return {str(a["id"]): c.add(a).story_id for a in articles}


def test_same_event_in_different_words_joins_and_same_kind_events_stay_apart() -> None:
    placed = cluster(background() + corpus())
    assert groups({aid: sid for aid, sid in placed.items() if int(aid[1:]) < 10}) == {
        frozenset({"q1", "q2", "q3"}),
        frozenset({"e1", "e3"}),
        frozenset({"e2", "e4"}),
    }
    background_stories = {placed[f"e{10 + i}"] for i in range(len(OTHERS))}
    assert not background_stories & {placed["e1"], placed["e2"]}


def test_same_order_gives_the_same_stories_and_ids() -> None:
    assert cluster(corpus()) == cluster(corpus())


def test_a_story_is_named_after_its_first_article() -> None:
    c = StoryClusterer()
    first, second = corpus()[0], corpus()[2]
    a, b = c.add(first), c.add(second)
    assert a.new and not b.new and a.story_id == b.story_id
    assert c.stories[a.story_id].size == 2


def test_a_copy_joins_the_story_of_the_article_it_copies() -> None:
    c = StoryClusterer()
    articles = corpus()
    placed = [c.add(a) for a in articles]
    copy = {**articles[1], "id": "copy", "title": "Baidu revenue falls (wire copy)"}
    assert c.add(copy).story_id == placed[1].story_id


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
    c = StoryClusterer(StoryParams(live_stories=1))
    quake_story = c.add(corpus()[0]).story_id
    c.add(corpus()[1])  # Baidu: now the only live story; the quake went quiet
    assert list(c.stories) != [quake_story] and len(c.stories) == 1
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


def test_a_tight_story_admits_only_articles_as_close_as_its_members() -> None:
    quake_copy = corpus()[0]
    near = {**corpus()[2], "id": "near"}  # same event, different headline
    loose = StoryParams(cohesion_share=0.0)
    strict = StoryParams(cohesion_share=0.99)
    for params, joins in ((loose, True), (strict, False)):
        c = StoryClusterer(params)
        first = c.add(quake_copy)
        c.add({**quake_copy, "id": "same"})  # an identical copy: the story's cohesion is 1
        assert (c.add(near).story_id == first.story_id) is joins


EVENTS = 40


def articles(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """Articles about ``EVENTS`` events, each with its own words and names, in shuffled order."""
    return synthetic(n, EVENTS, seed)


def test_replay_moves_the_state_as_add_did() -> None:
    items = articles(120)
    online, replayed = StoryClusterer(), StoryClusterer()
    for a in items[:100]:
        feats = features_of(a)
        placed = online.add(a, feats)
        replayed.replay(feats, placed.joined, placed.article_id)
    rest = items[100:]
    assert [online.add(a).story_id for a in rest] == [replayed.add(a).story_id for a in rest]


def test_the_sketch_holds_at_most_its_terms_per_live_story() -> None:
    params = StoryParams(live_stories=10, sketch_terms_per_story=8)
    c = StoryClusterer(params)
    for a in articles(200):
        c.add(a)
    assert len(c.stories) == 10
    assert 0 < c.sketch.entries() <= 10 * 8
    sketch = CandidateSketch(per_term=4, per_story=2)
    sketch.post("s1", ["a", "b", "c"])  # s1 keeps its two latest terms
    assert sketch.candidates(["a"], 5) == [] and sketch.candidates(["c"], 5) == ["s1"]
    sketch.forget("s1")
    assert sketch.entries() == 0


def test_document_frequencies_take_fixed_memory() -> None:
    counts = HashedCounts(bits=4)
    for i in range(1000):
        counts.add([f"term{i}", "common"])
    assert len(counts.cells) == 16
    assert counts["common"] >= 1000  # shared cells only ever add: a common term stays common
    assert sum(counts.cells) == 2000 - sum(  # a document counts a shared cell once
        counts.cell(f"term{i}") == counts.cell("common") for i in range(1000)
    )


def test_document_frequencies_survive_pickling_sparse_and_dense() -> None:
    for terms in (["rare"], [f"term{i}" for i in range(200)]):  # few cells set, then most
        counts = HashedCounts(bits=6)
        counts.add(terms)
        copy = pickle.loads(pickle.dumps(counts))
        assert copy.cells == counts.cells and copy.mask == counts.mask
        assert copy["rare" if len(terms) == 1 else "term7"] >= 1


def test_an_empty_table_survives_pickling_and_counts_on() -> None:
    """A view no article has filled yet (no entities, say) is saved with no cells at all; a
    writer that loads it must still count (a multi-host crawl failed here)."""
    copy = pickle.loads(pickle.dumps(HashedCounts(bits=6)))
    assert len(copy.cells) == 64 and sum(copy.cells) == 0
    copy.add(["first"])
    assert copy["first"] == 1


def final_stories(c: StoryClusterer, articles: list[dict[str, Any]]) -> tuple[dict, list]:
    """Each article's story after every move, and the placements (``Assignment``s)."""
    now: dict[str, str] = {}
    placed: list[Assignment] = []
    for a in articles:
        placed.append(c.add(a))
        now[str(a["id"])] = placed[-1].story_id
        for move in placed[-1].moves:
            now.update(dict.fromkeys(move.moved, move.target))
    return now, placed


def test_a_story_that_absorbed_two_events_is_split_and_its_first_member_keeps_the_id() -> None:
    docs = two_events_one_story()
    unsplit, _ = final_stories(StoryClusterer(StoryParams(split_share=0.0)), docs)
    assert len(set(unsplit.values())) < 3 and unsplit["m2"] == unsplit["m3"]  # events merged
    now, placed = final_stories(StoryClusterer(), docs)
    splits = [m for p in placed for m in p.moves]
    assert len(splits) == 1 and splits[0].source == story_id_for("m0")
    assert splits[0].moved == ("m2", "m4") and splits[0].target == story_id_for("m2")
    a, b = [d["id"] for d in docs[2::2]], [d["id"] for d in docs[3::2]]
    assert {now[i] for i in a} == {story_id_for("m2")}  # every A article, later ones too
    assert {now[i] for i in ["m0", "m1", *b]} == {story_id_for("m0")}
    assert placed[4].story_id == story_id_for("m2") and placed[4].joined == story_id_for("m0")


@pytest.mark.parametrize("stream", [two_events_one_story, late_story, misplaced_member])
def test_replay_makes_the_moves_add_made(stream: Callable[[], list[dict[str, Any]]]) -> None:
    docs = stream() + synthetic(60, 4, seed=11)
    online, replayed, recorded = StoryClusterer(), StoryClusterer(), StoryClusterer()
    moves = []
    for a in docs[:40]:
        feats = features_of(a)
        placed = online.add(a, feats)
        moves += placed.moves
        assert replayed.replay(feats, placed.joined, placed.article_id) == placed.moves
        assert recorded.replay(feats, placed.joined, placed.article_id,
                               placed.neighbours) == placed.moves  # fmt: skip
    assert moves  # the stream's own move (a split, a fold, a re-home) is among them
    for other in (replayed, recorded):
        assert [s.id for s in online.stories.values()] == [s.id for s in other.stories.values()]
        for mine, theirs in zip(online.stories.values(), other.stories.values(), strict=True):
            assert (mine.size, mine.sums, mine.members) == (
                theirs.size, theirs.sums, theirs.members)  # fmt: skip
    rest = docs[40:]
    assert [online.add(a) for a in rest] == [replayed.add(a) for a in rest]


def test_a_split_story_stays_posted_only_under_its_own_members_terms() -> None:
    """The kept part's sketch postings are rebuilt from its members: the moved members' terms
    no longer point candidates at it (fails when the split only adds postings)."""
    c = StoryClusterer()
    placed = [c.add(d) for d in two_events_one_story()[:5]]
    assert placed[-1].moves  # the split
    kept = c.stories[story_id_for("m0")]
    own = {t for m in kept.members or [] for t in c._lookup_terms(unpack(m.vectors))}
    assert set(c.sketch._terms[kept.id]) == own


def test_a_one_member_story_gets_a_second_chance_when_its_event_grows() -> None:
    """``t`` came before its story and was too far from ``A1`` to join it; once ``A2`` joins
    ``A1``, ``t`` is close enough to the two of them and folds in (fails with the step off)."""
    off, _ = final_stories(StoryClusterer(StoryParams(second_chance=0.0)), late_story())
    assert off["t"] != off["A1"] == off["A2"]
    c = StoryClusterer()
    now, placed = final_stories(c, late_story())
    assert now == dict.fromkeys(["t", "A1", "A2"], story_id_for("A1"))
    assert placed[2].moves == (Move(story_id_for("t"), story_id_for("A1"), ("t",)),)
    assert story_id_for("t") not in c.stories and c.stories[story_id_for("A1")].size == 3
    assert story_id_for("t") not in c.sketch._terms  # the folded story is no candidate


def test_a_member_that_fits_another_story_better_is_rehomed() -> None:
    """``c`` joined X's story before Y's existed; when ``x3`` joins X's story, ``c`` moves to
    Y's, which fits it better than its own (fails with the step off)."""
    off, _ = final_stories(StoryClusterer(StoryParams(rehome_ratio=0.0)), misplaced_member())
    assert off["c"] == off["x1"] != off["y1"]
    c = StoryClusterer()
    now, placed = final_stories(c, misplaced_member())
    x, y = story_id_for("x1"), story_id_for("y1")
    assert now == {"x1": x, "x2": x, "c": y, "y1": y, "y2": y, "x3": x}
    assert placed[-1].moves == (Move(x, y, ("c",)),) and placed[-1].story_id == x
    assert [m.article_id for m in c.stories[x].members or []] == ["x1", "x2", "x3"]
    assert [m.article_id for m in c.stories[y].members or []] == ["y1", "y2", "c"]
    assert (c.stories[x].size, c.stories[y].size) == (3, 3)


def test_a_story_keeps_its_members_only_up_to_the_split_bound() -> None:
    params = StoryParams(split_max=5)
    c = StoryClusterer(params)
    now, _ = final_stories(c, synthetic(80, 2, seed=4))
    sizes = {s.id: (s.size, s.members) for s in c.stories.values()}
    assert any(size > 5 for size, _ in sizes.values())  # some stories grew past the bound
    for size, members in sizes.values():
        assert (members is None) == (size > 5)
        assert members is None or len(members) == size
