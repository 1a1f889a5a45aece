"""papers.yaml: the document stream and its named edits, its YAML, validation, the prefilter and
scan cache, and all-or-nothing file writing with the lock."""

from mapdaily_cli.store.files import locked, remove_leftovers, write_all
from mapdaily_cli.store.scan import ScanCache, search_words
from mapdaily_cli.store.stream import Stream
from mapdaily_cli.store.validate import paper_message
from mapdaily_cli.store.yamlio import load_round_trip, place

__all__ = [
    "ScanCache",
    "Stream",
    "load_round_trip",
    "locked",
    "paper_message",
    "place",
    "remove_leftovers",
    "search_words",
    "write_all",
]
