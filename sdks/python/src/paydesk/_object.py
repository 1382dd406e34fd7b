"""Answers as objects: a ``dict`` whose keys are also attributes (``c.id``, ``c["id"]``)."""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, Optional


class PaydeskObject(Dict[str, Any]):
    """An API object. Nested objects and lists of objects are ``PaydeskObject`` too.

    A key that is also a ``dict`` method's name (``items``, ``keys``) is read with
    ``obj["items"]``.
    """

    def __init__(self, values: Optional[Dict[str, Any]] = None) -> None:
        super().__init__()
        for key, value in (values or {}).items():
            self[key] = convert(value)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(
                f"{type(self).__name__} has no attribute {name!r}"
            ) from None

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        else:
            self[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self) -> str:
        label = self.get("object", "object")
        ident = f" id={self['id']}" if "id" in self else ""
        return f"<{type(self).__name__} {label}{ident}> {dict.__repr__(self)}"

    def to_dict(self) -> Dict[str, Any]:
        """A plain ``dict`` copy, nested objects included."""
        plain: Dict[str, Any] = _plain(self)
        return plain


class ListObject(PaydeskObject):
    """One page of a list: ``data``, ``has_more``; ``auto_paging_iter()`` walks every page."""

    _fetch: Optional[Callable[[Dict[str, Any]], "ListObject"]]
    _params: Dict[str, Any]

    def __init__(
        self,
        values: Optional[Dict[str, Any]] = None,
        fetch: Optional[Callable[[Dict[str, Any]], "ListObject"]] = None,
        params: Optional[Dict[str, Any]] = None,
    ) -> None:
        super().__init__(values)
        self._fetch = fetch
        self._params = dict(params or {})

    def auto_paging_iter(self) -> Iterator[PaydeskObject]:
        """Every object of the list, this page first, then the next ones as needed."""
        page: ListObject = self
        while True:
            items = page.get("data") or []
            yield from items
            if not page.get("has_more") or not items or page._fetch is None:
                return
            params = dict(page._params)
            params["starting_after"] = items[-1]["id"]
            page = page._fetch(params)

    def next_page(self) -> Optional["ListObject"]:
        """The page after this one, or ``None`` on the last."""
        items = self.get("data") or []
        if not self.get("has_more") or not items or self._fetch is None:
            return None
        params = dict(self._params)
        params["starting_after"] = items[-1]["id"]
        return self._fetch(params)


def convert(value: Any) -> Any:
    if isinstance(value, PaydeskObject):
        return value
    if isinstance(value, dict):
        return PaydeskObject(value)
    if isinstance(value, list):
        return [convert(v) for v in value]
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
