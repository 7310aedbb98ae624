"""The one cattrs converter that maps generated models to and from PowerSchool's JSON.

Generated attrs classes keep the wire key in ``metadata={"json": ...}`` when it differs from the
Python name (``_assignmentsections`` -> ``assignmentsections``) and carry an ``extra_fields`` dict
marked ``metadata={"extra": True}``. The hooks built here:

- rename every field to its wire key;
- never send a field that is ``None`` (absent and "not sent" are the same thing on this API);
- keep unknown keys (``$breach_mitigation``, fields of a newer PowerSchool) in ``extra_fields`` on
  read and send them back on write, so a read-modify-write loses nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import attrs
import cattrs
import orjson
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from cattrs.preconf.orjson import make_converter

T = TypeVar("T")


def _key(a: attrs.Attribute[Any]) -> str:
    return str(a.metadata.get("json", a.name))


#: keys PowerSchool puts on what it sends and that a request must not carry back: the
#: ``_name``/``_id`` type tags (read-only) and ``$``-prefixed padding such as
#: ``$breach_mitigation`` (wire-facts quirk 6)
_READ_ONLY = frozenset({"_name", "_id"})


def _configure(conv: cattrs.Converter, *, for_request: bool = False) -> cattrs.Converter:
    def unstructure_factory(cl: type) -> Callable[[Any], dict[str, Any]]:
        kw: dict[str, Any] = {}
        extra_attr = None
        for a in attrs.fields(cl):
            if a.metadata.get("extra") or (for_request and _key(a) in _READ_ONLY):
                kw[a.name] = override(omit=True)
                if a.metadata.get("extra"):
                    extra_attr = a.name
            else:
                kw[a.name] = override(rename=_key(a), omit_if_default=a.default is None)
        fn: Callable[[Any], dict[str, Any]] = make_dict_unstructure_fn(cl, conv, **kw)
        if extra_attr is None:
            return fn
        name = extra_attr

        def unstructure_with_extra(obj: Any) -> dict[str, Any]:
            d = fn(obj)
            extra = getattr(obj, name)
            if not extra:
                return d
            if for_request:
                extra = {
                    k: v for k, v in extra.items() if not k.startswith("$") and k not in _READ_ONLY
                }
            return {**extra, **d}

        return unstructure_with_extra

    def structure_factory(cl: type) -> Callable[[Any, Any], Any]:
        kw: dict[str, Any] = {}
        known: set[str] = set()
        extra_attr = None
        for a in attrs.fields(cl):
            if a.metadata.get("extra"):
                kw[a.name] = override(omit=True)
                extra_attr = a.name
            else:
                kw[a.name] = override(rename=_key(a))
                known.add(_key(a))
        fn: Callable[[Any, Any], Any] = make_dict_structure_fn(
            cl, conv, _cattrs_forbid_extra_keys=False, **kw
        )
        known_keys = frozenset(known)
        name = extra_attr

        def structure(d: Any, t: Any) -> Any:
            if not isinstance(d, dict):
                msg = f"expected a JSON object for {cl.__name__}, got {type(d).__name__}"
                raise TypeError(msg)
            obj = fn(d, t)
            if name is not None and d.keys() - known_keys:
                getattr(obj, name).update({k: v for k, v in d.items() if k not in known_keys})
            return obj

        return structure

    def structure_str_or_int(v: Any, _t: Any) -> str | int:
        if isinstance(v, bool) or not isinstance(v, str | int):
            msg = f"expected a string or an integer, got {v!r}"
            raise TypeError(msg)
        return v

    def structure_list(v: Any, t: Any) -> list[Any]:
        # cattrs turns any iterable into a list; a JSON object must not become a list of its keys.
        if not isinstance(v, list):
            msg = f"expected a JSON array, got {type(v).__name__}"
            raise TypeError(msg)
        (item,) = getattr(t, "__args__", (Any,))
        handler = conv.get_structure_hook(item)
        return [handler(e, item) for e in v]

    conv.register_unstructure_hook_factory(attrs.has, unstructure_factory)
    conv.register_structure_hook_factory(attrs.has, structure_factory)
    conv.register_structure_hook(str | int, structure_str_or_int)
    conv.register_structure_hook_func(
        lambda t: getattr(t, "__origin__", None) is list, structure_list
    )
    return conv


converter: cattrs.Converter = _configure(make_converter(forbid_extra_keys=False))
#: the same mapping for request bodies: read-only tags and ``$`` padding are left out
request_converter: cattrs.Converter = _configure(
    make_converter(forbid_extra_keys=False), for_request=True
)


def structure(data: Any, cl: type[T]) -> T:
    """Build ``cl`` from decoded JSON."""
    return converter.structure(data, cl)


def unstructure(obj: Any) -> Any:
    """Turn a model (or a list of models) into JSON-ready data."""
    return converter.unstructure(obj)


def dumps(obj: Any) -> bytes:
    """Serialize a model (or a list of models) to JSON bytes."""
    return orjson.dumps(converter.unstructure(obj))


def dumps_request(obj: Any) -> bytes:
    """JSON bytes of a request body: like `dumps`, without read-only tags and ``$`` padding.

    Every other unknown key a read brought in is sent back, so a read-modify-write of a
    newer PowerSchool's fields loses nothing.
    """
    return orjson.dumps(request_converter.unstructure(obj))


def loads(data: bytes | str) -> Any:
    """Decode JSON bytes."""
    return orjson.loads(data)
