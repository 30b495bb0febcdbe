"""A small multipart body is parsed at once (core/multipart.py), with exactly the result, or the
error, of Django's own parser: both run over the same bodies and are compared."""

import pytest
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.http.multipartparser import MultiPartParserError
from django.test import RequestFactory, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communeos.core import multipart

BOUNDARY = "----communeosTestBoundary7MA4YWxkTrZu0gW"


def part(disposition: str, content: bytes, *headers: str) -> bytes:
    head = "".join(f"{header}\r\n" for header in (f"Content-Disposition: {disposition}", *headers))
    return f"--{BOUNDARY}\r\n{head}\r\n".encode() + content + b"\r\n"


def body(*parts: bytes, preamble: bytes = b"", epilogue: bytes = b"") -> bytes:
    return preamble + b"".join(parts) + f"--{BOUNDARY}--\r\n".encode() + epilogue


def field(name: str, value: str) -> bytes:
    return part(f'form-data; name="{name}"', value.encode())


def upload(name: str, filename: str, content: bytes, content_type: str = "application/pdf") -> bytes:
    return part(f'form-data; name="{name}"; filename="{filename}"', content, f"Content-Type: {content_type}")


def parsed(data: bytes, *, django: bool):
    """What the request's POST and FILES hold, or the error reading them raises."""
    request = RequestFactory().generic("POST", "/", data, content_type=f"multipart/form-data; boundary={BOUNDARY}")
    if django:
        request.upload_handlers = [MemoryFileUploadHandler(request), TemporaryFileUploadHandler(request)]
    try:
        post, files = request.POST, request.FILES
    except (MultiPartParserError, TooManyFieldsSent, TooManyFilesSent, RequestDataTooBig) as error:
        return type(error).__name__
    return (
        {key: post.getlist(key) for key in post},
        {
            key: [(f.name, f.content_type, f.charset, f.content_type_extra, f.size, f.read()) for f in found]
            for key, found in files.lists()
        },
    )


def same_as_django(data: bytes):
    ours = parsed(data, django=False)
    assert ours == parsed(data, django=True)
    return ours


FILE = 'form-data; name="f"; filename="x.txt"'
PDF = b"%PDF-1.4\n\r\n--not-the-boundary\r\n binary \x00\xff\xfe end\n%%EOF\n"


