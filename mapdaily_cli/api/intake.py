"""Papers proposed through the repository's issue form: GitHub's issue event read into a paper
(only from the repository's owner, members and collaborators), then added like `mapdaily add`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from mapdaily_cli.errors import InputError

#: The form's fields (``.github/ISSUE_TEMPLATE/add-paper.yml``), by their labels, in order.
LABELS = {
    "arXiv id or URL": "url",
    "Title": "title",
    "Affiliation": "affiliation",
    "Comment": "comment",
    "Date": "date",
}
#: Who may add a paper by opening an issue (GitHub's ``author_association``).
TRUSTED = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
_NO_RESPONSE = "_No response_"
_ARXIV_ID = re.compile(r"^(?:arxiv:)?(\d{4}\.\d{4,5}(?:v\d+)?)$", re.IGNORECASE)


@dataclass(frozen=True)
class Proposal:
    """What an issue proposes: the paper's fields, the day (None: today), and the issue's number."""

    fields: dict[str, str | None]
    when: date | None
    number: int | None


def read_event(path: Path) -> dict[str, Any]:
    """The event payload GitHub hands a workflow (``$GITHUB_EVENT_PATH``)."""
    try:
        event = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(f"{path}: not an issue event GitHub wrote ({e})") from None
    if not isinstance(event, dict) or not isinstance(event.get("issue"), dict):
        raise InputError(f"{path}: not an issue event (no `issue` in it)")
    return event


def proposal(event: dict[str, Any]) -> Proposal:
    """The paper an issue event proposes; InputError when its author may not add papers or the
    form's answers are not a paper."""
    issue = event["issue"]
    who = str(issue.get("author_association") or "NONE")
    if event.get("action") != "labeled" and who not in TRUSTED:
        # A label can only be put on by someone with triage rights: that is the trusted hand then.
        raise InputError(
            f"only the repository's owner, members and collaborators add papers through issues"
            f" (this issue's author is {who.lower()}); a curator can add it with the label"
        )
    answers = form_answers(str(issue.get("body") or ""))
    fields: dict[str, str | None] = {k: answers.get(k) for k in ("title", "url", "affiliation", "comment")}
    if not fields["title"]:
        raise InputError("the issue gives no title; edit the issue's Title field")
    fields["url"] = _url(fields["url"])
    when = None
    if answers.get("date"):
        try:
            when = date.fromisoformat(str(answers["date"]))
        except ValueError:
            raise InputError(f"the issue's Date {answers['date']!r} is not YYYY-MM-DD") from None
    number = issue.get("number")
    return Proposal(fields, when, number if isinstance(number, int) else None)


def form_answers(body: str) -> dict[str, str | None]:
    """The answers of an issue form's body: ``### Label``, a blank line, the answer; ``_No
    response_`` is no answer. Only the comment is a textarea, which may hold headings of its own
    (even ``### Date``): it runs to the last heading of the next field, which GitHub writes after
    it; a one-line answer runs to the next field's first heading."""
    lines = body.replace("\r\n", "\n").split("\n")
    labels = list(LABELS)
    found: dict[str, str | None] = {}
    start = 0
    for k, label in enumerate(labels):
        at = _headings(lines, label, start)
        if not at:
            continue
        first = at[0] + 1
        ends = [_headings(lines, n, first) for n in labels[k + 1 :]]
        stops = [(e[-1] if LABELS[label] in _TEXTAREAS else e[0]) for e in ends if e]
        end = min(stops) if stops else len(lines)
        text = "\n".join(lines[first:end]).strip()
        found[LABELS[label]] = None if text in ("", _NO_RESPONSE) else text
        start = end
    return found


_TEXTAREAS = frozenset({"comment"})


def _headings(lines: list[str], label: str, start: int) -> list[int]:
    return [i for i in range(start, len(lines)) if lines[i].strip() == f"### {label}"]


def _url(text: str | None) -> str | None:
    """A bare arXiv id as its abstract page; a url as given (validated when added)."""
    if not text:
        return None
    m = _ARXIV_ID.match(text.strip())
    return f"https://arxiv.org/abs/{m[1]}" if m else text.strip()
