"""The six real resolutions of ../shared/data/reorganization-2025/resolutions, registered as
incoming documents: their own symbols and dates come from their headers, and the documents
they cite are linked (to each other when registered, to placeholders otherwise)."""

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from communeos.documents import selectors
from communeos.documents.models import Reference
from communeos.documents.tests.conftest import at
from communeos.documents.texts import read_header

FOLDER = Path(settings.BASE_DIR).parent / "shared" / "data" / "reorganization-2025" / "resolutions"
pytestmark = pytest.mark.skipif(not FOLDER.is_dir(), reason=f"the real resolutions are not here ({FOLDER})")

EXPECTED = {
    "1660_NQ-UBTVQH15.md": ("1660/NQ-UBTVQH15", date(2025, 6, 16), "ĐẮK LẮK"),
    "1670_NQ-UBTVQH15.md": ("1670/NQ-UBTVQH15", date(2025, 6, 16), "LAI CHÂU"),
    "1672_NQ-UBTVQH15.md": ("1672/NQ-UBTVQH15", date(2025, 6, 16), "LẠNG SƠN"),
    "1676_NQ-UBTVQH15.md": ("1676/NQ-UBTVQH15", date(2025, 6, 16), "PHÚ THỌ"),
    "1681_NQ-UBTVQH15.md": ("1681/NQ-UBTVQH15", date(2025, 6, 16), "SƠN LA"),
    "60-NQ_TW.md": ("60-NQ/TW", date(2025, 4, 12), "HỘI NGHỊ LẦN THỨ 11"),
}


def register(clerk, unit, name):
    from communeos.documents import services

    text = (FOLDER / name).read_text(encoding="utf-8")
    header = read_header(text)
    return services.document_register_incoming(
        actor=clerk,
        unit=unit,
        symbol=header.symbol.format(),
        author=header.author,
        issued_on=header.issued_on,
        summary=header.summary,
        text=text,
        arrived_at=at(2025, 7, 2, 9),
        at=at(2025, 7, 2, 10),
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_real_resolution_gives_its_own_symbol_date_and_title(name):
    symbol, issued_on, in_title = EXPECTED[name]
    header = read_header((FOLDER / name).read_text(encoding="utf-8"))
    assert header.symbol.format() == symbol
    assert header.issued_on == issued_on
    assert in_title in header.title


def test_the_six_resolutions_registered_cite_what_they_cite(cast, clerk):
    documents = {name: register(clerk, cast.commune_a, name) for name in sorted(EXPECTED)}
    lang_son = documents["1672_NQ-UBTVQH15.md"]
    assert lang_son.symbol == "1672/NQ-UBTVQH15" and lang_son.author == "Ủy ban Thường vụ Quốc hội"
    cited = {c["symbol"] for c in selectors.document_detail(user=clerk, document=lang_son)["cites"]}
    assert {"76/2025/UBTVQH15", "72/2025/QH15", "203/2025/QH15", "385/ĐA-CP"} <= cited
    assert "1672/NQ-UBTVQH15" not in cited  # its own symbol is not a citation
    # 76/2025/UBTVQH15 is not registered: a placeholder that every resolution cites
    placeholder = Reference.objects.get(symbol="76/2025/UBTVQH15")
    assert placeholder.document is None and placeholder.citations.count() == 5
    # 202/2025/QH15 is cited by the two merged provinces only
    citing_202 = set(Reference.objects.get(symbol="202/2025/QH15").citations.values_list("citing__symbol", flat=True))
    assert citing_202 == {"1660/NQ-UBTVQH15", "1676/NQ-UBTVQH15"}
    party = documents["60-NQ_TW.md"]
    assert party.body == "party"
    assert {"18-NQ/TW", "35-CT/TW"} <= {
        c["symbol"] for c in selectors.document_detail(user=clerk, document=party)["cites"]
    }
