"""Elements found by their names: the one search over a page's class and id values finds every
element a rule testing names one by one would flag, in document order."""

from __future__ import annotations

import copy
import re

from crawler.extract.document import parse_html
from crawler.extract.names import FEW_NAMES, PageNames
from crawler.extract.prose import DISCUSSION_WORDS, names_discussion, not_prose_roots
from crawler.extract.widgets import WIDGET_WORDS, names_widget, widget_texts

PAGE = (
    "<html><head><meta class='comment'></head><body>"
    "<div class='UserComments' id='x'><p>upper-case class</p></div>"
    "<section id='disqus_thread' class='REPLY-box'><p>both names match</p></section>"
    "<div class=\"it's &quot;Comment&quot; here\"><p>quotes in the name</p></div>"
    "<div class='uncommented'><p>a word inside a word: found, not flagged</p></div>"
    "<div class='commentary'><p>an opinion column</p></div>"
    "<div class='Gallery-Wrap'><p>a widget</p></div><div id='slides'><p>slides</p></div>"
    "<div class='kommentar'><p>no word at all</p></div>"
    "</body></html>"
)


def _one_by_one(tree, test):
    return [el for el in tree.iter() if (el.get("class") or el.get("id")) and test(el)]


def test_every_element_a_name_test_flags_is_found_in_document_order() -> None:
    tree = parse_html(PAGE)
    found = PageNames(tree).elements(DISCUSSION_WORDS)
    assert len(found) == len(set(found))  # an element both of whose names match, once
    flagged = [el for el in found if names_discussion(el)]
    assert flagged == _one_by_one(tree, names_discussion)
    assert [el.get("class") for el in flagged] == [
        "comment", "UserComments", "REPLY-box", "it's \"Comment\" here"
    ]  # fmt: skip
    assert {el.get("class") for el in found} - {el.get("class") for el in flagged} == {
        "uncommented", "commentary"
    }  # the search is the superset; names_discussion decides


def test_a_scope_and_a_pattern_narrow_the_search() -> None:
    tree = parse_html(PAGE)
    names = PageNames(tree)
    widgets = names.elements(WIDGET_WORDS, re.compile(r"gallery|slides"), "//body//")
    assert [el for el in widgets if names_widget(el)] == _one_by_one(tree, names_widget)
    assert names.elements(DISCUSSION_WORDS, scope="//body//")[0].get("class") == "UserComments"
    assert names.elements(("nowhere",)) == []


def test_rules_given_the_page_names_answer_as_without() -> None:
    tree = parse_html(PAGE)
    names = PageNames(tree)
    assert not_prose_roots(tree, names) == not_prose_roots(tree)
    given, read_here = widget_texts(tree, [], names), widget_texts(tree, [])
    assert sorted(given) == sorted(read_here) == [" a widget ", " slides "]


def _bearing_a_name(tree, names):
    return [el for el in tree.iter() if el.get("class") in names or el.get("id") in names]


def test_few_names_found_by_their_attributes_give_the_walks_elements() -> None:
    """Up to FEW_NAMES names found, an XPath over the attributes finds their elements: the same
    elements as the walk, in document order, an element bearing two of them once."""
    many = "".join(f"<div class='comment-{k}'><p>reply {k}</p></div>" for k in range(FEW_NAMES))
    page = (
        "<html><body class='comment'><div class='comment' id='comment'><p>both</p>"
        "<div id='comment'><p>inner id</p></div></div><span class='comment'>a</span>"
        f"<section class='comments' id='replies'><div class='comment'>b</div></section>{many}"
        "</body></html>"
    )
    tree = parse_html(page)
    for body in (tree, copy.deepcopy(tree.find("body"))):  # a document, and a copy's root
        names = PageNames(body)
        few = (("comments",), ("repl",), ("comment-1", "comment-2"), ("comments", "replies"))
        for words in (*few, ("comment",)):  # the last finds more than FEW_NAMES: the walk
            hits = {n for n in names.names if any(w in n.lower() for w in words)}
            assert (0 < len(hits) <= FEW_NAMES) == (words in few)
            found = names.elements(words)
            assert found == _bearing_a_name(body, hits), words
            assert len(found) == len(set(found))
