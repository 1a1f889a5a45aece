"""mapdaily: keep a daily paper digest in a git repository."""

__version__ = "0.1.0"
