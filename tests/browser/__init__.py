"""Browser tests: JupyterLab driven in Debian's Chromium with Playwright.

A package, so that this folder's conftest.py and helpers do not shadow tests/conftest.py.
"""
