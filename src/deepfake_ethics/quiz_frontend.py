"""The few things a quiz needs from the browser that ipywidgets does not give it.

* **Arrow keys.** Up/Left and Down/Right move to the previous or next option of the quiz
  (Home and End to the first and last); on round buttons the move also chooses, as in any
  radio group. The key press stops at the quiz, so JupyterLab never sees it and never
  moves its cell selection.
* **Focus after Check.** After *Check* or *Show the answer*, focus moves to the feedback,
  which is a polite live region (``role="status"``), so a screen reader reads it out.
  After *Try again*, focus returns to the first option.

ipywidgets offers no hook for this, and a custom widget would need a JupyterLab extension
of its own, so the header of each quiz carries a tiny image that cannot load: its
``onerror`` handler finds the quiz it belongs to and sets it up, once. The code below is
course code (trusted, like the rest of the header), and it only touches its own quiz.
Where no browser runs it (a terminal, a static viewer), nothing is lost: the controls are
ordinary form controls that Tab, Space and Enter operate.
"""

from __future__ import annotations

import html

# `this` is the image; the quiz is found once the widget is in the page.
_SCRIPT = r"""
(function (img) {
  var KEYS = {ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1, Home: 0, End: 0};
  var tries = 0;
  function options(quiz) {
    return Array.prototype.slice.call(quiz.querySelectorAll(
      '.dfe-options input[type=radio], .dfe-options input[type=checkbox]'))
      .filter(function (e) { return !e.disabled; });
  }
  function onKey(event) {
    var target = event.target;
    if (!(event.key in KEYS) || !target.matches || !target.matches('.dfe-options input')) {
      return;
    }
    event.stopPropagation();
    event.preventDefault();
    var list = options(event.currentTarget), i = list.indexOf(target);
    if (i < 0) { return; }
    var n = list.length, step = KEYS[event.key];
    var next = event.key === 'Home' ? 0 : event.key === 'End' ? n - 1 : (i + step + n) % n;
    list[next].focus();
    if (list[next].type === 'radio' && !list[next].checked) { list[next].click(); }
  }
  function setup() {
    var quiz = img.closest('.dfe-quiz');
    var area = quiz && quiz.querySelector('.dfe-feedback-area');
    if (!quiz || !area || !quiz.isConnected) {
      if (tries++ < 400) { setTimeout(setup, 25); }
      return;
    }
    if (quiz.getAttribute('data-dfe-ready')) { return; }
    quiz.setAttribute('data-dfe-ready', '1');
    area.setAttribute('role', 'status');
    area.setAttribute('aria-live', 'polite');
    area.setAttribute('tabindex', '-1');
    var focusFeedback = false;
    quiz.addEventListener('keydown', onKey);
    quiz.addEventListener('click', function (event) {
      var button = event.target.closest && event.target.closest('button');
      var name = button ? button.textContent.trim() : '';
      if (name === 'Check' || name === 'Show the answer') { focusFeedback = true; }
      if (name === 'Try again') {
        var waited = 0;
        (function back() {
          var list = options(quiz);
          if (list.length) { list[0].focus(); } else if (waited++ < 200) { setTimeout(back, 25); }
        })();
      }
    }, true);
    new MutationObserver(function () {
      if (focusFeedback && area.textContent.trim()) {
        focusFeedback = false;
        area.focus();
      }
    }).observe(area, {childList: true, subtree: true, characterData: true});
  }
  setup();
})(this);
"""


def bootstrap_html() -> str:
    """The hidden image whose ``onerror`` sets up keyboard and focus for its quiz."""
    script = " ".join(line.strip() for line in _SCRIPT.strip().splitlines())
    return (f'<img src="data:," alt="" hidden class="dfe-quiz-setup" '
            f'onerror="{html.escape(script, quote=True)}">')
