"""Document symbols: parse, format, validate, and extraction from real and machine-translated texts.

Pure functions: no database. The real texts are the six resolutions of
../shared/data/reorganization-2025/resolutions (skipped when the folder is absent)."""

import datetime
import unicodedata

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from communeos.documents.symbols import (
    ISSUERS,
    PARTY_BODIES,
    PARTY_TYPES,
    STATE_TYPES,
    Family,
    Symbol,
    SymbolError,
    extract,
    parse,
    validate,
)

RESOLUTIONS = settings.BASE_DIR.parent / "shared" / "data" / "reorganization-2025" / "resolutions"
STATE, PARTY = Family.STATE, Family.PARTY
TODAY = datetime.date(2025, 7, 1)


def state(number, issuer, *, year=None, type=None, drafting_unit=None):
    return Symbol(family=STATE, number=number, year=year, type=type, issuer=issuer, drafting_unit=drafting_unit)


def party(number, type, issuer, drafting_unit=None):
    return Symbol(family=PARTY, number=number, type=type, issuer=issuer, drafting_unit=drafting_unit)


# --- parse and format -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "symbol"),
    [
        ("12/QĐ-UBND", state(12, "UBND", type="QĐ")),
        ("1234/QĐ-UBND", state(1234, "UBND", type="QĐ")),
        ("123/2025/NĐ-CP", state(123, "CP", year=2025, type="NĐ")),
        ("15/UBND-VP", state(15, "UBND", drafting_unit="VP")),
        ("76/2025/UBTVQH15", state(76, "UBTVQH15", year=2025)),
        ("202/2025/QH15", state(202, "QH15", year=2025)),
        ("60/2014/QH13", state(60, "QH13", year=2014)),
        ("1654/NQ-UBTVQH15", state(1654, "UBTVQH15", type="NQ")),
        ("01/2025/TT-BCA", state(1, "BCA", year=2025, type="TT")),
        ("4937/QĐ-BNN-TCTL", state(4937, "BNN", type="QĐ", drafting_unit="TCTL")),
        ("03/2025/TTLT-BTC-BNV", state(3, "BTC", year=2025, type="TTLT", drafting_unit="BNV")),
        ("05/2025/L-CTN", state(5, "CTN", year=2025, type="L")),
        ("60-NQ/TW", party(60, "NQ", "TW")),
        ("176-TB/VPTU", party(176, "TB", "VPTU")),
        ("2583-QĐ/TU", party(2583, "QĐ", "TU")),
        ("148-KL/TW", party(148, "KL", "TW")),
        ("36-HD/VPTW", party(36, "HD", "VPTW")),
    ],
)
def test_it_parses_both_families_and_formats_them_back(text, symbol):
    assert parse(text) == symbol
    assert symbol.format() == text
    assert str(symbol) == text


def test_the_issuer_of_a_cong_van_is_the_body_and_the_drafting_unit_is_kept_apart():
    symbol = parse("15/UBND-VP")
    assert (symbol.type, symbol.issuer, symbol.drafting_unit) == (None, "UBND", "VP")


def test_numbers_lose_their_leading_zeros_and_are_written_with_at_least_two_digits():
    assert parse("05/QĐ-UBND").number == 5
    assert parse("005/QĐ-UBND").format() == "05/QĐ-UBND"
    assert parse("5/QĐ-UBND").format() == "05/QĐ-UBND"
    assert parse("7-NQ/TW").format() == "07-NQ/TW"
    assert parse("123/2025/NĐ-CP").format() == "123/2025/NĐ-CP"


