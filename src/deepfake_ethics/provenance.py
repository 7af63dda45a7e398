"""Provenance helpers: hashes of files and a canonical form for signed manifests.

A *manifest* is a small JSON document that lists files and their SHA-256 hashes. To sign
it, both signer and verifier must turn it into exactly the same bytes: :func:`canonical_json`
does that (sorted keys, no spaces, UTF-8), so a signature does not depend on how the
manifest was formatted on disk.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

CHUNK = 1 << 16


def sha256_file(path: str | Path) -> str:
    """The SHA-256 hash of a file's contents, read in chunks (large files are fine)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def canonical_json(document: Any) -> bytes:
    """The one byte form of a JSON document that is signed and verified."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def manifest_for(paths: list[str | Path], base: str | Path = ".") -> dict[str, Any]:
    """A manifest listing each file with its size and hash, named relative to ``base``.

    A path may be given relative to ``base`` (``"photo.png"``) or as a path that already
    leads to the file (``base / "photo.png"``).
    """
    base = Path(base)
    files = []
    for p in sorted(Path(x) for x in paths):
        full = p if p.is_absolute() or not (base / p).exists() else base / p
        files.append({"name": full.relative_to(base).as_posix(), "bytes": full.stat().st_size,
                      "sha256": sha256_file(full)})
    return {"version": 1, "files": files}
