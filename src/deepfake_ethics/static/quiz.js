// The view of one quiz (deepfake_ethics.quiz_widget): it draws the quiz from the model's
// state and sends the learner's actions back. The anywidget `model` (get, set,
// save_changes, send, on, off) is its only interface: no Jupyter globals, so the same
// file can drive a quiz wherever something provides such a model.
//
// State: `content` {kind, intro (HTML), options: [{key, text}], note: {label, placeholder}
// or null}, drawn once; `chosen` (option keys); `feedback` {html, locked, retry, reveal,
// note}, shown as it comes; `note` (the reflection's text); `note_status` (HTML).
// Actions: model.send({action}) with "check", "retry", "reveal" or "save_note", named by
// the data-action attribute of the button pressed, never by its label.

const MOVES = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1, Home: 0, End: 0 };
const BUTTONS = [
  ["check", "Check", "Check your answer and show feedback"],
  ["retry", "Try again", "Clear your answer and try again"],
  ["reveal", "Show the answer", "Stop trying and show the answer"],
];
let drawn = 0; // quizzes drawn in this page, for unique ids

function element(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined && value !== false) {
      node.setAttribute(name, value === true ? "" : String(value));
    }
  }
  node.append(...children);
  return node;
}

function render({ model, el }) {
  const content = model.get("content");
  if (content.kind === "form") { return renderForm({ model, el }); }
  const id = `dfe-quiz-${++drawn}-${Math.random().toString(36).slice(2, 8)}`;
  const multiple = content.kind === "multiple";

  const intro = element("div", { class: "dfe-intro" });
  intro.innerHTML = content.intro;
  const question = intro.querySelector(".dfe-question");
  if (question) { question.id = `${id}-question`; }

  const inputs = content.options.map((option) => element("input", {
    type: multiple ? "checkbox" : "radio", name: multiple ? null : id,
    value: option.key, "data-key": option.key,
  }));
  const options = element("div", {
    class: "dfe-options", role: multiple ? "group" : "radiogroup",
    "aria-labelledby": question ? question.id : null,
  }, content.options.map((option, k) => element("label", { class: "dfe-option" }, [
    inputs[k], element("span", {}, [option.text]),
  ])));

  const buttons = Object.fromEntries(BUTTONS.map(([action, label, title]) => [action,
    element("button", {
      type: "button", "data-action": action, title,
      class: action === "check" ? "dfe-button dfe-primary" : "dfe-button",
      hidden: action !== "check",
    }, [label])]));
  const area = element("div", {
    class: "dfe-feedback-area", role: "status", "aria-live": "polite", tabindex: "-1",
  });

  let note = null, noteBox = null, noteStatus = null;
  if (content.note) {
    note = element("textarea", { id: `${id}-note`, placeholder: content.note.placeholder });
    note.value = model.get("note");
    noteStatus = element("div", { class: "dfe-note-status" });
    noteBox = element("div", { class: "dfe-note", hidden: true }, [
      element("label", { for: note.id }, [content.note.label]), note,
      element("button", {
        type: "button", "data-action": "save_note", class: "dfe-button",
        title: "Save what you wrote with your progress",
      }, ["Save my reasoning"]),
      noteStatus,
    ]);
  }

  const quiz = element("div", { class: "dfe-quiz" }, [
    intro, options,
    element("div", { class: "dfe-buttons" }, Object.values(buttons)),
    area, ...(noteBox ? [noteBox] : []),
  ]);
  el.replaceChildren(quiz);

  // What the learner is about to need focus on, once the answer to their action arrives.
  let focusNext = null;

  function showChosen() {
    const chosen = new Set(model.get("chosen").map(String));
    for (const input of inputs) { input.checked = chosen.has(input.value); }
  }

  function showFeedback() {
    const feedback = model.get("feedback");
    area.innerHTML = feedback.html;
    for (const input of inputs) { input.disabled = feedback.locked; }
    buttons.check.disabled = feedback.locked;
    buttons.retry.hidden = !feedback.retry;
    buttons.reveal.hidden = !feedback.reveal;
    if (noteBox) { noteBox.hidden = !feedback.note; }
    if (focusNext === "feedback" && feedback.html) {
      focusNext = null;
      area.focus();
    } else if (focusNext === "options" && !feedback.locked) {
      focusNext = null;
      inputs[0].focus();
    }
  }

  function showNoteStatus() {
    if (noteStatus) { noteStatus.innerHTML = model.get("note_status"); }
  }

  function onChange(event) {
    if (event.target === note) {
      model.set("note", note.value);
      model.save_changes();
      return;
    }
    if (!inputs.includes(event.target)) { return; }
    model.set("chosen", inputs.filter((i) => i.checked).map((i) => Number(i.value)));
    model.save_changes();
  }

  function onClick(event) {
    const button = event.target.closest("[data-action]");
    if (!button || !quiz.contains(button)) { return; }
    const action = button.dataset.action;
    if (action === "check" || action === "reveal") { focusNext = "feedback"; }
    if (action === "retry") { focusNext = "options"; }
    if (action === "save_note") {
      model.set("note", note.value);
      model.save_changes();
    }
    model.send({ action });
  }

  const onKey = (event) => keepKeys(event, inputs);

  quiz.addEventListener("change", onChange);
  quiz.addEventListener("click", onClick);
  quiz.addEventListener("keydown", onKey);
  model.on("change:chosen", showChosen);
  model.on("change:feedback", showFeedback);
  model.on("change:note_status", showNoteStatus);
  showChosen();
  showFeedback();
  showNoteStatus();
  return () => {
    model.off("change:chosen", showChosen);
    model.off("change:feedback", showFeedback);
    model.off("change:note_status", showNoteStatus);
  };
}

