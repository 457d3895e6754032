"""The frontier's request serializer: pickle restricted to plain data.

scrapy-redis stores each request as ``Request.to_dict()`` (URL, callback and errback *names*,
headers, meta, ...) serialized with pickle, which would run any code a writer to Redis put
there. Requests here hold only plain data, so unpickling refuses every global (no class,
no function): a tampered entry is dropped with an error instead of executing. A request that
would not come back (a datetime or an object in ``meta``) is refused when it is pushed, where the
mistake is made, and unusually large requests (``meta`` carrying a page) are logged.
"""

from __future__ import annotations

import io
import logging
import pickle
from typing import Any

logger = logging.getLogger(__name__)

LARGE_REQUEST = 32 * 1024
_warned = False


class _PlainData(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"refusing {module}.{name}: only plain data is shared")


def loads(data: bytes) -> Any:
    return _PlainData(io.BytesIO(data)).load()


def dumps(obj: Any) -> bytes:
    global _warned
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        loads(data)
    except pickle.UnpicklingError as exc:
        url = obj.get("url") if isinstance(obj, dict) else "?"
        raise ValueError(f"request {url} cannot be shared through Redis: {exc}") from exc
    if len(data) > LARGE_REQUEST and not _warned:
        _warned = True
        url = obj.get("url") if isinstance(obj, dict) else "?"
        logger.warning("request %s takes %d KB in the frontier (large meta?)", url,
                       len(data) // 1024)
    return data