@pytest.mark.parametrize(
    ("messy", "canonical"),
    [
        ("2583-QD/TU", "2583-QĐ/TU"),
        ("123/2025/ND-CP", "123/2025/NĐ-CP"),
        ("05/QyD-UBND", "05/QyĐ-UBND"),
        ("05/QYĐ-UBND", "05/QyĐ-UBND"),
        ("12/qđ-ubnd", "12/QĐ-UBND"),
        ("12/QÐ-UBND", "12/QĐ-UBND"),  # Ð: U+00D0, the Icelandic eth
        ("148-\u041a\u041b/TW", "148-KL/TW"),  # Cyrillic К and Л
        ("12/\u0421\u0422r-U\u0412ND", "12/CTr-UBND"),  # Cyrillic С, Т, В
        ("12 / QĐ - UBND", "12/QĐ-UBND"),
        ("12/QĐ\u2013UBND", "12/QĐ-UBND"),  # en dash
        ("12/QĐ\u2014UBND", "12/QĐ-UBND"),  # em dash
        ("60\u2011NQ/TW", "60-NQ/TW"),  # non-breaking hyphen
        ("12\u00a0/\u00a0QĐ-UBND", "12/QĐ-UBND"),  # non-breaking spaces
        ("12\uff0fQĐ-UBND", "12/QĐ-UBND"),  # full-width slash
        ("12/QĐ-\u200bUBND", "12/QĐ-UBND"),  # zero-width space
        (unicodedata.normalize("NFD", "Số: 12/QĐ-UBND"), "12/QĐ-UBND"),
        ("Số: 12/QĐ-UBND", "12/QĐ-UBND"),
        ("Số 60-NQ/TW", "60-NQ/TW"),
        ("số 15/UBND-VP", "15/UBND-VP"),
        ("So: 12/QD-UBND", "12/QĐ-UBND"),
        ("No. 60-NQ/TW", "60-NQ/TW"),
        ("№ 60-NQ/TW", "60-NQ/TW"),
        ("  60-NQ/TW.  ", "60-NQ/TW"),
        ("12/HDND-VP", "12/HĐND-VP"),
        ("05/2025/QD-TTG", "05/2025/QĐ-TTg"),
        ("05-DA/TU", "05-ĐA/TU"),  # party documents have no dự án: DA can only be ĐA
    ],
)
def test_it_normalises_what_real_texts_contain(messy, canonical):
    assert parse(messy).format() == canonical


def test_cyrillic_n_looks_like_h_and_is_read_as_the_latin_letter_it_looks_like():
    # Н (U+041D) is mapped to the H it looks like, as a look-alike should be; НQ stays an unknown type.
    assert parse("60-\u041dQ/TW").type == "HQ"


def test_d_stays_d_where_both_the_d_and_the_dj_type_exist():
    assert parse("12/DA-CP").type == "DA"  # dự án
    assert parse("12/ĐA-CP").type == "ĐA"  # đề án
    assert parse("12/HD-UBND").type == "HD"  # hướng dẫn
    assert parse("12/HĐ-UBND").type == "HĐ"  # hợp đồng


def test_a_party_symbol_written_the_state_way_is_read_as_the_party_symbol():
    assert parse("60/NQ-TW") == party(60, "NQ", "TW")
    assert parse("18/NQ-TW").format() == "18-NQ/TW"
    assert parse("12/NQ-HĐND").family == STATE  # a council's resolution stays a state document


def test_an_unknown_type_is_still_a_type_where_the_shape_says_so():
    assert parse("12/2025/XYZ-UBND") == state(12, "UBND", year=2025, type="XYZ")
    assert parse("12-XYZ/TU") == party(12, "XYZ", "TU")
    # Without a year the shape is that of a công văn: XYZ is read as its issuer.
    assert parse("12/XYZ-UBND") == state(12, "XYZ", drafting_unit="UBND")


def test_a_cong_van_without_drafting_unit_parses_and_validate_says_what_is_missing():
    symbol = parse("Số: 125/UBND")
    assert symbol == state(125, "UBND")
    assert [p.code for p in validate(symbol, today=TODAY)] == ["drafting_unit"]


@pytest.mark.parametrize(
    "text",
    ["", "   ", "abc", "QĐ-UBND", "/QĐ-UBND", "Số: /QĐ-UBND", "12/", "12-QĐ", "12-QĐ/", "14/4/2025", "1/2", "12/2025"],
)
def test_a_text_that_is_not_a_symbol_raises_symbol_error(text):
    with pytest.raises(SymbolError):
        parse(text)


def test_the_error_message_shows_the_text_and_the_expected_forms(english):
    with pytest.raises(SymbolError) as caught:
        parse("Decision twelve")
    message = str(caught.value)
    assert "“Decision twelve” is not a document symbol" in message
    for form in ("12/QĐ-UBND", "123/2025/NĐ-CP", "15/UBND-VP", "60-NQ/TW"):
        assert form in message
    assert isinstance(caught.value, ValueError)


def test_the_symbol_refuses_what_cannot_be_written():
    with pytest.raises(ValueError, match="type and no year"):
        Symbol(family=PARTY, number=60, issuer="TW")
    with pytest.raises(ValueError, match="type and no year"):
        Symbol(family=PARTY, number=60, year=2025, type="NQ", issuer="TW")
    with pytest.raises(ValueError, match="natural number"):
        state(-1, "UBND", type="QĐ")
    with pytest.raises(ValueError, match="letters and digits"):
        state(12, "UBND/VP", type="QĐ")
    with pytest.raises(ValueError, match="no drafting unit"):
        state(12, "UBTVQH15", year=2025, drafting_unit="VP")


