"""nbgrader settings of the grader account: install as
/home/grader-deepfake-ethics/.jupyter/nbgrader_config.py.

They point the formgrader (running as the hub service) and the grader's terminal at the
course directory: a clone of this repository in the grader's home. nbgrader then also
reads the course's own nbgrader_config.py from that directory. On Kubernetes the same file
goes to ~/.jupyter/nbgrader_config.py of the grader's server, where values.yaml sets
DEEPFAKE_ETHICS_COURSE_ROOT=/home/jovyan/course.
"""

import os

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

COURSE_ROOT = os.environ.get(  # the clone of this repository
    "DEEPFAKE_ETHICS_COURSE_ROOT", "/home/grader-deepfake-ethics/course")

c.CourseDirectory.course_id = "deepfake-ethics"  # same id as the exchange and the service
c.CourseDirectory.root = COURSE_ROOT  # source/, release/, submitted/, autograded/, feedback/
c.CourseDirectory.db_url = os.environ.get(  # PostgreSQL via the hub's environment, or sqlite
    "DEEPFAKE_ETHICS_DB_URL", "sqlite:///" + os.path.join(COURSE_ROOT, "gradebook.db"))
c.NbGrader.logfile = os.path.join(COURSE_ROOT, ".nbgrader.log")  # nbgrader's advice on hubs
