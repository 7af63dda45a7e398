"""Sphinx's configuration for the course website (``make site``; docs/site.md).

``site/build.py`` lays out the pages to read (the notebooks, the assignments and three
documents, copied as they are) and runs Sphinx with this folder as its configuration.
"""

from __future__ import annotations

import sys
from pathlib import Path

from deepfake_ethics.quiz_frontend import STATIC

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # course_pages, the extension beside this file

project = "The Ethics of Deepfakes"
author = "The Ethics of Deepfakes course team"
copyright = "the course team; text CC BY 4.0, code MIT"
language = "en"
root_doc = "index"
extensions = ["myst_nb", "course_pages"]

# The pages: what build.py copies into the source folder, but an assignment's data files.
exclude_patterns = ["**/.ipynb_checkpoints", "release/*/data", "release/*/media"]

# Notebooks are never run: course_pages puts what their course calls show in the outputs.
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["colon_fence", "deflist", "attrs_block"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header", "mystnb.unknown_mime_type"]

course_repository = "deepfake-ethics-course/deepfake-ethics"

html_theme = "sphinx_book_theme"
html_title = project
html_favicon = str(HERE / "_static" / "favicon.svg")
html_static_path = [str(HERE / "_static"), str(STATIC)]
templates_path = [str(HERE / "_templates")]
html_css_files = ["quiz.css", "course_site.css"]
html_js_files = [("course_site.js", {"type": "module"})]
html_copy_source = False  # the notebooks are downloaded through the pages' own links
html_show_sourcelink = False
html_last_updated_fmt = None
html_theme_options = {
    "repository_url": f"https://github.com/{course_repository}",
    "use_repository_button": False,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "show_toc_level": 2,
    "navigation_with_keys": False,
}
