#!/usr/bin/env python
"""Catalogue chores that need no GNU gettext.

python scripts/po_tool.py en            # English catalogues: msgstr = msgid (source language)
python scripts/po_tool.py fill F.json   # zh_Hans: fill msgstrs from a {msgid: msgstr} JSON file
python scripts/po_tool.py missing       # list untranslated zh_Hans msgids
python scripts/po_tool.py compile       # write every .mo beside its .po
"""

import json
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def catalogues(language):
    for path in sorted(ROOT.glob(f"**/locale/{language}/LC_MESSAGES/*.po")):
        if ".venv" not in path.parts:
            yield path


def fill_english():
    for path in catalogues("en"):
        po = polib.pofile(str(path), wrapwidth=0)
        for entry in po:
            if entry.msgid_plural:
                entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
            else:
                entry.msgstr = entry.msgid
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        po.save()


def fill_from(mapping_file):
    mapping = json.loads(Path(mapping_file).read_text())
    for path in catalogues("zh_Hans"):
        po = polib.pofile(str(path), wrapwidth=0)
        for entry in po:
            key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
            if key in mapping and (not entry.translated() or "fuzzy" in entry.flags):
                value = mapping[key]
                if entry.msgid_plural:
                    entry.msgstr_plural = {0: value}
                else:
                    entry.msgstr = value
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
        po.save()


def missing():
    for path in catalogues("zh_Hans"):
        po = polib.pofile(str(path), wrapwidth=0)
        for entry in po.untranslated_entries() + po.fuzzy_entries():
            key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
            print(json.dumps(key, ensure_ascii=False) + ': "",')


def compile_all():
    for language in ("en", "zh_Hans"):
        for path in catalogues(language):
            polib.pofile(str(path)).save_as_mofile(str(path.with_suffix(".mo")))


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "en":
        fill_english()
    elif command == "fill":
        fill_from(sys.argv[2])
    elif command == "missing":
        missing()
    elif command == "compile":
        compile_all()
    else:
        sys.exit(__doc__)
