"""Text and attribute values for XML, as xml.sax.saxutils writes them (without importing it: it pulls
in urllib.request, tens of milliseconds on every command)."""

from __future__ import annotations


def escape(data: str, entities: dict[str, str] | None = None) -> str:
    """``&``, ``<`` and ``>`` (then ``entities``) replaced, for XML text."""
    data = data.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
    for char, entity in (entities or {}).items():
        data = data.replace(char, entity)
    return data


def quoteattr(data: str, entities: dict[str, str] | None = None) -> str:
    """An attribute value with its quotes: double ones, single ones when it holds only double."""
    data = escape(data, entities)
    if '"' in data:
        return f'"{data.replace(chr(34), "&quot;")}"' if "'" in data else f"'{data}'"
    return f'"{data}"'
