"""Papers, days and weeks: frozen values, their validation and pure transforms (stdlib only)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

#: The fields of a paper mapdaily knows; any other key is an error unless the settings declare it
#: (``extra_fields``).
FIELDS = ("title", "url", "affiliation", "comment", "authors")

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Paper:
    """One reviewed paper. ``title`` is required; the other fields may be None."""

    title: str
    url: str | None = None
    affiliation: str | None = None
    comment: str | None = None
    #: Who wrote it (names joined by ", "); shown only where the configured columns name it.
    authors: str | None = None
    #: The fields the settings declare (``extra_fields``) that are set, as (name, text) in the
    #: order they were written.
    extra: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Paper:
        """Build a paper from an already validated mapping (any key not in FIELDS is an extra)."""
        return cls(
            title=data["title"],
            url=data.get("url") or None,
            affiliation=data.get("affiliation") or None,
            comment=data.get("comment") or None,
            authors=data.get("authors") or None,
            extra=tuple((str(k), v) for k, v in data.items() if k not in FIELDS and isinstance(v, str) and v),
        )

    def to_mapping(self) -> dict[str, str]:
        """The fields that are set, in the store's order, then the declared extra fields."""
        return {**{k: v for k in FIELDS if (v := getattr(self, k))}, **dict(self.extra)}

    def value_of(self, name: str) -> str | None:
        """The text of field ``name`` (built-in or declared extra), None when it is not set."""
        if name in FIELDS:
            value: str | None = getattr(self, name)
            return value
        return dict(self.extra).get(name)


@dataclass(frozen=True)
class Day:
    """The papers of one date, in the order the curator added them."""

    date: date
    papers: tuple[Paper, ...] = field(default=())


@dataclass(frozen=True, order=True)
class Week:
    """A week, named by the date it starts on (the configured first weekday)."""

    start: date

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)

    @property
    def iso(self) -> tuple[int, int]:
        """ISO year and week of the week's fourth day: the ISO week most of its days share."""
        year, week, _ = (self.start + timedelta(days=3)).isocalendar()
        return year, week

    @property
    def label(self) -> str:
        """``2024-W41``."""
        year, week = self.iso
        return f"{year}-W{week:02d}"

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def week_of(day: date, first_weekday: int = 0) -> Week:
    """The week holding ``day``, weeks starting on ``first_weekday`` (0 = Monday)."""
    return Week(day - timedelta(days=(day.weekday() - first_weekday) % 7))


# re.ASCII throughout: \d would otherwise take any script's digits (٢٠٢٤ for 2024).
_WEEK_LABEL = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE | re.ASCII)


def parse_week_label(text: str, first_weekday: int = 0) -> Week:
    """``2024-W41`` (or ``2024W41``) to the configured week holding that ISO week's Thursday."""
    m = _WEEK_LABEL.match(text.strip())
    if not m:
        raise ValueError(f"{text!r} is not a week; write it as YYYY-Www, e.g. 2024-W41")
    year, week = int(m[1]), int(m[2])
    try:
        thursday = date.fromisocalendar(year, week, 4)
    except ValueError:
        raise ValueError(f"{text!r} is not a week of {year}") from None
    w = week_of(thursday, first_weekday)
    if w.label != f"{year}-W{week:02d}":
        w = week_of(thursday - timedelta(days=3), first_weekday)
    return w


def parse_date(text: str) -> date:
    """An ISO date ``YYYY-MM-DD``; ValueError with a readable message otherwise."""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip(), re.ASCII):
            raise ValueError
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a date; write it as YYYY-MM-DD, e.g. 2024-10-15") from None


def fold_space(text: str) -> str:
    """Runs of whitespace (newlines included) to one space, ends stripped."""
    # Every whitespace character but the space is unprintable: a printable text with no run of
    # spaces and none at its ends is folded already (most texts; no copy is made of them).
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


def normalise_title(title: str) -> str:
    """The key two titles are compared by: case and whitespace folded."""
    return fold_space(title).casefold()


