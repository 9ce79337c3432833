"""House rules of the test suite itself, checked over the source of every test module."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def raises_without_match(source: str) -> list[int]:
    """Lines of the ``pytest.raises(...)`` calls in ``source`` that do not say which error with ``match=``."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "raises"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "pytest"
        and not any(keyword.arg == "match" for keyword in node.keywords)
    ]


def test_every_pytest_raises_has_match():
    found = [
        f"{path.relative_to(TESTS)}:{line}"
        for path in sorted(TESTS.rglob("*.py"))
        for line in raises_without_match(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_pytest_raises_without_match_is_found():
    source = (
        "import pytest\n"
        "\n"
        "with pytest.raises(ValueError):\n"
        "    pass\n"
        "with pytest.raises(ValueError, match='x'):\n"
        "    pass\n"
    )
    assert raises_without_match(source) == [3]
