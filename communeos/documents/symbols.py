"""Document symbols (số và ký hiệu văn bản): parse, validate, format, and find them in text.

**State documents** — Decree 30/2020/NĐ-CP on clerical work, Appendix I (number and symbol)
and Appendix III (type abbreviations); legal normative documents follow the Law on
Promulgation of Legal Normative Documents (80/2015/QH13, replaced by 64/2025/QH15). The number,
a slash, then abbreviations joined by hyphens:

    12/QĐ-UBND             number / type - issuer
    15/UBND-VP             number / issuer - drafting unit (a công văn has no type abbreviation)
    4937/QĐ-BNN-TCTL       number / type - issuer - drafting unit (ministries add the advising department)
    123/2025/NĐ-CP         number / year / type - issuer (legal normative documents carry the year)
    03/2025/TTLT-BTC-BNV   a joint document lists its co-issuers after the lead issuer
    76/2025/UBTVQH15       number / year / issuer: laws and the normative resolutions of the National
                           Assembly and its Standing Committee have no type (60/2014/QH13, 202/2025/QH15)

**Party documents** — Guideline 36-HD/VPTW of 3 April 2018 (Central Party Office), part II.1.3:

    60-NQ/TW               number - type / issuing body (176-TB/VPTU, 2583-QĐ/TU, 148-KL/TW)

Representation (`Symbol`): the first abbreviation after the type is the `issuer`; whatever
follows it (the drafting unit of a công văn, a ministry's advising department, the co-issuers of
a joint document) is kept, joined by hyphens, as `drafting_unit`. So `15/UBND-VP` has issuer
"UBND" and drafting unit "VP", and filtering by issuer finds every UBND document.

Numbers are counted from 01 (state: per calendar year; party: per type over a committee's
term), and both sources write them with at least two digits. `parse` reads `5/QĐ-UBND` and
`005/QĐ-UBND` as number 5; `format` writes `05/QĐ-UBND`.

What real texts contain is normalised: NFC/NFD, Cyrillic and Greek look-alike letters left by
machine translation (`148-КЛ/TW`), Đ written as D, Ð (U+00D0) or đ (`2583-QD/TU`), dashes and
non-breaking hyphens, spaces around the separators, a leading "Số:" or "No.". A D cannot always
be restored: HD (hướng dẫn) and HĐ (hợp đồng), DA (dự án) and ĐA (đề án) are all real state
types, so "HD" and "DA" stay as written. Party symbols written the state way (`60/NQ-TW`, common
in the press) are read as the party symbol they are.

Where the shape alone cannot tell: in a state symbol without a year, the first abbreviation is
a type only if it is a known type (else it is the issuer of a công văn); with a year, or in a
party symbol, the position says it is a type, known or not (`validate` flags unknown ones).
"""

import bisect
import datetime
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from django.utils.translation import gettext_lazy as _


class Family(StrEnum):
    STATE = "state"
    PARTY = "party"


class DocumentType(NamedTuple):
    name_vi: str
    name_en: str
    basis: str


_DECREE_30 = "Decree 30/2020/NĐ-CP, Appendix III"
_NORMATIVE = "Law 80/2015/QH13 / Law 64/2025/QH15 on legal normative documents"
_CIRCULAR_01 = "Circular 01/2011/TT-BNV (superseded by Decree 30/2020/NĐ-CP; on older documents)"
_GUIDELINE_36 = "Guideline 36-HD/VPTW of 2018; Regulation 66-QĐ/TW of 2017 (replaced by 399-QĐ/TW of 2026)"

