"""nbgrader settings of the grader account: install as
/home/grader-deepfake-ethics/.jupyter/nbgrader_config.py.

They point the formgrader (running as the hub service) and the grader's terminal at the
course directory: the private course made by `deepfake-ethics new-course` in the grader's
home (its source/ holds the answers, so it is never a public clone). nbgrader then also
reads the course's own nbgrader_config.py from that directory. On Kubernetes the same file
goes to ~/.jupyter/nbgrader_config.py of the grader's server, where values.yaml sets
DEEPFAKE_ETHICS_COURSE_ROOT=/home/jovyan/course.
"""

import os

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

COURSE_ROOT = os.environ.get(  # the private course directory (deepfake-ethics new-course)
    "DEEPFAKE_ETHICS_COURSE_ROOT", "/home/grader-deepfake-ethics/course")

c.CourseDirectory.course_id = "deepfake-ethics"  # same id as the exchange and the service
c.CourseDirectory.root = COURSE_ROOT  # source/, release/, submitted/, autograded/, feedback/
c.CourseDirectory.db_url = os.environ.get(  # PostgreSQL via the hub's environment, or sqlite
    "DEEPFAKE_ETHICS_DB_URL", "sqlite:///" + os.path.join(COURSE_ROOT, "gradebook.db"))
c.NbGrader.logfile = os.path.join(  # nbgrader's advice on hubs; the course's own config
    COURSE_ROOT, "logs", "nbgrader.log")  # sets the same file (and creates logs/)
