#!/usr/bin/env bash
# The whole check suite, as `make test` runs it:
#   ruff check, ruff format --check, mypy, lint-imports (the layers of .importlinter),
#   makemigrations --check,
#   pytest on a throwaway PostgreSQL (all tests, browser ones included),
#   pytest on SQLite (-m "not browser"; without lib/, which the PostgreSQL pass runs;
#     with DB=all beside the PostgreSQL pass, in the background),
#   the load benchmark's smoke mode (scripts/bench.py --smoke; with PostgreSQL only),
#   the production topology's short form (scripts/topology.py --short; PostgreSQL only).
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

cleanup() {
    local status=$?
    if [ -n "${SQLITE_PID:-}" ]; then
        pkill -TERM -P "$SQLITE_PID" 2>/dev/null || true
        kill "$SQLITE_PID" 2>/dev/null || true
        wait "$SQLITE_PID" 2>/dev/null || true
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

# With DB=all the two passes run side by side (two cores: the PostgreSQL pass waits on
# its server and on Chromium much of the time): the SQLite pass in the background with
# its own scratch folder, its output shown when it ends.
SQLITE_PID=""
if [ "$DB" = all ]; then
    echo
    echo "==> pytest (SQLite) runs beside the PostgreSQL pass; its output follows it"
    mkdir -p "$WORK/sqlite/var"
    (
        export VAR_DIR="$WORK/sqlite/var"
        start=$SECONDS
        status=0
        sqlite_pass >"$WORK/sqlite/output" 2>&1 || status=$?
        echo "$status $((SECONDS - start))" >"$WORK/sqlite/result"
    ) &
    SQLITE_PID=$!
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

if [ -n "$SQLITE_PID" ]; then
    wait "$SQLITE_PID" || true
    SQLITE_PID=""
    echo
    echo "==> pytest (SQLite), run beside the PostgreSQL pass:"
    cat "$WORK/sqlite/output"
    if [ -s "$WORK/sqlite/result" ]; then
        read -r sqlite_status sqlite_seconds <"$WORK/sqlite/result"
    else
        sqlite_status=1 sqlite_seconds=0
    fi
    record "pytest (SQLite)" "$sqlite_status" "$sqlite_seconds"
elif [ "$DB" = sqlite ]; then
    step "pytest (SQLite)" sqlite_pass
fi

# The load benchmark end to end, small (scripts/bench.py --smoke): its own durable
# PostgreSQL, gunicorn and locust; fails on any failed request or memory probe. It
# builds its own production-like environment (no TESTING) and cleans up after itself.
if [ "$DB" = all ] || [ "$DB" = postgres ]; then
    step "bench smoke" python scripts/bench.py --smoke
fi

# The production shape on loopback (nginx, two app servers, primary + replica, Redis,
# moto S3, workers), a few seconds of load and of each fault; fails if an invariant
# breaks (scripts/topology.py --short). Stops everything it started.
if [ "$DB" = all ] || [ "$DB" = postgres ]; then
    step "topology short" python scripts/topology.py --short
fi

echo
echo "==> summary (DB=$DB${PYTEST_ARGS:+, PYTEST_ARGS=$PYTEST_ARGS})"
printf '    %s\n' "${results[@]}"
exit "$failed"
