# Two commands do everything: `make lab` (set up, then open the course) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
SITE_STAMP := $(VENV)/.installed-site
PDF_STAMP  := $(VENV)/.installed-pdf
HOST   ?= 127.0.0.1
PORT   ?= 8888
LAB_ARGS ?=
LAB_ROOT ?= .
# JupyterLab refuses to run as root unless told to (containers, CI machines).
ROOT_ARG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
# The term's exact versions (pip constraints), also used by Binder's postBuild and the images.
CONSTRAINTS := constraints/2026-12.txt
PIP_INSTALL = $(BIN)/python -m pip install --disable-pip-version-check -c $(CONSTRAINTS)

.PHONY: lab lab-instructor site pdf slides test test-fast setup setup-test lint format clean-notebooks navigation release grade benchmark sources glossary support facts-due reading-time help

# JupyterLab's configuration for each audience (jupyter/*/: lab extensions and server
# extensions turned off, read before the environment's own): students and self-learners get
# no instructor tools, nobody gets the "official Jupyter news?" pop-up.
STUDENT_CONFIG    := $(CURDIR)/jupyter/student
INSTRUCTOR_CONFIG := $(CURDIR)/jupyter/instructor
config_path = $(1)$(if $(JUPYTER_CONFIG_PATH),:$(JUPYTER_CONFIG_PATH))

help:
	@echo "make lab        set up .venv if needed, then open JupyterLab at the start page"
	@echo "                (a student's JupyterLab: no Formgrader, Courses or Create Assignment)"
	@echo "make lab-instructor   the same with nbgrader's instructor tools"
	@echo "make site       the course as a static website in _site/ (quizzes work without a kernel)"
	@echo "make pdf        the site printed by Chromium: one PDF per lesson and the course in _pdf/"
	@echo "make slides     a reveal.js slide deck per lesson for the room, in _slides/"
	@echo "make test       set up .venv if needed, then run every test"
	@echo "make test-fast  the quick tier only: unit tests, no kernels, servers or browser"
	@echo "make benchmark  run the benchmarks and print their figures"
	@echo "make navigation rewrite the navigation cell of every lesson"
	@echo "make sources    regenerate docs/sources.md, the register of every source and its dates,"
	@echo "                and the table of claims that change on a date in docs/maintaining-facts.md"
	@echo "make facts-due  list the claims whose date has come or whose source is due a re-check"
	@echo "                (src/deepfake_ethics/content/claims.yaml); TODAY=YYYY-MM-DD to look ahead"
	@echo "make glossary   link the first use of each glossary term in every lesson to docs/glossary.md"
	@echo "make support    rewrite the help-line blocks of lessons 00 and 04 and the teaching guide"
	@echo "                from src/deepfake_ethics/content/support.yaml, the one list of support services"
	@echo "make reading-time  print each lesson's estimated time against the time it states"
	@echo "make release    write the self-study cells, regenerate release/ from source/ with nbgrader (then commit it)"
	@echo "make grade ASSIGNMENT=a02-legal-aspects [WORKERS=4]   autograde a class in parallel"
	@echo "make lint       ruff (the pinned version; CI runs it before make test)"

# Every command first checks .venv (scripts/ensure_venv.py: a half-made or broken one is
# made again, a missing prerequisite is named once), then installs only if the project's
# metadata changed since the last install; otherwise this is instant.
setup:
	@$(PYTHON) scripts/ensure_venv.py $(VENV)
	@$(MAKE) --no-print-directory --silent $(STAMP)

setup-test:
	@$(PYTHON) scripts/ensure_venv.py $(VENV)
	@$(MAKE) --no-print-directory --silent $(TEST_STAMP)

