"""Drawn figures kept on disk, so that a lesson run again shows them without Matplotlib.

Each figure has one entry, ``<name>.svg`` in the learner's cache folder
(``$DEEPFAKE_ETHICS_CACHE``, or the user cache folder that :mod:`platformdirs` names). The
entry ends with a comment holding its key (a hash of what the figure is drawn from: its
data, the source of the code that draws it, and Matplotlib's version) and a checksum of the
SVG. An entry is used only when both match; otherwise the figure is drawn again and the
entry replaced. A folder that cannot be written only means figures are drawn every time.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

ENV_VAR = "DEEPFAKE_ETHICS_CACHE"
_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_TRAILER = re.compile(rb"<!-- deepfake-ethics figure (?P<key>[0-9a-f]{64}) "
                      rb"sha256 (?P<sum>[0-9a-f]{64}) -->\n\Z")


def cache_dir() -> Path:
    """Where drawn figures are kept: ``$DEEPFAKE_ETHICS_CACHE`` or the user cache folder."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("deepfake-ethics")) / "figures"


@functools.cache
def _file_digest(path: Path) -> bytes:
    return hashlib.sha256(path.read_bytes()).digest()


@functools.cache
def _matplotlib_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("matplotlib")
    except PackageNotFoundError:  # pragma: no cover - matplotlib is a dependency
        return ""


def key(data: str, code: Sequence[Path]) -> str:
    """The hash that names one drawing: of its data, its code files and Matplotlib."""
    digest = hashlib.sha256(data.encode("utf-8"))
    for path in code:
        digest.update(_file_digest(Path(path)))
    digest.update(_matplotlib_version().encode("ascii"))
    return digest.hexdigest()


def entry_path(name: str) -> Path:
    """The file that holds figure ``name`` (a lower-case id such as ``laws-timeline``)."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"a figure cache name is a lower-case id, not {name!r}")
    return cache_dir() / f"{name}.svg"


def load(name: str, entry_key: str) -> bytes | None:
    """The cached SVG of ``name`` if its entry has this key and is intact, else None."""
    try:
        stored = entry_path(name).read_bytes()
    except OSError:
        return None
    start = stored.rfind(b"<!-- deepfake-ethics figure ")
    match = _TRAILER.match(stored, start) if start >= 0 else None
    if not match or match["key"].decode() != entry_key:
        return None
    svg = stored[:start]
    return svg if hashlib.sha256(svg).hexdigest() == match["sum"].decode() else None


def store(name: str, entry_key: str, svg: bytes) -> None:
    """Keep ``svg`` as the entry of ``name`` (written whole or not at all)."""
    path = entry_path(name)
    trailer = f"<!-- deepfake-ethics figure {entry_key} sha256 " \
              f"{hashlib.sha256(svg).hexdigest()} -->\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(svg + trailer.encode("ascii"))
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass  # a read-only or full disk: the figure is simply drawn again next time


def cached_svg(name: str, data: str, code: Sequence[Path], draw: Callable[[], bytes]) -> bytes:
    """The SVG of figure ``name`` drawn by ``draw`` from ``data`` with the code in ``code``:
    from the cache when it holds an intact entry for exactly these, else drawn and kept."""
    entry_key = key(data, code)
    svg = load(name, entry_key)
    if svg is None:
        svg = draw()
        store(name, entry_key, svg)
    return svg
