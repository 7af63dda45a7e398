"""nbgrader configuration for the course "The Ethics of Deepfakes".

Run nbgrader from the repository root (or from a copy of it used as the course directory):
this file is read from the current directory. See docs/instructors.md for the whole cycle.

Two settings can be changed without editing this file:

* ``DEEPFAKE_ETHICS_DB_URL``   the gradebook (default: sqlite file ``gradebook.db`` here;
                               e.g. ``postgresql+psycopg2://grader@127.0.0.1/deepfake_ethics``);
                               checked when this file is read: a URL that cannot work stops
                               the command with one line naming the problem (no password)
* ``DEEPFAKE_ETHICS_EXCHANGE`` the exchange folder shared by instructor and students
                               (default: nbgrader's ``/srv/nbgrader/exchange``)
"""

import os

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearHiddenTests,
    ClearMarkScheme,
    ClearOutput,
    ClearSolutions,
    ComputeChecksums,
    DeduplicateIds,
    GetGrades,
    IgnorePattern,
    IncludeHeaderFooter,
    InstantiateTests,
    LockCells,
    OverwriteKernelspec,
    SaveAutoGrades,
    SaveCells,
)

from deepfake_ethics.nbgrader_plugins.exchange import safe_collect
from deepfake_ethics.nbgrader_plugins.execute import GradeExecute
from deepfake_ethics.nbgrader_plugins.feedback import (
    HiddenTestsNote,
    MarkSchemeNote,
    SanitizeFeedback,
)
from deepfake_ethics.nbgrader_plugins.gradebook_url import for_config as gradebook_url
from deepfake_ethics.nbgrader_plugins.preflight import CheckedExporter
from deepfake_ethics.nbgrader_plugins.preprocessors import (
    JudgeAnswers,
    NeutraliseOutputs,
    RestoreCells,
    StampSelfStudy,
)
from deepfake_ethics.nbgrader_plugins.submission import (
    FileLimits,
    LeaveOutUnsafeFiles,
    NoteLeftOutFiles,
)

c = get_config()  # noqa: F821 - provided by traitlets when it loads this file

HERE = os.path.dirname(os.path.abspath(__file__))

# --- Course and folders -------------------------------------------------------------
c.CourseDirectory.course_id = "deepfake-ethics"  # one id for exchange, gradebook and hub
c.CourseDirectory.root = HERE  # the course directory is the folder holding this file
c.CourseDirectory.source_directory = "source"  # instructor versions (with solutions)
c.CourseDirectory.release_directory = "release"  # student versions, generated, committed
c.CourseDirectory.submitted_directory = "submitted"  # collected work (never committed)
c.CourseDirectory.autograded_directory = "autograded"  # graded copies (never committed)
c.CourseDirectory.feedback_directory = "feedback"  # feedback HTML (never committed)
c.CourseDirectory.db_url = gradebook_url(  # $DEEPFAKE_ETHICS_DB_URL (a bad one stops with one
    "sqlite:///" + os.path.join(HERE, "gradebook.db"))  # line), else sqlite here
