"""Text from attached files: the text layer of a PDF (pypdf), or, for a scan, characters
recognised by Debian's `tesseract` with its Vietnamese data (packages `tesseract-ocr` and
`tesseract-ocr-vie`; scanned PDFs are rasterised by `pdftoppm` from `poppler-utils`).

OCR is optional: without those programs a scan is stored with no text, and the document's
digitisation status says so. Nothing here ever fails an upload: a damaged file, a missing
program, a crash or a timeout all give "" (and a line in the log).

The work is bounded: at most `MAX_PAGES` pages are read, each program call has a timeout and
the OCR of one file has an overall budget.
"""

import hashlib
import io
import logging
import os
import re
import shutil
import subprocess  # noqa: S404 — fixed programs, found by shutil.which, arguments from us
import tempfile
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from communeos.documents.models import Digitisation

logger = logging.getLogger(__name__)

PDF = "application/pdf"
IMAGES = {"image/jpeg", "image/png"}
LANGUAGE = "vie"
MAX_PAGES = 20  # pages read from one PDF, for its text layer or by OCR
CALL_TIMEOUT = 30  # seconds for one call of tesseract or pdftoppm
OCR_BUDGET = 60  # seconds for the OCR of one file, all its pages (about 12 A4 pages at 300 dpi on 2 cores)
DPI = 300  # scanned pages are rasterised at this resolution for OCR
MIN_LETTERS = 10  # a PDF whose text layer has fewer letters is taken for a scan


class Method:
    """How an attachment's text was obtained."""

    NONE = ""
    TEXT = "text"
    OCR = "ocr"


@dataclass(frozen=True)
class Extracted:
    text: str
    method: str  # a Method value


def extract_text(content: bytes, content_type: str) -> str:
    """The text of a file: its PDF text layer, or OCR of a scan when available; "" if none."""
    return extract(content, content_type).text


def extract(content: bytes, content_type: str) -> Extracted:
    try:
        if content_type == PDF:
            found = _from_pdf(content)
        elif content_type in IMAGES:
            found = Extracted(_ocr_image(content), Method.OCR)
        else:
            found = Extracted("", Method.NONE)
    except Exception:  # noqa: BLE001 — never fail an upload for its text
        logger.exception("Text extraction failed for a %s file", content_type)
        found = Extracted("", Method.NONE)
    if not found.text:
        found = Extracted("", Method.NONE)
    _remember(content, found.method)
    return found


def ocr_available() -> bool:
    """True when `tesseract` is installed with its Vietnamese language data."""
    return _tesseract() is not None


def status_of(attachments: Iterable) -> str:
    """A document's digitisation status (a `Digitisation` value) from its attachments: none
    (no file), stored (files, no text), text (some file has a text layer) or ocr (text only
    by recognition)."""
    methods = [_method_of(a) for a in attachments]
    if not methods:
        return Digitisation.NONE
    if Method.TEXT in methods:
        return Digitisation.TEXT
    if Method.OCR in methods:
        return Digitisation.OCR
    return Digitisation.STORED


# PDFs ----------------------------------------------------------------------------------------


def _from_pdf(content: bytes) -> Extracted:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    pages = reader.pages[:MAX_PAGES]
    layer = []
    for page in pages:
        try:
            layer.append(page.extract_text() or "")
        except Exception:  # noqa: BLE001 — one bad page does not lose the others
            logger.warning("A PDF page's text layer could not be read", exc_info=True)
    text = tidy("\n\n".join(layer))
    if _letters(text) >= MIN_LETTERS:
        return Extracted(text, Method.TEXT)
    return Extracted(_ocr_pdf(content, len(pages)), Method.OCR)


def _letters(text: str) -> int:
    return sum(1 for c in text if c.isalpha())


def tidy(text: str) -> str:
    """NFC, no control characters, single spaces, no blank runs of more than one line."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    text = "".join(c for c in text if c in "\n\t" or unicodedata.category(c)[0] != "C")
    lines = [re.sub(r"[ \t\u00a0\u2000-\u200b\u3000]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# OCR -----------------------------------------------------------------------------------------


@cache
def _tesseract() -> str | None:
    path = shutil.which("tesseract")
    if path is None:
        return None
    try:
        listed = subprocess.run(  # noqa: S603
            [path, "--list-langs"], capture_output=True, text=True, timeout=CALL_TIMEOUT, check=False
        )
    except (OSError, subprocess.SubprocessError):
        logger.warning("tesseract --list-langs failed", exc_info=True)
        return None
    languages = {line.strip() for line in (listed.stdout + listed.stderr).splitlines()}
    if LANGUAGE not in languages:
        logger.info("tesseract is installed without its %r data (Debian: tesseract-ocr-vie)", LANGUAGE)
        return None
    return path


def _ocr_image(content: bytes) -> str:
    if not ocr_available():
        return ""
    return _recognise(_upright(content), deadline=time.monotonic() + OCR_BUDGET)


def _upright(content: bytes) -> bytes:
    """The image turned as its camera meant (EXIF orientation, which tesseract ignores), as PNG."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(content)) as image:
        turned = ImageOps.exif_transpose(image)
        if turned.mode not in {"1", "L", "RGB"}:
            turned = turned.convert("RGB")
        out = io.BytesIO()
        turned.save(out, format="PNG")
    return out.getvalue()