# An arXiv identifier: new style YYMM.NNNN (to 2014) or YYMM.NNNNN (from 2015), or old style
# archive[.SUBJECT]/YYMMNNN (to March 2007; the subject class is not part of the identifier).
def _id(n: int) -> str:
    # Each form has its own copy of the groups (a name is used once per pattern), numbered ``n``.
    return (
        rf"(?:(?P<yymm{n}>\d{{4}})\.(?P<num{n}>\d{{4,5}})"
        rf"|(?P<archive{n}>[a-z]+(?:-[a-z]+)?)(?P<subject{n}>\.[a-z]+(?:-[a-z]+)?)?"
        rf"/(?P<oyymm{n}>\d{{4}})(?P<onum{n}>\d{{3}}))(?:v(?P<version{n}>\d+))?"
    )


_ARXIV_FORMS = re.compile(
    r"^(?:"
    # a link to the abstract, the PDF or the HTML, on arxiv.org or its export mirror
    r"(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/" + _id(1) + r"(?:\.pdf)?/?(?:[?#].*)?"
    # the DOI arXiv registers for every paper, bare or as a link
    r"|(?:(?:https?://)?(?:dx\.)?doi\.org/|doi:\s*)?10\.48550/arxiv\."
    + _id(2)
    # the identifier as it is cited
    + r"|(?:arxiv:\s*)?"
    + _id(3)
    + r")$",
    re.IGNORECASE | re.ASCII,
)


@dataclass(frozen=True)
class ArxivRef:
    """An arXiv identifier read from any form a person pastes: ``id`` is canonical and versionless
    (``2410.08391``, ``hep-th/9901001``); ``written`` is the identifier as typed, version aside."""

    id: str
    version: int | None
    written: str

    @property
    def url(self) -> str:
        """The canonical versionless link to the abstract."""
        return f"https://arxiv.org/abs/{self.id}"

    @property
    def search_text(self) -> str:
        """The part of the identifier every spelling of it holds (for the raw-bytes prefilter)."""
        return self.id.rsplit("/", 1)[-1]


def arxiv_ref(text: str) -> ArxivRef | None:
    """The arXiv identifier in an arXiv url, DOI or bare id (any version), else None. Dates are
    checked: a month 13 or a five-digit number before 2015 is no identifier."""
    m = _ARXIV_FORMS.match(text.strip())
    if m is None:
        return None
    groups = {k.rstrip("0123456789"): v for k, v in m.groupdict().items() if v is not None}
    version = int(groups["version"]) if groups.get("version") else None
    if groups.get("yymm"):
        yymm, num = groups["yymm"], groups["num"]
        if not 1 <= int(yymm[2:]) <= 12 or (len(num) == 4) != ("0704" <= yymm <= "1412"):
            return None
        return ArxivRef(f"{yymm}.{num}", version, f"{yymm}.{num}")
    yymm = groups["oyymm"]
    if not 1 <= int(yymm[2:]) <= 12 or not ("9108" <= yymm or yymm <= "0703"):
        return None
    archive = groups["archive"].lower()
    written = f"{archive}{groups.get('subject') or ''}/{yymm}{groups['onum']}"
    return ArxivRef(f"{archive}/{yymm}{groups['onum']}", version, written.lower())


def arxiv_id(url_or_id: str) -> str | None:
    """The arXiv identifier (no version, lowercased, an old-style subject class as written) of an
    arXiv url, DOI or bare id, else None. Compare papers by :func:`canonical_url`."""
    ref = arxiv_ref(url_or_id)
    return ref.written if ref else None


# The link to an abstract as mapdaily writes it (nearly every url of a digest): its key is told by
# this alone, when its date is one (see arxiv_ref).
_ARXIV_ABS = re.compile(r"https://arxiv\.org/abs/([0-9]{4})\.([0-9]{4,5})(?:v[0-9]+)?")


def canonical_url(url: str) -> str:
    """The key two urls are compared by: ``arxiv:ID`` for arXiv, else the url minus scheme."""
    m = _ARXIV_ABS.fullmatch(url)
    if m is not None:
        yymm, num = m.groups()
        if 1 <= int(yymm[2:]) <= 12 and (len(num) == 4) == ("0704" <= yymm <= "1412"):
            return f"arxiv:{yymm}.{num}"
    ref = arxiv_ref(url)
    if ref:
        return f"arxiv:{ref.id}"
    text = url.strip()
    text = re.sub(r"^https?://(www\.)?", "", text, flags=re.IGNORECASE)
    return text.rstrip("/").lower()


