"""Reading the administrative map from the `vietnamadminunits` package, and checking it.

The package ships an SQLite file (`dataset.db`) with the 3,321 commune-level units of
34 provinces in force since 1 July 2025 and the 10,040 rows of the 63 provinces, their
districts and communes before it, plus a JSON file (`converter_2025.json`) mapping each
old unit to the new one(s). We read the files directly rather than importing the
package's modules, which pull in geocoding libraries the product does not need.

`read_map()` turns those files into a `UnitMap` of plain records, and refuses, with a
list of what is wrong, any file that is corrupted, partial or inconsistent. Nothing here
touches the database: `communeos.units.services.unit_map_load` writes the result.
"""

import importlib.metadata
import importlib.util
import json
import sqlite3
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from communeos.units.models import Kind, Level

REFORM_DATE = date(2025, 7, 1)
LAST_DAY_BEFORE_REFORM = date(2025, 6, 30)

# Facts of the 2025 reform that a complete data file must reproduce.
EXPECTED = {
    "provinces after": 34,
    "communes after": 3321,
    "provinces before": 63,
    "districts before": 696,
    "communes before": 10035,
}

# The legal basis of each line of lineage, as data. The provinces were merged by
# Resolution 202/2025/QH15 of the National Assembly (12 June 2025); the communes of each
# new province by one resolution of its Standing Committee, 1654–1687/NQ-UBTVQH15 of
# 16 June 2025, keyed here by the new province's code. Each number was read from the
# resolution's own header and closing article (see README, "Administrative map").
PROVINCE_RESOLUTION = "202/2025/QH15"
COMMUNE_RESOLUTIONS = {
    "01": "1656/NQ-UBTVQH15",
    "04": "1657/NQ-UBTVQH15",
    "08": "1684/NQ-UBTVQH15",
    "11": "1661/NQ-UBTVQH15",
    "12": "1670/NQ-UBTVQH15",
    "14": "1681/NQ-UBTVQH15",
    "15": "1673/NQ-UBTVQH15",
    "19": "1683/NQ-UBTVQH15",
    "20": "1672/NQ-UBTVQH15",
    "22": "1679/NQ-UBTVQH15",
    "24": "1658/NQ-UBTVQH15",
    "25": "1676/NQ-UBTVQH15",
    "31": "1669/NQ-UBTVQH15",
    "33": "1666/NQ-UBTVQH15",
    "37": "1674/NQ-UBTVQH15",
    "38": "1686/NQ-UBTVQH15",
    "40": "1678/NQ-UBTVQH15",
    "42": "1665/NQ-UBTVQH15",
    "44": "1680/NQ-UBTVQH15",
    "46": "1675/NQ-UBTVQH15",
    "48": "1659/NQ-UBTVQH15",
    "51": "1677/NQ-UBTVQH15",
    "52": "1664/NQ-UBTVQH15",
    "56": "1667/NQ-UBTVQH15",
    "66": "1660/NQ-UBTVQH15",
    "68": "1671/NQ-UBTVQH15",
    "75": "1662/NQ-UBTVQH15",
    "79": "1685/NQ-UBTVQH15",
    "80": "1682/NQ-UBTVQH15",
    "82": "1663/NQ-UBTVQH15",
    "86": "1687/NQ-UBTVQH15",
    "91": "1654/NQ-UBTVQH15",
    "92": "1668/NQ-UBTVQH15",
    "96": "1655/NQ-UBTVQH15",
}

NEW_COLUMNS = ["province", "provinceCode", "provinceKey", "ward", "wardShort", "wardType", "wardCode", "wardKey"]
OLD_COLUMNS = [
    "province",
    "provinceCode",
    "provinceKey",
    "district",
    "districtShort",
    "districtType",
    "districtCode",
    "districtKey",
    "ward",
    "wardShort",
    "wardType",
    "wardCode",
    "wardKey",
]
DISTRICT_KINDS = {
    "Quận": Kind.URBAN_DISTRICT,
    "Huyện": Kind.RURAL_DISTRICT,
    "Thị xã": Kind.TOWN,
    "Thành phố": Kind.PROVINCIAL_CITY,
}
COMMUNE_KINDS = {"Xã": Kind.COMMUNE, "Phường": Kind.WARD, "Thị trấn": Kind.TOWNSHIP, "Đặc khu": Kind.SPECIAL_ZONE}
CODE_LENGTH = {Level.PROVINCE: 2, Level.DISTRICT: 3, Level.COMMUNE: 5}


