// The course website's quizzes and progress, without a kernel (docs/site.md).
//
// Each quiz placeholder (.dfe-site-quiz, written by site/course_pages.py) holds its quiz as
// JSON. The quiz widget's own view (quiz.js) draws it from a model with anywidget's
// interface; this file provides that model, backed by the browser engine (quiz_engine.js)
// instead of a kernel. Progress is kept in this browser's localStorage in the shape of
// JupyterLab's progress.json ({learner, quizzes, notes}); nothing leaves the browser, and
// the learner can save it to a file and load it again (.dfe-site-progress). The closing
// notebook's comparison and summary (.dfe-site-closing) are made from the same record.

import view from "./quiz.js";
import { caption, faqTable, quizTable, summaryPage } from "./closing_summary.js";
import { DiagnosticEngine } from "./diagnostic_engine.js";
import { QuizEngine, optionOrder, viewState } from "./quiz_engine.js";

const STORE = "deepfake-ethics:progress";
const MAX_NOTE = 20000;
let memory = null; // progress when localStorage cannot be used (kept for this page only)

// -- progress --------------------------------------------------------------------------
function newLearner() {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function now() { return new Date().toISOString().slice(0, 19) + "+00:00"; }

// What is wrong with a progress record, or null when it can be used.
export function problem(data) {
  const isObject = (x) => x !== null && typeof x === "object" && !Array.isArray(x);
  if (!isObject(data)) { return "it does not hold a progress record (a JSON object)"; }
  if (typeof data.learner !== "string" || !/^[0-9a-z-]{1,64}$/i.test(data.learner)) {
    return "its \"learner\" is not a learner id";
  }
  if (!isObject(data.quizzes)) { return "it has no \"quizzes\""; }
  for (const [id, entry] of Object.entries(data.quizzes)) {
    const ok = isObject(entry) && typeof entry.lesson === "string"
      && Number.isInteger(entry.attempts) && entry.attempts >= 0
      && [true, false, null].includes(entry.correct)
      && [true, false, null].includes(entry.first_correct)
      && Array.isArray(entry.choice) && entry.choice.every(Number.isInteger);
    if (!ok) { return `its record of quiz "${id}" is damaged`; }
  }
  if (data.diagnostic !== undefined) {
    if (!isObject(data.diagnostic)) { return "its \"diagnostic\" is damaged"; }
    for (const [moment, form] of Object.entries(data.diagnostic)) {
      const ok = ["before", "after"].includes(moment) && isObject(form)
        && ["A", "B"].includes(form.form) && isObject(form.answers);
      if (!ok) { return `its diagnostic "${moment}" is damaged`; }
    }
  }
  if (data.notes !== undefined) {
    if (!isObject(data.notes)) { return "its \"notes\" are damaged"; }
    for (const [id, note] of Object.entries(data.notes)) {
      if (!isObject(note) || typeof note.text !== "string" || note.text.length > MAX_NOTE) {
        return `its note on "${id}" is damaged`;
      }
    }
  }
  return null;
}

function read() {
  if (memory) { return memory; }
  let data = null;
  try { data = JSON.parse(localStorage.getItem(STORE)); } catch { data = null; }
  if (problem(data) !== null) {
    data = { version: 1, learner: newLearner(), quizzes: {}, notes: {} };
    write(data);
  }
  data.notes = data.notes || {};
  data.version = data.version ?? 1; // progress.json's format, so that JupyterLab reads a saved file
  return data;
}

function write(data) {
  try {
    localStorage.setItem(STORE, JSON.stringify(data));
    memory = null;
  } catch {
    memory = data; // storage full or turned off
  }
  document.dispatchEvent(new CustomEvent("dfe-progress"));
}

// One answer, as JupyterLab's progress.record keeps it: with the quiz's version; the record
// of an earlier version (whose option places meant other options) moves to "earlier" and a
// new record begins with this answer as its first try.
function record(quiz, correct, choice) {
  const data = read();
  const stamp = now();
  let entry = data.quizzes[quiz.id];
  if (entry && entry.item_version !== quiz.version) {
    data.earlier = data.earlier || {};
    (data.earlier[quiz.id] = data.earlier[quiz.id] || []).push(entry);
    entry = undefined;
  }
  entry = entry || {
    lesson: quiz.lesson, attempts: 0, first_correct: correct, first_answered: stamp,
    item_version: quiz.version,
  };
  entry.attempts += 1;
  entry.correct = correct;
  entry.choice = [...choice];
  entry.last_answered = stamp;
  data.quizzes[quiz.id] = entry;
  write(data);
}

function saveNote(quiz, text) {
  const data = read();
  if (text.trim()) {
    data.notes[quiz.id] = { lesson: quiz.lesson, text: text.slice(0, MAX_NOTE), saved: now() };
  } else {
    delete data.notes[quiz.id];
  }
  write(data);
}

// A submitted form of the diagnostic; the first submission of each moment is kept.
function saveDiagnostic(moment, record) {
  const data = read();
  data.diagnostic = data.diagnostic || {};
  data.diagnostic[moment] = data.diagnostic[moment] || record;
  write(data);
  return data.diagnostic[moment];
}

// A model with anywidget's interface over ``state``; ``onSet`` follows each change.
function stateModel(state, send, onSet = () => {}) {
  const listeners = {};
  const model = {
    get: (key) => state[key],
    set: (key, value) => {
      const before = state[key];
      state[key] = value;
      (listeners[`change:${key}`] || []).forEach((f) => f());
      onSet(key, before, value);
    },
    save_changes: () => {},
    on: (name, f) => { (listeners[name] = listeners[name] || []).push(f); },
    off: (name, f) => {
      listeners[name] = (listeners[name] || []).filter((g) => g !== f);
    },
    send: (message) => send(message),
  };
  return model;
}

// -- the diagnostic: a whole form, marked when submitted (as diagnostic_widget does) -------
function mountDiagnostic(holder) {
  const data = JSON.parse(holder.querySelector("script[type='application/json']").textContent);
  const moment = holder.dataset.moment;
  const progress = read();
  const taken = progress.diagnostic || {};
  const engine = new DiagnosticEngine(data, moment, progress.learner, taken.before || null);
  const state = { content: engine.content, answers: {}, feedback: { html: "", locked: false } };
  let warned = false; // the last Submit found unanswered questions
  let model = null;
  const show = (record, earlier) => {
    model.set("answers", Object.fromEntries(Object.entries(record.answers)
      .map(([id, answer]) => [id, answer.choice])));
    model.set("feedback", { html: engine.results(record, earlier), locked: true });
  };
  model = stateModel(state, ({ action }) => {
    if (action !== "submit") { return; }
    const result = engine.submit(state.answers);
    if (!result.record) {
      model.set("feedback", { html: result.html, locked: false });
      warned = true;
      return;
    }
    show(saveDiagnostic(moment, result.record), false);
  }, (key, before, value) => {
    // a new answer clears the warning about unanswered questions (once)
    if (key === "answers" && warned
        && Object.keys(value).length > Object.keys(before || {}).length) {
      warned = false;
      model.set("feedback", { html: "", locked: false });
    }
  });
  const box = document.createElement("div");
  holder.append(box);
  view.render({ model, el: box });
  if (taken[moment]) { show(taken[moment], true); }
}

// -- a quiz ------------------------------------------------------------------------------
const CLEARED = { html: "", locked: false, retry: false, reveal: false, note: false };

function mountQuiz(holder) {
  const quiz = JSON.parse(holder.querySelector("script[type='application/json']").textContent);
  const progress = read();
  const order = optionOrder(quiz, progress.learner);
  const engine = new QuizEngine(quiz, order);
  const byKey = new Map(quiz.content.options.map((option) => [option.key, option]));
  const state = {
    content: { ...quiz.content, options: order.map((key) => byKey.get(key)) },
    chosen: [], feedback: CLEARED,
    note: progress.notes[quiz.id] ? progress.notes[quiz.id].text : "", note_status: "",
  };
  const listeners = {};
  const model = {
    get: (key) => state[key],
    set: (key, value) => {
      state[key] = value;
      (listeners[`change:${key}`] || []).forEach((f) => f());
    },
    save_changes: () => {},
    on: (name, f) => { (listeners[name] = listeners[name] || []).push(f); },
    off: (name, f) => {
      listeners[name] = (listeners[name] || []).filter((g) => g !== f);
    },
    send: ({ action }) => {
      if (action === "check") {
        const result = engine.check(state.chosen);
        model.set("feedback", viewState(result)); // shown before it is recorded
        if (result.record) { record(quiz, result.correct, result.chosen); }
      } else if (action === "retry") {
        model.set("chosen", []);
        model.set("feedback", viewState(engine.retry()));
      } else if (action === "reveal") {
        model.set("feedback", viewState(engine.reveal()));
      } else if (action === "save_note") {
        saveNote(quiz, state.note);
        model.set("note_status", quiz.note_status[state.note.trim() ? "saved" : "empty"]);
      }
    },
  };
  const box = document.createElement("div");
  holder.append(box);
  view.render({ model, el: box });
  return [quiz, new QuizEngine(quiz, order)];
}

// -- progress: the table, and saving it to or loading it from a file ----------------------
function element(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) { node.setAttribute(name, value); }
  node.append(...children);
  return node;
}

