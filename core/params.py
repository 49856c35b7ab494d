"""Parameter types every plugin shares."""

from typing import Annotated

from litestar.params import Parameter

MAX_ID = 2**63 - 1

# An id in a path or a filter: out-of-range numbers are a 400, never a driver error.
Id = Annotated[int, Parameter(ge=1, le=MAX_ID)]
# an optional filter: `user_id: OptionalId = None`
OptionalId = Annotated[int | None, Parameter(ge=1, le=MAX_ID)]
