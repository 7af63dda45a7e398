"""The instructor's tools, run from a terminal or a notebook of the instructor's (never by
nbgrader itself): the ``deepfake-ethics`` command (:mod:`deepfake_ethics.cli`) and what it
runs. The class dashboard (:mod:`deepfake_ethics.dashboard`) is the other tool.

* :mod:`.parallel`      ``deepfake-ethics autograde``: the class in one work queue that
                        worker processes (:mod:`.worker`) take students from;
* :mod:`.course_config` the course (root, id, gradebook) as nbgrader's configuration gives it;
* :mod:`.course`        ``deepfake-ethics new-course``: a private course directory;
* :mod:`.nbgrader_run`  running nbgrader's own commands from Python.

They build on :mod:`deepfake_ethics.nbgrader_plugins`; nothing there imports them.
"""