STATE_TYPES: dict[str, DocumentType] = {
    "NQ": DocumentType("Nghị quyết", "Resolution", _DECREE_30),
    "QĐ": DocumentType("Quyết định", "Decision", _DECREE_30),
    "CT": DocumentType("Chỉ thị", "Directive", _DECREE_30),
    "QC": DocumentType("Quy chế", "Rules", _DECREE_30),
    "QyĐ": DocumentType("Quy định", "Regulation", _DECREE_30),
    "TC": DocumentType("Thông cáo", "Communiqué", _DECREE_30),
    "TB": DocumentType("Thông báo", "Notice", _DECREE_30),
    "HD": DocumentType("Hướng dẫn", "Guideline", _DECREE_30),
    "CTr": DocumentType("Chương trình", "Programme", _DECREE_30),
    "KH": DocumentType("Kế hoạch", "Plan", _DECREE_30),
    "PA": DocumentType("Phương án", "Option plan", _DECREE_30),
    "ĐA": DocumentType("Đề án", "Scheme", _DECREE_30),
    "DA": DocumentType("Dự án", "Project", _DECREE_30),
    "BC": DocumentType("Báo cáo", "Report", _DECREE_30),
    "BB": DocumentType("Biên bản", "Minutes", _DECREE_30),
    "TTr": DocumentType("Tờ trình", "Submission", _DECREE_30),
    "HĐ": DocumentType("Hợp đồng", "Contract", _DECREE_30),
    "CĐ": DocumentType("Công điện", "Official telegram", _DECREE_30),
    "BGN": DocumentType("Bản ghi nhớ", "Memorandum of understanding", _DECREE_30),
    "BTT": DocumentType("Bản thỏa thuận", "Agreement", _DECREE_30),
    "GUQ": DocumentType("Giấy ủy quyền", "Letter of authorisation", _DECREE_30),
    "GM": DocumentType("Giấy mời", "Invitation", _DECREE_30),
    "GGT": DocumentType("Giấy giới thiệu", "Letter of introduction", _DECREE_30),
    "GNP": DocumentType("Giấy nghỉ phép", "Leave permit", _DECREE_30),
    "PG": DocumentType("Phiếu gửi", "Dispatch slip", _DECREE_30),
    "PC": DocumentType("Phiếu chuyển", "Transfer slip", _DECREE_30),
    "PB": DocumentType("Phiếu báo", "Notification slip", _DECREE_30),
    "SY": DocumentType("Bản sao y", "True copy", _DECREE_30),
    "TrS": DocumentType("Bản trích sao", "Extract copy", _DECREE_30),
    "SL": DocumentType("Bản sao lục", "Copy of a copy", _DECREE_30),
    "NĐ": DocumentType("Nghị định", "Decree", _NORMATIVE),
    "TT": DocumentType("Thông tư", "Circular", _NORMATIVE),
    "TTLT": DocumentType("Thông tư liên tịch", "Joint circular", _NORMATIVE),
    "NQLT": DocumentType("Nghị quyết liên tịch", "Joint resolution", _NORMATIVE),
    "L": DocumentType("Lệnh", "Order (of the State President)", _NORMATIVE),
    "KL": DocumentType("Kết luận", "Conclusion (of an inspection)", "Law on Inspection 11/2022/QH15"),
    "GN": DocumentType("Bản ghi nhớ", "Memorandum of understanding", _CIRCULAR_01),
    "TTh": DocumentType("Bản thỏa thuận", "Agreement", _CIRCULAR_01),
    "UQ": DocumentType("Giấy ủy quyền", "Letter of authorisation", _CIRCULAR_01),
    "NP": DocumentType("Giấy nghỉ phép", "Leave permit", _CIRCULAR_01),
}
"""Type abbreviations of state documents. Laws and the normative resolutions of the National
Assembly and its Standing Committee have none (`60/2014/QH13`, `76/2025/UBTVQH15`)."""

LEGAL_NORMATIVE_TYPES = frozenset({"NĐ", "TT", "TTLT", "NQLT", "L"})
"""State types that exist only as legal normative documents, whose symbol carries the year."""

