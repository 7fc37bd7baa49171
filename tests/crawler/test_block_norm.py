"""``norm`` on ASCII text goes through a byte table: the tokens must be the pattern's."""

from __future__ import annotations

import random
import re

from crawler.extract.blocks import norm

WORDS = re.compile(r"\w+")


def test_ascii_text_gives_the_patterns_tokens() -> None:
    rng = random.Random(7)
    every_ascii = "".join(map(chr, range(128)))
    texts = [every_ascii, "", "  \t\n ", "a_b-c d.e", "Don't stop: 3.5% (up)!"]
    for _ in range(500):
        texts.append("".join(rng.choice(every_ascii) for _ in range(rng.randint(0, 80))))
    for text in texts:
        assert norm(text) == " ".join(WORDS.findall(text)), repr(text)


def test_other_text_gives_the_patterns_tokens() -> None:
    for text in ["Café — “naïve” déjà-vu", "Zürich\u00a0FC 2\u20133", "東京 2026年"]:
        assert norm(text) == " ".join(WORDS.findall(text))
