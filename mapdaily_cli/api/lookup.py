"""Papers from arXiv: fill a paper from its id (any form a person pastes), check the digest's
titles against arXiv, and list the day's candidates. The only use cases that touch the network."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from mapdaily_cli import gitops
from mapdaily_cli.api.plan import open_stream
from mapdaily_cli.api.result import Result, count, short
from mapdaily_cli.api.select import Found, candidates, papers_in
from mapdaily_cli.arxiv import Cache, Candidate, Client, Entry, parse_daily, parse_ids
from mapdaily_cli.config import Config
from mapdaily_cli.errors import CheckFailed, InputError
from mapdaily_cli.model import ArxivRef, Paper, arxiv_ref, canonical_url, normalise_title
from mapdaily_cli.store import Stream

#: Authors stored for a paper: the first few, then "et al." (a collaboration lists thousands).
MAX_AUTHORS = 10

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Fetched:
    """A paper filled from arXiv: the id as given, arXiv's entry, and the paper to add (fields
    given by the curator in place of arXiv's). ``needs_affiliation``: arXiv names none."""

    ref: ArxivRef
    entry: Entry
    paper: Paper

    @property
    def needs_affiliation(self) -> bool:
        return self.paper.affiliation is None


def arxiv_client(
    config: Config, *, writable: bool = True, progress: Progress | None = None, hint: str | None = None
) -> Client:
    """The client of the configured arXiv API, with the cache in the repository's git folder (read
    only unless ``writable``) and ``hint`` closing a message that arXiv could not be reached."""
    folder = gitops.git_dir(config.root)
    cache = Cache(folder / "mapdaily-arxiv.json", writable=writable) if folder else None
    return Client(
        config.arxiv_api,
        contact=config.contact,
        cache=cache,
        progress=progress,
        hint=hint or "pass --title to add it by hand",
    )


def authors_text(names: Sequence[str]) -> str | None:
    """The authors field: names joined by ", ", the first MAX_AUTHORS then "et al."."""
    if not names:
        return None
    shown = ", ".join(names[:MAX_AUTHORS])
    return shown + (" et al." if len(names) > MAX_AUTHORS else "")


def fetch_papers(
    config: Config,
    ids: Sequence[str],
    fields: Mapping[str, str | None] | None = None,
    *,
    client: Client | None = None,
    allow_duplicate: bool = False,
    allow_withdrawn: bool = False,
    dry_run: bool = False,
) -> list[Fetched]:
    """The papers ``ids`` name (arXiv ids, links, DOIs), filled from arXiv in one request per 100:
    title, canonical versionless link, affiliations and authors; a field in ``fields`` replaces
    arXiv's ("" or None: left empty). Refused before any request: a malformed or repeated id
    (UsageError), a paper already in the digest in any form or version (InputError, unless
    ``allow_duplicate``). Refused after: an id arXiv does not know, a withdrawn paper (unless
    ``allow_withdrawn``). Nothing is written but the cache of what arXiv said (not on a dry run)."""
    refs = parse_ids(ids)
    given = dict(fields or {})
    if not allow_duplicate:
        _refuse_known(config, refs)
    client = client or arxiv_client(config, writable=not dry_run)
    entries = client.entries([r.id for r in refs])
    unknown = [r.id for r in refs if r.id not in entries]
    if unknown:
        raise InputError(
            f"arXiv does not know {', '.join(unknown)}; check the id"
            f"{'s' if len(unknown) > 1 else ''}, or pass --title to add a paper by hand"
        )
    out = []
    for ref in refs:
        entry = entries[ref.id]
        if entry.withdrawn and not allow_withdrawn:
            why = f" ({short(entry.comment, 100)})" if entry.comment else ""
            raise InputError(
                f"{ref.id} ({short(entry.title, 60)}) was withdrawn on arXiv{why}; pass --allow-withdrawn"
                " to add it anyway"
            )
        out.append(Fetched(ref, entry, _paper(ref, entry, given)))
    return out


