"""The README's workflow diagram is the one generated from the code."""

from pathlib import Path

from roundtable.diagram import mermaid, readme_block
from roundtable.workflow import TRANSITIONS

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_diagram_matches_the_code():
    assert readme_block() in README.read_text(), "run: python manage.py workflow_diagram --write"


def test_diagram_has_every_transition():
    text = mermaid()
    for source, moves in TRANSITIONS.items():
        for move, target in moves.items():
            assert f"{source} --> {target}: {move}" in text
