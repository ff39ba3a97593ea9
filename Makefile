# Two commands on a fresh machine: `make run` and `make test`. Everything else is set up on the way:
# uv (pinned) into .tools/, the locked dependencies into .venv/, and the system packages through apt.
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(shell command -v $(PYTHON))

.PHONY: install run test test-postgres e2e system-packages clean

$(UV):
	$(PYTHON) -m venv .tools || ($(SUDO) apt-get update && $(SUDO) apt-get install -y python3-venv && $(PYTHON) -m venv .tools)
	.tools/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	touch $@

install: $(VENV)/.installed

# Pango and a CJK font for the PDFs (WeasyPrint), Chromium for the browser tests: installed with apt when missing.
system-packages:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "wqy\|noto sans cjk" \
			|| ! ldconfig -p 2>/dev/null | grep -q libpangoft2; then \
		echo "installing chromium, fonts-wqy-microhei and pango with apt"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
			chromium fonts-wqy-microhei libpango-1.0-0 libpangoft2-1.0-0 fontconfig; \
	fi

run: install system-packages
	$(VENV)/bin/mediation db upgrade
	$(VENV)/bin/mediation demo
	@echo "Serving 枫桥调解 at http://127.0.0.1:8000"
	$(VENV)/bin/mediation serve --host 127.0.0.1 --port 8000

test: install system-packages
	$(VENV)/bin/pytest

test-postgres: install system-packages
	MEDIATION_TEST_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres $(VENV)/bin/pytest

e2e: install system-packages
	$(VENV)/bin/pytest tests/e2e

# Benchmarks print figures (they assert nothing). First the monthly summary over generated cases on SQLite and,
# when it answers, PostgreSQL (BENCH_CASES for both, or BENCH_SQLITE_CASES / BENCH_POSTGRES_CASES). Then the load
# runs: a district of each size in BENCH_LOAD_SQLITE and BENCH_LOAD_POSTGRES is generated once (kept under
# var/bench/ and in databases mediation_bench_<size>, reused by later runs), served with BENCH_WORKERS workers and
# driven by wrk; the figures of all runs end as one Markdown table, var/bench/load-table.md, printed at the end.
# BENCH_LOAD_OPTIONS go to every bench/load.py run. The README's figures:
# make bench BENCH_LOAD_SQLITE="10000 200000" BENCH_LOAD_POSTGRES="10000 100000 1000000" \
#     BENCH_LOAD_OPTIONS="--name 王伟 --phrase 的责任田"
BENCH_CASES ?= 10000
BENCH_SQLITE_CASES ?= $(BENCH_CASES)
BENCH_POSTGRES_CASES ?= $(BENCH_CASES)
BENCH_POSTGRES ?= postgresql+asyncpg://postgres@127.0.0.1:5432/postgres
BENCH_POSTGRES_SERVER ?= postgresql+asyncpg://postgres@127.0.0.1:5432
BENCH_LOAD_SQLITE ?= 10000
BENCH_LOAD_POSTGRES ?= 10000
BENCH_LOAD_OPTIONS ?=
BENCH_WORKERS ?= 2
BENCH_CLIENTS ?= 8
BENCH_SECONDS ?= 10
BENCH_TABLE := var/bench/load-table.md
.PHONY: bench wrk
wrk:
	@command -v wrk >/dev/null 2>&1 || { echo "installing wrk with apt"; $(SUDO) apt-get update -qq \
		&& DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk; }

bench: install wrk
	$(VENV)/bin/python bench/monthly_summary.py --cases $(BENCH_SQLITE_CASES)
	$(VENV)/bin/python bench/monthly_summary.py --cases $(BENCH_POSTGRES_CASES) --postgres $(BENCH_POSTGRES) \
		--skip-unreachable
	rm -f $(BENCH_TABLE)
	@set -e; load="--workers $(BENCH_WORKERS) --clients $(BENCH_CLIENTS) --seconds $(BENCH_SECONDS) --table $(BENCH_TABLE) \
		$(BENCH_LOAD_OPTIONS)"; \
	for cases in $(BENCH_LOAD_SQLITE); do \
		url=sqlite+aiosqlite:///var/bench/dataset-$$cases.sqlite3; \
		$(VENV)/bin/python bench/dataset.py --cases $$cases --database-url $$url --reuse; \
		$(VENV)/bin/python bench/load.py --database-url $$url $$load; \
	done; \
	for cases in $(BENCH_LOAD_POSTGRES); do \
		url=$(BENCH_POSTGRES_SERVER)/mediation_bench_$$cases; \
		$(VENV)/bin/python bench/dataset.py --cases $$cases --database-url $$url --reuse --skip-unreachable; \
		$(VENV)/bin/python bench/load.py --database-url $$url $$load --skip-unreachable; \
	done
	@echo; echo "load figures ($(BENCH_TABLE)):"; cat $(BENCH_TABLE)

clean:
	rm -rf .venv .tools .pytest_cache
