// The before-and-after diagnostic without a kernel: the browser twin of
// deepfake_ethics.diagnostic_session and of what diagnostic_widget shows. Its texts come
// from deepfake_ethics.diagnostic_export (rendered at build time by the widget's own text
// functions); the engine picks the form, marks a whole form and puts the results together.
// No DOM: node runs it in the tests, against the Python widget.

import { optionOrder } from "./quiz_engine.js";

export const FORMS = ["A", "B"];

function fnv(text) {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  }
  return hash;
}

// The form this learner takes at this moment: the first form from their random id (half
// of all learners take A first), the other one after; when the form taken before is
// known (it may come from a progress file of another device), the other one.
export function formFor(moment, learner, before = null) {
  const first = before ? before.form : FORMS[fnv(`${learner}\ndiagnostic`) % 2];
  return moment === "before" ? first : FORMS.find((form) => form !== first);
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;",
  })[c]);
}

export class DiagnosticEngine {
  constructor(data, moment, learner, before = null) {
    this.data = data;
    this.moment = moment;
    this.form = formFor(moment, learner, before);
    this.sheet = data.forms[this.form];
    const drawn = this.sheet.content[moment];
    // each item's options in the learner's own order, as in JupyterLab
    this.content = {
      ...drawn,
      items: drawn.items.map((item, k) => {
        const quiz = { id: item.id, shuffle: this.sheet.items[k].shuffle, content: item };
        const byKey = new Map(item.options.map((option) => [option.key, option]));
        return { ...item, options: optionOrder(quiz, learner).map((key) => byKey.get(key)) };
      }),
    };
  }

  // Submit the chosen options (item id -> option key): the warning about unanswered
  // questions, or the record to keep and its results.
  submit(answers) {
    const items = this.sheet.items;
    const missing = items.map((item, k) => (item.id in answers ? null : k + 1))
      .filter((k) => k !== null);
    if (missing.length) {
      const template = this.data.missing[missing.length > 1 ? "several" : "one"];
      return { html: template.replace("{numbers}", () => missing.join(", ")), locked: false,
        record: null };
    }
    const record = {
      form: this.form, submitted: new Date().toISOString().slice(0, 19) + "+00:00",
      answers: Object.fromEntries(items.map((item) => {
        const choice = Number(answers[item.id]);
        return [item.id, { faq: item.faq, choice, correct: choice === item.right }];
      })),
    };
    return { html: this.results(record, false), locked: true, record };
  }

  // The results of a submitted form (``earlier``: one submitted before this page opened).
  results(record, earlier) {
    const items = this.sheet.items;
    const answers = record.answers;
    const right = Object.values(answers).filter((a) => a.correct).length;
    const scores = this.sheet[earlier ? "earlier" : "scores"][this.moment];
    let header = scores[right];
    if (earlier) {
      const day = escape(String(record.submitted || "").slice(0, 10));
      header = header.replace("{day}", () => day);
    }
    return header + items.map((item) => {
      const answer = answers[item.id];
      return (answer && item.results[answer.choice]) || item.absent;
    }).join("");
  }
}
