#!/usr/bin/env bash
# The whole check suite, as `make test` runs it:
#   ruff check, ruff format --check, mypy, lint-imports (the layers of .importlinter),
#   makemigrations --check,
#   pytest on a throwaway PostgreSQL (all tests, browser ones included),
#   pytest on SQLite (-m "not browser"; without lib/, which the PostgreSQL pass runs),
#   the load benchmark's smoke mode (scripts/bench.py --smoke; with PostgreSQL only),
#   the production topology's short form (scripts/topology.py --short; PostgreSQL only).
# With DB=all the last three run one after another beside the PostgreSQL pass.
#
# Environment:
#   DB=all|postgres|sqlite   which pytest passes run (default all); the checks always run
#   PYTEST_ARGS="..."        extra pytest arguments, e.g. PYTEST_ARGS="-k sso -x"
#   VENV=.venv               the virtualenv to use
#
# Every step runs even when an earlier one failed; a summary comes last and the
# exit status is non-zero if any step failed. Whatever this script started (the
# PostgreSQL cluster, the scratch directory) is removed on exit, even on Ctrl-C.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT="$PWD"
DB="${DB:-all}"
PYTEST_ARGS="${PYTEST_ARGS:-}"
VENV="${VENV:-.venv}"

case "$DB" in
    all | postgres | sqlite) ;;
    *)
        echo "run-tests: DB must be all, postgres or sqlite (got '$DB')" >&2
        exit 2
        ;;
esac

# Settings come from this script alone: a developer's exported DEBUG or
# DATABASE_URL (every variable documented in .env.example) must not change results.
if [ -f .env.example ]; then
    while read -r name; do
        unset "$name"
    done < <(sed -nE 's/^#? *([A-Z][A-Z0-9_]*)=.*/\1/p' .env.example | sort -u)
fi
unset DATABASE_URL

