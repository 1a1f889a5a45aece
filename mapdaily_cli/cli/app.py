"""The one Typer app: its global options, the configuration it resolves, and the one rule that turns
whatever ends a command early (a MapdailyError, an interruption, a bug) into a line and an exit code."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator, MutableMapping
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional, ParamSpec, TypeVar, get_args, get_origin

import typer
import typer.core

from mapdaily_cli import __version__
from mapdaily_cli.cli import present
from mapdaily_cli.errors import MapdailyError, UsageError

if TYPE_CHECKING:
    from mapdaily_cli import api
    from mapdaily_cli.config import Config

#: Exit code of an interrupted command (Ctrl-C, or Ctrl-D at a prompt), as a shell reports SIGINT.
INTERRUPTED = 130
#: Exit code of a bug in mapdaily (an exception that is no MapdailyError).
INTERNAL_ERROR = 3


def guarded(body: Callable[[], R]) -> R:
    """Run a command's body: a MapdailyError becomes one red line and its exit code; an
    interruption anywhere (a prompt, the editor, a progress bar, a long check, the diff an error
    shows) becomes one line and exit 130; any other exception is a bug, still one line (the
    traceback with MAPDAILY_DEBUG=1). A plain function, not a context manager: a Ctrl-C arriving
    as an exception leaves the body must still be caught here."""
    try:
        try:
            return body()
        except MapdailyError as e:
            present.error(e)
            raise typer.Exit(e.exit_code) from None
        except (typer.Exit, KeyboardInterrupt, typer.Abort):
            raise
        except Exception as e:
            if os.environ.get("MAPDAILY_DEBUG"):
                raise
            present.internal_error(e)
            raise typer.Exit(INTERNAL_ERROR) from None
    except (KeyboardInterrupt, typer.Abort):  # Ctrl-C, or Ctrl-D at a prompt (an Abort)
        present.interrupted()
        raise typer.Exit(INTERRUPTED) from None


class _Typers(Exception):
    """A value ``_Coercion`` leaves to typer's own coercion."""


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise _Typers


def _leaf(annotation: Any) -> Callable[[Any], Any] | None:
    """How a value given for a parameter of type ``annotation`` becomes that type, for the types
    this CLI's parameters have (None for any other: typer's own coercion then applies)."""
    if annotation is str:
        return lambda v: v if isinstance(v, str) else os.fsdecode(v) if isinstance(v, bytes) else str(v)
    if annotation is Path:
        return lambda v: v if isinstance(v, Path) else Path(v)
    if annotation is bool:
        return _as_bool
    return None


class _Coercion:
    """Typer's conversion of a str, Path or bool parameter's value (or a list of them), done
    directly: typer builds a pydantic TypeAdapter for every parameter given a value (even a flag
    left unset), which imports pydantic (~70 ms) on nearly every command. Anything else (a bool
    given as text) is left to typer."""

    def __init__(self, leaf: Callable[[Any], Any], many: bool, typers: Callable[[], Any]) -> None:
        self.leaf, self.many, self.typers = leaf, many, typers

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        multiple = param.multiple or param.nargs == -1
        if value is None:
            return () if multiple else None
        if multiple and isinstance(value, str):
            raise typer.BadParameter("Value must be an iterable.", ctx=ctx, param=param)
        try:
            if isinstance(value, (list, tuple)):
                return [self.leaf(v) for v in value]
            return [self.leaf(value)] if self.many else self.leaf(value)
        except _Typers:
            return self.typers().coerce(value, param=param, ctx=ctx)


def _runtime_param(param: Any, typers: Callable[[], Any]) -> Any:
    """The coercion of ``param``'s value: ``_Coercion`` when its type allows, else ``typers``' (and
    whenever typer describes the parameter otherwise than the version this was written for)."""
    descriptor = getattr(param, "type_descriptor", None)
    annotation = getattr(descriptor, "annotation", None)
    many = get_origin(annotation) is list
    leaf = _leaf(get_args(annotation)[0] if many else annotation)
    if leaf is None or getattr(descriptor, "file_annotation", None) is not None:
        return typers()
    return _Coercion(leaf, many, typers)


