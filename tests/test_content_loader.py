"""Reading content YAML: both parsers agree, and bad files fail with a short, precise error."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml
from content_samples import GOOD_QUIZ

from deepfake_ethics import bank, content_yaml
from deepfake_ethics.content_yaml import read_yaml
from deepfake_ethics.schema import ContentError

CONTENT_FILES = sorted(bank.CONTENT_DIR.rglob("*.yaml"))
PARSERS = pytest.mark.parametrize("pure", [False, True], ids=["libyaml", "pure-python"])


def write(tmp_path: Path, text: str | bytes, name: str = "09-test.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_content_files_are_found():
    names = {p.name for p in CONTENT_FILES}
    assert "faq.yaml" in names and len(names) >= 15


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML built without libyaml")
@pytest.mark.parametrize("path", CONTENT_FILES, ids=lambda p: p.name)
def test_every_content_file_reads_the_same_with_both_parsers(path):
    """The course's reader on PyYAML's pure-Python parser and on libyaml: the same data."""
    assert read_yaml(path, pure=True) == read_yaml(path, pure=False)


def test_faq_questions_end_with_their_question_mark_in_pure_python():
    """The reason faq.yaml once failed: unquoted text in { } ends at '?' in pure Python."""
    faqs = read_yaml(bank.CONTENT_DIR / "faq.yaml", pure=True)
    assert faqs["L1"]["question"] == "Is face-swapping technology illegal?"


@PARSERS
def test_duplicate_key_names_file_key_and_lines(tmp_path, pure):
    text = GOOD_QUIZ.replace("    title: One\n", "    title: One\n    kind: multiple\n")
    path = write(tmp_path, text)
    with pytest.raises(ContentError) as info:
        read_yaml(path, pure=pure)
    err = info.value
    assert err.path == str(path)
    assert err.field == "quizzes[0].kind"
    assert err.problem == "duplicate key 'kind' at line 7 (first at line 5)"
    with pytest.raises(ContentError, match="duplicate key 'kind'"):
        bank.load_quiz_file(path)


@PARSERS
def test_duplicate_top_level_and_flow_keys(tmp_path, pure):
    with pytest.raises(ContentError, match="duplicate key 'lesson' at line 2") as info:
        read_yaml(write(tmp_path, "lesson: a\nlesson: b\n"), pure=pure)
    assert info.value.field == "lesson"
    with pytest.raises(ContentError, match="duplicate key 'text'") as info:
        read_yaml(write(tmp_path, "options:\n  - {text: a, text: b}\n"), pure=pure)
    assert info.value.field == "options[0].text"
    with pytest.raises(ContentError, match="duplicate key"):  # compared as YAML reads them
        read_yaml(write(tmp_path, "1: a\n0x1: b\n"), pure=pure)


@PARSERS
def test_merge_key_may_override_without_being_a_duplicate(tmp_path, pure):
    text = "base: &b {x: 1, y: 2}\nmine: {<<: *b, x: 3}\n"
    assert read_yaml(write(tmp_path, text), pure=pure)["mine"] == {"x": 3, "y": 2}


@PARSERS
def test_file_that_is_not_utf8_names_the_file(tmp_path, pure):
    path = write(tmp_path, GOOD_QUIZ.replace("Ana does", "Zoë does").encode("latin-1"))
    with pytest.raises(ContentError) as info:
        bank.load_quiz_file(path) if not pure else read_yaml(path, pure=True)
    err = info.value
    assert err.path == str(path) and str(path) in str(err)
    assert "not UTF-8" in err.problem and "0xeb" in err.problem
    assert err.field == "line 7"  # the scenario line


@PARSERS
def test_alias_bomb_fails_fast_with_a_short_message(tmp_path, pure):
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    path = write(tmp_path, "\n".join(lines) + "\n")  # 9**10, about 3.5 billion strings
    with pytest.raises(ContentError) as info:  # refused before anything is expanded
        read_yaml(path, pure=pure)
    assert f"more than {content_yaml.MAX_NODES} values" in info.value.problem
    assert len(str(info.value)) < len(str(path)) + 120


@PARSERS
def test_a_few_aliases_are_fine(tmp_path, pure):
    text = "src: &s {title: T, url: 'https://e.org', date: 2024}\nall: [*s, *s, *s]\n"
    data = read_yaml(write(tmp_path, text), pure=pure)
    assert data["all"] == [data["src"]] * 3


@PARSERS
def test_alias_that_contains_itself_is_refused(tmp_path, pure):
    with pytest.raises(ContentError, match="an alias contains itself"):
        read_yaml(write(tmp_path, "loop: &l [1, *l]\n"), pure=pure)


@PARSERS
def test_huge_file_fails_fast(tmp_path, pure, monkeypatch):
    """The size is checked before any parsing starts (so a huge file costs no parse)."""
    path = write(tmp_path, GOOD_QUIZ + "#" * content_yaml.MAX_BYTES + "\n")

    def no_parse(base):
        raise AssertionError("a file over the size limit reached the parser")

    monkeypatch.setattr(content_yaml, "_checked_loader", no_parse)
    with pytest.raises(ContentError) as info:
        read_yaml(path, pure=pure)
    assert "larger than 256 KiB" in info.value.problem and info.value.path == str(path)


def _stack_depth() -> int:
    frame, depth = sys._getframe(), 0
    while frame is not None:
        frame, depth = frame.f_back, depth + 1
    return depth


@PARSERS
@pytest.mark.parametrize("beyond", ["our-limit", "the-parsers-stack"])
def test_too_deep_nesting_is_refused(tmp_path, pure, beyond):
    """One level past MAX_DEPTH, and deeper than the parser itself can go: PyYAML's composer
    recurses (its RecursionError is reached with the recursion limit lowered, since its
    scanner is quadratic in the depth) and libyaml stops at its own nesting limit."""
    depth = {"our-limit": content_yaml.MAX_DEPTH + 1,
             "the-parsers-stack": 400 if pure else 5000}[beyond]
    path = write(tmp_path, "[" * depth + "]" * depth + "\n")
    limit = sys.getrecursionlimit()
    if beyond == "the-parsers-stack" and pure:
        sys.setrecursionlimit(_stack_depth() + 300)
    try:
        with pytest.raises(ContentError) as info:
            read_yaml(path, pure=pure)
    finally:
        sys.setrecursionlimit(limit)
    assert info.value.path == str(path)
    assert "nested" in info.value.problem or "nesting" in info.value.problem


@PARSERS
def test_just_deep_enough_nesting_is_read(tmp_path, pure):
    depth = content_yaml.MAX_DEPTH
    assert read_yaml(write(tmp_path, "[" * depth + "]" * depth + "\n"), pure=pure) is not None


@PARSERS
def test_impossible_date_is_a_content_error(tmp_path, pure):
    path = write(tmp_path, GOOD_QUIZ.replace("2024-01-31", "2024-13-45"))
    with pytest.raises(ContentError, match="a value cannot be read") as info:
        read_yaml(path, pure=pure)
    assert info.value.path == str(path)


def test_faq_file_that_is_not_a_mapping(tmp_path):
    path = write(tmp_path, "- L1\n- L2\n", "faq.yaml")
    with pytest.raises(ContentError, match="expected a mapping of question ids"):
        bank.faqs(path)


def test_missing_file_is_a_content_error(tmp_path):
    with pytest.raises(ContentError, match="cannot be read") as info:
        read_yaml(tmp_path / "nowhere.yaml")
    assert info.value.path == str(tmp_path / "nowhere.yaml")


def test_pyyaml_is_imported_when_a_file_is_read_not_with_the_package():
    import subprocess
    import sys

    code = ("import sys, deepfake_ethics.bank as b; before = 'yaml' in sys.modules; "
            "b.quizzes(); print(before, 'yaml' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]
