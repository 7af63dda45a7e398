"""Small content files that tests change one thing in (shared by the schema and loader
tests; a helper, not a test module)."""

GOOD_QUIZ = """\
lesson: 09-test
title: Test lesson
quizzes:
  - id: t-one
    kind: single
    title: One
    scenario: Ana does something.
    question: Is it fine?
    hint: Think of who is shown.
    options:
      - {text: "Yes", correct: true, feedback: "Because."}
      - {text: "No", feedback: "Not so."}
    explanation: Why.
    sources:
      - {title: A law, url: "https://example.org/law", date: 2024-01-31}
"""
