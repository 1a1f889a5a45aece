"""arXiv: identifiers in every form people paste, a polite client of the API with a small cache,
and its Atom answers read safely (titles from LaTeX to Unicode). Imports model and errors only."""

from mapdaily_cli.arxiv.atom import ArxivError, Entry, parse_feed
from mapdaily_cli.arxiv.cache import Cache
from mapdaily_cli.arxiv.client import Client, Unreachable, user_agent
from mapdaily_cli.arxiv.ids import BATCH, parse_id, parse_ids
from mapdaily_cli.arxiv.inbox import Candidate, parse_daily
from mapdaily_cli.arxiv.latex import clean_title

__all__ = [
    "BATCH",
    "ArxivError",
    "Cache",
    "Candidate",
    "Client",
    "Entry",
    "Unreachable",
    "clean_title",
    "parse_daily",
    "parse_feed",
    "parse_id",
    "parse_ids",
    "user_agent",
]
