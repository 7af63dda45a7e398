// The before-and-after diagnostic without a kernel: the browser twin of
// deepfake_ethics.diagnostic_session and of what diagnostic_widget shows. Its texts come
// from deepfake_ethics.diagnostic_export (rendered at build time by the widget's own text
// functions); the engine picks the form, marks a whole form and puts the results together.
// No DOM: node runs it in the tests, against the Python widget.

import { optionOrder } from "./quiz_engine.js";

export const FORMS = ["A", "B"];

// SHA-256 (FIPS 180-4) of a text's UTF-8 bytes, synchronously: the browser's own
// (crypto.subtle) is asynchronous and missing outside secure contexts (a plain http host).
const K = Uint32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
  0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
  0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
  0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
  0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
  0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
  0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
  0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2]);

export function sha256(text) {
  const bytes = new TextEncoder().encode(text);
  const length = Math.ceil((bytes.length + 9) / 64) * 64;
  const padded = new Uint8Array(length);
  padded.set(bytes);
  padded[bytes.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(length - 8, Math.floor(bytes.length / 0x20000000));
  view.setUint32(length - 4, (bytes.length * 8) >>> 0);
  const h = Uint32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f,
    0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  const w = new Uint32Array(64);
  const rotr = (x, n) => (x >>> n) | (x << (32 - n));
  for (let block = 0; block < length; block += 64) {
    for (let t = 0; t < 64; t++) {
      if (t < 16) { w[t] = view.getUint32(block + 4 * t); continue; }
      const s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >>> 3);
      const s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >>> 10);
      w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    let [a, b, c, d, e, f, g, k] = h;
    for (let t = 0; t < 64; t++) {
      const t1 = k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t]
        + w[t];
      const t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      [k, g, f, e, d, c, b, a] = [g, f, e, (d + t1) >>> 0, c, b, a, (t1 + t2) >>> 0];
    }
    [a, b, c, d, e, f, g, k].forEach((x, i) => { h[i] += x; });
  }
  const out = new Uint8Array(32);
  h.forEach((x, i) => new DataView(out.buffer).setUint32(4 * i, x));
  return out;
}

// The form this learner takes first, by the rule of diagnostic_session.first_form (the
// first byte of SHA-256 of "<learner>\ndiagnostic", even: A, odd: B), so that a learner
// takes the same form first on the site as in JupyterLab (content/diagnostic_forms.yaml).
export function firstForm(learner) {
  return FORMS[sha256(`${learner}\ndiagnostic`)[0] % 2];
}

// The form this learner takes at this moment: the first form from their random id (half
// of all learners take A first), the other one after; when the form taken before is
// known (it may come from a progress file of another device), the other one.
export function formFor(moment, learner, before = null) {
  const first = before ? before.form : firstForm(learner);
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