def test_the_type_names_are_data_in_both_languages():
    assert parse("12/QĐ-UBND").document_type.name_vi == "Quyết định"
    assert parse("60-NQ/TW").document_type.name_en == "Resolution"
    assert parse("01/2025/TT-BCA").document_type.name_en == "Circular"
    assert parse("05-TT/TU").document_type.name_vi == "Thông tri"  # a party TT is not a Thông tư
    assert parse("12/2025/XYZ-UBND").document_type is None


# --- validate ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["12/QĐ-UBND", "123/2025/NĐ-CP", "15/UBND-VP", "60-NQ/TW", "176-TB/VPTU", "2583-QĐ/TU", "148-KL/TW",
     "76/2025/UBTVQH15", "60/2014/QH13", "1654/NQ-UBTVQH15", "01/2025/TT-BCA", "36-HD/VPTW"],
)  # fmt: skip
def test_the_examples_of_the_sources_are_valid(text):
    assert validate(parse(text), today=TODAY) == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("00/QĐ-UBND", "number"),
        ("12/1930/NĐ-CP", "year"),
        ("12/2026/NĐ-CP", "year"),
        ("12/2025/XYZ-UBND", "type"),
        ("12-QyĐ/TU", "type"),  # QyĐ is a state abbreviation; a party Quy định is QĐ
        ("12/2025/CV-UBND", "type"),  # CV is a party abbreviation; a state công văn has no type
        ("12/NĐ-CP", "missing_year"),
        ("12/2025/UBND", "missing_type"),
        ("125/UBND", "drafting_unit"),
    ],
)
def test_validate_names_each_problem(text, code):
    assert [problem.code for problem in validate(parse(text), today=TODAY)] == [code]


def test_validate_messages_say_what_is_wrong(english):
    (problem,) = validate(parse("12/2025/XYZ-UBND"), today=TODAY)
    assert str(problem) == "“XYZ” is not a type of state document (Decree 30/2020/NĐ-CP, legal normative documents)."
    (problem,) = validate(parse("12/2026/NĐ-CP"), today=TODAY)
    assert problem.message == "2026 is not a possible year of issue (1945 to 2025)."


# --- round trip, by property ------------------------------------------------------------------


def fold(token):
    return token.upper().replace("Đ", "D")


STATE_TYPE_FOLDS = {fold(t) for t in STATE_TYPES}
PARTY_TYPE_FOLDS = {fold(t) for t in PARTY_TYPES}
ISSUER_FOLDS = {fold(i) for i in ISSUERS}
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZĐ"

letters = st.text(LETTERS, min_size=1, max_size=6)
new_issuer = letters.filter(lambda t: fold(t) not in ISSUER_FOLDS)  # not a known one written another way
issuer = st.tuples(st.one_of(st.sampled_from(sorted(ISSUERS)), new_issuer), st.sampled_from(["", "", "13", "15"])).map(
    "".join
)
state_issuer = issuer.filter(lambda i: i not in PARTY_BODIES)  # 60/NQ-TW is read as a party symbol
drafting_unit = st.one_of(st.none(), st.lists(issuer, min_size=1, max_size=2).map("-".join))
number = st.integers(min_value=0, max_value=99999)
state_type = st.sampled_from(sorted(STATE_TYPES))
party_type = st.one_of(st.sampled_from(sorted(PARTY_TYPES)), letters.filter(lambda t: fold(t) not in PARTY_TYPE_FOLDS))

party_symbols = st.builds(party, number, party_type, issuer, drafting_unit)
typed_state_symbols = st.builds(
    lambda n, y, t, i, u: state(n, i, year=y, type=t, drafting_unit=u),
    number,
    st.one_of(st.none(), st.integers(1900, 2099)),
    state_type,
    state_issuer,
    drafting_unit,
)
yearly_state_symbols = st.builds(  # with a year the position makes a type, known or not
    lambda n, y, t, i, u: state(n, i, year=y, type=t, drafting_unit=u),
    number,
    st.integers(1900, 2099),
    letters.filter(lambda t: fold(t) not in STATE_TYPE_FOLDS),
    state_issuer,
    drafting_unit,
)
laws = st.builds(lambda n, y, i: state(n, i, year=y), number, st.integers(1900, 2099), state_issuer)
cong_van = st.builds(
    lambda n, i, u: state(n, i, drafting_unit=u),
    number,
    state_issuer.filter(lambda i: fold(i.rstrip("0123456789")) not in STATE_TYPE_FOLDS),
    drafting_unit,
)
symbols = st.one_of(party_symbols, typed_state_symbols, yearly_state_symbols, laws, cong_van)

