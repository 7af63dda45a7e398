"""nbgrader settings for everyone on the hub: install as /etc/jupyter/nbgrader_config.py.

Students need nothing else: fetch, submit and fetch feedback find the course and the
exchange from here. The grader account adds grader_nbgrader_config.py on top.
"""

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

c.CourseDirectory.course_id = "deepfake-ethics"  # the only course on this hub
c.Exchange.root = "/srv/nbgrader/exchange"  # shared folder: created by root, mode 1777 (sticky)
c.Exchange.path_includes_course = True  # fetched work lands in ~/deepfake-ethics/<assignment>
c.Exchange.timezone = "UTC"  # submission times in UTC, as the grader's lateness checks expect