def _paper(ref: ArxivRef, entry: Entry, given: Mapping[str, str | None]) -> Paper:
    fetched = {
        "title": entry.title,
        "url": ref.url,
        "affiliation": ", ".join(entry.affiliations) or None,
        "authors": authors_text(entry.authors),
    }
    merged = {**fetched, **given}
    return Paper(
        title=merged.get("title") or entry.title,
        url=merged.get("url") or None,
        affiliation=merged.get("affiliation") or None,
        comment=(merged.get("comment") or "").strip() or None,
        authors=merged.get("authors") or None,
    )


def in_digest(stream: Stream, ref: ArxivRef) -> Found | None:
    """The paper of the digest linked to ``ref`` in any form or version, found through the
    prefilter (no parse of the history)."""
    key = canonical_url(ref.url)
    for found in papers_in(stream, candidates(stream, [ref.search_text])):
        if found.paper.url and canonical_url(found.paper.url) == key:
            return found
    return None


def _refuse_known(config: Config, refs: Iterable[ArxivRef]) -> None:
    """An id already in the digest (in any form or version) is refused before arXiv is asked; the
    same title under another link is refused when the papers are added."""
    stream = open_stream(config, required=False)
    for ref in refs:
        d = in_digest(stream, ref)
        if d is not None:
            raise InputError(
                f"{ref.id} is already in the digest on {d.date.isoformat()} as {d.ref}"
                f" ({short(d.paper.title)}); pass --force to add it anyway"
            )


def check_online(
    config: Config, *, strict: bool = False, client: Client | None = None, progress: Progress | None = None
) -> Result:
    """Compare the title of every paper linked to arXiv with arXiv's (batched, paced; ``progress``
    is told how far): a different title, an id arXiv does not know and a withdrawn paper are each a
    note with the paper's ref, newest first. CheckFailed with them all when ``strict``. Writes nothing."""
    stream = open_stream(config)
    linked = [
        (found, ref)
        for found in papers_in(stream, range(len(stream)))
        if found.paper.url and (ref := arxiv_ref(found.paper.url)) is not None
    ]
    client = client or arxiv_client(config, writable=False, progress=progress, hint="try again later")
    entries = client.entries([ref.id for _, ref in linked])
    notes = [n for f, ref in linked if (n := _difference(f, ref.id, entries.get(ref.id))) is not None]
    checked = count(len(linked), "paper")
    if notes and strict:
        raise CheckFailed(
            f"{len(notes)} of {checked} linked to arXiv differ from it; fix them with `mapdaily edit`",
            detail="".join(n + "\n" for n in notes),
        )
    found = count(len(notes), "warning") if notes else "all match"
    return Result(f"{checked} linked to arXiv checked against it: {found}", notes=notes, changed=False)


def _difference(found: Found, key: str, entry: Entry | None) -> str | None:
    """What is wrong with ``found`` by arXiv's ``entry`` for it (None: not known), if anything."""
    title = found.paper.title
    if entry is None:
        return f"{found.ref}: arXiv does not know {key} ({short(title, 60)})"
    if entry.withdrawn:
        return f"{found.ref}: {key} was withdrawn on arXiv ({short(title, 60)})"
    if normalise_title(title) in {normalise_title(entry.title), normalise_title(entry.raw_title)}:
        return None
    return f"{found.ref}: the title differs from arXiv's for {key}: {title!r} here, {entry.title!r} on arXiv"


@dataclass(frozen=True)
class InboxItem:
    """A candidate of the day and, when it is already in the digest, where."""

    candidate: Candidate
    found: Found | None


def inbox(config: Config, when: date, *, client: Client | None = None) -> list[InboxItem]:
    """The candidates Hugging Face's daily papers list for ``when``, most upvoted and newest first,
    each marked with where it already is in the digest (if it is)."""
    client = client or Client(
        config.inbox_api, contact=config.contact, name="Hugging Face", hint="try again later"
    )
    body = client.get({"date": when.isoformat()}, accept="application/json")
    stream = open_stream(config, required=False)
    out = []
    for candidate in parse_daily(body, client.name):
        ref = arxiv_ref(candidate.id)
        out.append(InboxItem(candidate, in_digest(stream, ref) if ref else None))
    return out
