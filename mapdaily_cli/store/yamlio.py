"""The YAML of papers.yaml: one strict fast loader, one round-trip configuration, anchors and aliases
refused before anything expands them, and the one place that turns a YAML error into ``file:line:col``."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from mapdaily_cli.errors import DataError

#: The file line a text starts on, or how to count it (only an error needs it: counting is O(file)).
Base = int | Callable[[], int]

_LOADER: Any = None


def place(display: str, line: int, column: int | None = None) -> str:
    """Where something is, the one way every message says it: ``papers.yaml:12:5`` (1-based), or
    ``line 12, column 5`` for text with no file name (what an editor shows)."""
    if not display:
        return f"line {line}" + (f", column {column}" if column is not None else "")
    return f"{display}:{line}" + (f":{column}" if column is not None else "")


def yaml_error(error: Exception, display: str, text: str, first: Base) -> DataError:
    """The one-line DataError for a YAML error of either library in ``text``, whose first line is
    line ``first`` of ``display``."""
    base = first if isinstance(first, int) else first()
    position = getattr(error, "position", None)
    if isinstance(position, int) and hasattr(error, "character"):  # a reader error: a bad character
        line = base + text.count("\n", 0, position)
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        char = getattr(error, "character", "")
        point = ord(char) if isinstance(char, str) and len(char) == 1 else char
        code = f"U+{point:04X}" if isinstance(point, int) else "a character"
        return DataError(
            f"{place(display, line, column)}: {code} is not allowed in YAML (a control character); remove it"
        )
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    where = place(display, base + mark.line, mark.column + 1) if mark else place(display, base)
    context, start = getattr(error, "context", None), getattr(error, "context_mark", None)
    if context and start is not None and start is not mark:
        problem += f" ({context} at {base + start.line}:{start.column + 1})"
    if getattr(error, "strict", False):  # valid YAML that the store refuses
        return DataError(f"{where}: {problem}")
    return DataError(f"{where}: YAML syntax error: {problem}; fix the YAML there")


def refuse_anchors(text: str, display: str, base: Base) -> None:
    """Refuse anchors, aliases and merge keys (a digest never needs them, and an alias can expand
    to gigabytes), reading only the event stream: nothing is composed or expanded."""
    if "&" not in text and "*" not in text and "<<" not in text:
        return  # none of them can be written without one of these
    import yaml

    parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        for event in yaml.parse(text, Loader=parser):
            anchor = getattr(event, "anchor", None)
            what = None
            if isinstance(event, yaml.AliasEvent):
                what = f"alias *{anchor}"
            elif anchor is not None:
                what = f"anchor &{anchor}"
            elif isinstance(event, yaml.ScalarEvent) and event.value == "<<" and not event.style:
                what = "merge key <<"
            mark = event.start_mark
            if what is not None and mark is not None:
                line = (base if isinstance(base, int) else base()) + mark.line
                raise DataError(
                    f"{place(display, line, mark.column + 1)}: {what}: anchors, aliases and"
                    " merge keys are not allowed in the digest's data; write the value out in full"
                )
    except yaml.YAMLError as e:
        raise yaml_error(e, display, text, base) from None


def load_strict(text: str, display: str, base: Base) -> Any:
    """``text`` loaded with the fast strict loader (anchors refused first); errors name their place.
    A day document in the plain layout mapdaily writes is read off its lines (the same data)."""
    from mapdaily_cli.store.daylines import quick_load

    quick = quick_load(text)
    if quick is not None:
        return quick
    import yaml

    refuse_anchors(text, display, base)
    try:
        return yaml.load(text, Loader=strict_loader())
    except yaml.YAMLError as e:
        raise yaml_error(e, display, text, base) from None


def compose(text: str) -> Any:
    """The node tree of ``text`` (for the line and column of a key), None when it does not parse."""
    import yaml

    try:
        return yaml.compose(text, Loader=strict_loader())
    except yaml.YAMLError:
        return None


def strict_loader() -> Any:
    """The fast safe loader, made strict: a key repeated in one mapping is an error (PyYAML would
    keep the last one silently), and so is an impossible date such as 2024-13-45 (PyYAML raises a
    bare ValueError), each with its place in the file."""
    global _LOADER
    if _LOADER is None:
        _LOADER = _make_strict_loader()
    return _LOADER


def _make_strict_loader() -> Any:
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Refused(yaml.constructor.ConstructorError):
        strict = True

    class StrictLoader(base):  # type: ignore[misc, valid-type]
        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            # Cheap first: only a mapping whose key texts repeat needs its keys constructed.
            keys = [k.value for k, _ in node.value] if isinstance(node, yaml.MappingNode) else []
            if len(set(map(str, keys))) != len(keys):
                seen: set[Any] = set()
                for key_node, _ in node.value:
                    key = self.construct_object(key_node, deep=True)
                    try:
                        repeated = key in seen
                        seen.add(key)
                    except TypeError:
                        continue
                    if repeated:
                        message = f"key {key!r} appears twice in this mapping; keep one of them"
                        raise Refused(None, None, message, key_node.start_mark)
            return super().construct_mapping(node, deep=deep)

        def construct_yaml_timestamp(self, node: Any) -> Any:
            try:
                return super().construct_yaml_timestamp(node)
            except ValueError as e:
                message = f"date {node.value} is not a valid date ({e}); write it as YYYY-MM-DD"
                raise Refused(None, None, message, node.start_mark) from None

    StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", StrictLoader.construct_yaml_timestamp)
    return StrictLoader


def round_trip() -> Any:
    """The one ruamel.yaml configuration every edit uses: comments and quotes kept, no wrapping,
    the store's indentation."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=2, offset=0)
    return yaml


def load_round_trip(text: str, display: str, base: Base) -> Any:
    """``text`` loaded for a round trip (anchors refused first); errors name their place."""
    from ruamel.yaml.error import YAMLError

    refuse_anchors(text, display, base)
    try:
        return round_trip().load(text)
    except YAMLError as e:
        raise yaml_error(e, display, text, base) from None


def to_yaml_text(value: str) -> Any:
    """A string as ruamel should write it so that the C loader reads it back as that string: a
    literal block when it spans lines, double quotes when a plain scalar would read as something
    else under YAML 1.1 (``Yes``, ``off``, ``10:30``, ``2024-10-15``) or holds trailing spaces."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

    if "\n" in value and not re.search(r"[ \t]\n|[ \t]$|^\s", value):
        return LiteralScalarString(value)
    if "\n" in value or not reads_as_text(value):
        return DoubleQuotedScalarString(value)
    return value


#: The plain scalars starting with a letter (or ``~<=``) that YAML 1.1 reads as other than text.
_WORDS = frozenset("yes Yes YES no No NO true True TRUE false False FALSE on On ON off Off OFF".split())
_WORDS |= {"null", "Null", "NULL", "~", "<<", "="}


def reads_as_text(value: str) -> bool:
    """Whether ``value``, written plain, reads back as text (not a number, a date, a boolean ...),
    as the C loader resolves it: most values are told by their first character, without PyYAML's
    resolver (the only ones starting with these letters that are not text are the words above)."""
    if not value:
        return False
    if value[0] in "yYnNtTfFoO~<=":
        return value not in _WORDS
    if value[0] not in "!&*+-.0123456789":
        return True
    return not _resolves_to_other_than_text(value)


def _resolves_to_other_than_text(value: str) -> bool:
    import yaml

    tag = yaml.resolver.Resolver().resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    return bool(tag != "tag:yaml.org,2002:str")
