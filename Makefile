# Two commands set everything up on a machine with python3 and make: `make demo` and `make test`.
# uv comes from PATH, or is installed into .tools/ on first use.

UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)

.PHONY: demo test smoke fuzz sync lint format messages clean spark

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

# Splink's Spark backend, for `bench/resolve.py --backend spark` only (docs/resolution.md): a
# Java runtime (Debian's headless OpenJDK, 17 or later for Spark 4) and PySpark in .spark/, an
# environment apart from .venv (the `spark` dependency group; `make sync` leaves it out).
spark: $(UV)
	java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])' || \
		(apt-get update && apt-get install -y --no-install-recommends openjdk-17-jre-headless)
	UV_PROJECT_ENVIRONMENT=.spark $(UV) sync --frozen --quiet --no-default-groups --group spark

# Bytecode compiled at install: a command starts without compiling ~1,150 modules first
# (`tumbuh check`: 3.3 s of CPU without it, 1.5 s with it). The project itself is installed
# editable, outside site-packages, so it is compiled apart; a changed file is compiled again
# as it is imported, as usual.
sync: $(UV)
	$(UV) sync --frozen --quiet --compile-bytecode
	.venv/bin/python -m compileall -q -j 0 tumbuh

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