function keepKeys(event, inputs) {
  const target = event.target;
  if (!(target instanceof HTMLElement) || !target.matches("input, button, textarea")) {
    return;
  }
  // The quiz's keys are its own: the page around it (JupyterLab's notebook commands)
  // never sees them. Tab and Escape still leave the quiz as usual.
  if (event.key !== "Tab" && event.key !== "Escape") { event.stopPropagation(); }
  if (!(event.key in MOVES) || !inputs.includes(target)) { return; }
  event.preventDefault();
  const group = target.closest(".dfe-options");
  const list = inputs.filter((i) => !i.disabled && group.contains(i));
  const i = list.indexOf(target);
  if (i < 0) { return; }
  const n = list.length;
  const next = event.key === "Home" ? 0 : event.key === "End" ? n - 1
    : (i + MOVES[event.key] + n) % n;
  list[next].focus();
  if (list[next].type === "radio" && !list[next].checked) { list[next].click(); }
}

// A whole form (the diagnostic): one radio group per item, named by its heading and one
// Tab stop (native radio groups); marked only when submitted. State: `content` {kind:
// "form", intro, items: [{id, heading, body, options}], submit}; `answers` {item id: key};
// `feedback` {html, locked}. Action: "submit".
function renderForm({ model, el }) {
  const content = model.get("content");
  const id = `dfe-form-${++drawn}-${Math.random().toString(36).slice(2, 8)}`;
  const intro = element("div", { class: "dfe-intro" });
  intro.innerHTML = content.intro;
  const inputs = [];
  const items = content.items.map((item, k) => {
    const heading = element("h4", { id: `${id}-${k}` }, [item.heading]);
    const body = element("div");
    body.innerHTML = item.body;
    const labels = item.options.map((option) => {
      const input = element("input", {
        type: "radio", name: `${id}-${k}`, value: option.key, "data-item": item.id,
      });
      inputs.push(input);
      return element("label", { class: "dfe-option" }, [input,
        element("span", {}, [option.text])]);
    });
    return element("div", { class: "dfe-diag-item" }, [heading, body,
      element("div", { class: "dfe-options", role: "radiogroup",
        "aria-labelledby": heading.id }, labels)]);
  });
  const submit = element("button", {
    type: "button", "data-action": "submit", class: "dfe-button dfe-primary",
    title: content.submit_title,
  }, [content.submit]);
  const area = element("div", {
    class: "dfe-feedback-area", role: "status", "aria-live": "polite", tabindex: "-1",
  });
  const form = element("div", { class: "dfe-diagnostic" }, [intro, ...items,
    element("div", { class: "dfe-buttons" }, [submit]), area]);
  el.replaceChildren(form);
  let focusFeedback = false;

  function showChosen() {
    const chosen = model.get("answers");
    for (const input of inputs) {
      input.checked = String(chosen[input.dataset.item]) === input.value;
    }
  }
  function showFeedback() {
    const feedback = model.get("feedback");
    area.innerHTML = feedback.html;
    // Focus first, then hide the button that had it (which would hand focus to the page).
    if (focusFeedback && feedback.html) {
      focusFeedback = false;
      area.focus();
    }
    for (const input of inputs) { input.disabled = feedback.locked; }
    submit.hidden = feedback.locked;
  }
  function onChange(event) {
    if (!inputs.includes(event.target)) { return; }
    const chosen = {};
    for (const input of inputs) {
      if (input.checked) { chosen[input.dataset.item] = Number(input.value); }
    }
    model.set("answers", chosen);
    model.save_changes();
  }
  function onClick(event) {
    const button = event.target.closest("[data-action]");
    if (!button || !form.contains(button)) { return; }
    focusFeedback = true;
    model.send({ action: button.dataset.action });
  }
  form.addEventListener("change", onChange);
  form.addEventListener("click", onClick);
  form.addEventListener("keydown", (event) => keepKeys(event, inputs));
  model.on("change:answers", showChosen);
  model.on("change:feedback", showFeedback);
  showChosen();
  showFeedback();
  return () => {
    model.off("change:answers", showChosen);
    model.off("change:feedback", showFeedback);
  };
}

export default { render };
