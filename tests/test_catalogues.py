"""Every message in the project's catalogues is translated, in both languages, and compiled."""

from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(p for p in ROOT.glob("**/locale/*/LC_MESSAGES/*.po") if ".venv" not in p.parts)


def test_catalogues_exist_for_both_languages():
    languages = {p.parent.parent.name for p in CATALOGUES}
    assert {"zh_Hans", "en"} <= languages


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_complete(po_path):
    catalogue = polib.pofile(str(po_path))
    missing = [e.msgid for e in catalogue if not e.obsolete and not e.translated()]
    fuzzy = [e.msgid for e in catalogue if "fuzzy" in e.flags and not e.obsolete]
    assert missing == [], f"untranslated in {po_path}: {missing[:10]}"
    assert fuzzy == [], f"fuzzy in {po_path}: {fuzzy[:10]}"


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_compiled(po_path):
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} missing: run make messages"
    compiled = {e.msgid for e in polib.mofile(str(mo_path))}
    source = {e.msgid for e in polib.pofile(str(po_path)) if e.translated() and not e.obsolete}
    assert source <= compiled, f"{mo_path} is stale: {sorted(source - compiled)[:5]}"