PARTY_TYPES: dict[str, DocumentType] = {
    "NQ": DocumentType("Nghị quyết", "Resolution", _GUIDELINE_36),
    "QĐ": DocumentType("Quyết định, Quy định", "Decision, Regulation", _GUIDELINE_36),
    "CT": DocumentType("Chỉ thị", "Directive", _GUIDELINE_36),
    "KL": DocumentType("Kết luận", "Conclusion", _GUIDELINE_36),
    "QC": DocumentType("Quy chế", "Rules", _GUIDELINE_36),
    "TT": DocumentType("Thông tri", "Instruction", _GUIDELINE_36),
    "HD": DocumentType("Hướng dẫn", "Guideline", _GUIDELINE_36),
    "TB": DocumentType("Thông báo", "Notice", _GUIDELINE_36),
    "BC": DocumentType("Báo cáo", "Report", _GUIDELINE_36),
    "KH": DocumentType("Kế hoạch", "Plan", _GUIDELINE_36),
    "CTr": DocumentType("Chương trình", "Programme", _GUIDELINE_36),
    "TTr": DocumentType("Tờ trình", "Submission", _GUIDELINE_36),
    "ĐA": DocumentType("Đề án", "Scheme", _GUIDELINE_36),
    "BB": DocumentType("Biên bản", "Minutes", _GUIDELINE_36),
    "CV": DocumentType("Công văn", "Official letter", _GUIDELINE_36),
    "GM": DocumentType("Giấy mời", "Invitation", _GUIDELINE_36),
    "GGT": DocumentType("Giấy giới thiệu", "Letter of introduction", _GUIDELINE_36),
}
"""Type abbreviations of party documents. A party Quy định is abbreviated QĐ, like a Quyết định
(`232-QĐ/TW` is a Quy định); TT is a Thông tri, not a Thông tư."""

PARTY_BODIES: dict[str, str] = {
    "TW": "Ban Chấp hành Trung ương",
    "TU": "Tỉnh ủy, Thành ủy",
    "HU": "Huyện ủy",
    "QU": "Quận ủy",
    "ĐU": "Đảng ủy",
    "ĐUK": "Đảng ủy khối",
    "VPTW": "Văn phòng Trung ương Đảng",
    "VPTU": "Văn phòng Tỉnh ủy",
    "BTCTW": "Ban Tổ chức Trung ương",
    "BTGTW": "Ban Tuyên giáo Trung ương",
    "BTGDVTW": "Ban Tuyên giáo và Dân vận Trung ương",
    "BDVTW": "Ban Dân vận Trung ương",
    "UBKTTW": "Ủy ban Kiểm tra Trung ương",
    "BCSĐ": "Ban cán sự đảng",
    "ĐĐ": "Đảng đoàn",
}
"""Issuing bodies of party documents; a `60/NQ-TW` issued by one of them is read as `60-NQ/TW`."""

ISSUERS: dict[str, str] = PARTY_BODIES | {
    "CP": "Chính phủ",
    "TTg": "Thủ tướng Chính phủ",
    "CTN": "Chủ tịch nước",
    "QH": "Quốc hội (with the term: QH15)",
    "UBTVQH": "Ủy ban Thường vụ Quốc hội (with the term: UBTVQH15)",
    "VPCP": "Văn phòng Chính phủ",
    "UBND": "Ủy ban nhân dân",
    "HĐND": "Hội đồng nhân dân",
    "BNV": "Bộ Nội vụ",
    "BTC": "Bộ Tài chính",
    "BCA": "Bộ Công an",
    "BQP": "Bộ Quốc phòng",
    "BTP": "Bộ Tư pháp",
    "BYT": "Bộ Y tế",
    "BGDĐT": "Bộ Giáo dục và Đào tạo",
    "BKHĐT": "Bộ Kế hoạch và Đầu tư",
    "BLĐTBXH": "Bộ Lao động - Thương binh và Xã hội",
    "BNNMT": "Bộ Nông nghiệp và Môi trường",
    "BXD": "Bộ Xây dựng",
    "BKHCN": "Bộ Khoa học và Công nghệ",
    "NHNN": "Ngân hàng Nhà nước",
    "TTCP": "Thanh tra Chính phủ",
    "HĐTP": "Hội đồng Thẩm phán Tòa án nhân dân tối cao",
    "BCĐ": "Ban Chỉ đạo",
    "SGDĐT": "Sở Giáo dục và Đào tạo",
    "ĐBQH": "Đoàn đại biểu Quốc hội",
    "ĐHQG": "Đại học Quốc gia",
    "VP": "Văn phòng",
}
"""Common issuer abbreviations; the table restores their Đ and their case (`HDND` → `HĐND`,
`TTG` → `TTg`). Any other abbreviation is accepted as written, in capitals."""

