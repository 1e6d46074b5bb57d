"""The request context: who is asking, from where, under which request id.

Set once per request by RequestContextMiddleware (and by management commands that act
for someone), read by the access log so every row says where it came from.
"""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    client_address: str
    channel: str  # "web", "command", "api"


_current: ContextVar[RequestContext | None] = ContextVar("brygga_request_context", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def set_context(context: RequestContext) -> object:
    return _current.set(context)


def reset_context(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


def current_context() -> RequestContext:
    context = _current.get()
    if context is None:
        # Outside a request (management command, shell, test): still traceable.
        context = RequestContext(request_id=new_request_id(), client_address="", channel="command")
        _current.set(context)
    return context