function rowName(row) {
  return `${row.lesson.slice(0, 2)}${row.alternative ? " alt." : ""} ${row.title}`;
}

function drawTable(table, summary, rows) {
  const data = read();
  const taken = {}; // a lesson or its alternative, whichever has more answers
  // An answer counts when it was given to the quiz as it is worded now (its version).
  const current = (q) => data.quizzes[q.id] && data.quizzes[q.id].item_version === q.version;
  const body = rows.map((row) => {
    const answered = row.quizzes.filter(current).length;
    const first = row.quizzes.filter((q) => current(q)
      && data.quizzes[q.id].first_correct === true).length;
    const lesson = row.lesson.slice(0, 2);
    if (!taken[lesson] || answered > taken[lesson].answered) {
      taken[lesson] = { answered, total: row.quizzes.length };
    }
    return element("tr", {}, [element("th", { scope: "row" }, [rowName(row)]),
      element("td", {}, [`${answered} of ${row.quizzes.length}`]),
      element("td", {}, [String(first)])]);
  });
  table.tBodies[0].replaceChildren(...body);
  const answered = Object.values(taken).reduce((n, t) => n + t.answered, 0);
  const total = Object.values(taken).reduce((n, t) => n + t.total, 0);
  summary.textContent = `You have answered ${answered} of ${total} quizzes.`;
}