EXPECTED_FORMS = ("12/QĐ-UBND", "123/2025/NĐ-CP", "15/UBND-VP", "60-NQ/TW")
FIRST_YEAR = 1945  # the Democratic Republic of Vietnam; party symbols carry no year


# ---------------------------------------------------------------------------------------------
# Normalisation. The tables map one character to one character; composing NFD and dropping
# invisible characters change lengths, so `_View` keeps a map back to the caller's offsets.

_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63"
_SLASHES = "\u2044\u2215\u29f8"
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"

_COMMON = (
    {ord(ch): " " for ch in _SPACES}
    | {ord(ch): "-" for ch in _DASHES}
    | {ord(ch): "/" for ch in _SLASHES}
    | {code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)}  # full-width ASCII
    | str.maketrans("\u00d0\u00f0\u0189\u0256", "ĐđĐđ")  # Ð ð Ɖ ɖ written for Đ đ
)
_LOOKALIKES = _COMMON | str.maketrans(
    # Cyrillic (capital, small) and Greek letters that look like Latin ones, then the Cyrillic
    # letters that a machine translation uses to transliterate (КЛ for KL).
    "АВСЕНКМОРТХУЅІЈавсенкмортхуѕіјΑΒΕΖΗΙΚΜΝΟΡΤΥΧЛДБГПФИЗЭлдбгпфизэ",
    "ABCEHKMOPTXYSIJabcehkmoptxysijABEZHIKMNOPTYXLDBGPFIZEldbgpfize",
)
_COMBINING = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_UNSETTLED = re.compile(f"[{_INVISIBLE}]|.[{_COMBINING}]+", re.DOTALL)  # to drop, or to compose (NFD → NFC)


def _translator(table: dict[int, str | int]):
    """`str.translate`, through a regex that finds the few characters to change: much faster
    on long texts, which contain none or few of them."""
    table = {code: chr(value) if isinstance(value, int) else value for code, value in table.items()}
    characters = re.compile("[" + "".join(re.escape(chr(code)) for code in table) + "]")

    def translate(text: str) -> str:
        return characters.sub(lambda match: table[ord(match[0])], text)

    return translate


_plain = _translator(_COMMON)
_latin = _translator(_LOOKALIKES)


class _View:
    """The text as the patterns read it: composed (NFC), invisible characters dropped,
    separators and look-alikes mapped; `offset` maps a position in it back to the caller's text."""

    def __init__(self, text: str):
        pieces: list[str] = []
        self._shifts: list[tuple[int, int, int, int]] = []  # (start, end) here ↔ (start, end) in text
        done = length = 0
        for match in _UNSETTLED.finditer(text):
            pieces.append(text[done : match.start()])
            length += match.start() - done
            piece = "" if match[0] in _INVISIBLE else unicodedata.normalize("NFC", match[0])
            pieces.append(piece)
            self._shifts.append((length, length + len(piece), match.start(), match.end()))
            length += len(piece)
            done = match.end()
        pieces.append(text[done:])
        composed = "".join(pieces)
        self._starts = [shift[0] for shift in self._shifts]
        self.plain = _plain(composed)  # for dates: Russian month names stay Cyrillic
        self.latin = _latin(composed)  # for symbols

    def offset(self, position: int) -> int:
        i = bisect.bisect_right(self._starts, position) - 1
        if i < 0:
            return position
        _, end, original_start, original_end = self._shifts[i]
        return original_start if position < end else original_end + position - end


def _normalise(text: str) -> str:
    return _View(text).latin


# ---------------------------------------------------------------------------------------------
# Spellings: canonical abbreviations from what was written.


def _fold(token: str) -> str:
    return token.upper().replace("Đ", "D")


class _Spellings:
    """Canonical spelling of an abbreviation: exact, then case-insensitive, then with Đ restored
    when only one known abbreviation folds to it; anything else in capitals."""

    def __init__(self, known: Iterable[str]):
        self.known = frozenset(known)
        self.by_upper = {k.upper(): k for k in self.known}
        folds: dict[str, list[str]] = {}
        for k in self.known:
            folds.setdefault(_fold(k), []).append(k)
        self.by_fold = {f: ks[0] for f, ks in folds.items() if len(ks) == 1}

    def __call__(self, token: str) -> str:
        if token in self.known:
            return token
        upper = token.upper()
        return self.by_upper.get(upper) or self.by_fold.get(_fold(upper)) or upper