def _ocr_pdf(content: bytes, pages: int) -> str:
    pdftoppm = shutil.which("pdftoppm")
    if not pages or pdftoppm is None or not ocr_available():
        return ""
    deadline = time.monotonic() + OCR_BUDGET
    texts = []
    with tempfile.TemporaryDirectory(prefix="communeos-ocr-") as folder:
        source = Path(folder) / "scan.pdf"
        source.write_bytes(content)
        for number in range(1, min(pages, MAX_PAGES) + 1):
            image = Path(folder) / f"page-{number}"
            rendered = _run(
                [pdftoppm, "-f", str(number), "-l", str(number), "-r", str(DPI), "-gray", "-png", "-singlefile",
                 str(source), str(image)],
                deadline=deadline,
            )  # fmt: skip
            if rendered is None:
                break
            png = image.with_suffix(".png")
            if png.exists():
                texts.append(_recognise(png.read_bytes(), deadline=deadline))
                png.unlink()
    return tidy("\n\n".join(t for t in texts if t))


def _recognise(image: bytes, *, deadline: float) -> str:
    path = _tesseract()
    if path is None:
        return ""
    result = _run([path, "-", "-", "-l", LANGUAGE], deadline=deadline, input=image)
    if result is None:
        return ""
    return tidy(result.decode("utf-8", errors="replace"))


# tesseract's OpenMP threads compete with each other and with the web workers: on a small
# server one thread is several times faster (19 s against 5 s for an A4 page on 2 cores).
_ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}


def _run(command: list[str], *, deadline: float, input: bytes | None = None) -> bytes | None:
    """Run a program within the time left; its output, or None when it failed or ran out of time."""
    timeout = min(CALL_TIMEOUT, deadline - time.monotonic())
    if timeout <= 0:
        logger.warning("OCR budget of %s s spent; the remaining pages are left without text", OCR_BUDGET)
        return None
    try:
        done = subprocess.run(  # noqa: S603
            command, input=input, capture_output=True, timeout=timeout, check=False, env=_ENV
        )
    except subprocess.TimeoutExpired:
        logger.warning("%s timed out after %.0f s", Path(command[0]).name, timeout)
        return None
    except OSError:
        logger.warning("%s could not be run", command[0], exc_info=True)
        return None
    if done.returncode != 0:
        logger.warning("%s failed (%s): %s", Path(command[0]).name, done.returncode, done.stderr[-500:])
        return None
    return done.stdout


# How each file's text came -------------------------------------------------------------------

# `status_of` receives saved attachments, which keep the text but not how it was obtained.
# `extract` remembers the method of the files it read, by SHA-256; for one it has not read
# (another process, or an old row) the method is worked out again from the file.
_methods: dict[str, str] = {}
_REMEMBER = 256


def _remember(content: bytes, method: str) -> None:
    if len(_methods) >= _REMEMBER:
        _methods.pop(next(iter(_methods)))
    _methods[hashlib.sha256(content).hexdigest()] = method


def _method_of(attachment) -> str:
    if not attachment.text:
        return Method.NONE
    if attachment.content_type in IMAGES:
        return Method.OCR
    if attachment.content_type != PDF:
        return Method.TEXT
    known = _methods.get(attachment.sha256)
    if known:
        return known
    return Method.TEXT if _has_text_layer(attachment) else Method.OCR


def _has_text_layer(attachment) -> bool:
    from pypdf import PdfReader

    try:
        with attachment.file.open("rb") as stored:
            reader = PdfReader(stored)
            text = "".join((page.extract_text() or "") for page in reader.pages[:MAX_PAGES])
    except Exception:  # noqa: BLE001 — an unreadable file: the text can only have come by OCR
        logger.warning("Could not reread %s for its text layer", attachment.file.name, exc_info=True)
        return False
    return _letters(text) >= MIN_LETTERS
