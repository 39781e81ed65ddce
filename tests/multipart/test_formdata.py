"""FormData: urlencoded or multipart, chosen from the fields (aiohttp 3.x behaviour)."""

from __future__ import annotations

import io
from urllib.parse import parse_qsl

import pytest
from multidict import MultiDict

from aiohttp_multipart import BodyPartReader, FormData, MultipartReader, MultipartWriter


async def parts_of(form: FormData) -> list[tuple[str | None, str | None, str | None, bytes]]:
    payload = form()
    assert isinstance(payload, MultipartWriter)
    reader = MultipartReader(payload.headers, await payload.as_bytes())
    out = []
    async for part in reader:
        assert isinstance(part, BodyPartReader)
        out.append(
            (part.name, part.filename, part.headers.get("Content-Type"), bytes(await part.read()))
        )
    return out


async def test_plain_fields_are_urlencoded() -> None:
    form = FormData({"a": "1", "b": "café"})
    form.add_fields(("c", "x y"), MultiDict([("d", "1"), ("d", "2")]))
    assert not form.is_multipart
    payload = form()
    assert payload.headers["Content-Type"] == "application/x-www-form-urlencoded"
    body = await payload.as_bytes()
    assert parse_qsl(body.decode()) == [
        ("a", "1"),
        ("b", "café"),
        ("c", "x y"),
        ("d", "1"),
        ("d", "2"),
    ]


async def test_charset_applies_to_urlencoded_fields() -> None:
    payload = FormData([("b", "café")], charset="latin-1")()
    assert payload.headers["Content-Type"] == "application/x-www-form-urlencoded; charset=latin-1"
    assert await payload.as_bytes() == b"b=caf%E9"


async def test_file_object_makes_the_form_multipart() -> None:
    upload = io.BytesIO(b"\x89PNG data")
    upload.name = "/tmp/picture.png"
    form = FormData()
    form.add_field("title", "holiday")
    form.add_field("picture", upload, content_type="image/png")
    assert form.is_multipart
    assert await parts_of(form) == [
        ("title", None, "text/plain; charset=utf-8", b"holiday"),
        ("picture", "picture.png", "image/png", b"\x89PNG data"),
    ]


async def test_filename_and_content_type_make_the_form_multipart() -> None:
    form = FormData()
    form.add_field("notes", "some text", filename="notes.txt")
    form.add_field("doc", '{"a": 1}', content_type="application/json")
    assert await parts_of(form) == [
        ("notes", "notes.txt", "text/plain; charset=utf-8", b"some text"),
        ("doc", None, "application/json", b'{"a": 1}'),
    ]


async def test_non_ascii_names_and_filenames_round_trip() -> None:
    form = FormData()
    form.add_field("prénom", "Zoë")
    form.add_field("fichier", io.BytesIO(b"x"), filename="résumé.pdf")
    assert [(n, f) for n, f, _, _ in await parts_of(form)] == [
        ("prénom", None),
        ("fichier", "résumé.pdf"),
    ]


async def test_bytes_without_filename_warn_and_become_files() -> None:
    form = FormData()
    with pytest.warns(DeprecationWarning, match="filename"):
        form.add_field("blob", b"\x00\x01")
    assert await parts_of(form) == [("blob", "blob", "application/octet-stream", b"\x00\x01")]


async def test_content_transfer_encoding_is_deprecated_and_applied() -> None:
    form = FormData()
    with pytest.warns(DeprecationWarning, match="content_transfer_encoding"):
        form.add_field("b", b"raw bytes", content_transfer_encoding="base64")
    payload = form()
    body = await payload.as_bytes()
    assert b"cmF3IGJ5dGVz" in body
    reader = MultipartReader(payload.headers, body)
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    assert await part.read(decode=True) == b"raw bytes"


async def test_default_to_multipart() -> None:
    form = FormData({"a": "1"}, default_to_multipart=True)
    assert await parts_of(form) == [("a", None, "text/plain; charset=utf-8", b"1")]


async def test_multipart_form_size_is_exact_when_known() -> None:
    form = FormData({"a": "1"}, default_to_multipart=True)
    form.add_field("f", io.BytesIO(b"x" * 1000), filename="f.bin")
    payload = form()
    assert payload.size == len(await payload.as_bytes())


def test_multipart_form_can_be_produced_once() -> None:
    form = FormData()
    form.add_field("f", io.BytesIO(b"x"), filename="x")
    form()
    with pytest.raises(RuntimeError, match="processed already"):
        form()


def test_add_fields_accepts_file_objects() -> None:
    upload = io.BytesIO(b"x")
    upload.name = "data.bin"
    form = FormData(upload)
    assert form.is_multipart


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"filename": 1}, "filename must be a str"),
        ({"content_type": 1}, "content_type must be a str"),
        ({"content_transfer_encoding": 1}, "content_transfer_encoding must be a str"),
    ],
)
def test_add_field_type_checks(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        FormData().add_field("a", "b", **kwargs)  # type: ignore[arg-type]


def test_add_fields_rejects_other_records() -> None:
    with pytest.raises(TypeError, match="add_field"):
        FormData().add_fields(("a", "b", "c"))


def test_unserialisable_value_raises_type_error() -> None:
    form = FormData()
    form.add_field("x", object(), filename="x")
    with pytest.raises(TypeError, match="cannot serialise"):
        form()


async def test_quote_fields_false_sends_raw_utf8_only() -> None:
    form = FormData(quote_fields=False)
    form.add_field("f", io.BytesIO(b"x"), filename="ñ.txt")
    body = await form().as_bytes()
    assert 'filename="ñ.txt"\r\n'.encode() in body
    assert b"filename*" not in body
