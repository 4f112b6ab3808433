"""Watching the SQL a block of code sends, with a Django execute wrapper
(`connection.execute_wrapper(watcher)`): the request log counts statements, the page scopes
note whether a member's post changed anything."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class StatementWatcher:
    """An execute wrapper that shows each statement to `saw(sql)` before it runs."""

    def saw(self, sql: str) -> None:
        raise NotImplementedError

    def __call__(
        self,
        execute: Callable[..., Any],
        sql: str,
        params: Any,
        many: bool,
        context: dict[str, Any],
    ) -> Any:
        self.saw(sql)
        return execute(sql, params, many, context)