CYRILLIC = dict(zip("ABCEHKMOPTXYLy", "АВСЕНКМОРТХУЛу", strict=True))


@st.composite
def written(draw, symbol, *, strip_dj=False):
    """`symbol` as a person, a scanner or a machine translation might write it."""
    text = symbol.format()
    zeros = draw(st.integers(0, 2))
    text = "0" * zeros + text
    gap = st.sampled_from(["", "", " ", "  ", "\u00a0"])
    dash = st.sampled_from(["-", "-", "\u2013", "\u2014", "\u2011", "\u2212"])
    out = []
    for ch in text:
        if ch == "/":
            out.append(draw(gap) + "/" + draw(gap))
        elif ch == "-":
            out.append(draw(gap) + draw(dash) + draw(gap))
        elif ch in CYRILLIC and draw(st.booleans()):
            out.append(CYRILLIC[ch])
        elif ch == "Đ":
            out.append(draw(st.sampled_from(["D", "đ", "\u00d0"] if strip_dj else ["Đ", "\u00d0", "đ"])))
        else:
            out.append(ch)
    text = "".join(out)
    if draw(st.booleans()):
        text = text.lower()
    prefix = draw(st.sampled_from(["", "Số: ", "Số ", "số ", "So: ", "No. ", "№ "]))
    text = prefix + text
    if draw(st.booleans()):
        text = unicodedata.normalize("NFD", text)
    return text


@hypothesis_settings(max_examples=300, deadline=None)
@given(symbols)
def test_parse_of_format_gives_the_same_symbol(symbol):
    assert parse(symbol.format()) == symbol


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.data(), symbols)
def test_what_a_messy_writing_changes_is_undone_by_parse(data, symbol):
    # Spaces, dashes, look-alike letters, Ð, case, leading zeros, a "Số:" prefix, NFD: nothing is lost.
    assert parse(data.draw(written(symbol))) == symbol


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.data(), symbols)
def test_parse_of_format_of_parse_is_idempotent_even_when_diacritics_are_lost(data, symbol):
    # Without its Đ an abbreviation cannot always be restored (DA, HD), but what parse makes of it is stable.
    parsed = parse(data.draw(written(symbol, strip_dj=True)))
    assert parse(parsed.format()) == parsed
    assert parse(parse(parsed.format()).format()) == parsed


@hypothesis_settings(max_examples=200, deadline=None)
@given(symbols)
def test_extract_finds_a_symbol_in_a_sentence(symbol):
    text = f"Căn cứ văn bản số {symbol} ngày 14 tháng 4 năm 2025 của cơ quan."
    (reference,) = extract(text)
    assert reference.symbol == symbol
    assert text[reference.start : reference.end] == reference.text == symbol.format()
    assert reference.date == datetime.date(2025, 4, 14)


# --- extraction -------------------------------------------------------------------------------