case "$VENV" in /*) ;; *) VENV="$ROOT/$VENV" ;; esac
export PATH="$VENV/bin:$PATH"
export TESTING=1
export DJANGO_ALLOW_ASYNC_UNSAFE=true
export PYTHONDONTWRITEBYTECODE=1

# Scratch space for this run (VAR_DIR): SQLite test database, uploaded files.
WORK="$(mktemp -d /tmp/lpse-test.XXXXXX)"
export VAR_DIR="$WORK/var"
mkdir -p "$VAR_DIR"
PG_DIR=""

# stop_lane PID: TERM the programs the background lane runs (through its subshells);
# each (pytest, bench.py, topology.py) stops what it started on TERM.
stop_lane() {
    local child
    for child in $(pgrep -P "$1" || true); do
        if [ "$(ps -o comm= -p "$child" 2>/dev/null)" = bash ]; then
            stop_lane "$child"
        else
            kill -TERM "$child" 2>/dev/null || true
        fi
    done
}

cleanup() {
    local status=$?
    if [ -n "${BG_PID:-}" ]; then
        stop_lane "$BG_PID"
        kill "$BG_PID" 2>/dev/null || true
        wait "$BG_PID" 2>/dev/null || true
    fi
    if [ -n "$PG_DIR" ]; then
        scripts/pg-throwaway.sh stop "$PG_DIR" || true
    fi
    rm -rf -- "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'echo "run-tests: interrupted" >&2; exit 130' INT
trap 'echo "run-tests: terminated" >&2; exit 143' TERM

results=()
failed=0

# step NAME COMMAND...: run one step, record PASS/FAIL and its duration.
step() {
    local name="$1" start status
    shift
    echo
    echo "==> $name: $*"
    start=$SECONDS
    status=0
    "$@" || status=$?
    record "$name" "$status" $((SECONDS - start))
}

record() {
    local name="$1" status="$2" secs="$3" verdict="PASS"
    if [ "$status" -ne 0 ]; then
        verdict="FAIL (exit $status)"
        failed=1
    fi
    results+=("$(printf '%-28s %5ss  %s' "$name" "$secs" "$verdict")")
}

# pytest, where "no tests collected" (exit 5) is a failure unless PYTEST_ARGS
# narrowed the selection on purpose.
run_pytest() {
    local status=0 extra=()
    # Split PYTEST_ARGS like a shell would, quotes included: -k "sso and not slow".
    mapfile -d '' -t extra < <(python3 -c 'import shlex, sys
print("\0".join(shlex.split(sys.argv[1])), end="")' "$PYTEST_ARGS")
    # The slowest tests are printed: the suite has a time budget (README, Tests).
    python -m pytest --durations=25 "$@" "${extra[@]}" || status=$?
    if [ "$status" -eq 5 ]; then
        if [ -n "$PYTEST_ARGS" ]; then
            echo "run-tests: PYTEST_ARGS selected no test in this pass" >&2
            return 0
        fi
        echo "run-tests: pytest collected no tests (exit 5): the suite is missing" >&2
    fi
    return "$status"
}

step "ruff check" ruff check .
step "ruff format --check" ruff format --check .
# mypy (django-stubs) and makemigrations import the settings outside pytest, where
# TESTING=1 is refused unless DEBUG is on (lpse_support/settings.py).
step "mypy" env DEBUG=1 mypy .
# The import contracts (.importlinter; its contract type is scripts/importlayers.py).
step "lint-imports" env PYTHONPATH=scripts lint-imports
step "makemigrations --check" env DEBUG=1 python manage.py makemigrations --check --dry-run

# The SQLite pass (-m "not browser"). lib/ may not import Django (the lib-pure contract
# in .importlinter): its tests cannot differ between databases, so with DB=all they run
# once, in the PostgreSQL pass; DB=sqlite alone runs them here.
sqlite_pass() {
    local sqlite_only=()
    if [ "$DB" = all ]; then
        sqlite_only=(--ignore=lib)
    fi
    run_pytest -m "not browser" "${sqlite_only[@]}"
}

# With DB=all the work runs in two lanes on the two cores (the PostgreSQL pass waits on
# its server and on Chromium much of the time). The PostgreSQL pass is the longest step
# and has the foreground lane to itself; the background lane runs the SQLite pass, then
# the bench smoke and the topology (each with its own servers on free ports), its output
# shown when the PostgreSQL pass ends.
BG_PID=""
# bg_step NAME COMMAND...: step() for the background lane; its verdict goes to a file.
bg_step() {
    local name="$1" start status=0
    shift
    echo
    echo "==> $name: $*"
    start=$SECONDS
    "$@" || status=$?
    echo "$status $((SECONDS - start)) $name" >>"$WORK/bg/results"
}
sqlite_pass_beside() {
    (
        export VAR_DIR="$WORK/sqlite/var"
        sqlite_pass
    )
}
if [ "$DB" = all ]; then
    echo
    echo "==> beside the PostgreSQL pass: pytest (SQLite), bench smoke, topology short; their output follows it"
    mkdir -p "$WORK/sqlite/var" "$WORK/bg"
    : >"$WORK/bg/results"
    (
        bg_step "pytest (SQLite)" sqlite_pass_beside
        bg_step "bench smoke" python scripts/bench.py --smoke
        bg_step "topology short" python scripts/topology.py --short
    ) >"$WORK/bg/output" 2>&1 &
    BG_PID=$!
fi

if [ "$DB" = all ] || [ "$DB" = postgres ]; then
    echo
    echo "==> starting a throwaway PostgreSQL"
    start=$SECONDS
    if PG_DIR="$(scripts/pg-throwaway.sh start)"; then
        # shellcheck source=/dev/null
        . "$PG_DIR/env"
        step "pytest (PostgreSQL)" run_pytest
        unset DATABASE_URL
        scripts/pg-throwaway.sh stop "$PG_DIR" || true
        PG_DIR=""
    else
        PG_DIR=""
        record "pytest (PostgreSQL)" 1 $((SECONDS - start))
    fi
fi

if [ -n "$BG_PID" ]; then
    wait "$BG_PID" || true
    BG_PID=""
    echo
    echo "==> run beside the PostgreSQL pass:"
    cat "$WORK/bg/output"
    for name in "pytest (SQLite)" "bench smoke" "topology short"; do
        line="$(grep -F " $name" "$WORK/bg/results" | tail -1 || true)"
        if [ -n "$line" ]; then
            read -r bg_status bg_seconds _ <<<"$line"
        else
            bg_status=1 bg_seconds=0
        fi
        record "$name" "$bg_status" "$bg_seconds"
    done
elif [ "$DB" = sqlite ]; then
    step "pytest (SQLite)" sqlite_pass
fi

# DB=postgres alone: the load benchmark end to end, small (scripts/bench.py --smoke): its
# own durable PostgreSQL, gunicorn and locust; fails on any failed request or memory
# probe. It builds its own production-like environment (no TESTING) and cleans up after
# itself. Then the production shape on loopback (nginx, two app servers, primary +
# replica, Redis, moto S3, workers), a few seconds of load and of each fault; fails if
# an invariant breaks (scripts/topology.py --short). Stops everything it started.
# With DB=all both run in the background lane above.
if [ "$DB" = postgres ]; then
    step "bench smoke" python scripts/bench.py --smoke
    step "topology short" python scripts/topology.py --short
fi

echo
echo "==> summary (DB=$DB${PYTEST_ARGS:+, PYTEST_ARGS=$PYTEST_ARGS})"
printf '    %s\n' "${results[@]}"
exit "$failed"
