"""What nbgrader loads in the grader's own process: everything ``nbgrader_config.py`` hands
to nbgrader (preprocessors, hooks, the exchange's collect, the export, a Markdown filter),
and what they are built from.

* :mod:`.assignment_format` nbgrader's region markers, read from its configuration;
  which cells are written reflections;
* :mod:`.keys`          answer keys (the hidden regions hold data, never code);
* :mod:`.judge`         comparing recorded answers with keys, with partial credit;
* :mod:`.rubric`        the rubric and mark scheme of a written reflection;
* :mod:`.sandbox`       a bubblewrap sandbox around every kernel that runs student code;
* :mod:`.execute`       running a submission in the sandbox with keys kept out;
* :mod:`.preprocessors` the judge's verdicts as nbgrader outputs; inert, capped output;
* :mod:`.feedback`      feedback: nbgrader's own clean-up plus verdicts only;
* :mod:`.submission`    only regular files of a submission travel (autograde and feedback);
* :mod:`.exchange`, :mod:`.ngshare_collect` ``nbgrader collect`` a student cannot abuse;
* :mod:`.export`        ``nbgrader export`` with a status column;
* :mod:`.markup`        Markdown on the grader's pages, rendered then cleaned;
* :mod:`.names`         student ids and assignment names that are safe to grade;
* :mod:`.gradebook_url` whether a gradebook URL can work (read by ``nbgrader_config.py``).

They may import :mod:`deepfake_ethics.kernel` (the record format), never
:mod:`deepfake_ethics.instructor`, which builds on them.
"""
