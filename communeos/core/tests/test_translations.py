"""The Vietnamese catalogue is complete, up to date with the source, compiled, and used.

Vietnamese is the product's first language: a string added to the code or a template
without a translation must fail here, with the missing msgids listed. To fix a failure:

    .venv/bin/python manage.py makemessages -l vi --no-location --ignore=.venv --ignore=var
    (translate the new entries in locale/vi/LC_MESSAGES/django.po, drop any "#, fuzzy")
    .venv/bin/python manage.py compilemessages --ignore=.venv
"""

import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

BASE_DIR = Path(settings.BASE_DIR)
LC_MESSAGES = BASE_DIR / "locale" / "vi" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"

# What the documented makemessages command leaves out, plus what it never reads.
SKIPPED_DIRS = {".venv", "var", "locale", "node_modules", "__pycache__"}
SOURCE_SUFFIXES = {".py", ".html", ".txt"}  # the extensions makemessages reads for the "django" domain

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    def label(self) -> str:
        return repr(self.msgid) if self.msgctxt is None else f"{self.msgctxt!r} | {self.msgid!r}"


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"not a quoted PO string: {text!r}")
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(0)), text[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """A small PO reader: msgctxt, msgid, msgid_plural, msgstr and msgstr[n], continuation
    lines, flags ("#, fuzzy, python-format") and obsolete entries ("#~"). The header is the
    entry whose msgid is empty."""
    entries: list[Entry] = []
    entry = Entry()
    started = False  # the current entry has a keyword line
    target: tuple[str, int | None] | None = None

    def finish() -> None:
        nonlocal entry, started, target
        if started:
            entries.append(entry)
        entry, started, target = Entry(), False, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
            if line.startswith("|"):
                continue  # an obsolete entry's previous msgid
        if not line:
            finish()
            continue
        if line.startswith("#"):
            if started and target is not None and target[0] == "msgstr":
                finish()  # a comment opens the next entry
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        keyword, _, rest = line.partition(" ")
        try:
            if line.startswith('"'):
                if target is None:
                    raise ValueError("continuation line outside an entry")
                name, index = target
                if name == "msgstr":
                    entry.msgstr[index] += _unquote(line)
                else:
                    setattr(entry, name, getattr(entry, name) + _unquote(line))
                continue
            if keyword in ("msgctxt", "msgid") and started and target is not None and target[0] == "msgstr":
                finish()
            started = True
            entry.obsolete = entry.obsolete or obsolete
            if keyword in ("msgctxt", "msgid", "msgid_plural"):
                setattr(entry, keyword, _unquote(rest))
                target = (keyword, None)
            elif keyword == "msgstr":
                entry.msgstr[0] = _unquote(rest)
                target = ("msgstr", 0)
            elif m := re.fullmatch(r"msgstr\[(\d+)\]", keyword):
                index = int(m.group(1))
                entry.msgstr[index] = _unquote(rest)
                target = ("msgstr", index)
            else:
                raise ValueError(f"unknown keyword {keyword!r}")
        except ValueError as exc:
            raise AssertionError(f"{path}:{number}: cannot parse PO line: {exc}") from exc
    finish()
    return entries


def messages(entries: list[Entry]) -> list[Entry]:
    """The live entries, without the header."""
    return [e for e in entries if not e.obsolete and (e.msgid or e.msgctxt is not None)]


def header(entries: list[Entry]) -> dict[str, str]:
    head = next((e for e in entries if e.msgid == "" and e.msgctxt is None and not e.obsolete), None)
    assert head is not None, f"{PO} has no header entry"
    fields = {}
    for line in head.msgstr.get(0, "").splitlines():
        name, sep, value = line.partition(":")
        if sep:
            fields[name.strip()] = value.strip()
    return {"fuzzy": "fuzzy" in head.flags, **fields}


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    assert PO.is_file(), f"{PO} is missing; run makemessages -l vi (see this module's docstring)"
    return parse_po(PO)


def test_header_is_vietnamese_utf8_with_one_plural_form(catalogue):
    fields = header(catalogue)
    assert not fields["fuzzy"], "the PO header is still marked fuzzy"
    assert fields.get("Language") == "vi"
    assert fields.get("Content-Type") == "text/plain; charset=UTF-8"
    assert fields.get("Plural-Forms") == "nplurals=1; plural=0;"


def test_every_entry_is_translated_and_not_fuzzy(catalogue):
    entries = messages(catalogue)
    assert entries, f"{PO} has no messages"
    problems = []
    for e in entries:
        if "fuzzy" in e.flags:
            problems.append(f"fuzzy: {e.label()}")
        if not e.msgstr.get(0):
            problems.append(f"untranslated: {e.label()}")
        if e.msgid_plural is not None and sorted(e.msgstr) != [0]:
            problems.append(f"plural entry must have msgstr[0] only (nplurals=1): {e.label()}")
    assert not problems, f"{PO}:\n" + "\n".join(problems)


def test_translations_keep_their_placeholders(catalogue):
    problems = []
    for e in messages(catalogue):
        expected = set(PLACEHOLDER.findall(e.msgid)) | set(PLACEHOLDER.findall(e.msgid_plural or ""))
        for index, text in e.msgstr.items():
            found = set(PLACEHOLDER.findall(text))
            if text and found != expected:
                problems.append(f"{e.label()} msgstr[{index}]: has {sorted(found)}, needs {sorted(expected)}")
    assert not problems, "placeholders differ:\n" + "\n".join(problems)


def _copy_sources(destination: Path) -> None:
    """Copy the files makemessages would read from the project, and nothing else."""
    for path in BASE_DIR.rglob("*"):
        relative = path.relative_to(BASE_DIR)
        if any(part in SKIPPED_DIRS or part.startswith(".") for part in relative.parts):
            continue
        if path.is_file() and path.suffix in SOURCE_SUFFIXES:
            target = destination / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)


