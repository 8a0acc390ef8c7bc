# Two commands set everything up on a machine with python3 and make: `make demo` and `make test`.
# uv comes from PATH, or is installed into .tools/ on first use.

UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)

.PHONY: demo test smoke fuzz sync lint format messages clean

demo: sync
	$(UV) run --frozen tumbuh demo

test: sync
	$(UV) run --frozen pytest

# The whole-country demo served with DEBUG off, crawled by every demo login in Chromium
# (tools/smoke.py says what fails it).
smoke: sync
	$(UV) run --frozen python tools/smoke.py

# The served API fuzzed with schemathesis, anonymously and with a key (tools/fuzz.py says how).
fuzz: sync
	$(UV) run --frozen python tools/fuzz.py

sync: $(UV)
	$(UV) sync --frozen --quiet

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv

lint: sync
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .

format: sync
	$(UV) run --frozen ruff check --fix .
	$(UV) run --frozen ruff format .

# Needs GNU gettext (msgfmt); the compiled .mo files are committed so a fresh machine does not.
messages: sync
	cd tumbuh && ../.venv/bin/tumbuh makemessages --locale id --locale en --no-obsolete --add-location file
	cd tumbuh && ../.venv/bin/tumbuh compilemessages

clean:
	rm -rf .venv .tools var
