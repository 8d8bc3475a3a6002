"""A body sent chunked (no Content-Length) and longer than PRORATA_MAX_BODY_BYTES is a 413, as a body
that declares its length is. Werkzeug reads such a body up to the limit and stops there without a word
when it is read whole (`request.get_data()`, which JSON parsing uses): the JSON would be cut at the limit,
a 422 at "column 10485761", or a 201 when only padding was past it. Multipart bodies, read in parts,
already got the 413."""

from __future__ import annotations

from typing import IO, Any, cast

import flask
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import cached_property
from werkzeug.wsgi import LimitedStream


class _Capped(LimitedStream):
    def readall(self) -> bytes:
        data = super().readall()
        if self.is_exhausted and self._stream.read(1):  # more was sent than the limit lets in
            raise RequestEntityTooLarge()
        return data


class CappedRequest(flask.Request):
    @cached_property
    def stream(self) -> IO[bytes]:
        stream: Any = cast(Any, flask.Request.stream).__get__(self)  # Werkzeug's, with its own checks
        if isinstance(stream, LimitedStream) and stream._limit_is_max:
            return cast(IO[bytes], _Capped(stream._stream, stream.limit, is_max=True))
        return cast(IO[bytes], stream)
