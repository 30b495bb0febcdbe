"""The citizen identity number (số định danh cá nhân / căn cước), 12 digits.

Structure (Decree 137/2015/NĐ-CP Art. 13; Circular 07/2016/TT-BCA Art. 7, as amended by
Circular 59/2021/TT-BCA): a 3-digit code of the province of birth registration — the
63 codes of the provinces before the 2025 reorganisation, 001 Hà Nội … 096 Cà Mau —,
one digit for sex and century of birth, two digits of the year of birth, six random
digits. There is no check digit, so validation can only reject what cannot exist.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_CODES = """
001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 035 036 037
038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070 072 074 075 077 079
080 082 083 084 086 087 089 091 092 093 094 095 096
"""
PROVINCE_CODES = frozenset(_CODES.split())
CENTURY = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100, 6: 2200, 7: 2200, 8: 1800, 9: 1800}
OLDEST_PLAUSIBLE_AGE = 125


@dataclass(frozen=True)
class CitizenId:
    number: str
    province_code: str
    female: bool
    birth_year: int


def parse_citizen_id(value: str, *, today: date | None = None) -> CitizenId:
    """The parts of a valid number, or a ValidationError saying what is wrong (in the
    person's language). Spaces and dots that people type are ignored."""
    number = "".join(ch for ch in str(value) if ch not in " .-\u00a0")
    if len(number) != 12 or not number.isascii() or not number.isdigit():
        raise ValidationError(_("A citizen ID number has exactly 12 digits."), code="format")
    if number[:3] not in PROVINCE_CODES:
        raise ValidationError(
            _("%(code)s is not a province code: a citizen ID number starts with the code of a province (001–096).")
            % {"code": number[:3]},
            code="province",
        )
    digit = int(number[3])
    year = CENTURY[digit] + int(number[4:6])
    today = today or date.today()
    if year > today.year or year < today.year - OLDEST_PLAUSIBLE_AGE:
        raise ValidationError(
            _("Digits 4 to 6 of this citizen ID number give %(year)s as the year of birth, which is not possible.")
            % {"year": year},
            code="year",
        )
    return CitizenId(number=number, province_code=number[:3], female=digit % 2 == 1, birth_year=year)


def validate_citizen_id(value: str) -> str:
    """The normalised number, or a ValidationError."""
    return parse_citizen_id(value).number


def mask(number: str) -> str:
    """For lists and logs: the last three digits only."""
    return "•" * max(len(number) - 3, 0) + number[-3:]
