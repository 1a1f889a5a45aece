"""The api's lazy names (PEP 562 ``__getattr__``), each checked in a fresh interpreter so
that what an earlier import loaded does not hide anything."""

from __future__ import annotations

import subprocess
import sys

import pytest

import mapdaily_cli.api as api


def _python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


NOT_MODULES = (
    "import types\n"
    "bad = [n for n, v in list(globals().items()) if isinstance(v, types.ModuleType)"
    " and v.__name__.startswith('mapdaily_cli.api.')]\n"
    "print(sorted(bad))\n"
)


# Three public names are also the names of their rooms (check, stats, sync). Importing a room binds
# the submodule as an attribute of the package, so once mapdaily_cli.api.stats is imported for
# another name (`Stats`), `api.stats` would be that module and `__getattr__` never asked: `from
# mapdaily_cli.api import Stats, stats` would give the module ("'module' object is not callable").
def test_a_name_imported_with_another_of_its_room_is_the_function() -> None:
    assert _python("from mapdaily_cli.api import Stats, stats\nprint(callable(stats))") == "True"


def test_every_name_star_imported_is_what_it_names() -> None:
    assert _python("from mapdaily_cli.api import *\n" + NOT_MODULES) == "[]"


def test_every_name_imported_in_one_statement_is_what_it_names() -> None:
    names = ", ".join(api.__all__)
    assert _python(f"from mapdaily_cli.api import ({names})\n" + NOT_MODULES) == "[]"


# The same as soon as anything imports the room itself (`from mapdaily_cli.api.check import X` in
# any module): `api.check(digest)` in cli/days.py must still be the function.
@pytest.mark.parametrize("room", ["check", "stats", "sync"])
def test_a_name_is_the_function_after_its_room_was_imported(room: str) -> None:
    code = f"import mapdaily_cli.api as api, mapdaily_cli.api.{room}\nprint(callable(api.{room}))"
    assert _python(code) == "True"


@pytest.mark.parametrize("name", api.__all__)
def test_each_name_alone_in_a_fresh_interpreter(name: str) -> None:
    code = f"import types\nfrom mapdaily_cli.api import {name}\nprint(isinstance({name}, types.ModuleType))"
    assert _python(code) == "False"


def test_unknown_names_raise_attribute_error_and_import_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        api.nope  # noqa: B018
    with pytest.raises(ImportError):
        exec("from mapdaily_cli.api import nope", {})
    assert not hasattr(api, "__path__x")


def test_all_and_the_rooms_name_the_same_names() -> None:
    assert set(api.__all__) == set(api._ROOMS)
    assert len(api.__all__) == len(set(api.__all__))


# dir(mapdaily_cli.api) lists every public name, not only those loaded so far (completion in a
# REPL or an editor, help(mapdaily_cli.api)).
def test_dir_lists_every_public_name() -> None:
    listed = _python("import mapdaily_cli.api as api\nprint(sorted(set(api.__all__) - set(dir(api))))")
    assert listed == "[]"
