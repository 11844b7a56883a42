"""Safe writing and one-line errors for the command-line tools of :mod:`helpers`.

Every command that writes a file goes through :func:`write_text_safely`:

* it refuses a file that git tracks in this repository (``git ls-files``), even with ``force``;
* it refuses a source file of the project (``.py``, ``.md``, ``.ipynb``, ``.json``, ``.yml``,
  ``.toml``, ``.cfg``, ``.ini``, ``.bib``, ``.txt``), and anything inside ``data/``, even with
  ``force`` — whether git is available or not;
* it refuses any other existing file unless ``force`` is true;
* it refuses a missing directory or an unwritable path;
* it writes atomically: a temporary file in the same directory, then :func:`os.replace`.

Refusals raise :class:`WriteRefused` (a ``ValueError``) whose message is one line
``<path>: <reason>``, which a command prints as is and exits with status 1.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

__all__ = ["WriteRefused", "REPO_ROOT", "SOURCE_SUFFIXES", "is_tracked", "check_output_path", "write_text_safely",
           "one_line"]

#: the root of this repository (the folder holding ``helpers/``)
REPO_ROOT = Path(__file__).resolve().parent.parent
#: suffixes of project source files that no command may write, tracked or not
SOURCE_SUFFIXES = frozenset({".py", ".md", ".ipynb", ".json", ".yml", ".yaml", ".toml", ".cfg",
                             ".ini", ".bib", ".txt"})


class WriteRefused(ValueError):
    """A command was asked to write where it must not; ``str(error)`` is ``path: reason``."""


def one_line(text) -> str:
    """``text`` with every run of whitespace (newlines included) collapsed to one space."""
    return " ".join(str(text).split())


def is_tracked(path) -> bool:
    """Whether git tracks ``path`` in the repository that holds it (``False`` without git)."""
    if not isinstance(path, (str, os.PathLike)) or str(path) == "":
        raise ValueError(f"path must be a non-empty file path, got {path!r}")
    path = Path(path).resolve()
    folder = path.parent if path.parent.is_dir() else REPO_ROOT
    try:
        done = subprocess.run(["git", "-C", str(folder), "ls-files", "--error-unmatch", "--", str(path)],
                              capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


def check_output_path(path, *, force: bool = False, allow_tracked=()) -> Path:
    """Raise :class:`WriteRefused` unless :func:`write_text_safely` may write ``path``; commands
    call it before the work, so a refused path costs nothing. Returns the resolved path."""
    return _checked(path, force, allow_tracked)[1]


def _checked(path, force, allow_tracked):
    if not isinstance(path, (str, os.PathLike)) or str(path) == "":
        raise WriteRefused(f"{path!r}: the output path must be a non-empty file path")
    if not isinstance(force, bool):
        raise ValueError(f"force must be True or False, got {force!r}")
    shown = str(path)
    target = Path(path).expanduser().absolute()
    allowed = {(REPO_ROOT / p).resolve() for p in allow_tracked}
    resolved = target.resolve()
    if target.is_dir():
        raise WriteRefused(f"{shown}: is a directory, not a file")
    if not target.parent.is_dir():
        raise WriteRefused(f"{shown}: directory {target.parent} does not exist")
    if resolved not in allowed:
        if resolved.exists() and is_tracked(resolved):
            raise WriteRefused(f"{shown}: refusing to overwrite a file tracked by git (even with --force)")
        if resolved.suffix.lower() in SOURCE_SUFFIXES and resolved.exists():
            raise WriteRefused(f"{shown}: refusing to overwrite a project source file "
                               f"({resolved.suffix}) (even with --force)")
        if _inside(resolved, REPO_ROOT / "data"):
            raise WriteRefused(f"{shown}: refusing to write inside the data package folder data/")
        if resolved.exists() and not force:
            raise WriteRefused(f"{shown}: file exists; pass --force to replace it")
    if not os.access(target.parent, os.W_OK):
        raise WriteRefused(f"{shown}: directory {target.parent} is not writable")
    return target, resolved


def write_text_safely(path, text: str, *, force: bool = False, allow_tracked=()) -> Path:
    """Write ``text`` (UTF-8, ``\\n`` line ends kept) to ``path`` atomically, or raise
    :class:`WriteRefused` saying why not.

    ``force`` allows replacing an existing untracked, non-source file. ``allow_tracked`` names
    the few tracked outputs a documented regeneration may replace (paths relative to the
    repository root, e.g. ``("chapters/audit-table.csv",)``); nothing else tracked is ever
    written.
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}")
    target, resolved = _checked(path, force, allow_tracked)
    shown = str(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise WriteRefused(f"{shown}: cannot write here: {one_line(exc.strerror or exc)}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        if resolved.exists():
            os.chmod(tmp, resolved.stat().st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, resolved)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise WriteRefused(f"{shown}: cannot write: {one_line(exc.strerror or exc)}") from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return resolved
