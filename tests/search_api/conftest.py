"""A tmp Tidings home with a dozen real articles in the real store and embedded index."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from api_corpus import ADMIN_CONFIG, build_home
from flask import Flask
from flask.testing import FlaskClient

from search_api import create_app
from tidings.core.config import Settings


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, list[dict[str, Any]]]:
    """The settings of a tmp home and the articles stored and indexed in it."""
    return build_home(tmp_path_factory.mktemp("tidings-home"))


@pytest.fixture(scope="session")
def app(corpus: tuple[Settings, list[dict[str, Any]]]) -> Iterator[Flask]:
    settings, _ = corpus
    # no rate limits here: the suite sends thousands of requests (test_api_limits tests them)
    application = create_app(settings, config={"RATELIMIT_ENABLED": False})
    application.config["TESTING"] = True
    yield application
    application.extensions["tidings"].close()


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def articles(corpus: tuple[Settings, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return corpus[1]


@pytest.fixture()
def fresh(tmp_path: Any) -> tuple[Settings, list[dict[str, Any]]]:
    """A home of its own, for tests that write (delete articles, add sources)."""
    return build_home(tmp_path / "home")




@pytest.fixture()
def admin_client(fresh: tuple[Settings, list[dict[str, Any]]]) -> Iterator[FlaskClient]:
    """A client of an app over ``fresh`` with one API key (:data:`KEY`), no rate limits;
    sources added through it may name 127.0.0.1 (the loopback test sites), by the setting."""
    application = create_app(fresh[0], config=ADMIN_CONFIG)
    yield application.test_client()
    application.extensions["tidings"].close()
