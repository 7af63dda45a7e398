"""Provenance helpers: hashes and canonical manifests."""

from __future__ import annotations

import hashlib

from deepfake_ethics.provenance import canonical_json, manifest_for, sha256_file


def test_hashes_match_hashlib_and_change_with_one_byte(tmp_path):
    data = bytes(range(256)) * 1000  # larger than one read chunk
    path = tmp_path / "clip.bin"
    path.write_bytes(data)
    assert sha256_file(path) == hashlib.sha256(data).hexdigest()
    path.write_bytes(data[:-1] + b"\x00")
    assert sha256_file(path) != hashlib.sha256(data).hexdigest()


def test_canonical_json_ignores_formatting():
    a = {"files": [{"name": "a.png", "sha256": "00"}], "version": 1, "note": "café"}
    b = {"version": 1, "note": "café", "files": [{"sha256": "00", "name": "a.png"}]}
    assert canonical_json(a) == canonical_json(b)
    assert canonical_json(a) == '{"files":[{"name":"a.png","sha256":"00"}],"note":"café",' \
                                '"version":1}'.encode()


def test_manifest_lists_relative_names_sizes_and_hashes(tmp_path):
    (tmp_path / "media").mkdir()
    for name, text in (("b.txt", "bee"), ("a.txt", "ay")):
        (tmp_path / "media" / name).write_text(text)
    manifest = manifest_for(["media/b.txt", "media/a.txt"], tmp_path)
    assert [f["name"] for f in manifest["files"]] == ["media/a.txt", "media/b.txt"]
    assert manifest["files"][0] == {"name": "media/a.txt", "bytes": 2,
                                    "sha256": hashlib.sha256(b"ay").hexdigest()}
    media = tmp_path / "media"
    assert manifest_for(["a.txt"], media) == manifest_for([media / "a.txt"], media)
    assert manifest_for([media / "a.txt"], media)["files"][0]["name"] == "a.txt"
