"""Small synthetic corpora: real fits in well under a second, with predictable answers."""

from __future__ import annotations

import random

import pytest

from classifier.labelled import LabelledRecord

WORDS = {
    "sport": tuple(
        [
            "match",
            "goal",
            "striker",
            "league",
            "coach",
            "champion",
            "stadium",
            "tournament",
            "score",
            "referee",
        ]
    ),
    "technology": tuple(
        [
            "software",
            "chip",
            "internet",
            "computer",
            "app",
            "smartphone",
            "code",
            "network",
            "data",
            "cloud",
        ]
    ),
    "business": tuple(
        [
            "shares",
            "market",
            "profit",
            "investor",
            "bank",
            "economy",
            "merger",
            "revenue",
            "stock",
            "trade",
        ]
    ),
}
FILLER = tuple(
    ["the", "a", "of", "and", "to", "in", "on", "for", "with", "said", "today", "week", "new"]
)


def synthetic(n_per_label: int = 30, seed: int = 0, multi: bool = False) -> list[LabelledRecord]:
    """Documents drawn from per-topic vocabularies (plus shared filler words)."""
    rng = random.Random(seed)
    records: list[LabelledRecord] = []
    labels = sorted(WORDS)
    for label in labels:
        for i in range(n_per_label):
            topics = [label]
            vocab = list(WORDS[label])
            if multi and i % 3 == 0:
                other = labels[(labels.index(label) + 1) % len(labels)]
                topics.append(other)
                vocab += WORDS[other]
            words = [rng.choice(vocab if rng.random() < 0.6 else FILLER) for _ in range(40)]
            title = " ".join(rng.choice(vocab) for _ in range(5))
            records.append(
                {"id": f"{label}-{i}", "title": title, "text": " ".join(words), "topics": topics}
            )
    rng.shuffle(records)
    return records


@pytest.fixture(scope="session")
def make_corpus():  # type: ignore[no-untyped-def]
    return synthetic


@pytest.fixture(scope="session")
def corpus() -> list[LabelledRecord]:
    return synthetic()


@pytest.fixture(scope="session")
def fitted(corpus):  # type: ignore[no-untyped-def]
    from classifier.evaluate import train_ours

    return train_ours(corpus)


@pytest.fixture(scope="session")
def model_dir(fitted, tmp_path_factory):  # type: ignore[no-untyped-def]
    """The synthetic model saved as a model directory."""
    from classifier.artifact import model_version, save_model

    out = tmp_path_factory.mktemp("models") / "synthetic"
    save_model(fitted, out, model_version("synthetic", "0" * 64, model=fitted))
    return out
