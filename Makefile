# The two quick-start commands: `make demo` (set up, convert the sample) and `make test` (set up, run tests).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test fixtures golden bench-sync clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# compileall: an editable install is not byte-compiled by pip; without it every run compiles toolkit/
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	$(BIN)/python -m compileall -q toolkit
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/python -m compileall -q toolkit
	touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	mkdir -p out
	$(BIN)/captionkit convert samples/tucker_lavrov.txt -o out/tucker_lavrov.srt
	$(BIN)/captionkit convert samples/tucker_lavrov.txt -o out/tucker_lavrov.vtt -q
	@echo; echo "--- out/tucker_lavrov.srt (first cues) ---"; head -n 12 out/tucker_lavrov.srt; echo
	$(BIN)/captionkit convert samples/media/interview.transcript.txt --media samples/media/interview.mp4 -o out/interview.srt
	@echo; echo "--- out/interview.srt (first cues, timed to the speech) ---"; head -n 12 out/interview.srt

# The one test command: README and .ci/run both call it. pytest exit 5 (no tests collected) is a failure.
test: $(VENV)/.dev-installed
	$(BIN)/ruff check toolkit tests bench
	$(BIN)/ruff format --check toolkit tests bench
	$(BIN)/mypy
	$(BIN)/pytest

golden: $(VENV)/.dev-installed
	CAPTIONKIT_UPDATE_GOLDEN=1 $(BIN)/pytest -q tests/test_formats.py -k test_golden

# Regenerate the committed media fixtures (needs sox, flite/espeak-ng and ffmpeg from apt; tests do not).
fixtures: $(VENV)/.dev-installed
	$(BIN)/python tests/fixtures/make_media_fixtures.py
	$(BIN)/python tests/fixtures/make_align_fixtures.py

bench-sync: $(VENV)/.dev-installed
	test -x bench/_work/ffs/bin/ffs || ($(PYTHON) -m venv bench/_work/ffs && bench/_work/ffs/bin/pip install -q ffsubsync)
	$(BIN)/python bench/bench_sync.py

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
