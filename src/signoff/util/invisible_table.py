"""Code points shown as placeholders and flagged as invisible code (generated: do not edit).

Default_Ignorable_Code_Point | General_Category=Cf |
U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR, U+2800 BRAILLE PATTERN BLANK.
Source: regex 2026.5.9 (its compiled Unicode Character Database).
Regenerate with ``python scripts/gen_unicode_invisible.py``.
"""

SOURCE = "regex 2026.5.9 (its compiled Unicode Character Database)"

#: Inclusive ``(first, last)`` code point ranges, sorted.
INVISIBLE_RANGES: tuple[tuple[int, int], ...] = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x2028, 0x202E),
    (0x2060, 0x206F),
    (0x2800, 0x2800),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