def test_catalogue_has_every_string_in_the_source(catalogue, tmp_path, monkeypatch):
    for tool in ("xgettext", "msguniq", "msgmerge", "msgattrib"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} (GNU gettext) is not installed, so the source cannot be scanned for strings")
    project = tmp_path / "project"
    _copy_sources(project)
    locale = project / "locale"
    monkeypatch.chdir(project)
    with override_settings(LOCALE_PATHS=[locale]):
        call_command("makemessages", locale=["vi"], no_location=True, verbosity=0)
    fresh = messages(parse_po(locale / "vi" / "LC_MESSAGES" / "django.po"))
    committed = {e.key for e in messages(catalogue)}
    missing = [e.label() for e in fresh if e.key not in committed]
    assert not missing, (
        f"{len(missing)} string(s) in the source are not in {PO.relative_to(BASE_DIR)}; run makemessages "
        "and translate them (see this module's docstring):\n" + "\n".join(missing)
    )


def test_compiled_catalogue_matches_the_po(tmp_path):
    assert MO.is_file(), f"{MO} is missing; run compilemessages"
    if shutil.which("msgfmt") is None:
        pytest.skip("msgfmt (GNU gettext) is not installed, so the PO cannot be compiled for comparison")
    fresh_mo = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(fresh_mo), str(PO)], check=True, capture_output=True)
    with MO.open("rb") as committed_file, fresh_mo.open("rb") as fresh_file:
        committed = gettext.GNUTranslations(committed_file)._catalog
        fresh = gettext.GNUTranslations(fresh_file)._catalog
    differing = sorted(str(k) for k in committed.keys() ^ fresh.keys())
    differing += sorted(str(k) for k in committed.keys() & fresh.keys() if committed[k] != fresh[k])
    assert not differing, f"{MO.name} is stale; run compilemessages. Differing messages:\n" + "\n".join(differing)


def test_pages_are_vietnamese_by_default_and_english_on_request(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page
    assert "Sign in" not in page

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302

    response = client.get("/accounts/login/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "Sign in" in page
    assert "Đăng nhập" not in page