def test_an_online_submission_is_parsed_at_once_as_django_would():
    data = body(
        field("procedure", "birth-registration"),
        field("applicant_name", "Hoàng Thị Lan"),
        field("applicant_address", "Thôn Bản Chu,\r\nxã Lộc Bình"),
        upload("paper_1", "giấy chứng sinh.pdf", PDF),
        upload("paper_2", "scan.jpg", b"\xff\xd8\xff" + b"\x00" * 50, "image/jpeg"),
    )
    assert multipart._parse(data, BOUNDARY.encode(), "utf-8") is not None  # the quick way, not the fallback
    post, files = same_as_django(data)
    assert post["applicant_name"] == ["Hoàng Thị Lan"]
    assert files["paper_1"] == [("giấy chứng sinh.pdf", "application/pdf", None, {}, len(PDF), PDF)]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(
            body(field("a", "1"), field("a", "2"), upload("f", "x.pdf", PDF), upload("f", "y.pdf", b"")),
            id="repeated names, an empty file",
        ),
        pytest.param(body(upload("f", "", b"")), id="a file input left empty"),
        pytest.param(body(upload("f", "../../etc/passwd", PDF)), id="a path in the file name"),
        pytest.param(body(upload("f", "..", PDF)), id="a file name that is only dots"),
        pytest.param(body(upload("f", "C:\\Users\\lan\\scan.pdf", PDF)), id="a Windows path (escaped)"),
        pytest.param(body(upload("f", "a%22b.pdf", PDF)), id="percent-encoding in the file name"),
        pytest.param(body(upload("f", "a&amp;b.pdf", PDF)), id="an HTML entity in the file name"),
        pytest.param(body(part('form-data; name="a\\"b"', b"1")), id="an escaped quote in a name"),
        pytest.param(body(part("form-data; name=plain", b"1")), id="an unquoted name"),
        pytest.param(body(part('form-data; name=" padded "', b"1")), id="spaces around a name"),
        pytest.param(body(upload(" ", "a.pdf", PDF), field(" ", "1")), id="a blank name (Django drops the file)"),
        pytest.param(body(part("form-data; name=\"f\"; filename*=UTF-8''%C3%A1.pdf", PDF)), id="RFC 2231 file name"),
        pytest.param(body(part(FILE, b"x", "Content-Type: text/plain; charset=utf-8")), id="a type with a charset"),
        pytest.param(body(part(FILE, b"JVBERi0=", "Content-Transfer-Encoding: base64")), id="base64 encoded"),
        pytest.param(body(part('form-data; name="a"', b"12", "Content-Length: 2")), id="a part's own length"),
        pytest.param(body(part('form-data; name="a"', b"1", "X-Other: y")), id="another header"),
        pytest.param(body(part('form-data; name="a"', b"1", "content-type: text/plain")), id="lower-case header"),
        pytest.param(body(part("form-data", b"1")), id="a part without a name"),
        pytest.param(body(part('form-data; name=""', b"1")), id="an empty name"),
        pytest.param(body(part('attachment; name="a"', b"1")), id="not form-data"),
        pytest.param(body(f"--{BOUNDARY}\r\nX: y\r\n\r\n1\r\n".encode()), id="no Content-Disposition"),
        pytest.param(body(field("a", "1"), preamble=b"ignored\r\n", epilogue=b"also ignored"), id="preamble, epilogue"),
        pytest.param(body(part('form-data; name="a"', b"\xff\xfe not utf-8")), id="a value that is not UTF-8"),
        pytest.param(field("a", "1") + f"--{BOUNDARY}".encode(), id="no final line end"),
        pytest.param(field("a", "1"), id="no closing boundary"),
        pytest.param(f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=a".encode(), id="cut in a header"),
        pytest.param(b"no boundary at all", id="not multipart"),
    ],
)
def test_bodies_of_every_shape_are_parsed_as_django_parses_them(data):
    same_as_django(data)


@pytest.mark.parametrize(
    ("limits", "data", "error"),
    [
        ({"DATA_UPLOAD_MAX_NUMBER_FIELDS": 2}, body(*[field(f"a{n}", "1") for n in range(3)]), "TooManyFieldsSent"),
        ({"DATA_UPLOAD_MAX_NUMBER_FILES": 1}, body(upload("f", "x", PDF), upload("g", "y", PDF)), "TooManyFilesSent"),
        ({"DATA_UPLOAD_MAX_MEMORY_SIZE": 20}, body(field("a", "x" * 30)), "RequestDataTooBig"),
    ],
)
def test_djangos_limits_apply(limits, data, error):
    with override_settings(**limits):
        assert same_as_django(data) == error


def test_within_the_limits_nothing_is_refused():
    with override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=2, DATA_UPLOAD_MAX_NUMBER_FILES=2):
        data = body(field("a", "1"), field("b", "2"), upload("f", "x.pdf", PDF), upload("g", "y.pdf", PDF))
        post, files = same_as_django(data)
    assert len(post) == 2 and len(files) == 2


def test_a_body_larger_than_the_memory_limit_is_streamed_by_django(settings, tmp_path):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1000
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    data = body(field("a", "1"), upload("f", "big.pdf", PDF * 100))
    post, files = same_as_django(data)
    assert files["f"][0][-1] == PDF * 100


# Any names, values and file names, with the characters that quoting and parsing trip on.
_text = st.text(alphabet=st.sampled_from(list("aZ9 _-.;=:\"'\\/%*&#ệ\r\n\t") + ["ấ", "😀"]), max_size=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.booleans(), _text, _text, st.binary(max_size=40), st.sampled_from(["", "image/png", "TEXT/X"])),
        min_size=1,
        max_size=5,
    )
)
def test_any_form_is_parsed_as_django_parses_it(parts):
    built = []
    for is_file, name, filename, content, content_type in parts:
        if is_file:
            headers = [f"Content-Type: {content_type}"] if content_type else []
            built.append(part(f'form-data; name="{name}"; filename="{filename}"', content, *headers))
        else:
            built.append(part(f'form-data; name="{name}"', content))
    same_as_django(body(*built))
