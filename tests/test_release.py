"""release/ is exactly what nbgrader generates from source/ (it is never edited by hand)."""

from __future__ import annotations

import filecmp

import pytest
from conftest import ROOT
from nbgrader_course import assignments, make_course, nbgrader


def tree(folder) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_every_assignment_is_released():
    assert assignments(), "the course has assignments"
    for name in assignments():
        assert (ROOT / "release" / name).is_dir(), f"run `make release` for {name}"


@pytest.mark.slow
def test_release_matches_a_fresh_regeneration(tmp_path):
    course = make_course(tmp_path)
    committed = ROOT / "release"
    for name in assignments():
        nbgrader(course, "generate_assignment", name, "--force")
    fresh = course / "release"
    assert tree(fresh) == tree(committed), "files differ: run `make release` and commit"
    different = [f for f in sorted(tree(fresh))
                 if not filecmp.cmp(fresh / f, committed / f, shallow=False)]
    assert not different, f"run `make release` and commit: {different}"
