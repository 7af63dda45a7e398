"""The few things a quiz needs from the browser that ipywidgets does not give it.

* **Arrow keys.** Up/Left and Down/Right move to the previous or next option of the quiz
  (Home and End to the first and last); on round buttons the move also chooses, as in any
  radio group. The key press stops at the quiz, so JupyterLab never sees it and never
  moves its cell selection.
* **Focus after Check.** After *Check* or *Show the answer*, focus moves to the feedback,
  which is a polite live region (``role="status"``), so a screen reader reads it out.
  After *Try again*, focus returns to the first option.
* **The diagnostic** (:mod:`.diagnostic_widget`) uses the same script on its own container
  (``scope="dfe-diagnostic"``): the arrow keys move within one question's options, each
  question is one radio group named by its heading and one Tab stop (the chosen option, or
  the first), and after *Submit my answers* focus moves to the results.

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
  var ROVING = __ROVING__;
  var FOCUS_AFTER = ['Check', 'Show the answer', 'Submit my answers'];
  var tries = 0;
  function options(group) {
    return Array.prototype.slice.call(group.querySelectorAll(
      'input[type=radio], input[type=checkbox]'))
      .filter(function (e) { return !e.disabled; });
  }
  function rove(quiz) {
    Array.prototype.forEach.call(quiz.querySelectorAll('.dfe-options'), function (group) {
      var list = options(group);
      var chosen = list.filter(function (e) { return e.checked; })[0] || list[0];
      list.forEach(function (e) { e.tabIndex = e === chosen ? 0 : -1; });
    });
  }
  function name(quiz) {
    Array.prototype.forEach.call(quiz.querySelectorAll('.dfe-diag-item'), function (item, n) {
      var heading = item.querySelector('h4'), box = item.querySelector('.widget-radio-box');
      if (!heading || !box || box.getAttribute('role')) { return; }
      heading.id = heading.id || ('dfe-q-' + Math.random().toString(36).slice(2) + '-' + n);
      box.setAttribute('role', 'radiogroup');
      box.setAttribute('aria-labelledby', heading.id);
    });
  }
  function onKey(event) {
    var target = event.target;
    if (!(event.key in KEYS) || !target.matches || !target.matches('.dfe-options input')) {
      return;
    }
    event.stopPropagation();
    event.preventDefault();
    var list = options(target.closest('.dfe-options')), i = list.indexOf(target);
    if (i < 0) { return; }
    var n = list.length, step = KEYS[event.key];
    var next = event.key === 'Home' ? 0 : event.key === 'End' ? n - 1 : (i + step + n) % n;
    if (ROVING) { list.forEach(function (e) { e.tabIndex = e === list[next] ? 0 : -1; }); }
    list[next].focus();
    if (list[next].type === 'radio' && !list[next].checked) { list[next].click(); }
  }
  function setup() {
    var quiz = img.closest('.__SCOPE__');
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
    if (ROVING) {
      var pending = false;
      var later = function () {
        if (pending) { return; }
        pending = true;
        setTimeout(function () { pending = false; rove(quiz); name(quiz); }, 0);
      };
      later();
      quiz.addEventListener('change', later);
      new MutationObserver(later).observe(quiz, {childList: true, subtree: true});
    }
    quiz.addEventListener('click', function (event) {
      var button = event.target.closest && event.target.closest('button');
      var label = button ? button.textContent.trim() : '';
      if (FOCUS_AFTER.indexOf(label) >= 0) { focusFeedback = true; }
      if (label === 'Try again') {
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


def bootstrap_html(scope: str = "dfe-quiz", roving: bool = False) -> str:
    """The hidden image whose ``onerror`` sets up keyboard and focus for its quiz (or for
    the element of class ``scope`` it sits in; ``roving``: one Tab stop per radio group)."""
    script = _SCRIPT.replace("__SCOPE__", scope).replace("__ROVING__",
                                                           "true" if roving else "false")
    script = " ".join(line.strip() for line in script.strip().splitlines())
    return (f'<img src="data:," alt="" hidden class="dfe-quiz-setup" '
            f'onerror="{html.escape(script, quote=True)}">')
