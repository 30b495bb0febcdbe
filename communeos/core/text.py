"""Text helpers shared by every app: diacritics-insensitive search keys."""

import unicodedata


def fold(text: str) -> str:
    """Lower-case `text` and strip Vietnamese diacritics, for search.

    `fold("Lộc Bình") == "loc binh"`. The letter đ is not a combining mark,
    so it is mapped by hand.
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())
