"""One word count for every length rule, CJK text included."""

from __future__ import annotations

from crawler.extract.body import found_too_little
from crawler.extract.document import parse_html
from crawler.extract.focus import prose_words
from crawler.extract.words import word_count

# 30 characters of Chinese a sentence, no spaces (as the language is written).
SENTENCE = "市议会周二以七票对两票批准了新的交通预算案工程将于明年三月开始。"


def test_latin_tokens_and_cjk_characters_count_as_words() -> None:
    assert word_count("The council approved  the budget.\n Work starts") == 7
    assert word_count(SENTENCE) == len(SENTENCE)  # 31 characters and the full stop
    assert word_count("TNW中文站 2016年") == 1 + 3 + 1 + 1


def test_the_page_prose_and_the_body_are_counted_alike_on_a_chinese_page() -> None:
    """The first pass's share of the page's prose used to compare characters (the body) with
    space-separated runs (the page): a Chinese page's prose was a handful of "words", so a
    fragment of its story never looked short and never got the second opinion."""
    paragraphs = "".join(f"<p>{SENTENCE * 3}</p>" for _ in range(6))
    tree = parse_html(f"<html><body><article>{paragraphs}</article></body></html>")
    assert prose_words(tree) == 6 * 3 * len(SENTENCE)
    fragment = SENTENCE  # one sentence of the page's eighteen
    assert found_too_little(fragment, tree, min_words=20)
