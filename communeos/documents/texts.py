"""Reading a document's header from its text: the symbol, the date, the issuing body and
the title — what a clerk types into the register, offered from a digitised text."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from communeos.documents import symbols

_TERM = re.compile(r"^(?P<code>[A-ZĐ]+?)(?P<term>\d+)?$")
_TITLE = re.compile(r"\*\*(?P<type>[^*\n]{4,40})\*\*\s*\n+(?P<title>[^\n*][^\n]*(?:\n[^\n*][^\n]*)*)")


@dataclass(frozen=True)
class Header:
    symbol: symbols.Symbol
    issued_on: date | None
    author: str
    title: str

    @property
    def summary(self) -> str:
        return self.title


def author_of(symbol: symbols.Symbol) -> str:
    """The issuing body's name from the symbol's issuer code (UBTVQH15 → Ủy ban Thường vụ Quốc hội)."""
    match = _TERM.match(symbol.issuer)
    code = match["code"] if match else symbol.issuer
    name = symbols.ISSUERS.get(symbol.issuer) or symbols.ISSUERS.get(code) or symbol.issuer
    return name.split(" (")[0]


def read_header(text: str) -> Header | None:
    """The header of an official document's text, or None when no symbol is found near the
    top. The first reference in the first part of the text is the document's own symbol."""
    text = unicodedata.normalize("NFC", text)
    head = text[:2500]
    found = symbols.extract(head)
    if not found:
        return None
    own = found[0]
    title = ""
    match = _TITLE.search(text[own.end : own.end + 3000])
    if match:
        kind = " ".join(match["type"].split()).capitalize()
        body = " ".join(match["title"].replace("\\", " ").split())
        title = f"{kind} {body}".strip()
    return Header(symbol=own.symbol, issued_on=own.date, author=author_of(own.symbol), title=title)