class _PlainArgument(typer.core.TyperArgument):
    """An argument shown in help as its metavar alone: ``SELECTOR``, ``[ID_OR_URL]...``, ``FILE...``."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def get_runtime_param(self) -> Any:
        return _runtime_param(self, super().get_runtime_param)

    def _usage_display_name(self) -> str:
        name = self.display_name_raw
        if not self.required and not name.startswith("["):
            name = f"[{name}]"
        if self.nargs != 1 and not name.endswith("..."):
            name += "..."
        return name


_TYPE_NAMES = {"str": "TEXT", "int": "INTEGER", "float": "NUMBER", "Path": "PATH"}


class _PlainOption(typer.core.TyperOption):
    """An option shown in help with its metavar, or its type as click names it: ``--title TEXT``."""

    def get_runtime_param(self) -> Any:
        return _runtime_param(self, super().get_runtime_param)

    def display_type_rich(self, ctx: Any) -> str:
        if self.metavar:
            return self.metavar
        bare = self.bare_type()
        return _TYPE_NAMES.get(bare, bare.upper())


def _plain(params: list[Any]) -> list[Any]:
    """``params`` (typer's own arguments and options) made plain ones, in place."""
    for param in params:
        if type(param) is typer.core.TyperArgument:
            param.__class__ = _PlainArgument
        elif type(param) is typer.core.TyperOption:
            param.__class__ = _PlainOption
    return params


class PlainCommand(typer.core.TyperCommand):
    """A command whose help shows plain metavars (no ``{SELECTOR}``, no ``<list[Path]>``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain(self.params)

    def get_params(self, ctx: Any) -> Any:
        return _plain(super().get_params(ctx))  # --help is made on each call


class _Commands(MutableMapping[str, Any]):
    """The app's commands by name, each made (its parameters read off its function by Typer) only
    when it is asked for: a command line runs one of them, --help and completion list them all."""

    def __init__(self, registry: typer.Typer) -> None:
        self.registry = registry
        self.made: dict[str, Any] = {}

    def _infos(self) -> dict[str, Any]:
        from typer.main import get_command_name

        infos = self.registry.registered_commands
        return {info.name or get_command_name(getattr(info.callback, "__name__", "")): info for info in infos}

    def __getitem__(self, name: str) -> Any:
        if name not in self.made:
            from typer.main import get_command_from_info

            info = self._infos()[name]  # KeyError for a name that is no command
            self.made[name] = get_command_from_info(
                info,
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode,
            )
        return self.made[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self.made[name] = command

    def __delitem__(self, name: str) -> None:
        raise TypeError("the app's commands are not removed")

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*self._infos(), *self.made]))

    def __len__(self) -> int:
        return len(dict.fromkeys([*self._infos(), *self.made]))


class PlainGroup(typer.core.TyperGroup):
    """The app's group, its options shown as the commands' are, its commands made when asked for."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain(self.params)
        self.commands = _Commands(_registry)

    def get_params(self, ctx: Any) -> Any:
        # typer adds its completion options after __init__, and --help on each call
        return _plain(super().get_params(ctx))


app = typer.Typer(
    cls=PlainGroup,
    name="mapdaily",
    help="Keep a daily paper digest in a git repository: papers.yaml is the data, the markdown is generated.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=True,
)

#: Where the commands are registered: not on ``app``, whose group Typer would make with every
#: command built (their signatures read, ~6 ms); the group looks them up here as they are asked for.
_registry = typer.Typer()

_state: dict[str, Path | None] = {"directory": None}


P = ParamSpec("P")
R = TypeVar("R")


def command(name: str | None = None) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Register a function as a command of the app (named ``name``, or after the function); its
    body runs under ``guarded``."""

    def register(body: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(body)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            return guarded(lambda: body(*args, **kwargs))

        _registry.command(name, cls=PlainCommand)(run)
        return run

    return register


def _version(value: bool) -> None:
    if value:
        print(f"mapdaily {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    directory: Annotated[
        Optional[Path],
        typer.Option("--directory", "-C", help="Run as if started in this folder (the digest's repository)."),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    _state["directory"] = directory


def start() -> Path:
    """The folder the command runs in: --directory, or the working directory."""
    return Path(_state["directory"] or Path.cwd())


def config() -> Config:
    """The configuration of the digest the command runs in."""
    from mapdaily_cli.config import find_root, load_config

    folder = start()
    if not folder.is_dir():
        raise UsageError(f"--directory {folder}: no such folder")
    return load_config(find_root(folder))


def today(config: Config) -> date:
    """Today in the configured time zone (the local zone when none is set)."""
    if config.timezone:
        from zoneinfo import ZoneInfo

        return datetime.now(ZoneInfo(config.timezone)).date()
    return date.today()


def options(
    no_commit: bool = False, dry_run: bool = False, discard_hand_edits: bool = False, push: bool = False
) -> api.Options:
    """The api's options from the flags every changing command shares."""
    from mapdaily_cli import api

    return api.Options(
        commit=not no_commit, dry_run=dry_run, discard_hand_edits=discard_hand_edits, push=push
    )


def main() -> None:
    """Console entry point."""
    app()