def validate_url(url: str) -> str | None:
    """None when ``url`` is a usable http(s) link, else what is wrong with it."""
    if not re.match(r"^https?://[^\s/]+", url.strip(), re.IGNORECASE):
        return f"{url!r} is not an http(s) url"
    return None


# A link a comment may hold: an http(s) url of the characters that mean the same in a link's
# destination, in an autolink and in its text (no brackets, parentheses, braces, quotes, backslash,
# backtick or pipe), with no character reference (``&amp;``, which an autolink would decode) and
# nothing github.com would read as an :emoji: shortcode.
_COMMENT_URL = re.compile(r"https?://[A-Za-z0-9][A-Za-z0-9\-._~:/?#@!$&'*+,;=%]*", re.IGNORECASE | re.ASCII)
_NOT_IN_LINKS = re.compile(r"&#?[A-Za-z0-9]+;|:[A-Za-z0-9_+\-]+:", re.ASCII)
#: A markdown link ``[text](url)`` (not an image: no ``!`` before it) or an autolink ``<url>``
#: (each alternative starts with its one character, so the engine skips ahead to the next of them).
COMMENT_LINK = re.compile(
    r"\[(?<!!\[)(?P<text>[^\[\]\s](?:[^\[\]]*[^\[\]\s])?)\]\((?P<target>" + _COMMENT_URL.pattern + r")\)"
    r"|<(?P<auto>" + _COMMENT_URL.pattern + r")>",
    re.IGNORECASE | re.ASCII,
)


def comment_link_url(url: str) -> bool:
    """Whether ``url`` may be the target of a link in a comment (see COMMENT_LINK)."""
    return _COMMENT_URL.fullmatch(url) is not None and _NOT_IN_LINKS.search(url) is None


def comment_links(text: str) -> list[re.Match[str]]:
    """The links in a comment, in order: markdown links and autolinks whose url is a comment link."""
    if "](" not in text and "<" not in text:  # each link holds one or the other
        return []
    return [m for m in COMMENT_LINK.finditer(text) if comment_link_url(m["target"] or m["auto"])]


# Control characters (C0 but tab and newline, DEL, C1, the Unicode line and paragraph separators):
# YAML and markdown would each read them their own way.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


#: What :func:`paper_problem` says of a key that is no field.
UNKNOWN_FIELD = "is not a field of a paper"


def paper_problem(
    data: Mapping[str, Any], extra_fields: Sequence[str] | None = None
) -> tuple[str, str, str] | None:
    """The first thing wrong with ``data`` as a paper, as (field, what is wrong, how to fix it);
    None when it is a paper. A key that is neither in FIELDS nor in ``extra_fields`` (what the
    settings declare) is wrong: a misspelled field must never vanish (None: the caller does not
    know the settings, and any other key is let through). The one rule for the store, the command
    line and the editor."""
    known = (*FIELDS, *(extra_fields or ()))
    for key in data:
        if extra_fields is not None and key not in known:
            return str(key), UNKNOWN_FIELD, unknown_field_fix(key, known)
    title = data.get("title")
    if title is None or (isinstance(title, str) and not title.strip()):
        return "title", "is missing or empty", "give the paper a title"
    for key in known:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            return key, f"must be text, not {value!r}", "quote it"
        if value and CONTROL.search(value):
            return key, "holds a control character", "remove it"
        if value and _SURROGATE.search(value):  # bytes that were not UTF-8 (from a command line)
            return key, "holds bytes that are not UTF-8 text", "type it again as UTF-8"
    return None


def unknown_field_fix(key: Any, known: Sequence[str]) -> str:
    """How to fix an unknown field ``key``: the known field it is likely a misspelling of, or how to
    declare a field of one's own."""
    import difflib

    text = str(key)
    near = difflib.get_close_matches(text.lower(), known, n=1, cutoff=0.6)
    if text.lower() in known:
        near = [text.lower()]
    if near:
        return f"did you mean {near[0]!r}?"
    return f"the fields are {', '.join(known)}; declare a field of your own with extra_fields = [{text!r}]"


def same_paper(a: Paper, b: Paper) -> bool:
    """Duplicate rule: same canonical url (every spelling and version of one arXiv identifier is
    one url), or same normalised title."""
    if a.url and b.url and canonical_url(a.url) == canonical_url(b.url):
        return True
    return normalise_title(a.title) == normalise_title(b.title)
