"""Optional: let the formgrader show inside the grader's JupyterLab on JupyterHub >= 4.1.

JupyterHub 4.1 forbids framing single-user servers (Content-Security-Policy:
frame-ancestors 'none'), so the Formgrader panel, an iframe, stays blank (nbgrader issue
#1870). The safe default is to open the formgrader in its own tab instead:
/services/deepfake-ethics/formgrader. Only if you serve every user and service from its own
subdomain (``c.JupyterHub.subdomain_host``), install this file as
/home/grader-deepfake-ethics/.jupyter/jupyter_server_config.py: it lets the grader's server
frame itself and nothing else. On a single-domain hub, 'self' would include every student's
server, which is what JupyterHub's default protects against.
"""

c = get_config()  # noqa: F821 - provided by traitlets when Jupyter Server loads this file

c.ServerApp.tornado_settings = {
    "headers": {"Content-Security-Policy": "frame-ancestors 'self'"},
}
