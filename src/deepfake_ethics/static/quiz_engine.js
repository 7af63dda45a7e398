// The quiz engine without a kernel: the browser twin of deepfake_ethics.quiz_session.
// It marks a check, keeps the hint-then-answer stages and assembles the feedback from the
// texts that deepfake_ethics.quiz_export rendered at build time (quizData below), so that
// every word a learner reads comes from the Python side. No DOM: node runs this file in
// the tests against the same table of marking cases as the Python engine
// (content/marking_cases.yaml).
//
// quizData: {id, lesson, kind, shuffle, right: [keys], content, empty, lines: {label:
// [html per option]}, shown, reflection | frames, answer: {counts: frame}, hints: {counts:
// html}}. A check's "counts" are "<wrong chosen>,<right missed>".

const LIST = "<ul class='dfe-feedback'></ul>";

// The marking rule (content/marking_cases.yaml): a check is right when the chosen options
// are exactly the right ones, whatever their order or repeats; a reflection is not marked.
export function counts(quiz, chosen) {
  const picked = new Set(chosen.map(Number));
  const right = new Set(quiz.right);
  const wrong = [...picked].filter((key) => !right.has(key)).length;
  const missed = [...right].filter((key) => !picked.has(key)).length;
  return [wrong, missed];
}

export function mark(quiz, chosen) {
  if (quiz.kind === "reflection") { return null; }
  const [wrong, missed] = counts(quiz, chosen);
  return wrong === 0 && missed === 0;
}

// A seeded order of the options, the same for a learner each time (their random id and the
// quiz id seed it); the content file's order when the quiz is not shuffled.
function seed(text) {
  let hash = 0x811c9dc5; // FNV-1a
  for (const byte of new TextEncoder().encode(text)) {
    hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  }
  return hash;
}

function generator(state) { // mulberry32
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function optionOrder(quiz, learner) {
  const order = quiz.content.options.map((option) => option.key);
  if (!quiz.shuffle) { return order; }
  const random = generator(seed(`${learner}\n${quiz.id}`));
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

function feedback(html, fields = {}) {
  return {
    html, correct: null, chosen: [], stage: "cleared", locked: false, retry: false,
    reveal: false, note: false, ...fields,
  };
}

// What a view draws of a feedback (Feedback.view_state in Python).
export function viewState(result) {
  const { html, locked, retry, reveal, note } = result;
  return { html, locked, retry, reveal, note };
}

export class QuizEngine {
  constructor(quiz, order) {
    this.quiz = quiz;
    this.order = order;
    this.attempts = 0;
    this.revealed = false;
  }

  fill(frame, lines) {
    // a function, so that a "$" in a text is never read as a pattern
    return frame.replace(LIST, () => `<ul class='dfe-feedback'>${lines.join("")}</ul>`);
  }

  line(label, key) { return this.quiz.lines[label][key]; }

  // Mark the chosen options (keys) and say what to show; the caller records the attempt
  // when the result has `record` set.
  check(chosen) {
    const quiz = this.quiz;
    const picked = [...new Set(chosen.map(Number))].sort((a, b) => a - b);
    if (picked.length === 0) { return feedback(quiz.empty, { stage: "empty" }); }
    this.attempts += 1;
    const has = new Set(picked);
    if (quiz.kind === "reflection") {
      const lines = this.order.map((key) => this.line(has.has(key) ? "note" : "other", key));
      return feedback(this.fill(quiz.reflection, lines), {
        chosen: picked, stage: "reflection", locked: true, retry: true, note: true,
        record: true,
      });
    }
    const key = counts(quiz, picked).join(",");
    const correct = mark(quiz, picked);
    if (correct || this.attempts > 1 || this.revealed) {
      this.revealed = true;
      const right = new Set(quiz.right);
      const lines = this.order.filter((k) => has.has(k))
        .map((k) => this.line(right.has(k) ? "right" : "wrong", k));
      if (!correct) {
        const label = quiz.kind === "multiple" ? "missed" : "answer";
        lines.push(...this.order.filter((k) => right.has(k) && !has.has(k))
          .map((k) => this.line(label, k)));
      }
      return feedback(this.fill(quiz.frames[quiz.answer[key]], lines), {
        correct, chosen: picked, stage: "answer", locked: true, retry: true, record: true,
      });
    }
    return feedback(quiz.hints[key], {
      correct: false, chosen: picked, stage: "hint", locked: true, retry: true, reveal: true,
      record: true,
    });
  }

  get answerOffered() {
    return this.attempts > 0 && !this.revealed && this.quiz.kind !== "reflection";
  }

  retry() {
    return feedback("", {
      reveal: this.answerOffered, note: this.quiz.kind === "reflection" && this.attempts > 0,
    });
  }

  // The answer as a printed page's key gives it: what Show the answer shows, or for a
  // reflection every position with its reasoning. Not an action: nothing changes.
  key() {
    if (this.quiz.kind !== "reflection") {
      return new QuizEngine(this.quiz, this.order).reveal();
    }
    const lines = this.order.map((key) => this.line("other", key));
    return feedback(`<ul class='dfe-feedback'>${lines.join("")}</ul>`, { stage: "key" });
  }

  reveal() {
    this.revealed = true;
    const right = new Set(this.quiz.right);
    const label = this.quiz.kind === "single" ? "answer" : "right";
    const lines = this.order.filter((k) => right.has(k)).map((k) => this.line(label, k));
    return feedback(this.fill(this.quiz.shown, lines), {
      stage: "answer shown", locked: true, retry: true,
    });
  }
}
