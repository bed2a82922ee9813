# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test fuzz bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

demo: $(STAMP)
	$(BIN)/tracklabel serve --demo --data demo-data

test: $(STAMP)
	$(BIN)/pytest

# The fuzz tests of `make test` with twenty times as many examples each (half an hour or so).
fuzz: $(STAMP)
	TRACKLABEL_FUZZ_SCALE=20 $(BIN)/pytest tests/test_fuzz_importers.py tests/test_fuzz_api.py

# label-studio-sdk (the interpolation baseline) requires opencv-python-headless, which would
# clash with our opencv-contrib-python-headless: install it without that one dependency.
bench: $(STAMP)
	$(BIN)/pip install --quiet --no-deps label-studio-sdk==2.1.2
	$(BIN)/pip install --quiet -r bench/requirements.txt
	$(BIN)/python bench/interpolate.py
	$(BIN)/python bench/export.py
	$(BIN)/python bench/decode.py
	$(BIN)/python bench/host.py
	$(BIN)/python bench/annotators.py
	$(BIN)/python bench/player.py
	$(BIN)/python bench/track.py

clean:
	rm -rf $(VENV) demo-data
