"""The browser side of the quiz view: one ES module and one stylesheet.

``static/quiz.js`` draws a quiz from its widget's state and sends the learner's actions
back; the anywidget ``model`` is its only interface (no Jupyter globals), so the same file
can drive a quiz wherever something provides that model. It gives:

* **Native controls.** Round buttons in one named radio group, or checkboxes, and buttons
  that carry words only; every action is a ``data-action`` attribute, never a label.
* **Arrow keys.** Up/Left and Down/Right move to the previous or next option (Home and End
  to the first and last); on round buttons the move also chooses, as in any radio group.
  Key presses on the quiz's controls stop at the quiz, so JupyterLab never sees them.
* **Focus.** After *Check* or *Show the answer*, focus moves to the feedback, a polite live
  region (``role="status"``), so a screen reader reads it out; after *Try again*, to the
  first option.

``static/quiz.css`` styles the quiz and hides the text fallback shown beside a drawn quiz.
"""

from __future__ import annotations

from pathlib import Path

STATIC = Path(__file__).parent / "static"
ESM = STATIC / "quiz.js"
CSS = STATIC / "quiz.css"