_state_type = _Spellings(STATE_TYPES)
_party_type = _Spellings(PARTY_TYPES)
_issuer_letters = _Spellings(ISSUERS)
_TERM = re.compile(r"(?P<letters>.*?)(?P<term>\d*)")  # QH15: the letters, then the legislature's term


def _issuer(token: str) -> str:
    parts = _TERM.fullmatch(token)
    return _issuer_letters(parts["letters"]) + parts["term"]


def _issuers(tokens: list[str]) -> str | None:
    return "-".join(_issuer(t) for t in tokens) or None


# ---------------------------------------------------------------------------------------------
# The symbol


@dataclass(frozen=True, kw_only=True)
class Symbol:
    """A document's number and symbol. `Symbol(family=Family.STATE, number=12, type="QĐ",
    issuer="UBND")` formats as `12/QĐ-UBND`."""

    family: Family
    number: int
    year: int | None = None
    type: str | None = None
    issuer: str
    drafting_unit: str | None = None

    def __post_init__(self):
        object.__setattr__(self, "family", Family(self.family))
        if isinstance(self.number, bool) or not isinstance(self.number, int) or self.number < 0:
            raise ValueError(f"number must be a natural number, not {self.number!r}")
        if self.year is not None and (isinstance(self.year, bool) or not isinstance(self.year, int)):
            raise ValueError(f"year must be an int or None, not {self.year!r}")
        for name, value, pattern in (
            ("issuer", self.issuer, _ABBREVIATION),
            ("type", self.type, _ABBREVIATION),
            ("drafting_unit", self.drafting_unit, _ABBREVIATIONS),
        ):
            if value is not None and not pattern.fullmatch(value):
                raise ValueError(f"{name} must be letters and digits (joined by '-'), not {value!r}")
        if self.family is Family.PARTY and (self.type is None or self.year is not None):
            raise ValueError("a party symbol has a type and no year")
        if self.year is not None and self.type is None and self.drafting_unit is not None:
            raise ValueError("a state symbol with a year and no type (76/2025/UBTVQH15) has no drafting unit")

    def format(self) -> str:
        number = f"{self.number:02d}"
        tail = f"-{self.drafting_unit}" if self.drafting_unit else ""
        if self.family is Family.PARTY:
            return f"{number}-{self.type}/{self.issuer}{tail}"
        year = f"{self.year}/" if self.year is not None else ""
        type_ = f"{self.type}-" if self.type else ""
        return f"{number}/{year}{type_}{self.issuer}{tail}"

    def __str__(self) -> str:
        return self.format()

    @property
    def document_type(self) -> DocumentType | None:
        """Names and legal basis of the type, when it is a known one."""
        table = PARTY_TYPES if self.family is Family.PARTY else STATE_TYPES
        return table.get(self.type) if self.type else None


class SymbolError(ValueError):
    """A text that is not a document symbol. The message, in the active language, shows the
    expected forms."""

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text
        self.expected_forms = EXPECTED_FORMS

    @property
    def message(self) -> str:
        return str(
            _("“%(text)s” is not a document symbol. Expected forms: %(forms)s.")
            % {"text": self.text.strip(), "forms": ", ".join(self.expected_forms)}
        )

    def __str__(self) -> str:
        return self.message


# ---------------------------------------------------------------------------------------------
# Patterns: one per family, built from named parts. Two strengths of segment: `parse` reads a
# field that holds nothing but a symbol, so any letters will do (qd-ubnd); `extract` reads prose,
# so a segment must look like an abbreviation: capitals, each followed by at most one small
# letter (TTg, QyĐ, CTr), then perhaps a term number (QH15). "Decision" or "The" cannot be one.

_LOOSE_SEGMENT = r"[A-Za-zĐđ][A-Za-zĐđ0-9]*"
_STRICT_SEGMENT = r"(?:[A-ZĐ][a-zđ]?)+[0-9]*(?![\w])"
_ABBREVIATION = re.compile(_LOOSE_SEGMENT)
_ABBREVIATIONS = re.compile(rf"{_LOOSE_SEGMENT}(?:-{_LOOSE_SEGMENT})*")

