"""``FormData``: an HTML form body, urlencoded or multipart (aiohttp 3.x API)."""

from __future__ import annotations

import io
import warnings
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from multidict import MultiDict, MultiDictProxy

from aiohttp_http import BytesPayload, Payload, PayloadLookupError, get_payload, guess_filename

from ._disposition import format_content_disposition
from ._writer import MultipartWriter

__all__ = ["FormData"]


class FormData:
    """Builds an ``application/x-www-form-urlencoded`` or ``multipart/form-data``
    body; call the instance to get the body as a :class:`aiohttp_http.Payload`.

    The body is multipart as soon as a field is a file object, has a file
    name or a content type, a content transfer encoding, or is bytes;
    otherwise it is urlencoded.

    Args:
        fields: initial fields: a mapping, a list of ``(name, value)`` pairs, a
            multidict, or file objects (named after their file).
        quote_fields: for non-ASCII file names, also send the RFC 5987
            ``filename*`` form (the plain form is always sent).
        charset: text encoding of the fields (default UTF-8).
        default_to_multipart: make the body multipart even for plain fields.

    Example::

        form = FormData({"title": "report"})
        form.add_field("file", open("report.pdf", "rb"), content_type="application/pdf")
        payload = form()
    """

    def __init__(
        self,
        fields: Any = (),
        quote_fields: bool = True,
        charset: str | None = None,
        *,
        default_to_multipart: bool = False,
    ) -> None:
        self._writer = MultipartWriter("form-data")
        self._fields: list[tuple[dict[str, str], dict[str, str], Any]] = []
        self._is_multipart = default_to_multipart
        self._is_processed = False
        self._quote_fields = quote_fields
        self._charset = charset
        if isinstance(fields, Mapping):
            fields = list(fields.items())
        elif not isinstance(fields, (list, tuple)):
            fields = (fields,)
        self.add_fields(*fields)

    @property
    def is_multipart(self) -> bool:
        """True if the body will be ``multipart/form-data``."""
        return self._is_multipart

    def add_field(
        self,
        name: str,
        value: Any,
        *,
        content_type: str | None = None,
        filename: str | None = None,
        content_transfer_encoding: str | None = None,
    ) -> None:
        """Add one field.

        Args:
            name: the field name.
            value: str, bytes, a file object, or anything
                :func:`aiohttp_http.get_payload` accepts (multipart only).
            content_type: the part's Content-Type.
            filename: the file name; defaults to the file object's name.
            content_transfer_encoding: the part's Content-Transfer-Encoding
                (deprecated in aiohttp 3.x; ``base64`` or ``quoted-printable`` are
                applied when the body is written).

        Raises:
            TypeError: ``filename``, ``content_type`` or
                ``content_transfer_encoding`` is not a str.

        Warns:
            DeprecationWarning: bytes without a file name (sent as a file named
                after the field, as aiohttp 3.x does), or ``content_transfer_encoding``.
        """
        if isinstance(value, io.IOBase):
            self._is_multipart = True
        elif (
            isinstance(value, (bytes, bytearray, memoryview))
            and filename is None
            and content_transfer_encoding is None
        ):
            warnings.warn(
                "bytes without a filename are sent as a file named after the field; "
                "pass filename= explicitly (or a BytesIO)",
                DeprecationWarning,
                stacklevel=2,
            )
            filename = name
        options = {"name": name}
        if filename is not None and not isinstance(filename, str):
            raise TypeError(f"filename must be a str, got {type(filename).__name__}")
        if filename is None and isinstance(value, io.IOBase):
            filename = guess_filename(value, name)
        if filename is not None:
            options["filename"] = filename
            self._is_multipart = True
        headers: dict[str, str] = {}
        if content_type is not None:
            if not isinstance(content_type, str):
                raise TypeError(f"content_type must be a str, got {type(content_type).__name__}")
            headers["Content-Type"] = content_type
            self._is_multipart = True
        if content_transfer_encoding is not None:
            if not isinstance(content_transfer_encoding, str):
                raise TypeError(
                    "content_transfer_encoding must be a str, got "
                    f"{type(content_transfer_encoding).__name__}"
                )
            warnings.warn(
                "content_transfer_encoding is deprecated; encode the value yourself",
                DeprecationWarning,
                stacklevel=2,
            )
            headers["Content-Transfer-Encoding"] = content_transfer_encoding
            self._is_multipart = True
        self._fields.append((options, headers, value))

    def add_fields(self, *fields: Any) -> None:
        """Add several fields: ``(name, value)`` pairs, multidicts (each item a
        field) or file objects (named after their file, else ``"unknown"``).

        Raises:
            TypeError: for anything else.
        """
        pending: list[Any] = list(fields)
        while pending:
            record = pending.pop(0)
            if isinstance(record, io.IOBase):
                self.add_field(guess_filename(record, "unknown"), record)
            elif isinstance(record, (MultiDict, MultiDictProxy)):
                pending[:0] = list(record.items())
            elif isinstance(record, (list, tuple)) and len(record) == 2:
                name, value = record
                self.add_field(name, value)
            else:
                raise TypeError(
                    "only io.IOBase, multidicts and (name, value) pairs are allowed; "
                    f"use add_field() for more complex fields, got {record!r}"
                )

    def _gen_form_urlencoded(self) -> Payload:
        charset = self._charset if self._charset is not None else "utf-8"
        pairs = [(opts["name"], value) for opts, _, value in self._fields]
        content_type = "application/x-www-form-urlencoded"
        if charset != "utf-8":
            content_type += f"; charset={charset}"
        data = urlencode(pairs, doseq=True, encoding=charset)
        return BytesPayload(data.encode("ascii"), content_type=content_type)

    def _gen_form_data(self) -> MultipartWriter:
        if self._is_processed:
            raise RuntimeError("form data has been processed already")
        charset = self._charset if self._charset is not None else "utf-8"
        for options, headers, value in self._fields:
            try:
                if isinstance(value, Payload):
                    part = value
                    part.headers.update(headers)
                elif "Content-Type" in headers:
                    part = get_payload(
                        value,
                        content_type=headers["Content-Type"],
                        headers=headers,
                        encoding=self._charset,
                    )
                else:
                    part = get_payload(value, headers=headers, encoding=self._charset)
            except (PayloadLookupError, TypeError) as exc:
                raise TypeError(
                    f"cannot serialise a form field of type {type(value).__name__} "
                    f"(headers {headers!r})"
                ) from exc
            part.headers["Content-Disposition"] = format_content_disposition(
                "form-data", options, quote_fields=self._quote_fields, charset=charset
            )
            part.headers.popall("Content-Length", None)
            self._writer.append_payload(part)
        self._is_processed = True
        return self._writer

    def __call__(self) -> Payload:
        """The body: a :class:`MultipartWriter` or a urlencoded payload.

        Raises:
            RuntimeError: a multipart body was already produced by this form.
            TypeError: a field value cannot be made into a payload.
        """
        if self._is_multipart:
            return self._gen_form_data()
        return self._gen_form_urlencoded()
