# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

demo: $(STAMP)
	$(BIN)/tracklabel plugins
	$(BIN)/tracklabel config check examples/config.xml
	$(BIN)/tracklabel export examples/tasks.json --config examples/config.xml --format jsonl --out demo-out/boxes.jsonl
	$(BIN)/tracklabel export examples/tasks.json --config examples/config.xml --format ls-frames --out demo-out/frames.json
	@echo "demo: wrote demo-out/boxes.jsonl ($$(wc -l < demo-out/boxes.jsonl) visible boxes) and demo-out/frames.json"
	@head -n 3 demo-out/boxes.jsonl

test: $(STAMP)
	$(BIN)/pytest

# label-studio-sdk (the interpolation baseline) requires opencv-python-headless, which would
# clash with our opencv-contrib-python-headless: install it without that one dependency.
bench: $(STAMP)
	$(BIN)/pip install --quiet --no-deps label-studio-sdk==2.1.2
	$(BIN)/pip install --quiet -r bench/requirements.txt
	$(BIN)/python bench/interpolate.py
	$(BIN)/python bench/export.py
	$(BIN)/python bench/decode.py

clean:
	rm -rf $(VENV) demo-out