function mountProgress(holder) {
  const rows = JSON.parse(holder.querySelector("script[type='application/json']").textContent);
  const table = element("table", { class: "dfe-progress-table" }, [
    element("caption", {}, ["Your progress, kept in this browser only"]),
    element("thead", {}, [element("tr", {}, [element("th", { scope: "col" }, ["Lesson"]),
      element("th", { scope: "col" }, ["Quizzes answered"]),
      element("th", { scope: "col" }, ["Right at the first try"])])]),
    element("tbody")]);
  const summary = element("p", { class: "dfe-progress-summary" });
  const status = element("p", { class: "dfe-progress-status", role: "status" });
  const file = element("input", { type: "file", accept: ".json,application/json",
    hidden: "", "aria-label": "Progress file to load" });
  const saveButton = element("button", { type: "button", class: "dfe-button",
    "data-action": "save-progress" }, ["Save my progress to a file"]);
  const loadButton = element("button", { type: "button", class: "dfe-button",
    "data-action": "load-progress" }, ["Load progress from a file"]);
  saveButton.addEventListener("click", () => {
    const blob = new Blob([JSON.stringify(read(), null, 2)], { type: "application/json" });
    const link = element("a", { href: URL.createObjectURL(blob),
      download: "deepfake-ethics-progress.json" });
    document.body.append(link);
    link.click();
    link.remove();
    status.textContent = "Your progress was saved to deepfake-ethics-progress.json.";
  });
  loadButton.addEventListener("click", () => file.click());
  file.addEventListener("change", async () => {
    const chosen = file.files[0];
    file.value = "";
    if (!chosen) { return; }
    let data = null;
    try { data = JSON.parse(await chosen.text()); } catch { data = undefined; }
    const wrong = data === undefined ? "it is not JSON" : problem(data);
    if (wrong) {
      status.textContent = `${chosen.name} was not loaded: ${wrong}. `
        + "Your progress in this browser is unchanged.";
      return;
    }
    data.notes = data.notes || {};
    write(data);
    status.textContent = `Loaded ${chosen.name}: ${Object.keys(data.quizzes).length} `
      + "quizzes answered. Reload the page to see your notes in the quizzes.";
  });
  const panel = element("div", { class: "dfe-progress" }, [table, summary,
    element("div", { class: "dfe-buttons" }, [saveButton, loadButton]), file, status]);
  holder.append(panel);
  const redraw = () => drawTable(table, summary, rows);
  document.addEventListener("dfe-progress", redraw);
  redraw();
}

