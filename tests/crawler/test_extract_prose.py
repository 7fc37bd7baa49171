"""One definition of "not story prose", and its two users agreeing on it."""

from __future__ import annotations

from crawler.extract.document import parse_html
from crawler.extract.focus import prose_words, story_focus
from crawler.extract.prose import outside_prose, story_paragraphs

STORY = " ".join(f"word{i}" for i in range(60))


def test_furniture_never_text_and_discussions_in_any_case_are_not_prose() -> None:
    tree = parse_html(
        "<html><body><div id='s'><p>story prose here</p></div>"
        "<aside><p>aside</p></aside><nav><p>nav</p></nav><footer><p>footer</p></footer>"
        "<noscript><p>noscript</p></noscript>"
        "<div class='UserComments'><p>upper-case comment class</p></div>"
        "<section id='disqus_thread'><div><p>disqus</p></div></section>"
        "<ol class='reply-list'><li><p>a reply</p></li></ol>"
        "</body></html>"
    )
    kept = [p.text_content() for p in story_paragraphs(tree)]
    assert kept == ["story prose here"]
    flagged = [p.text_content() for p in tree.iter("p") if outside_prose(p)]
    assert len(flagged) == len(list(tree.iter("p"))) - 1  # the page query and the predicate agree
    assert prose_words(tree) == 3


def test_focus_ignores_a_comment_thread_named_in_any_case() -> None:
    """A thread named ``Comments`` (capital C) is not prose.

    Before they shared one definition, focus matched only lower-case "comment", so this page's
    thread counted as prose and the focus gave up on the story's container.
    """
    thread = "".join(f"<div class='c'><p>{STORY} reply {i}</p></div>" for i in range(3))
    page = (
        "<html><body><div class='main'><h1>Headline</h1>"
        f"<div class='part'><p>{STORY} first part</p></div>"
        f"<div class='part'><p>{STORY} second part</p></div></div>"
        f"<div class='Comments'><div class='part'><p>{STORY} in the thread</p></div>{thread}</div>"
        "</body></html>"
    )
    tree = parse_html(page)
    focused = story_focus(tree)
    assert focused is not tree
    assert "in the thread" not in focused.text_content()


def test_discussion_words_start_a_word_and_commentary_is_prose() -> None:
    """A word of the class or id must start with a discussion word: an opinion column in
    ``div.commentary-body`` is the story (it used to match "comment" inside "commentary" and
    the page had no story prose at all), and so is an ``uncommented`` block."""
    tree = parse_html(
        "<html><body><div class='commentary-body'><p>the column itself</p></div>"
        "<div id='uncommented'><p>plain prose</p></div>"
        "<div class='js-comment_list'><p>a thread</p></div>"
        "<div class='postComments'><p>another thread</p></div>"
        "</body></html>"
    )
    kept = [p.text_content() for p in story_paragraphs(tree)]
    assert kept == ["the column itself", "plain prose"]
