// The closing notebook's comparison and one-page summary without a kernel: the browser
// twin of deepfake_ethics.closing. Its parts come from deepfake_ethics.closing_export,
// rendered at build time by the functions that write the summary in JupyterLab; this file
// only fills their placeholders with the learner's progress (the record course_site.js
// keeps). No DOM: node runs it in the tests, against the Python summary.

const MOMENTS = ["before", "after"];

export function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;",
  })[c]);
}

// Each {name} of a template replaced by values[name] (as it is: already HTML or plain).
function fill(template, values) {
  return template.replace(/\{([a-z_]+)\}/g, (whole, name) => (name in values
    ? String(values[name]) : whole));
}

function date(data, year, month, day) {
  return `${day} ${data.months[month - 1]} ${year}`;
}

// The day of a stamp ("2026-12-03T09:00:00+00:00") as closing._day words it.
function day(data, stamp) {
  const found = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(stamp || ""));
  return found ? date(data, Number(found[1]), Number(found[2]), Number(found[3]))
    : String(stamp || "").slice(0, 10);
}

// For each moment taken: its form, day, and right answers out of how many.
export function totals(data, progress) {
  const found = {};
  for (const moment of MOMENTS) {
    const record = (progress.diagnostic || {})[moment];
    if (record) {
      const answers = Object.values(record.answers || {});
      found[moment] = { form: record.form, day: day(data, record.submitted),
        right: answers.filter((a) => a.correct === true).length, items: answers.length };
    }
  }
  return found;
}

function verdict(data, record, faq) {
  const answer = Object.values((record || {}).answers || {}).find((a) => a.faq === faq);
  if (!answer) { return data.verdict.absent; }
  return answer.correct === true ? data.verdict.right : data.verdict.wrong;
}

// The sentence of each moment, as the chart's caption and the summary say it (plain text).
export function momentLines(data, progress) {
  const found = totals(data, progress);
  return MOMENTS.map((m) => (found[m] ? fill(data.moment[m].taken, found[m])
    : data.moment[m].absent));
}

export function caption(data, progress) {
  const found = totals(data, progress);
  return momentLines(data, progress).join(" ") + (found.after ? "" : data.to_do);
}

// The diagnostic's table, question by question, with the totals.
export function faqTable(data, progress) {
  const records = progress.diagnostic || {};
  const found = totals(data, progress);
  const rows = data.faqs.map((f) => fill(f.row, {
    before: verdict(data, records.before, f.faq), after: verdict(data, records.after, f.faq),
  })).join("");
  const cells = MOMENTS.map((m) => (found[m]
    ? fill(data.total.taken, { ...found[m], form: escape(found[m].form) })
    : data.total.absent)).join("");
  return fill(data.faq_table, { rows, totals: cells });
}

// The quizzes' table: answered, and right at the first try, lesson by lesson; an answer
// counts when it was given to the quiz as it is worded now (its version).
export function quizTable(data, progress) {
  const record = progress.quizzes || {};
  const rows = data.lessons.map((lesson) => {
    const current = lesson.quizzes.filter((q) => record[q.id]
      && record[q.id].item_version === q.version);
    return fill(lesson.row, { answered: current.length,
      first: current.filter((q) => record[q.id].first_correct === true).length });
  }).join("");
  return fill(data.quiz_table, { rows });
}

// The one-page summary (a self-contained HTML document), made on ``today`` (a Date).
export function summaryPage(data, progress, today) {
  const notes = Object.entries(progress.notes || {})
    .filter(([, note]) => note && String(note.text || "").trim());
  const items = notes.map(([id, note]) => (id in data.reasoning.items
    ? fill(data.reasoning.items[id], { text: escape(note.text) })
    : fill(data.reasoning.unknown, { id: escape(id), text: escape(note.text) }))).join("");
  return fill(data.page, {
    day: escape(date(data, today.getFullYear(), today.getMonth() + 1, today.getDate())),
    moments: momentLines(data, progress).map(escape).join("\n"),
    faq_table: faqTable(data, progress), quiz_table: quizTable(data, progress),
    reasoning: items ? fill(data.reasoning.section, { items }) : "",
  });
}