c.CourseDirectory.ignore = [  # never copied into releases or submissions
    ".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".DS_Store"]
# What one submission may hold: one place for the exchange's collect and for autograde.
MAX_FILE_KB = 5_000  # the largest file, in kB
MAX_FILES = 200  # files in one submission
MAX_TOTAL_KB = 50_000  # all its files together, in kB
c.CourseDirectory.max_file_size = MAX_FILE_KB  # kB; the exchange skips larger files
c.CollectChecks.max_files = MAX_FILES  # collect leaves out the files beyond these two caps
c.CollectChecks.max_total_size = MAX_TOTAL_KB  # (nbgrader_plugins/exchange.py), and says so

# --- Files of a submission -------------------------------------------------------------
# Before nbgrader copies a submission (autograde) or an autograded folder (feedback), every
# entry that is not a plain file of the student's (a link, a hard link, a FIFO, a device, a
# file above the caps) is moved to quarantine/ unfollowed, and the notebook says so.
SUBMISSION_FILES = LeaveOutUnsafeFiles(HERE, FileLimits(
    max_files=MAX_FILES, max_file_bytes=MAX_FILE_KB * 1000, max_total_bytes=MAX_TOTAL_KB * 1000))
c.Autograde.pre_convert_hook = SUBMISSION_FILES  # before submitted/ is copied to autograded/
c.GenerateFeedback.pre_convert_hook = SUBMISSION_FILES  # before autograded/ goes to feedback/

# --- Logs ----------------------------------------------------------------------------
# Every nbgrader command run here appends its log (errors with their tracebacks, e.g. a
# submission that could not be graded) to logs/nbgrader.log; `deepfake-ethics autograde`
# keeps one folder per run in logs/autograde/ instead. logs/ is never committed.
if os.access(HERE, os.W_OK):  # a read-only copy of the course logs to the terminal only
    os.makedirs(os.path.join(HERE, "logs"), exist_ok=True)
    c.NbGrader.logfile = os.path.join(HERE, "logs", "nbgrader.log")  # appended, never cut

# --- Exchange (release, fetch, submit, collect) ---------------------------------------
if os.environ.get("DEEPFAKE_ETHICS_EXCHANGE"):
    c.Exchange.root = os.environ["DEEPFAKE_ETHICS_EXCHANGE"]  # shared folder of the class
c.Exchange.path_includes_course = True  # exchange/<course>/..., so courses never collide
c.Exchange.timezone = "UTC"  # timestamps in one zone, whatever the servers' zones
# collect takes no link, FIFO or other student's folder (nbgrader_plugins/exchange.py); ngshare's
# collect when NGSHARE_URL is set (Kubernetes), nbgrader's folder exchange otherwise
c.ExchangeFactory.collect = safe_collect()  # the course's collect for the exchange in use

# --- Generating the student version ---------------------------------------------------
c.IncludeHeaderFooter.header = os.path.join(  # name, collaborators, honour code, content note
    HERE, "source", "header.ipynb")
c.ClearSolutions.code_stub = {  # what replaces a solution in a code cell
    "python": "# YOUR ANSWER HERE\nraise NotImplementedError(\"Write your answer here, "
              "then run this cell.\")"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"  # what replaces a written solution
c.ClearSolutions.enforce_metadata = True  # a solution outside a solution cell is an error
c.ClearMarkScheme.enforce_metadata = True  # rubrics only inside task cells
c.ClearOutput.remove_metadata_fields = [  # no widget views or execution stamps
    "collapsed", "scrolled", "execution", "widgets"]
c.GenerateAssignment.preprocessors = [  # nbgrader's list, after the course's one step:
    StampSelfStudy,  # the self-study set-up cell names the answer keys it may judge with
    IncludeHeaderFooter, InstantiateTests, LockCells, ClearSolutions, ClearOutput,
    CheckCellMetadata, ComputeChecksums, SaveCells, ClearHiddenTests, ClearMarkScheme,
    ComputeChecksums, CheckCellMetadata]
# The public course: self-study judges with the keys of a source/ the learner can read,
# if they are the keys a notebook was made from. A private course (new-course) says False:
# its students' self-study cells say that the instructor grades their work.
c.StampSelfStudy.public_keys = True  # new-course writes False below in a private copy

# --- Autograding ----------------------------------------------------------------------
c.Autograde.sanitize_preprocessors = [  # nbgrader's list; RestoreCells keeps the order
    ClearOutput, DeduplicateIds, OverwriteKernelspec, RestoreCells, CheckCellMetadata]
# Student code runs only inside a bubblewrap sandbox (docs/grading-security.md); answer
# keys never enter it: GradeExecute keeps them out and JudgeAnswers judges outside.
c.Autograde.autograde_preprocessors = [  # nbgrader's list, with the course's steps
    GradeExecute,  # nbgrader's Execute, sandboxed, keys kept out, hung cells cost one cell
    JudgeAnswers,  # compare recorded answers with the keys; verdicts as nbgrader outputs
    NeutraliseOutputs,  # text and images only, capped in bytes; student Markdown inert
    NoteLeftOutFiles,  # a note naming the files of the submission that were left out
    IgnorePattern, ClearMetadataPreprocessor,  # nbgrader's own steps, as in its default
    SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]
c.Autograde.create_student = True  # a new student id in submitted/ is added, not rejected
# Checked before any student is graded (or any earlier grading removed by --force): the
# sandbox can start. A run that cannot grade stops with one message.
c.Autograde.exporter_class = CheckedExporter  # nbgrader makes it before any student
c.OverwriteCells.add_missing_cells = True  # a deleted test cell comes back and is graded
c.Execute.timeout = 20  # seconds per cell: every cell of the assignments needs < 2 s
c.GradeExecute.time_budget = 120  # seconds per notebook; the cells left then earn nothing
c.Execute.interrupt_on_timeout = True  # a looping cell is stopped and the rest still runs
c.IgnorePattern.enabled = True  # drop known harmless stderr noise (it would cost points)
c.IgnorePattern.pattern = (  # noise from start-up, never from a student's answer
    r"Matplotlib is building the font cache"
    r"|Kernel is running over TCP without encryption"
    r"|DeprecationWarning: Jupyter is migrating its paths"
)
MAX_OUTPUT_BYTES = 64_000  # output kept per cell (text and images): the one cap, given to
for step in ("GradeExecute", "NeutraliseOutputs", "SanitizeFeedback"):  # execution, the
    c[step].max_output_bytes = MAX_OUTPUT_BYTES  # autograded notebook and the feedback

# --- Export ---------------------------------------------------------------------------
# A submission whose autograding failed is exported with status "NOT GRADED" and no score,
# never as a silent 0 (nbgrader's own CSV export would write 0).
c.ExportApp.plugin_class = "deepfake_ethics.nbgrader_plugins.export.GradesExport"  # CSV + status

# --- Feedback -------------------------------------------------------------------------
# nbgrader shows hidden tests in feedback (nbgrader issue #1363): its own ClearHiddenTests
# and ClearMarkScheme remove answer keys and rubrics (leaving a note), and SanitizeFeedback
# keeps only verdicts and the checks' own messages in graded cells (no tracebacks).
c.GenerateFeedback.preprocessors = [  # GetGrades first, then the clean-up, then styling
    GetGrades, HiddenTestsNote, MarkSchemeNote, SanitizeFeedback, CSSHTMLHeaderPreprocessor]
c.HTMLExporter.sanitize_html = True  # feedback HTML is cleaned of scripts, whatever is left
c.HTMLExporter.filters = {  # Markdown cleaned after rendering (formgrader and feedback)
    "markdown2html": "deepfake_ethics.nbgrader_plugins.markup.SafeMarkdown"}