class UnitMapError(Exception):
    """The data file is unusable; `problems` says why, one line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = problems[:20]
        more = f"\n… and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__("The unit data was refused:\n- " + "\n- ".join(shown) + more)


@dataclass(frozen=True)
class UnitRecord:
    level: str
    kind: str
    code: str
    name: str
    short_name: str
    valid_from: date | None
    valid_to: date | None
    parent: tuple | None  # key of the parent record

    @property
    def key(self) -> tuple:
        return (self.level, self.code, self.valid_from)


@dataclass(frozen=True)
class SuccessionRecord:
    predecessor: tuple
    successor: tuple
    share: str
    resolution: str


@dataclass
class UnitMap:
    source: str
    units: list[UnitRecord] = field(default_factory=list)
    successions: list[SuccessionRecord] = field(default_factory=list)

    def count(self, level: str, *, after_reform: bool) -> int:
        return sum(
            1
            for u in self.units
            if u.level == level
            and ((u.valid_to is None) if after_reform else (u.valid_from is None or u.valid_from < REFORM_DATE))
        )


@dataclass
class SourceFiles:
    dataset: Path
    converter: Path
    label: str


def package_files() -> SourceFiles:
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise UnitMapError(["the package vietnamadminunits is not installed (see requirements.lock)"])
    root = Path(next(iter(spec.submodule_search_locations)))
    version = importlib.metadata.version("vietnamadminunits")
    return SourceFiles(
        root / "data" / "dataset.db", root / "data" / "converter_2025.json", f"vietnamadminunits {version}"
    )


def _rows(path: Path, table: str, columns: list[str], problems: list[str]) -> list[dict]:
    if not path.is_file():
        problems.append(f"{path}: file not found")
        return []
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            present = {row[1] for row in conn.execute(f"PRAGMA table_info([{table}])")}
            if not present:
                problems.append(f"{path.name}: table {table} is missing")
                return []
            missing = [c for c in columns if c not in present]
            if missing:
                problems.append(f"{path.name}: table {table} lacks the columns {', '.join(missing)}")
                return []
            conn.row_factory = sqlite3.Row
            cols = ", ".join(f"[{c}]" for c in columns)
            return [dict(r) for r in conn.execute(f"SELECT DISTINCT {cols} FROM [{table}]")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        problems.append(f"{path.name}: not a readable SQLite database ({exc})")
        return []


def _converter(path: Path, problems: list[str]) -> dict:
    if not path.is_file():
        problems.append(f"{path}: file not found")
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        problems.append(f"{path.name}: not valid JSON ({exc})")
        return {}
    wanted = ["DICT_PROVINCE", "DICT_PROVINCE_WARD_NO_DIVIDED", "DICT_PROVINCE_WARD_DIVIDED"]
    missing = [k for k in wanted if not isinstance(data, dict) or not isinstance(data.get(k), dict)]
    if missing:
        problems.append(f"{path.name}: the sections {', '.join(missing)} are missing")
        return {}
    return data


def _province_kind(name: str) -> str:
    return Kind.CITY if name.startswith("Thành phố") else Kind.PROVINCE


def _short(name: str, kinds: dict) -> str:
    for prefix in sorted(kinds, key=len, reverse=True):
        if name.startswith(prefix + " "):
            return name[len(prefix) + 1 :]
    return name


def _split_targets(old_key: str, targets: list[dict], conv: dict, prov_key: str) -> list[str]:
    """The new units an old commune that was split went to, without the package's known
    homonym error: two old communes of the same name that end in one new province get each
    other's destination as an extra, non-default target (e.g. Xã Hồng Phong of Bình Gia
    and of Cao Lộc, Lạng Sơn; Resolution 1672/NQ-UBTVQH15 art. 1 cl. 10 and 58). Such a
    target, when it is where the namesake went by default or whole, is dropped."""
    name = old_key.rsplit("_", 1)[-1]
    namesake_targets = set()
    for other_key, other_targets in conv["DICT_PROVINCE_WARD_DIVIDED"][prov_key].items():
        if other_key != old_key and other_key.rsplit("_", 1)[-1] == name:
            namesake_targets |= {t.get("newWardKey") for t in other_targets if t.get("isDefaultNewWard")}
    for ward_key, olds in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].get(prov_key, {}).items():
        if any(o != old_key and o.rsplit("_", 1)[-1] == name for o in olds):
            namesake_targets.add(ward_key)
    return [
        t.get("newWardKey", "")
        for t in targets
        if t.get("isDefaultNewWard") or t.get("newWardKey") not in namesake_targets
    ]


def read_map(files: SourceFiles | None = None) -> UnitMap:
    """Read and check the package's files; raise `UnitMapError` listing every problem."""
    files = files or package_files()
    problems: list[str] = []
    new_rows = _rows(files.dataset, "admin_units", NEW_COLUMNS, problems)
    old_rows = _rows(files.dataset, "admin_units_legacy", OLD_COLUMNS, problems)
    conv = _converter(files.converter, problems)
    if problems:
        raise UnitMapError(problems)

    umap = UnitMap(source=files.label)

    def check_code(level: str, code, what: str) -> bool:
        if not isinstance(code, str) or len(code) != CODE_LENGTH[level] or not code.isdigit():
            problems.append(f"{what}: code {code!r} is not {CODE_LENGTH[level]} digits")
            return False
        return True

    # Provinces: one that kept its name and code and took in no other province goes on
    # as the same unit; the others end on 30 June 2025 and new ones begin on 1 July.
    old_prov = {}  # key -> (code, name)
    for r in old_rows:
        old_prov.setdefault(r["provinceKey"], (r["provinceCode"], r["province"]))
    new_prov = {}
    for r in new_rows:
        new_prov.setdefault(r["provinceKey"], (r["provinceCode"], r["province"]))
    merged_into = conv.get("DICT_PROVINCE", {})
    for key in new_prov:
        if key not in merged_into:
            problems.append(f"converter: new province {key} has no predecessors")
    province_record: dict[tuple[str, str], UnitRecord] = {}  # ("old"|"new", key) -> record
    for key, olds in merged_into.items():
        if key not in new_prov:
            problems.append(f"converter: new province {key} is not in the dataset")
            continue
        unknown = [o for o in olds if o not in old_prov]
        if unknown:
            problems.append(f"converter: new province {key} lists unknown old provinces {unknown}")
            continue
        code, name = new_prov[key]
        if not check_code(Level.PROVINCE, code, name):
            continue
        continuing = olds == [key] and old_prov[key][0] == code
        rec = UnitRecord(
            level=Level.PROVINCE,
            kind=_province_kind(name),
            code=code,
            name=name,
            short_name=_short(name, {"Tỉnh": 1, "Thành phố": 1}),
            valid_from=None if continuing else REFORM_DATE,
            valid_to=None,
            parent=None,
        )
        province_record[("new", key)] = rec
        umap.units.append(rec)
        if continuing:
            province_record[("old", key)] = rec
            continue
        for old_key in olds:
            if ("old", old_key) in province_record:
                old = province_record[("old", old_key)]
            else:
                old_code, old_name = old_prov[old_key]
                if not check_code(Level.PROVINCE, old_code, old_name):
                    continue
                old = UnitRecord(
                    level=Level.PROVINCE,
                    kind=_province_kind(old_name),
                    code=old_code,
                    name=old_name,
                    short_name=_short(old_name, {"Tỉnh": 1, "Thành phố": 1}),
                    valid_from=None,
                    valid_to=LAST_DAY_BEFORE_REFORM,
                    parent=None,
                )
                province_record[("old", old_key)] = old
                umap.units.append(old)
            umap.successions.append(SuccessionRecord(old.key, rec.key, "whole", PROVINCE_RESOLUTION))
    missing_old = set(old_prov) - {k for (age, k) in province_record if age == "old"}
    if missing_old:
        problems.append(f"converter: old provinces {sorted(missing_old)} have no successor")
    if problems:
        raise UnitMapError(problems)

    # Districts and communes before the reform.
    old_units: dict[str, UnitRecord] = {}  # "province_district_ward" -> record (island districts: ward empty)
    districts: dict[str, UnitRecord] = {}
    for r in old_rows:
        where = f"{r['ward'] or ''} {r['district']} {r['province']}".strip()
        if r["districtType"] not in DISTRICT_KINDS:
            problems.append(f"{where}: unknown district type {r['districtType']!r}")
            continue
        dkey = f"{r['provinceKey']}_{r['districtKey']}"
        if dkey not in districts:
            if not check_code(Level.DISTRICT, r["districtCode"], r["district"]):
                continue
            districts[dkey] = UnitRecord(
                level=Level.DISTRICT,
                kind=DISTRICT_KINDS[r["districtType"]],
                code=r["districtCode"],
                name=r["district"],
                short_name=r["districtShort"] or r["district"],
                valid_from=None,
                valid_to=LAST_DAY_BEFORE_REFORM,
                parent=province_record[("old", r["provinceKey"])].key,
            )
            umap.units.append(districts[dkey])
        if r["wardCode"] is None and r["ward"] is None:
            old_units[f"{dkey}_"] = districts[dkey]  # an island district with no communes
            continue
        if r["wardType"] not in COMMUNE_KINDS or not r["ward"] or not r["wardKey"]:
            problems.append(f"{where}: incomplete commune row")
            continue
        if not check_code(Level.COMMUNE, r["wardCode"], where):
            continue
        rec = UnitRecord(
            level=Level.COMMUNE,
            kind=COMMUNE_KINDS[r["wardType"]],
            code=r["wardCode"],
            name=r["ward"],
            short_name=r["wardShort"] or r["ward"],
            valid_from=None,
            valid_to=LAST_DAY_BEFORE_REFORM,
            parent=districts[dkey].key,
        )
        old_units[f"{dkey}_{r['wardKey']}"] = rec
        umap.units.append(rec)

    # Communes after the reform.
    new_units: dict[tuple[str, str], UnitRecord] = {}
    for r in new_rows:
        where = f"{r['ward']} {r['province']}"
        if r["wardType"] not in COMMUNE_KINDS or not r["ward"] or not r["wardKey"]:
            problems.append(f"{where}: incomplete commune row")
            continue
        if not check_code(Level.COMMUNE, r["wardCode"], where):
            continue
        rec = UnitRecord(
            level=Level.COMMUNE,
            kind=COMMUNE_KINDS[r["wardType"]],
            code=r["wardCode"],
            name=r["ward"],
            short_name=r["wardShort"] or r["ward"],
            valid_from=REFORM_DATE,
            valid_to=None,
            parent=province_record[("new", r["provinceKey"])].key,
        )
        new_units[(r["provinceKey"], r["wardKey"])] = rec
        umap.units.append(rec)

    # Lineage of communes: an old unit whose territory went to one new unit went whole;
    # one split among several contributed a part to each.
    edges: dict[tuple, set] = {}
    province_code_of = {key: rec.code for (age, key), rec in province_record.items() if age == "new"}

    def link(old_key: str, prov_key: str, ward_key: str) -> None:
        old = old_units.get(old_key)
        new = new_units.get((prov_key, ward_key))
        if old is None:
            problems.append(f"converter: old unit {old_key} is not in the dataset")
        elif new is None:
            problems.append(f"converter: new unit {prov_key}/{ward_key} is not in the dataset")
        else:
            edges.setdefault(old.key, set()).add((new.key, prov_key))

    for prov_key, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, olds in wards.items():
            for old_key in olds:
                link(old_key, prov_key, ward_key)
    for prov_key, divided in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, targets in divided.items():
            for ward_key in _split_targets(old_key, targets, conv, prov_key):
                link(old_key, prov_key, ward_key)
    for old_key, targets in edges.items():
        share = "whole" if len(targets) == 1 else "part"
        for new_key, prov_key in sorted(targets):
            resolution = COMMUNE_RESOLUTIONS.get(province_code_of.get(prov_key, ""), "")
            umap.successions.append(SuccessionRecord(old_key, new_key, share, resolution))

    with_successor = set(edges)
    with_predecessor = {new_key for targets in edges.values() for new_key, _ in targets}
    orphans = [u for u in old_units.values() if u.level == Level.COMMUNE and u.key not in with_successor]
    if orphans:
        problems.append(f"{len(orphans)} old communes have no successor, e.g. {orphans[0].name} ({orphans[0].code})")
    founders = [u for u in new_units.values() if u.key not in with_predecessor]
    if founders:
        problems.append(
            f"{len(founders)} new communes have no predecessor, e.g. {founders[0].name} ({founders[0].code})"
        )

    seen: dict[tuple, UnitRecord] = {}
    for u in umap.units:
        period_key = (u.level, u.code, u.valid_to is None)
        if period_key in seen and seen[period_key] is not u:
            problems.append(f"code {u.code} is used twice in one period: {seen[period_key].name} and {u.name}")
        seen[period_key] = u

    counts = {
        "provinces after": umap.count(Level.PROVINCE, after_reform=True),
        "communes after": umap.count(Level.COMMUNE, after_reform=True),
        "provinces before": umap.count(Level.PROVINCE, after_reform=False),
        "districts before": umap.count(Level.DISTRICT, after_reform=False),
        "communes before": umap.count(Level.COMMUNE, after_reform=False),
    }
    for what, expected in EXPECTED.items():
        if counts[what] != expected:
            problems.append(f"{counts[what]} {what} the reform, expected {expected}: the file is partial or altered")
    if problems:
        raise UnitMapError(problems)
    return umap