_NUMBER = r"(?P<number>0*\d{1,5})"  # leading zeros: 05, 005
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_START = r"(?<![0-9A-Za-z/\-])(?<!\d[.,])"  # not inside a number, a word or another symbol


def _patterns(segment: str, gap: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    slash, hyphen = f"{gap}/{gap}", f"{gap}-{gap}"
    code = rf"(?P<code>{segment}(?:{hyphen}{segment})*)"
    state = rf"{_START}{_NUMBER}{slash}(?:{_YEAR}{slash})?{code}"
    party = rf"{_START}{_NUMBER}{hyphen}(?P<type>{segment}){slash}{code}"
    return re.compile(state), re.compile(party)


_STATE_FIELD, _PARTY_FIELD = _patterns(_LOOSE_SEGMENT, r"\s*")
_STATE_PROSE, _PARTY_PROSE = _patterns(_STRICT_SEGMENT, r"[ \t]*")  # a symbol does not span lines
_PREFIX = re.compile(r"(?:số|so|no|nº|n°|№|number)\s*[.:]?\s*(?=\d)", re.IGNORECASE)  # Số: 12/QĐ-UBND
_JUNK = " \t\r\n*_\"'“”‘’()[]«».,;:"
_HYPHEN_SPLIT = re.compile(r"\s*-\s*")


def _from_state_match(match: re.Match[str]) -> Symbol:
    number = int(match["number"])
    segments = _HYPHEN_SPLIT.split(match["code"])
    if match["year"]:
        year = int(match["year"])
        if len(segments) == 1:  # a law, a normative resolution of the National Assembly or its Standing Committee
            return Symbol(family=Family.STATE, number=number, year=year, issuer=_issuer(segments[0]))
        return Symbol(
            family=Family.STATE,
            number=number,
            year=year,
            type=_state_type(segments[0]),
            issuer=_issuer(segments[1]),
            drafting_unit=_issuers(segments[2:]),
        )
    if len(segments) == 1:  # 15/UBND: a công văn without its drafting unit, as small communes write them
        return Symbol(family=Family.STATE, number=number, issuer=_issuer(segments[0]))
    if len(segments) == 2 and _issuer(segments[1]) in PARTY_BODIES and _party_type(segments[0]) in PARTY_TYPES:
        return Symbol(family=Family.PARTY, number=number, type=_party_type(segments[0]), issuer=_issuer(segments[1]))
    type_ = _state_type(segments[0])
    if type_ not in STATE_TYPES:  # công văn: issuer - drafting unit
        return Symbol(
            family=Family.STATE, number=number, issuer=_issuer(segments[0]), drafting_unit=_issuers(segments[1:])
        )
    return Symbol(
        family=Family.STATE,
        number=number,
        type=type_,
        issuer=_issuer(segments[1]),
        drafting_unit=_issuers(segments[2:]),
    )


def _from_party_match(match: re.Match[str]) -> Symbol:
    segments = _HYPHEN_SPLIT.split(match["code"])
    return Symbol(
        family=Family.PARTY,
        number=int(match["number"]),
        type=_party_type(match["type"]),
        issuer=_issuer(segments[0]),
        drafting_unit=_issuers(segments[1:]),
    )


def parse(text: str) -> Symbol:
    """The symbol in `text`, which holds one symbol and nothing else but an optional "Số:"
    prefix; raises SymbolError otherwise. `parse("Số: 2583-QD/TU").format() == "2583-QĐ/TU"`."""
    cleaned = _normalise(text).strip(_JUNK)
    if prefix := _PREFIX.match(cleaned):
        cleaned = cleaned[prefix.end() :]
    if match := _PARTY_FIELD.fullmatch(cleaned):
        return _from_party_match(match)
    if match := _STATE_FIELD.fullmatch(cleaned):
        return _from_state_match(match)
    raise SymbolError(text)


# ---------------------------------------------------------------------------------------------
# Validation


@dataclass(frozen=True)
class Problem:
    """Something wrong with a symbol: a stable `code` for programs, a `message` for people."""

    code: str
    template: object = field(repr=False)
    params: tuple[tuple[str, object], ...] = ()

    @property
    def message(self) -> str:
        return str(self.template % dict(self.params)) if self.params else str(self.template)

    def __str__(self) -> str:
        return self.message


def validate(symbol: Symbol, *, today: datetime.date | None = None) -> list[Problem]:
    """What the rules say is wrong with a well-formed symbol; empty when nothing is."""
    today = today or datetime.date.today()
    problems = []
    if symbol.number < 1:
        problems.append(Problem("number", _("Document numbers start from 01.")))
    if symbol.year is not None and not FIRST_YEAR <= symbol.year <= today.year:
        problems.append(
            Problem(
                "year",
                _("%(year)s is not a possible year of issue (%(first)s to %(last)s)."),
                (("year", symbol.year), ("first", FIRST_YEAR), ("last", today.year)),
            )
        )
    if symbol.family is Family.PARTY and symbol.type not in PARTY_TYPES:
        problems.append(
            Problem(
                "type",
                _("“%(type)s” is not a type of party document (Guideline 36-HD/VPTW)."),
                (("type", symbol.type),),
            )
        )
    if symbol.family is Family.STATE and symbol.type is not None and symbol.type not in STATE_TYPES:
        problems.append(
            Problem(
                "type",
                _("“%(type)s” is not a type of state document (Decree 30/2020/NĐ-CP, legal normative documents)."),
                (("type", symbol.type),),
            )
        )
    if symbol.family is Family.STATE and symbol.year is None and symbol.type in LEGAL_NORMATIVE_TYPES:
        problems.append(
            Problem(
                "missing_year",
                _("A “%(type)s” is a legal normative document: its symbol carries the year, as in 123/2025/NĐ-CP."),
                (("type", symbol.type),),
            )
        )
    if _bare(symbol):
        problems.append(
            Problem(
                "drafting_unit",
                _("A công văn's symbol names the drafting unit after the issuer, as in 15/UBND-VP."),
            )
        )
    if (
        symbol.family is Family.STATE
        and symbol.year is not None
        and symbol.type is None
        and _TERM.fullmatch(symbol.issuer)["letters"] not in {"QH", "UBTVQH"}
    ):
        problems.append(
            Problem(
                "missing_type",
                _(
                    "Only the National Assembly and its Standing Committee issue documents with a year and "
                    "no type, as in 76/2025/UBTVQH15."
                ),
            )
        )
    return problems


# ---------------------------------------------------------------------------------------------
# Extraction


@dataclass(frozen=True)
class Reference:
    """A symbol found in a text: `start`/`end` index the text given to `extract`; `date` is the
    date written right after it, when there is one."""

    symbol: Symbol
    start: int
    end: int
    text: str
    date: datetime.date | None = None

    @property
    def span(self) -> tuple[int, int]:
        return self.start, self.end

    @property
    def year(self) -> int | None:
        """The year in the symbol, or else the year of the date next to it."""
        if self.symbol.year is not None:
            return self.symbol.year
        return self.date.year if self.date else None


def _numbered(*names: str) -> dict[str, int]:
    return {name: month for month, name in enumerate(names, 1)}


MONTHS = (  # English, French, Russian (genitive, as in "14 апреля 2025")
    _numbered("january", "february", "march", "april", "may", "june", "july", "august", "september", "october")
    | {"november": 11, "december": 12, "sept": 9}
    | _numbered("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    | _numbered("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre")
    | {"novembre": 11, "décembre": 12, "fevrier": 2, "aout": 8, "decembre": 12}
    | _numbered("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября")
    | {"ноября": 11, "декабря": 12}
)

_BETWEEN = r"[\s*_,;:()\[\]\\]{0,40}"  # what sits between a symbol and its date: spaces, markup, a comma
_KEYWORD = r"(?:(?:ngày|ngay|dated|of|on|from|du|en\s+date\s+du|le|от)\s*)?"
_DAY_MONTH_YEAR = (
    r"(?:(?P<d1>\d{1,2})\s*[/.-]\s*(?P<m1>\d{1,2})\s*[/.-]\s*(?P<y1>\d{4})"  # 14/4/2025, 01-10-1997
    r"|(?P<d2>\d{1,2})\s*th[áa]ng\s*(?P<m2>\d{1,2})\s*,?\s*n[ăa]m\s*(?P<y2>\d{4})"  # 14 tháng 4 năm 2025
    r"|(?P<d3>\d{1,2})(?:st|nd|rd|th|er)?\s+(?P<n3>[^\W\d_]+)\.?\s*,?\s*(?P<y3>\d{4})"  # 14 April 2025
    r"|(?P<n4>[^\W\d_]+)\.?\s+(?P<d4>\d{1,2})(?:st|nd|rd|th)?\s*,?\s*(?P<y4>\d{4}))"  # April 14, 2025
    r"(?!\d)"
)
_DATE_AFTER = re.compile(_BETWEEN + _KEYWORD + _DAY_MONTH_YEAR, re.IGNORECASE)
# The heading of a document: "Số: 12/QĐ-UBND      Lạng Sơn, ngày 5 tháng 1 năm 2025".
_PLACE_AND_DATE_AFTER = re.compile(
    _BETWEEN
    + r"(?P<place>[^\W\d_][^\W\d_.]*\.?(?:[ \t]+[^\W\d_][^\W\d_.]*\.?){0,4})[ \t]*,[ \t]*(?:ngày|ngay)\s*"
    + _DAY_MONTH_YEAR,
    re.IGNORECASE,
)


def _date_at(text: str, position: int) -> datetime.date | None:
    match = _DATE_AFTER.match(text, position)
    if not match:
        match = _PLACE_AND_DATE_AFTER.match(text, position)
        if not match or not all(word[0].isupper() for word in match["place"].split()):
            return None
    for i in "1234":
        if match[f"y{i}"]:
            day, year = int(match[f"d{i}"]), int(match[f"y{i}"])
            month = match[f"m{i}"] if i in "12" else MONTHS.get(match[f"n{i}"].lower())
            try:
                return datetime.date(year, int(month), day) if month else None
            except ValueError:
                return None
    return None


_NUMBER_WORD_BEFORE = re.compile(r"(?<!\w)(?:số|so|no\.?|№|n°|nº)\s*[.:]?\s*[*_]*$", re.IGNORECASE)


def _bare(symbol: Symbol) -> bool:
    """A state symbol of one abbreviation, as in "Công văn số 125/UBND"."""
    return symbol.family is Family.STATE and symbol.year is None and symbol.type is None and not symbol.drafting_unit


def extract(text: str) -> list[Reference]:
    """Every document symbol in `text`, in order, with the date that follows it.

    Reads Vietnamese and machine translations alike: "Nghị quyết số 76/2025/UBTVQH15 ngày 14
    tháng 4 năm 2025", "Resolution No. 60-NQ/TW dated 12 April 2025", "Kết luận số 148-КЛ/TW".
    Dates (14/4/2025), fractions, phone numbers and times are not symbols: a symbol needs an
    abbreviation, and a state symbol without a year needs two (12/QĐ-UBND, 15/UBND-VP).
    """
    view = _View(text)
    found: list[tuple[int, int, Symbol]] = []
    for pattern, build in ((_PARTY_PROSE, _from_party_match), (_STATE_PROSE, _from_state_match)):
        for match in pattern.finditer(view.latin):
            symbol = build(match)
            before = view.latin[max(0, match.start() - 12) : match.start()]
            if _bare(symbol) and not _NUMBER_WORD_BEFORE.search(before):
                continue  # "12/TW" in prose is too little to be a symbol without a "số" before it
            found.append((match.start(), match.end(), symbol))
    found.sort(key=lambda item: (item[0], -item[1]))
    references: list[Reference] = []
    last_end = -1
    for start, end, symbol in found:
        if start < last_end:
            continue  # overlaps a longer symbol found at the same place
        last_end = end
        begin, finish = view.offset(start), view.offset(end)
        references.append(Reference(symbol, begin, finish, text[begin:finish], _date_at(view.plain, end)))
    return references
