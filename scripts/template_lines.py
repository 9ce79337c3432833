"""Breaks template lines longer than 200 characters (djlint's rule L200) without changing what they render.

    .venv/bin/python scripts/template_lines.py [--check] [FILE ...]   (default: every template)

A line is broken only where a break changes nothing a browser shows or a catalogue holds:
- between the attributes of an HTML tag (outside quoted values and template tags);
- at a space in text, which HTML collapses anyway (not on a line holding <pre>, <textarea> or .prewrap);
- just before a block-level tag (<li>, <td>, <p>, <div>...) or just inside one, where whitespace is not
  rendered;
- between the template tags of a line that holds nothing else (no markup, no text).
Never inside {% %}, {{ }} or {# #} (Django tags cannot span lines) nor inside {% blocktranslate %}
(the text is the message id). A line with no such place is left as it is and reported.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 200
SKIP_DIRS = {".venv", "staticfiles", "node_modules", ".git", "test-artifacts", "media"}
BLOCK_TAG = re.compile(
    r"</?(?:li|tr|td|th|thead|tbody|tfoot|table|caption|p|div|ul|ol|dl|dt|dd|section|article|aside|header"
    r"|footer|nav|main|h[1-6]|fieldset|legend|details|summary|figure|figcaption|option|optgroup)\b",
    re.IGNORECASE,
)
NO_TEXT_BREAKS = re.compile(r"<pre\b|<textarea\b|prewrap", re.IGNORECASE)
CLOSERS = {"%": "%}", "{": "}}", "#": "#}"}


def candidates(line: str) -> list[tuple[int, str]]:
    """Where `line` may be broken: (index, kind); kind "space" replaces line[index], "before" inserts."""
    found = []
    text_breaks = not NO_TEXT_BREAKS.search(line)
    indent = len(line) - len(line.lstrip())
    django = None
    django_start = 0
    in_tag = False
    quote = None
    in_blocktrans = False
    block_start = False
    logic_only = "<" not in line and not re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", "", line).strip()
    i = 0
    while i < len(line):
        pair = line[i : i + 2]
        if django:
            if pair == CLOSERS[django]:
                if django == "%":
                    words = line[django_start + 2 : i].split()
                    word = words[0] if words else ""
                    if word in ("blocktranslate", "blocktrans"):
                        in_blocktrans = True
                    elif word in ("endblocktranslate", "endblocktrans"):
                        in_blocktrans = False
                django = None
                i += 2
            else:
                i += 1
            continue
        if pair in ("{%", "{{", "{#"):
            # a line of template logic only (no markup, no text): it renders nothing but whitespace
            if logic_only and pair == "{%" and i > indent and not in_blocktrans:
                found.append((i, "before"))
            django, django_start = pair[1], i
            i += 2
            continue
        char = line[i]
        if in_tag:
            if quote:
                if char == quote:
                    quote = None
            elif char in "\"'":
                quote = char
            elif char == ">":
                in_tag = False
                # just inside a block-level element: its leading whitespace is not rendered
                if block_start and not in_blocktrans and i + 1 < len(line) and not line[i + 1].isspace():
                    found.append((i + 1, "before"))
            elif char == " " and not in_blocktrans and i > indent:
                found.append((i, "space"))
            i += 1
            continue
        if char == "<" and re.match(r"<[a-zA-Z/!]", line[i : i + 2]):
            block = BLOCK_TAG.match(line, i)
            if block and not in_blocktrans and i > indent and not line[i - 1].isspace():
                found.append((i, "before"))
            block_start = bool(block) and line[i + 1] != "/"
            in_tag = True
        elif char == " " and text_breaks and not in_blocktrans and i > indent:
            found.append((i, "space"))
        i += 1
    return found


def break_line(line: str) -> list[str]:
    if len(line) <= LIMIT:
        return [line]
    indent = line[: len(line) - len(line.lstrip())]
    more = indent + "  "
    places = candidates(line)
    pieces = []
    start, prefix = 0, ""
    while len(prefix) + len(line) - start > LIMIT:
        fitting = [(i, kind) for i, kind in places if start < i and len(prefix) + i - start <= LIMIT]
        if not fitting:
            break
        i, kind = fitting[-1]
        pieces.append(prefix + line[start:i])
        start = i + 1 if kind == "space" else i
        prefix = more
    pieces.append(prefix + line[start:])
    return pieces


def templates() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("*.html")
        if not SKIP_DIRS & set(path.relative_to(ROOT).parts) and "templates" in path.parts
    )


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [Path(a).resolve() for a in argv if a != "--check"] or templates()
    changed, left = [], []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        out = []
        for number, line in enumerate(text.split("\n"), 1):
            pieces = break_line(line)
            if len(pieces[-1]) > LIMIT or any(len(p) > LIMIT for p in pieces):
                left.append(f"{path.relative_to(ROOT)}:{number}")
            out.extend(pieces)
        new = "\n".join(out)
        if new != text:
            changed.append(path)
            if not check:
                path.write_text(new, encoding="utf-8")
    for path in changed:
        print(("would break lines in " if check else "broke lines in ") + str(path.relative_to(ROOT)))
    for place in left:
        print(f"{place}: no place to break this line; break it by hand", file=sys.stderr)
    return 1 if (check and changed) or left else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