# `make lab` installs the course and what it needs to run, nothing else; `make test` adds
# the test tools (pytest, Playwright, ruff, repo2docker, the PostgreSQL driver).
$(STAMP): pyproject.toml $(CONSTRAINTS)
	@echo "[setup] installing the course, JupyterLab and nbgrader into $(VENV) (the first time takes about 2 minutes)"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PIP_INSTALL) -e .
	@touch $(STAMP)
	@echo "[setup] done"

$(TEST_STAMP): $(STAMP)
	@echo "[setup] installing the test tools into $(VENV)"
	$(PIP_INSTALL) -e '.[test,postgres,site,pdf]'
	@touch $(TEST_STAMP)
	@echo "[setup] done"

$(SITE_STAMP): $(STAMP)
	$(PIP_INSTALL) -e '.[site]'
	@touch $(SITE_STAMP)

# The course as a website (docs/site.md): built offline from the notebooks, the assignments
# and the docs; serve _site/ from any static host.
site: $(SITE_STAMP)
	$(BIN)/python site/build.py --out _site

$(PDF_STAMP): $(SITE_STAMP)
	$(PIP_INSTALL) -e '.[site,pdf]'
	@touch $(PDF_STAMP)

# The course as handouts: each lesson page of the site printed with its print stylesheet.
pdf: site $(PDF_STAMP)
	$(BIN)/python site/pdf.py --site _site --out _pdf

# A slide deck per lesson for the room (reveal.js from npm, copied beside the decks).
slides: $(SITE_STAMP)
	$(BIN)/python site/slides.py --out _slides

LAB_COMMAND = $(BIN)/jupyter lab --ip=$(HOST) --port=$(PORT) $(ROOT_ARG) --ServerApp.root_dir=$(LAB_ROOT) \
		--LabApp.default_url=/lab/tree/notebooks/00-start-here.ipynb $(LAB_ARGS)

lab: setup
	JUPYTER_CONFIG_PATH="$(call config_path,$(STUDENT_CONFIG))" $(LAB_COMMAND)

lab-instructor: setup
	JUPYTER_CONFIG_PATH="$(call config_path,$(INSTRUCTOR_CONFIG))" $(LAB_COMMAND)

# The system packages some tests need (bubblewrap for the grading sandbox, PostgreSQL...):
# installed when running as root; otherwise those tests say what to install and skip.
test: setup-test
	@if [ "$$(id -u)" = 0 ]; then bash .ci/install-server-deps; fi
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The quick tier: the unit tests, without kernels, servers or a browser (a test not marked
# slow that launches a kernel fails: tests/conftest.py).
test-fast: setup-test
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

lint: setup-test
	$(BIN)/ruff check .

format: setup-test
	$(BIN)/ruff check --fix .

navigation: setup
	$(BIN)/python scripts/update_navigation.py

release: setup
	$(BIN)/python scripts/practice_cells.py
	$(BIN)/python scripts/release.py
	$(BIN)/python scripts/update_navigation.py

grade: setup
	@test -n "$(ASSIGNMENT)" || (echo "usage: make grade ASSIGNMENT=<name> [WORKERS=N]" && exit 2)
	$(BIN)/deepfake-ethics autograde $(ASSIGNMENT) $(if $(WORKERS),--workers $(WORKERS))

sources: setup
	$(BIN)/python scripts/sources_register.py
	$(BIN)/python scripts/facts_due.py --write-doc

facts-due: setup
	$(BIN)/python scripts/facts_due.py $(if $(TODAY),--today $(TODAY))

glossary: setup
	$(BIN)/python scripts/glossary_links.py

support: setup
	$(BIN)/python scripts/support_lines.py

reading-time: setup
	$(BIN)/python scripts/reading_time.py

clean-notebooks: setup
	$(BIN)/python scripts/clean_notebooks.py

# The benchmarks reuse the tests' course helpers (tests/ on PYTHONPATH, no path edits).
benchmark: setup-test
	PYTHONPATH=tests $(BIN)/python benchmarks/run.py; status=$$?; \
		$(BIN)/python benchmarks/report.py; exit $$status
