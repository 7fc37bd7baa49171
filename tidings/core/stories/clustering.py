"""Online story clustering: each new article joins the most similar story or starts one.

Similarity between an article and a story is a weighted sum of cosines over the views of
:mod:`.features` (title, text, names, entities), each TF-IDF weighted with document frequencies
counted online over the articles seen so far. A story keeps, per view,
the sum of its members' unit vectors, so ``dot(article, sum / n)`` is the article's mean cosine
to the story's members (average linkage, computed in one pass). Time is a soft signal: the
score of a story decays with the days between the article and the story's span, never to zero.
Copies (one near-duplicate cluster) share nearly every term, so they join the story of the
article they copy; the clusterer reads only what an article has before it is stored, so the
ingest path and re-clustering see the same input.

An article joins only if its score reaches both a fixed threshold and half the story's own
cohesion (the mean cosine between its members): a tight story admits only articles about as
close to it as its members are to each other, which keeps two events of one kind apart.

A story that absorbed two events anyway is cut in two after a join (:mod:`.split`): a story of
``split_min`` to ``split_max`` members keeps its members' vectors, and when average-link's two
parts of them are far apart (mean cross cosine under ``split_share`` × their mean cosine
within) the part holding the story's first member keeps the story and its id, the other part
becomes a new story named after its own first member (as :func:`story_id_for` names one). The
check is part of the state step (:meth:`StoryClusterer._settle`, after both ``add`` and
``replay``), so a replayed stream makes the same splits; ``add`` reports a split in its
:class:`Assignment` (a :class:`Move`) so the store can move the members. Past ``split_max`` a
story drops its members (bounded state) and is never checked again (a split only shrinks
checked stories).

Two more steps repair what the online order gets wrong, in the same state step and bounded
the same way (only the article's next ``neighbours`` candidates, only young stories' members):
a one-member neighbour close enough to the story the article joined folds into it (a second
chance for an article that came before its story: the one-member story is gone), and the
member of the joined story that one of those neighbours fits clearly better than its own story
moves there (re-homed). Each is reported as a :class:`Move`, as a split is, so the store
moves the members; ``replay`` scores the article's candidates again to find the same
neighbours.

Memory and cost per article are bounded whatever the corpus size: document frequencies live in a
fixed hashed table (:mod:`.frequencies`), a story keeps at most ``centroid_terms`` terms per view,
at most ``live_stories`` stories stay joinable, and the sketch holds at most ``per_story`` terms
of each of them (:mod:`.candidates`). Within those bounds the state is compact: an article's
terms are interned once (every story, member and sketch list that keeps a term shares one
string), a one-member story (most live stories) keeps its sums packed like a young story's
members (:func:`.split.pack`) and is scored from that form to the last bit, and the sketch
keeps plain lists. :meth:`StoryClusterer.replay` applies a placement already
decided (it chooses nothing; given the placement's neighbours it scores nothing), so a saved
state plus the placements made since it rebuild the same state.

The weights, the threshold and the cohesion share are the only fitted numbers
(``StoryParams``); ``bench/stories.py --tune`` chooses them on one half of a labelled corpus
(by topic) and reports them on the other. The split's share was chosen on half A of ECB+ dev
and again on half B (``bench/stories_seventh.py``, docs/benchmarks.md's seventh round).
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice, repeat
from operator import add
from sys import intern
from typing import Any

import numpy as np

from tidings.core.stories.candidates import CandidateSketch
from tidings.core.stories.features import VIEWS, StoryFeatures, features_of
from tidings.core.stories.frequencies import DEFAULT_BITS, HashedCounts
from tidings.core.stories.split import (
    Packed,
    dot_packed,
    pack,
    similarity_to_packed,
    two_parts,
    unpack,
    views_of,
)
from tidings.core.stories.vectors import dot, squares, strongest, unit


@dataclass(frozen=True)
class StoryParams:
    """The knobs of the method. Defaults are the values chosen on ECB+ dev (bench/stories.py)."""

    weights: tuple[float, ...] = (0.2, 0.5, 0.15, 0.15)  # per view, in features.VIEWS order
    threshold: float = 0.18
    #: An article must also reach this share of the story's own cohesion (the mean cosine
    #: between its members): a tight story admits only articles as close as its members are.
    cohesion_share: float = 0.5
    #: Days over which a story's pull halves, and the share of the score time may take away.
    half_life_days: float = 3.0
    time_share: float = 0.5
    #: Candidate budget: stories scored per article, and how many terms look them up.
    candidates: int = 32
    lookup_terms: int = 16
    #: Terms kept per story per view (the rest of its centroid is pruned: a flat cost).
    centroid_terms: int = 300
    per_term: int = 64
    #: Terms a story stays posted under in the sketch; hashed cells per view for the IDF table.
    sketch_terms_per_story: int = 128
    df_bits: int = DEFAULT_BITS
    #: Stories kept live (joinable); the least recently joined beyond this go quiet. News
    #: stories that no article joined among the last this-many active ones are over.
    live_stories: int = 20_000
    #: After a join, a story of ``split_min`` to ``split_max`` members is cut in two when its
    #: average-link parts' mean cross cosine is under this share of their mean cosine within
    #: (0: never). Chosen on ECB+ dev half A and again on half B (docs/benchmarks.md).
    split_share: float = 0.5
    split_min: int = 4
    split_max: int = 16
    #: After a join, a one-member story among the article's next ``neighbours`` candidates
    #: joins the article's story when their cosine reaches this share of the higher of both
    #: bars: a second chance for an article that came before its story did (0: never).
    second_chance: float = 0.8
    #: After a join (or a split), the member (not its first, which names the story) of the
    #: touched young story (3 members or more) whose score for one of the article's next
    #: ``neighbours`` candidates reaches that story's bar and is the highest multiple, at least
    #: this one, of its mean similarity to its own story's other members moves there (0:
    #: never). Both steps were chosen on ECB+ dev half A and confirmed on half B
    #: (docs/benchmarks.md, eighth round); both need the members a young story keeps, so
    #: ``split_share`` 0 turns them off too.
    rehome_ratio: float = 1.0
    neighbours: int = 4


@dataclass(frozen=True)
class Member:
    """What a split needs of one member of a young story: its article, its unit vectors as
    weighted when it joined (its sketch terms follow from them; packed, :func:`.split.pack`,
    as the members of 20,000 live stories take most of the state), what
    :meth:`StoryClusterer._join` took of it, and its similarity to each earlier member (so a
    check computes only the new member's pairs)."""

    article_id: str
    #: None for the only member of a one-member story: its vectors are the story's sums then
    #: (kept once; pruned to ``centroid_terms`` as the sums are), copied out of them just
    #: before a second member joins (``_apply``)
    vectors: Packed | None
    topics: frozenset[str]
    seen_at: float | None
    earlier: tuple[float, ...] = ()


@dataclass
class Story:
    """The running state of one story: per-view vector sums, its span in time, and while it
    may still be split (``split_max`` members at most) its members; None past that.

    A story of one member (most live stories) keeps its sums packed (:func:`.split.pack`:
    about a third of the dicts' memory), which are its member's vectors too; they become
    dicts when a second member joins (:meth:`StoryClusterer._apply`), as each join adds to
    them."""

    id: str
    size: int = 0
    #: the sums as dicts; None while :attr:`packed` holds them
    dicts: dict[str, dict[str, float]] | None = field(
        default_factory=lambda: {v: {} for v in VIEWS}
    )
    packed: Packed | None = None
    first_seen: float | None = None
    last_seen: float | None = None
    topics: Counter[str] = field(default_factory=Counter)
    members: list[Member] | None = field(default_factory=list)

    @property
    def sums(self) -> dict[str, dict[str, float]]:
        """Per view, the sum of the members' vectors (built from :attr:`packed` when packed:
        the paths that run per candidate read the packed form instead)."""
        return self.dicts if self.dicts is not None else unpack(self.packed)  # type: ignore[arg-type]

    def dot(self, view: str, vec: Mapping[str, float]) -> float:
        """``dot(vec, self.sums[view])`` to the last bit, without unpacking."""
        if self.dicts is not None:
            return dot(vec, self.dicts[view])
        terms, weights = next(islice(views_of(self.packed), VIEWS.index(view), None))  # type: ignore[arg-type]
        return dot_packed(vec, terms, weights)

    def pack(self) -> None:
        """Keep the sums packed (a one-member story's, until another member joins)."""
        self.packed = pack(self.dicts)  # type: ignore[arg-type]
        self.dicts = None

    def unpack(self) -> Packed | None:
        """The sums as dicts again (before a join adds to them); what was packed, if any."""
        packed, self.packed = self.packed, None
        if packed is not None:
            self.dicts = unpack(packed)
        return packed


@dataclass(frozen=True)
class Move:
    """Articles already placed changed story: ``moved`` (article ids) left ``source`` for
    ``target`` (a split's new story, the story a one-member story folded into, or the one a
    member was re-homed to). A source left with no member is gone."""

    source: str
    target: str
    moved: tuple[str, ...]


@dataclass(frozen=True)
class Assignment:
    """Where one article went, and why (the score of the story it joined, if any). ``joined``
    is the story it joined (what a replay of this placement names); the moves its join set
    off follow in order (this article may be among the moved: ``story_id`` is where it is
    now)."""

    article_id: str
    story_id: str
    joined: str
    score: float
    new: bool
    title_fit: float = 0.0  # mean cosine of its headline to the story's earlier headlines
    moves: tuple[Move, ...] = ()
    #: the article's next best candidates (the steps after a join read them; a journal keeps
    #: them so its replay need not score the candidates again)
    neighbours: tuple[str, ...] = ()


def story_id_for(article_id: str) -> str:
    """A story is named after the article that started it: stable across re-clustering."""
    return "s" + hashlib.sha1(article_id.encode()).hexdigest()[:16]




def _similarities(members: list[Member]) -> np.ndarray:
    """The members' pairwise similarities, from each one's to those before it."""
    sim = np.zeros((len(members), len(members)))
    for j, member in enumerate(members):
        sim[j, :j] = sim[:j, j] = member.earlier
    return sim


def _within(members: list[Member], picked: list[int], k: int) -> Member:
    """The ``k``-th member of the part ``picked`` (indices into ``members``, in order) after a
    split: its similarities to the part's earlier members only."""
    m = members[picked[k]]
    earlier = tuple(m.earlier[i] for i in picked[:k])
    return Member(m.article_id, m.vectors, m.topics, m.seen_at, earlier)


class StoryClusterer:
    """The online path. Same articles in the same order in, same stories out."""

    def __init__(self, params: StoryParams | None = None) -> None:
        self.params = params or StoryParams()
        self.docs = 0
        self.df = {view: HashedCounts(self.params.df_bits) for view in VIEWS}
        self.stories: dict[str, Story] = {}  # least recently joined first
        self.sketch = CandidateSketch(self.params.per_term, self.params.sketch_terms_per_story)

    # -- weighting -------------------------------------------------------------------------
    def _count_and_weigh(self, feats: StoryFeatures) -> dict[str, dict[str, float]]:
        """Count the article into the document frequencies, then its unit TF-IDF vector per
        view (IDF smoothed as scikit-learn's, over the articles seen so far, this one too).
        Its terms are interned: the sums, members and sketch that keep them then share one
        string per term instead of each article's own copy."""
        self.docs += 1
        out = {}
        for view in VIEWS:
            terms = feats.views.get(view, {})
            df = self.df[view]
            cells = df.add(terms)
            out[view] = unit({
                intern(t): w * (math.log((1 + self.docs) / (1 + df.cells[c])) + 1.0)
                for (t, w), c in zip(terms.items(), cells, strict=True)
            })  # fmt: skip
        return out

    # -- scoring ---------------------------------------------------------------------------
    def _time_factor(self, story: Story, seen_at: float | None) -> float:
        p = self.params
        if seen_at is None or story.first_seen is None or story.last_seen is None:
            return 1.0
        gap = max(0.0, story.first_seen - seen_at, seen_at - story.last_seen)
        return (1.0 - p.time_share) + p.time_share * 0.5 ** (gap / p.half_life_days)

    def score(
        self, story: Story, vectors: Mapping[str, Mapping[str, float]], seen_at: float | None
    ) -> float:
        """Weighted mean cosine of the article to the story's members, softly decayed by time."""
        sums, total = story.dicts, 0.0  # plain loops: this runs for every candidate
        if sums is not None:
            for w, view in zip(self.params.weights, VIEWS, strict=True):
                if w:
                    total += w * dot(vectors[view], sums[view])
        else:  # one member: the same products from its packed vectors
            packed = views_of(story.packed)  # type: ignore[arg-type]
            for w, view, (terms, ws) in zip(self.params.weights, VIEWS, packed, strict=True):
                if w:
                    total += w * dot_packed(vectors[view], terms, ws)
        return total / story.size * self._time_factor(story, seen_at)

    def _bar(self, story: Story) -> float:
        """The score an article needs to join: the threshold, or a share of the story's
        cohesion. For unit vectors summed into S, the mean pairwise cosine of n members is
        (|S|^2 - n) / (n (n - 1)), so cohesion costs one pass over the sums."""
        p = self.params
        if not p.cohesion_share or story.size < 2:
            return p.threshold
        return max(p.threshold, p.cohesion_share * self._cohesion(story))

    def _cohesion(self, story: Story) -> float:
        """The weighted mean cosine between the members of a story of two or more."""
        n, sums = story.size, story.dicts  # two members or more: dicts
        assert sums is not None
        return sum(
            w * (squares(sums[view]) - n) / (n * (n - 1))
            for w, view in zip(self.params.weights, VIEWS, strict=True)
            if w
        )

    def _lookup_terms(self, vectors: Mapping[str, Mapping[str, float]]) -> list[str]:
        text = strongest(vectors["text"])
        names = strongest(vectors["names"])
        n = self.params.lookup_terms
        return [t for t, _ in text[:n]] + [intern("\x00" + e) for e, _ in names[:n]]

    # -- the online step -------------------------------------------------------------------
    def add(self, article: Mapping[str, Any], feats: StoryFeatures | None = None) -> Assignment:
        """Place one article (a record with at least ``id``) and return where it went."""
        feats = feats or features_of(article)
        aid = str(article["id"])
        vectors = self._count_and_weigh(feats)
        lookup = self._lookup_terms(vectors)
        scored = self._scored(vectors, lookup, feats)
        best, best_score = self._choose(scored, vectors)
        new = best is None
        if best is None:
            best = Story(id=story_id_for(aid))
        # how well this headline matches the story's other headlines (a headline is chosen by it)
        typical = best.dot("title", vectors["title"]) / best.size if best.size else 0.0
        neighbours = self._neighbours(scored, best.id)
        self._apply(best, vectors, feats, lookup)
        moves = self._settle(best, aid, vectors, feats, neighbours)
        now = best.id
        for move in moves:
            now = move.target if aid in move.moved else now
        return Assignment(aid, now, best.id, 1.0 if new else best_score, new, typical, moves,
                          tuple(neighbours))  # fmt: skip

    def _neighbours(self, scored: list[tuple[float, Story]], joined: str) -> list[str]:
        """The ids of the article's next best candidates after the one it joins: the only
        stories the steps after a join look at (bounded: ``neighbours`` of them)."""
        n = self.params.neighbours
        return [st.id for _, st in scored if st.id != joined][:n]

    def _scored(
        self, vectors: Mapping[str, Mapping[str, float]], lookup: list[str], feats: StoryFeatures
    ) -> list[tuple[float, Story]]:
        """The live candidate stories with their scores, best first (ties: smaller id)."""
        scored = []
        for sid in self.sketch.candidates(lookup, self.params.candidates):
            story = self.stories.get(sid)
            if story is not None:  # else it went quiet
                scored.append((self.score(story, vectors, feats.seen_at), story))
        scored.sort(key=lambda ss: (-ss[0], ss[1].id))
        return scored

    def _choose(
        self, scored: list[tuple[float, Story]], vectors: Mapping[str, Mapping[str, float]]
    ) -> tuple[Story | None, float]:
        """The story to join: the best candidate if it reaches its bar, else none (a new
        story). Kept apart so a benchmark variant can change only the decision."""
        if scored and scored[0][0] >= self._bar(scored[0][1]):
            return scored[0][1], scored[0][0]
        return None, -1.0

    def replay(
        self, feats: StoryFeatures, story_id: str, article_id: str,
        neighbours: Sequence[str] | None = None,
    ) -> tuple[Move, ...]:  # fmt: skip
        """Apply a placement ``add`` made earlier (same order; ``story_id`` the story it
        joined, ``neighbours`` its :attr:`Assignment.neighbours`): the state moves exactly as
        ``add`` moved it, moves too. Without ``neighbours``, a join to an existing story
        scores the candidates again to find them."""
        vectors = self._count_and_weigh(feats)
        lookup = self._lookup_terms(vectors)
        story = self.stories.get(story_id) or Story(id=story_id)
        if neighbours is None:
            neighbours = []
            if story.size >= 1 and self._steps_after_join():
                neighbours = self._neighbours(self._scored(vectors, lookup, feats), story_id)
        self._apply(story, vectors, feats, lookup)
        return self._settle(story, article_id, vectors, feats, neighbours)

    def _steps_after_join(self) -> bool:
        p = self.params
        return bool(p.split_share and (p.second_chance or p.rehome_ratio))

    def _apply(
        self,
        story: Story,
        vectors: Mapping[str, Mapping[str, float]],
        feats: StoryFeatures,
        lookup: list[str],
    ) -> None:
        packed = story.unpack()  # before the join adds to the sums
        if story.members and story.members[0].vectors is None:
            first = story.members[0]  # its vectors were the story's sums: now its own
            story.members[0] = Member(first.article_id, packed, first.topics, first.seen_at)
        self._join(story, vectors, feats)
        if story.size == 1:
            story.pack()
        self._touch(story)
        self.sketch.post(story.id, lookup)

    def _settle(
        self,
        story: Story,
        article_id: str,
        vectors: dict[str, dict[str, float]],
        feats: StoryFeatures,
        neighbours: Sequence[str] = (),
    ) -> tuple[Move, ...]:
        """The state step after a join (``add`` and ``replay`` alike): keep the new member of
        a young story and split it if it holds two events; else give a one-member neighbour a
        second chance to join it; then re-home one member of the story (or of the split's
        new part) when a neighbour fits it clearly better."""
        moves = []
        split = self._keep(story, article_id, vectors, feats)
        if split is not None:
            moves.append(split)
        elif self.params.split_share and self.params.second_chance:
            moves += self._second_chance(self.stories[story.id], neighbours)
        if self.params.split_share and self.params.rehome_ratio:
            for sid in [story.id] + ([split.target] if split else []):
                rehomed = self._rehome(sid, neighbours)
                if rehomed:
                    moves += rehomed
                    break
        return tuple(moves)

    def _second_chance(self, story: Story, neighbours: Sequence[str]) -> list[Move]:
        """Fold the first one-member neighbour close enough to ``story`` into it (its cosine
        to the story reaching ``second_chance`` × the higher of both bars)."""
        if story.size < 2:
            return []
        for sid in neighbours:
            other = self.stories.get(sid)
            if other is None or other.size != 1 or not other.members:
                continue
            bar = max(self._bar(story), self._bar(other))
            if self._cross(story, other) < self.params.second_chance * bar:
                continue
            del self.stories[sid]
            self.sketch.forget(sid)
            first = other.members[0]
            moves = [Move(sid, story.id, (first.article_id,))]
            return moves + self._admit(story, first.article_id, other.sums,
                                       StoryFeatures({}, first.topics, first.seen_at))  # fmt: skip
        return []

    def _cross(self, a: Story, b: Story) -> float:
        """The weighted mean cosine between the members of two stories."""
        sums = a.dicts  # two members or more: dicts
        assert sums is not None
        total = sum(w * b.dot(v, sums[v])
                    for w, v in zip(self.params.weights, VIEWS, strict=True) if w)  # fmt: skip
        return total / (a.size * b.size)

    def _admit(
        self, story: Story, article_id: str, vectors: dict[str, dict[str, float]],
        feats: StoryFeatures,
    ) -> list[Move]:  # fmt: skip
        """An article already placed elsewhere joins ``story`` as a new one would (split
        check included); the moves that check made."""
        self._apply(story, vectors, feats, self._lookup_terms(vectors))
        split = self._keep(story, article_id, vectors, feats)
        return [split] if split else []

    def _rehome(self, sid: str, neighbours: Sequence[str]) -> list[Move]:
        """Move the member of story ``sid`` that a neighbour fits best relative to its own
        story (see ``rehome_ratio``); the moves made (none when no member qualifies)."""
        story = self.stories.get(sid)
        if story is None or story.members is None or story.size < 3:
            return []
        members = story.members
        sim = _similarities(members)
        others = [self.stories[o] for o in neighbours if o != sid and o in self.stories]
        bars = [self._bar(other) for other in others]
        sums = [other.sums for other in others]  # unpacked once for all the members
        best: tuple[float, int, Story] | None = None
        for i, m in enumerate(members[1:], 1):  # the story is named after its first: it stays
            own = max(sim[i].sum() / (len(members) - 1), 1e-9)
            for other, bar, other_sums in zip(others, bars, sums, strict=True):
                # score(other, unpack(m.vectors)) to the last bit, without the dicts
                fit = similarity_to_packed(m.vectors, other_sums, self.params.weights)  # type: ignore[arg-type]
                fit = fit / other.size * self._time_factor(other, m.seen_at)
                qualifies = fit >= bar and fit >= self.params.rehome_ratio * own
                if qualifies and (best is None or fit / own > best[0]):
                    best = (fit / own, i, other)
        if best is None:
            return []
        _, i, other = best
        m = members[i]
        vectors = unpack(m.vectors)  # type: ignore[arg-type]
        self.stories.pop(sid)
        self._rebuild(sid, members, [k for k in range(len(members)) if k != i])
        moves = [Move(sid, other.id, (m.article_id,))]
        return moves + self._admit(other, m.article_id, vectors,
                                   StoryFeatures({}, m.topics, m.seen_at))  # fmt: skip

    def _keep(
        self,
        story: Story,
        article_id: str,
        vectors: dict[str, dict[str, float]],
        feats: StoryFeatures,
    ) -> Move | None:
        """Keep the new member of a young story, and cut the story in two when its parts are
        far apart; a story past ``split_max`` drops its members (it is never checked again)."""
        p = self.params
        if story.members is None:
            return None
        if not p.split_share or story.size > p.split_max:
            story.members = None
            return None
        if not story.members:  # the first: its vectors are the sums until another joins
            story.members.append(Member(article_id, None, feats.topics, feats.seen_at))
            return None
        earlier = tuple(
            similarity_to_packed(m.vectors, vectors, p.weights)  # type: ignore[arg-type]
            for m in story.members
        )
        kept = Member(article_id, pack(vectors), feats.topics, feats.seen_at, earlier)
        story.members.append(kept)
        if story.size < p.split_min:
            return None
        parts = two_parts(_similarities(story.members), p.split_share)
        return None if parts is None else self._split(story, parts)

    def _split(self, story: Story, parts: list[int]) -> Move:
        """Rebuild the story from the members of its first member's part and a new story from
        the others (the kept part's sketch postings too: the moved members' terms no longer
        point candidates at it)."""
        old = story.members
        assert old is not None
        kept = [i for i, part in enumerate(parts) if part == parts[0]]
        moved = [i for i, part in enumerate(parts) if part != parts[0]]
        new_id = story_id_for(old[moved[0]].article_id)
        self.stories.pop(story.id, None)
        self.sketch.forget(story.id)
        for sid, picked in ((story.id, kept), (new_id, moved)):
            self._rebuild(sid, old, picked)
        return Move(story.id, new_id, tuple(old[i].article_id for i in moved))

    def _rebuild(self, sid: str, old: list[Member], picked: list[int]) -> None:
        """Story ``sid`` made of the members ``picked`` of ``old`` (indices, in order) as if
        only they had joined, in their order."""
        rebuilt = Story(id=sid, members=[_within(old, picked, k) for k in range(len(picked))])
        for i in picked:
            m = old[i]
            vectors = unpack(m.vectors)  # type: ignore[arg-type]
            self._join(rebuilt, vectors, StoryFeatures({}, m.topics, m.seen_at))
            self.sketch.post(sid, self._lookup_terms(vectors))
        self._touch(rebuilt)

    def _touch(self, story: Story) -> None:
        """Move the story to the recent end; the quietest beyond the live budget drop out."""
        self.stories.pop(story.id, None)
        self.stories[story.id] = story
        while len(self.stories) > self.params.live_stories:
            quiet = next(iter(self.stories))
            del self.stories[quiet]
            self.sketch.forget(quiet)

    def _join(
        self, story: Story, vectors: Mapping[str, Mapping[str, float]], feats: StoryFeatures
    ) -> None:
        story.size += 1
        keep = self.params.centroid_terms
        story_sums = story.dicts
        assert story_sums is not None  # _apply unpacked them
        for view in VIEWS:
            sums = story_sums[view]
            vec = vectors[view]  # sums[t] += v for each term, in the vector's order
            added = map(add, map(sums.get, vec, repeat(0.0)), vec.values())
            sums.update(zip(vec, added, strict=True))
            if len(sums) > keep:
                story_sums[view] = dict(strongest(sums)[:keep])
        story.topics.update(feats.topics)
        if feats.seen_at is not None:
            story.first_seen = min(story.first_seen or feats.seen_at, feats.seen_at)
            story.last_seen = max(story.last_seen or feats.seen_at, feats.seen_at)
