"""The dependency arrows of the design (../shared/DESIGN.md), checked on the source: the shared
core imports none of the three packages; `classifier` imports neither `crawler` nor
`search_api`; `search_api` never imports `crawler`; only `tidings.cli` ties them together. And the
crawler's layout: packages by concept, not flat modules."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

#: package (by path) -> top-level packages (or `tidings.cli`) it must not import
FORBIDDEN = {
    "tidings/core": ("crawler", "classifier", "search_api", "tidings.cli", "tidings.demo"),
    "tidings/demo": ("crawler", "classifier", "search_api", "tidings.cli"),
    "crawler": ("classifier", "search_api", "tidings.cli", "tidings.demo"),
    "classifier": ("crawler", "search_api", "tidings.cli", "tidings.demo"),
    "search_api": ("crawler", "classifier", "tidings.cli", "tidings.demo"),
}


def imported_modules(path: Path) -> set[str]:
    """Every absolute module name a file imports, at any depth (function-level imports too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def violations(package: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in sorted((REPO / package).rglob("*.py")):
        for name in imported_modules(path):
            if any(name == bad or name.startswith(bad + ".") for bad in forbidden):
                found.append(f"{path.relative_to(REPO)} imports {name}")
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_dependency_arrows_point_one_way(package: str) -> None:
    assert (REPO / package).is_dir()
    assert violations(package, FORBIDDEN[package]) == []


def test_the_check_sees_function_level_imports(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from classifier.tagger import Tagger\n    return Tagger\n")
    assert "classifier.tagger" in imported_modules(module)


#: crawler/ keeps only Scrapy's conventional modules at its top; everything else lives in a
#: package named for its concept (issue 12, item 6).
CRAWLER_TOP_MODULES = {"__init__.py", "items.py", "pipelines.py"}


def test_crawler_is_packages_by_concept() -> None:
    crawler = REPO / "crawler"
    assert {p.name for p in crawler.glob("*.py")} == CRAWLER_TOP_MODULES
    packages = [p for p in crawler.iterdir() if p.is_dir() and not p.name.startswith("__")]
    assert packages
    for package in packages:
        init = package / "__init__.py"
        assert init.is_file(), f"{package.name} is not a package"
        assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), (
            f"crawler/{package.name}/__init__.py should say what the package holds"
        )


#: The packages whose modules docs/architecture.md must name (a newcomer's map of the code).
DOCUMENTED_PACKAGES = ("crawler", "classifier", "search_api", "tidings")
ARCHITECTURE = REPO / "docs" / "architecture.md"


def test_architecture_names_every_module() -> None:
    """Each module's file name appears in the map (by name: two `record.py` count as one)."""
    doc = ARCHITECTURE.read_text(encoding="utf-8")
    unnamed = [
        str(path.relative_to(REPO))
        for package in DOCUMENTED_PACKAGES
        for path in sorted((REPO / package).rglob("*.py"))
        if path.name != "__init__.py" and not re.search(rf"(?<!\w){re.escape(path.name)}", doc)
    ]
    assert unnamed == []


def test_architecture_names_only_modules_that_exist() -> None:
    doc = ARCHITECTURE.read_text(encoding="utf-8")
    roots = (*DOCUMENTED_PACKAGES, "tests", "bench")
    existing = {path.name for root in roots for path in (REPO / root).rglob("*.py")}
    named = set(re.findall(r"(?<![\w.])\w+\.py\b", doc))
    assert sorted(named - existing) == []
    paths = re.findall(rf"\b(?:{'|'.join(roots)})/[\w/]+\.py\b", doc)
    assert [p for p in paths if not (REPO / p).is_file()] == []
