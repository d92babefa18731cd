"""The letter font: DejaVu Sans, regular and bold, shipped with servicekit (licence in LICENSE beside this file).

It prints the Norwegian and Sámi alphabets (á č đ ŋ š ŧ ž and the rest), most European scripts and the usual
typography. What a letter may hold is what both faces print: a heading is set in bold, a paragraph in regular."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

FONTS = Path(__file__).parent
FAMILY = "DejaVuSans"
REGULAR = FONTS / "DejaVuSans.ttf"
BOLD = FONTS / "DejaVuSans-Bold.ttf"


@lru_cache(maxsize=1)
def _code_points() -> frozenset[int]:
    faces = []
    for path in (REGULAR, BOLD):
        with TTFont(path, lazy=True) as face:
            faces.append(set(face.getBestCmap()))
    return frozenset(faces[0] & faces[1])


def has_glyph(char: str) -> bool:
    """Whether both faces of the letter font have a glyph for the character."""
    return ord(char) in _code_points()
