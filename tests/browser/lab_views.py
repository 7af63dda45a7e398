"""What a JupyterLab page shows a person: nbgrader's tools and JupyterLab's news pop-up.

Used by the tests of a student's and an instructor's JupyterLab (`make lab`,
`make lab-instructor`, and the hub's servers). Imports nothing from pytest.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .lab import expect

NEWS_QUESTION = "Would you like to get notified about official Jupyter news?"
INSTRUCTOR_ITEMS = {"Formgrader", "Course List"}  # nbgrader's menu: instructors only
STUDENT_ITEMS = {"Assignment List"}  # every account has the Assignments panel
CREATE_ASSIGNMENT = "#nbgrader-create_assignemnt"  # nbgrader's id (sic) of the sidebar


def wait_for_lab(page) -> None:
    """JupyterLab has drawn its shell and restored its layout (the menu bar is there)."""
    page.locator("#jp-main-dock-panel").wait_for()
    expect(page.locator(".lm-MenuBar-item", has_text="Nbgrader")).to_be_visible()


def nbgrader_menu(page, while_open: Callable[[], object] | None = None) -> set[str]:
    """The labels of the Nbgrader menu's items: the menu is opened, read, ``while_open()``
    called (a screenshot), and closed."""
    page.locator(".lm-MenuBar-item", has_text=re.compile("^Nbgrader$")).click()
    labels = page.locator(".lm-Menu .lm-Menu-itemLabel")
    expect(labels.first).to_be_visible()
    found = {text.strip() for text in labels.all_text_contents() if text.strip()}
    if while_open is not None:
        while_open()
    close_menus(page)
    return found


def close_menus(page) -> None:
    """Close the open menu: Escape, and on a busy machine, where the key can arrive before
    the menu has taken focus, a click on its menu-bar item, which closes it as a user would."""
    menus = page.locator(".lm-Menu")
    page.keyboard.press("Escape")
    try:
        expect(menus).to_have_count(0, timeout=5_000)
    except AssertionError:
        page.locator(".lm-MenuBar-item.lm-mod-active").first.click()
        expect(menus).to_have_count(0)


def has_create_assignment(page) -> bool:
    """Whether the Create Assignment sidebar (an instructor tool) is in the page."""
    return page.locator(CREATE_ASSIGNMENT).count() > 0


def news_pop_up(page, wait_ms: int = 3000) -> bool:
    """Whether JupyterLab asks about official Jupyter news. The question is asked once the
    layout is restored; ``wait_ms`` more milliseconds are given for it to appear."""
    toast = page.get_by_text(NEWS_QUESTION)
    try:
        toast.first.wait_for(timeout=wait_ms)
    except Exception:  # noqa: BLE001 - Playwright's TimeoutError: it did not appear
        return False
    return True
