"""A tmp Tidings home with a dozen real articles in the real store and embedded index."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from api_corpus import raw_articles
from flask import Flask
from flask.testing import FlaskClient

from search_api import create_app
from tidings.core.article import normalise
from tidings.core.config import Settings
from tidings.core.index import open_index
from tidings.core.store import Store


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, list[dict[str, Any]]]:
    """The settings of a tmp home and the articles stored and indexed in it."""
    home = tmp_path_factory.mktemp("tidings-home")
    settings = Settings(home=home)
    records = [normalise(r) for r in raw_articles()]
    store = Store(settings.db_path)
    try:
        stored = list(store.upsert(records).articles)
    finally:
        _close(store)
    index = open_index(settings, writable=True)
    try:
        index.upsert(stored)
    finally:
        index.close()
    return settings, stored


@pytest.fixture(scope="session")
def app(corpus: tuple[Settings, list[dict[str, Any]]]) -> Iterator[Flask]:
    settings, _ = corpus
    application = create_app(settings)
    application.config["TESTING"] = True
    yield application
    application.extensions["tidings"].close()


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def articles(corpus: tuple[Settings, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return corpus[1]


def _close(thing: Any) -> None:
    close = getattr(thing, "close", None)
    if close is not None:
        close()
