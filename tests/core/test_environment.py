"""One reader of ``TIDINGS_*`` variables: parsed values, clear errors, typo warnings, and no
other module reading them behind its back."""

from __future__ import annotations

import ast
import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest

from search_api.config import from_env as api_config
from tidings.core.config import BUNDLED_MODEL_DIR, DEFAULT_USER_AGENT, Settings
from tidings.core.environment import VARIABLES, read_environment

REPO = Path(__file__).resolve().parents[2]


def test_unset_variables_take_their_defaults() -> None:
    values = read_environment({})
    assert set(values) == set(VARIABLES)
    assert values["TIDINGS_HOME"] == Path("var")
    assert values["TIDINGS_RATELIMIT_ENABLED"] is True
    assert values["TIDINGS_RESPONSE_CACHE_SECONDS"] == 2.0
    settings = Settings.from_env({})
    assert (settings.model_dir, settings.user_agent) == (BUNDLED_MODEL_DIR, DEFAULT_USER_AGENT)


def test_set_variables_are_parsed_once_for_every_reader(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.write_text("k2  # the analysts\n\nk3\n")
    env = {
        "TIDINGS_HOME": str(tmp_path),
        "TIDINGS_INDEX": "Elasticsearch",
        "TIDINGS_RETENTION_DAYS": "30",
        "TIDINGS_RATELIMIT_ENABLED": "off",
        "TIDINGS_SEARCH_CACHE_SECONDS": "0.5",
        "TIDINGS_API_KEYS": "k1, k2",
        "TIDINGS_API_KEYS_FILE": str(keys),
        "TIDINGS_ALLOW_INTERNAL_HOSTS": " Intranet.Local., 10.0.0.7 ",
    }
    settings = Settings.from_env(env)
    assert (settings.home, settings.index_backend, settings.retention_days) == (
        tmp_path, "elasticsearch", 30)  # fmt: skip
    config = api_config(env)
    assert config["RATELIMIT_ENABLED"] is False
    assert config["TIDINGS_SEARCH_CACHE_SECONDS"] == 0.5
    assert config["TIDINGS_API_KEYS"] == ("k1", "k2", "k3")
    assert config["TIDINGS_ALLOW_INTERNAL_HOSTS"] == frozenset({"intranet.local", "10.0.0.7"})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TIDINGS_INDEX", "solr"),
        ("TIDINGS_RETENTION_DAYS", "0"),
        ("TIDINGS_RATELIMIT_ENABLED", "maybe"),
        ("TIDINGS_TRUSTED_PROXIES", "-1"),
        ("TIDINGS_RESPONSE_CACHE_SECONDS", "nan"),
        ("TIDINGS_SEARCH_CACHE_SECONDS", "inf"),  # was taken: a cache that never expires
        ("TIDINGS_RESPONSE_CACHE_SECONDS", "1e999"),
        ("TIDINGS_WORKERS", "two"),
    ],
)
def test_a_bad_value_is_an_error_naming_the_variable_and_the_value(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=rf"^{name} must be .*, not '{re.escape(value)}'$"):
        read_environment({name: value})


def test_a_misspelt_name_is_reported_with_the_nearest_known_one(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="tidings.core.environment"):
        read_environment({"TIDINGS_ES_UR": "http://localhost:9200", "TIDINGS_HOME": "x"})
    assert "ignoring unknown setting TIDINGS_ES_UR (did you mean TIDINGS_ES_URL?)" in caplog.text
    assert "TIDINGS_HOME" not in caplog.text


def test_the_cli_turns_a_bad_value_into_one_line_and_exit_2(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tidings.cli.main", "--home", str(tmp_path), "reindex"],
        capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "TIDINGS_INDEX": "solr"},
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "TIDINGS_INDEX must be one of embedded, elasticsearch, not 'solr'" in done.stderr


def test_settings_round_trip_through_a_child_environment(tmp_path: Path) -> None:
    taxonomy = tmp_path / "taxonomy.toml"
    settings = Settings(home=tmp_path, index_backend="elasticsearch", es_url="http://es:9200",
                        es_api_key="k", taxonomy=taxonomy, user_agent="Bot/1")  # fmt: skip
    assert Settings.from_env(settings.to_env()) == settings


def _reads_tidings_variable(node: ast.AST) -> bool:
    """``os.environ.get("TIDINGS_…")``, ``os.getenv("TIDINGS_…")``, ``os.environ["TIDINGS_…"]``."""
    if isinstance(node, ast.Call) and node.args:
        func, first = ast.unparse(node.func), node.args[0]
    elif isinstance(node, ast.Subscript):
        func, first = ast.unparse(node.value), node.slice
    else:
        return False
    return (
        func in ("os.environ.get", "os.getenv", "os.environ", "environ.get", "getenv")
        and isinstance(first, ast.Constant)
        and str(first.value).startswith("TIDINGS_")
    )


def test_no_other_module_reads_tidings_variables() -> None:
    readers = []
    for folder in ("tidings", "crawler", "classifier", "search_api", "bench", "scripts"):
        for path in sorted((REPO / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            if any(_reads_tidings_variable(node) for node in ast.walk(tree)):
                readers.append(str(path.relative_to(REPO)))
    assert readers == []


def test_the_check_sees_a_direct_read() -> None:
    tree = ast.parse('import os\nx = os.environ.get("TIDINGS_HOME", "var")\n')
    assert any(_reads_tidings_variable(node) for node in ast.walk(tree))


def test_the_readme_lists_exactly_the_known_variables() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Settings", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\| `(TIDINGS_[A-Z_]+)` \|", section, flags=re.M)
    assert sorted(listed) == sorted(VARIABLES)