// -- the closing notebook: the comparison and the summary to keep ------------------------
// Both from the progress in this browser (closing_summary.js fills the parts that
// closing_export rendered); the comparison follows each change, such as the form after.
function mountClosing(holder) {
  const data = JSON.parse(holder.querySelector("script[type='application/json']").textContent);
  const box = element("div", { class: "dfe-progress dfe-closing" });
  if (holder.dataset.part === "comparison") {
    const text = element("p", { class: "dfe-closing-caption" });
    const tables = element("div", { class: "dfe-closing-tables" });
    const redraw = () => {
      const progress = read();
      text.textContent = caption(data, progress);
      tables.innerHTML = faqTable(data, progress) + quizTable(data, progress);
    };
    document.addEventListener("dfe-progress", redraw);
    redraw();
    box.append(text, tables);
  } else {
    const status = element("p", { class: "dfe-progress-status", role: "status" });
    const button = element("button", { type: "button", class: "dfe-button",
      "data-action": "save-summary" }, [data.download]);
    button.addEventListener("click", () => {
      const page = summaryPage(data, read(), new Date());
      const link = element("a", { download: data.name,
        href: URL.createObjectURL(new Blob([page], { type: "text/html" })) });
      document.body.append(link);
      link.click();
      link.remove();
      status.textContent = `Your summary was saved as ${data.name}: one page that needs no `
        + "internet connection. Open it in any web browser, print it or keep it.";
    });
    box.append(element("div", { class: "dfe-buttons" }, [button]), status);
  }
  holder.append(box);
}

// -- the printed page: the quizzes' key at its end ------------------------------------------
// Shown only in print (course_site.css): each quiz's answer as Show the answer gives it, in
// the learner's option order, so that a printed lesson is a handout with its key.
function printKey(quizzes) {
  if (!quizzes.length) { return; }
  const key = element("section", { class: "dfe-print-key" },
    [element("h2", {}, ["Answers to the quizzes"])]);
  for (const [quiz, engine] of quizzes) {
    const answer = element("div", { class: "dfe-print-answer" });
    answer.innerHTML = engine.key().html;
    key.append(element("h3", {}, [`Quiz: ${quiz.title}`]),
      ...(quiz.kind === "reflection"
        ? [element("p", {}, ["A reflection: no single right answer. The positions:"])] : []),
      answer);
  }
  (document.querySelector("main article") || document.querySelector("main") || document.body)
    .append(key);
}

const drawn = [...document.querySelectorAll(".dfe-site-quiz")].map(mountQuiz);
for (const holder of document.querySelectorAll(".dfe-site-progress")) { mountProgress(holder); }
for (const holder of document.querySelectorAll(".dfe-site-diagnostic")) {
  mountDiagnostic(holder);
}
for (const holder of document.querySelectorAll(".dfe-site-closing")) { mountClosing(holder); }
printKey(drawn);
