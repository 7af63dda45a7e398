"""Build the course website: ``python site/build.py [--out _site]`` (``make site``).

The pages are the course's own files, copied as they are into a working folder beside
the output: the lessons, the optional reference, the alternative activity and the closing
notebook (``notebooks/``), the assignments as students get them (``release/``), the
glossary, the sources register and the teaching guide (``docs/``), and the home page
``site/index.md``. Sphinx then builds them with ``site/conf.py``; the build is offline.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "site"
DOCUMENTS = ("docs/glossary.md", "docs/sources.md", "docs/teaching-guide.md")
FOLDERS = ("notebooks", "release")


def lay_out(source: Path) -> None:
    """The folder Sphinx reads: the course's files copied as they are (a build's working
    copy, never edited), laid out as in the repository so that the links between them work
    unchanged."""
    shutil.rmtree(source, ignore_errors=True)
    (source / "docs").mkdir(parents=True)
    shutil.copy2(HERE / "index.md", source / "index.md")
    for folder in FOLDERS:
        shutil.copytree(ROOT / folder, source / folder,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for document in DOCUMENTS:
        shutil.copy2(ROOT / document, source / document)


def build(out: Path, work: Path | None = None, quiet: bool = True) -> None:
    """Build the site into ``out``, with Sphinx's working files in ``work`` (MyST-NB writes
    its output files beside Sphinx's output folder, so Sphinx writes into ``work`` and the
    site is then copied to ``out``); raises SystemExit with Sphinx's status on failure."""
    from sphinx.cmd.build import build_main

    work = work or ROOT / "build" / "site"
    source, html = work / "source", work / "html"
    lay_out(source)
    args = ["-b", "html", "-E", "-W", "--keep-going", "-c", str(HERE), "-d", str(work / "doctrees"),
            "-j", "auto", str(source), str(html)]
    status = build_main(args + (["-q"] if quiet else []))
    if status:
        raise SystemExit(status)
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(html, out, ignore=shutil.ignore_patterns(".buildinfo", ".doctrees"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_site",
                        help="the folder to write the site to (default: _site)")
    parser.add_argument("--work", type=Path, default=None,
                        help="Sphinx's working folder (default: build/site)")
    parser.add_argument("--verbose", action="store_true", help="Sphinx's progress too")
    args = parser.parse_args(argv)
    build(args.out.resolve(), args.work.resolve() if args.work else None,
          quiet=not args.verbose)
    print(f"The course website is in {args.out}/ (open index.html, or serve the folder)")


if __name__ == "__main__":
    sys.exit(main())
