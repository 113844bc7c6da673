"""Generate ``src/signoff/util/invisible_table.py``: the code points signoff shows as placeholders.

The set is Default_Ignorable_Code_Point plus General_Category=Cf (format characters, which include the
tag characters U+E0000-E007F and the bidi controls) plus blank-looking letters and symbols that are valid
in identifiers or look like a space without being whitespace (Hangul fillers, U+2800 BRAILLE PATTERN
BLANK). Python's ``unicodedata`` has no Default_Ignorable_Code_Point, so the properties come from either

* the Unicode Character Database files (``--ucd DIR`` holding ``DerivedCoreProperties.txt`` and
  ``extracted/DerivedGeneralCategory.txt``, from https://www.unicode.org/Public/UCD/latest/ucd/), or
* the ``regex`` package (https://pypi.org/project/regex/), which ships the UCD properties compiled in.

Run: ``python scripts/gen_unicode_invisible.py [--ucd DIR]`` and commit the result. The test suite checks
the table against ``regex`` code point by code point, and the Trojan Source trigger against the table.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "signoff" / "util" / "invisible_table.py"
TRIGGER_FILE = ROOT / "checklists" / "code-security.toml"

#: Neither Default_Ignorable nor Cf, but invisible in review: a blank-looking symbol (an identifier
#: look-alike) and the line/paragraph separators (line terminators in JavaScript, invisible in editors).
LOOKALIKES = {0x2028: "LINE SEPARATOR", 0x2029: "PARAGRAPH SEPARATOR", 0x2800: "BRAILLE PATTERN BLANK"}


def _ranges_from_ucd(path: Path, wanted: str) -> set[int]:
    out: set[int] = set()
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        cps, prop = (x.strip() for x in line.split(";")[:2])
        if prop != wanted:
            continue
        lo, _, hi = cps.partition("..")
        out.update(range(int(lo, 16), int(hi or lo, 16) + 1))
    return out


def from_ucd(directory: Path) -> tuple[set[int], str]:
    core = directory / "DerivedCoreProperties.txt"
    version = re.search(r"DerivedCoreProperties-([\d.]+)\.txt", core.read_text()[:200])
    points = _ranges_from_ucd(core, "Default_Ignorable_Code_Point")
    points |= _ranges_from_ucd(directory / "extracted" / "DerivedGeneralCategory.txt", "Cf")
    return points, f"Unicode {version.group(1) if version else '?'} (UCD files)"


def from_regex() -> tuple[set[int], str]:
    import regex

    pattern = regex.compile(r"[\p{Default_Ignorable_Code_Point}\p{Cf}]")
    points = {cp for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF and pattern.match(chr(cp))}
    return points, f"regex {regex.__version__} (its compiled Unicode Character Database)"


def ranges(points: set[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for cp in sorted(points):
        if out and out[-1][1] == cp - 1:
            out[-1] = (out[-1][0], cp)
        else:
            out.append((cp, cp))
    return out


def _esc(cp: int) -> str:
    return f"\\u{cp:04x}" if cp <= 0xFFFF else f"\\U{cp:08x}"


def char_class(rs: list[tuple[int, int]]) -> str:
    """A regex character class of ``rs`` as TOML basic-string escapes (decoded to raw characters)."""
    return "[" + "".join(_esc(a) if a == b else f"{_esc(a)}-{_esc(b)}" for a, b in rs) + "]"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ucd", type=Path, help="directory of the Unicode Character Database files")
    args = parser.parse_args()
    points, source = from_ucd(args.ucd) if args.ucd else from_regex()
    points |= set(LOOKALIKES)
    rs = ranges(points)
    body = ",\n".join(f"    (0x{a:04X}, 0x{b:04X})" for a, b in rs)
    OUT.write_text(
        '"""Code points shown as placeholders and flagged as invisible code (generated: do not edit).\n\n'
        "Default_Ignorable_Code_Point | General_Category=Cf |\n"
        f"{', '.join(f'U+{c:04X} {n}' for c, n in LOOKALIKES.items())}.\nSource: {source}.\n"
        'Regenerate with ``python scripts/gen_unicode_invisible.py``.\n"""\n\n'
        f"SOURCE = {json.dumps(source)}\n\n"
        "#: Inclusive ``(first, last)`` code point ranges, sorted.\n"
        f"INVISIBLE_RANGES: tuple[tuple[int, int], ...] = (\n{body},\n)\n"
    )
    text = TRIGGER_FILE.read_text()
    start = text.index('id = "code.trojan-source"')
    m = re.compile(r"^added = \[.*\]$", re.MULTILINE).search(text, start)
    assert m is not None
    # comments = true: an invisible character in a comment hides code as well as one in code does.
    line = f'added = [{{ regex = "{char_class(rs)}", comments = true }}]'
    TRIGGER_FILE.write_text(text[: m.start()] + line + text[m.end() :])
    print(f"{len(points)} code points in {len(rs)} ranges from {source}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