def found(text):
    return [(str(r.symbol), r.date.isoformat() if r.date else None) for r in extract(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Nghị quyết số 76/2025/UBTVQH15 ngày 14/4/2025 của Ủy ban Thường vụ Quốc hội",
            [("76/2025/UBTVQH15", "2025-04-14")],
        ),
        ("Căn cứ Nghị quyết số 76/2025/UBTVQH15 ngày 14 tháng 4 năm 2025", [("76/2025/UBTVQH15", "2025-04-14")]),
        ("Resolution No. 60-NQ/TW dated 12 April 2025 of the Central Committee", [("60-NQ/TW", "2025-04-12")]),
        ("Resolution No. 76/2025/UBTVQH15 dated April 14, 2025", [("76/2025/UBTVQH15", "2025-04-14")]),
        ("Decision 2583-QD/TU on personnel work", [("2583-QĐ/TU", None)]),
        ("Kết luận số 148-\u041a\u041b/TW ngày 14/4/2025", [("148-KL/TW", "2025-04-14")]),
        ("Decree No. 123/2025/ND\u2013CP of the Government", [("123/2025/NĐ-CP", None)]),
        ("Law No. 60/2014/QH13 on Civil Status", [("60/2014/QH13", None)]),
        ("Résolution n° 60-NQ/TW du 12 avril 2025 du Comité central", [("60-NQ/TW", "2025-04-12")]),
        ("Резолюция № 60-NQ/TW от 12 апреля 2025 года", [("60-NQ/TW", "2025-04-12")]),
        ("Заключение № 148-\u041a\u041b/TW от 14.04.2025", [("148-KL/TW", "2025-04-14")]),
        ("Quy định số\n232-QĐ/TW, ngày 20/01/2025 của Ban Chấp hành", [("232-QĐ/TW", "2025-01-20")]),
        ("Tờ trình số357/TTr-CP và Đề án số\n358/ĐA-CP ngày 09tháng 5 năm 2025",
         [("357/TTr-CP", None), ("358/ĐA-CP", "2025-05-09")]),
        ("Báo cáo số 467/BC-CP ngày 04 tháng\n6 năm 2025", [("467/BC-CP", "2025-06-04")]),
        ("Số: 12/QĐ-UBND            *Lạng Sơn, ngày 05 tháng 01 năm 2025*", [("12/QĐ-UBND", "2025-01-05")]),
        ("Công văn số 125/UBND ngày 5/1/2025 trả lời Công văn 15/UBND-VP",
         [("125/UBND", "2025-01-05"), ("15/UBND-VP", None)]),
        ("theo tinh thần Nghị quyết 18/NQ-TW của Ban Chấp hành", [("18-NQ/TW", None)]),
        ("Quyết định số 979/QĐ-CĐVX- ĐT, ngày 12 tháng 12 năm 2019", [("979/QĐ-CĐVX-ĐT", "2019-12-12")]),
        ("Decision No. 12/QD-UBND - The People's Committee decides", [("12/QĐ-UBND", None)]),
    ],
)  # fmt: skip
def test_extract_finds_references_in_vietnamese_and_in_translations(text, expected):
    assert found(text) == expected


def test_a_reference_without_year_takes_it_from_its_date():
    (reference,) = extract("Kết luận số 118-KL/TW, ngày 18/01/2025 của Bộ Chính trị")
    assert reference.symbol.year is None
    assert reference.year == 2025
    (reference,) = extract("Nghị định số 123/2025/NĐ-CP")
    assert reference.year == 2025
    (reference,) = extract("Nghị quyết số 18-NQ/TW của Ban Chấp hành")
    assert reference.year is None


def test_spans_point_into_the_text_as_given_even_when_it_is_decomposed():
    text = unicodedata.normalize("NFD", "Căn cứ Kết luận số 148-\u041a\u041b/TW và Quyết định số 12/QĐ-\u200bUBND.")
    first, second = extract(text)
    assert text[first.start : first.end] == first.text == "148-\u041a\u041b/TW"
    assert first.span == (first.start, first.end)
    assert text[second.start : second.end] == second.text == "12/QĐ-\u200bUBND"
    assert str(second.symbol) == "12/QĐ-UBND"


@pytest.mark.parametrize(
    "text",
    [
        "ngày 14/4/2025",
        "họp từ ngày 10/4 đến ngày 12/4/2025 tại Thủ đô Hà Nội",
        "tháng 12/2025",
        "ngày 01-10-1997",
        "1/2 số thành viên, tỷ lệ 50/50, phục vụ 24/7",
        "giảm khoảng 60 - 70% số lượng đơn vị",
        "giai đoạn 2021 - 2030 và nhiệm kỳ 2025 \u2013 2030",
        "Điện thoại: 0912-345-678, (024) 3823 1234, 0912.345.678",
        "lúc 14:30, 14h30, 8h-11h30",
        "phát triển kinh tế - xã hội",
        "COVID-19/SARS-CoV-2",
        "ISO 9001:2015, TCVN 6909:2001",
        "số nhà 12/3A, ngõ 45/7/2 phố Huế",
        "khổ giấy A4 (210 mm x 297 mm)",
        "The ratio 3/4 of the members met on 14/04/2025 at 14:30.",
        "Page 2/10",
        "Điều 3 - Hiệu lực thi hành",
        "Mục 2/ Nhiệm vụ",
        "12/TW and 5/CP in running text, with no số before them",
        "50/50 CP-TW",
    ],
)
def test_dates_fractions_phone_numbers_and_times_are_not_symbols(text):
    assert extract(text) == []


def test_a_line_break_ends_a_symbol():
    # In a list of recipients, "- UBND huyện" on the next line is not a drafting unit.
    assert found("Công văn số 15/UBND-VP\n- UBND các xã;") == [("15/UBND-VP", None)]


# --- the real resolutions ---------------------------------------------------------------------

COMMON = [("203/2025/QH15", None), ("72/2025/QH15", None)]
STANDING_COMMITTEE = [("76/2025/UBTVQH15", "2025-04-14")]
PROVINCES = [("202/2025/QH15", "2025-06-12")]
REAL = {
    "1660_NQ-UBTVQH15.md": [("1660/NQ-UBTVQH15", "2025-06-16"), *COMMON, *PROVINCES, *STANDING_COMMITTEE,
                            ("340/TTr-CP", None), ("341/ĐA-CP", "2025-05-09"), ("418/BC-UBPLTP15", "2025-06-03"),
                            ("341/ĐA-CP", "2025-05-09"), ("341/ĐA-CP", "2025-05-09")],
    "1670_NQ-UBTVQH15.md": [("1670/NQ-UBTVQH15", "2025-06-16"), *COMMON, *STANDING_COMMITTEE,
                            ("357/TTr-CP", None), ("358/ĐA-CP", "2025-05-09"), ("429/BC-UBPLTP15", "2025-06-03"),
                            ("358/ĐA-CP", "2025-05-09"), ("358/ĐA-CP", "2025-05-09")],
    "1672_NQ-UBTVQH15.md": [("1672/NQ-UBTVQH15", "2025-06-16"), *COMMON, *STANDING_COMMITTEE,
                            ("384/TTr-CP", None), ("385/ĐA-CP", "2025-05-09"), ("467/BC-CP", "2025-06-04"),
                            ("431/BC-UBPLTP15", "2025-06-03"), ("385/ĐA-CP", "2025-05-09"),
                            ("385/ĐA-CP", "2025-05-09")],
    "1676_NQ-UBTVQH15.md": [("1676/NQ-UBTVQH15", "2025-06-16"), *COMMON, *PROVINCES, *STANDING_COMMITTEE,
                            ("386/TTr-CP", None), ("387/ĐA-CP", "2025-05-09"), ("435/BC-UBPLTP15", "2025-06-03"),
                            ("387/ĐA-CP", "2025-05-09"), ("387/ĐA-CP", "2025-05-09")],
    "1681_NQ-UBTVQH15.md": [("1681/NQ-UBTVQH15", "2025-06-16"), *COMMON, *STANDING_COMMITTEE,
                            ("345/TTr-CP", None), ("346/ĐA-CP", "2025-05-09"), ("439/BC-UBPLTP15", "2025-06-03"),
                            ("346/ĐA-CP", "2025-05-09"), ("346/ĐA-CP", "2025-05-09")],
    "60-NQ_TW.md": [("60-NQ/TW", "2025-04-12"), ("232-QĐ/TW", "2025-01-20"), ("22-QĐ/TW", "2021-07-28"),
                    ("262-QĐ/TW", "2025-02-03"), ("35-CT/TW", "2024-06-14"), ("118-KL/TW", "2025-01-18"),
                    ("18-NQ/TW", None), ("60-NQ/TW", "2025-04-12")],
}  # fmt: skip


def read_resolution(name):
    path = RESOLUTIONS / name
    if not path.is_file():
        pytest.skip(f"the resolutions are not at {RESOLUTIONS} (they sit beside the project in the team's workspace)")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(REAL))
def test_extract_finds_every_reference_of_the_real_resolutions(name):
    text = read_resolution(name)
    assert found(text) == REAL[name]
    for reference in extract(text):
        assert text[reference.start : reference.end] == reference.text
        assert validate(reference.symbol, today=TODAY) == []


def test_the_lang_son_resolution_cites_resolution_76_2025_of_the_standing_committee():
    references = extract(read_resolution("1672_NQ-UBTVQH15.md"))
    own, *cited = references
    assert own.symbol == state(1672, "UBTVQH15", type="NQ")
    assert own.date == datetime.date(2025, 6, 16)
    (nqs76,) = [r for r in cited if r.symbol == parse("76/2025/UBTVQH15")]
    assert nqs76.date == datetime.date(2025, 4, 14)
    assert nqs76.symbol.issuer == "UBTVQH15" and nqs76.symbol.type is None


def test_the_real_files_are_partly_decomposed_and_still_read():
    # 1676 holds NFD characters (a combining acute after a vowel): the header symbol and its date are still found.
    text = read_resolution("1676_NQ-UBTVQH15.md")
    assert not unicodedata.is_normalized("NFC", text)
    assert found(text)[0] == ("1676/NQ-UBTVQH15", "2025-06-16")
