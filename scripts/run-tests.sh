#!/usr/bin/env bash
# The whole check suite, as `make test` runs it:
#   ruff check, ruff format --check, mypy, lint-imports (the layers of .importlinter),
#   makemigrations --check,
#   pytest on throwaway PostgreSQL (all tests, browser ones included; in two shards,
#     each on its own cluster: --shard 1 and --shard 2 of testsupport/shards.py),
#   pytest on SQLite (-m "not browser"; without lib/, which the PostgreSQL pass runs),
#   the load benchmark's smoke mode (scripts/bench.py --smoke; with PostgreSQL only),
#   the production topology's short form (scripts/topology.py --short; PostgreSQL only).
# With DB=all they run in two lanes at once (see "Lanes" below).
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
# Every throwaway cluster a lane starts is listed here, so that cleanup stops it.
CLUSTERS="$WORK/clusters"
: >"$CLUSTERS"
LANE_PIDS=()

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
    local status=$? pid dir
    for pid in "${LANE_PIDS[@]}"; do
        stop_lane "$pid"
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    while read -r dir; do
        if [ -d "$dir" ]; then
            scripts/pg-throwaway.sh stop "$dir" || true
        fi
    done <"$CLUSTERS"
    rm -rf -- "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'echo "run-tests: interrupted" >&2; exit 130' INT
trap 'echo "run-tests: terminated" >&2; exit 143' TERM

results=()
reasons=()
failed=0
# Each step's output is also kept in a file of its own, so that the summary can say
# why a step failed: the summary is the end of the output, and a CI report may show
# only the end.
STEPS="$WORK/steps"
mkdir -p "$STEPS"

# step_log NAME: the file a step's output is kept in.
step_log() { printf '%s/%s.log' "$STEPS" "$(printf '%s' "$1" | tr -c 'A-Za-z0-9' '_')"; }

# run_logged NAME COMMAND...: run a step's command, its output both printed and kept.
run_logged() {
    local log
    log="$(step_log "$1")"
    shift
    "$@" 2>&1 | tee "$log"
}

# step NAME COMMAND...: run one step, record PASS/FAIL and its duration.
step() {
    local name="$1" start status
    shift
    echo
    echo "==> $name: $*"
    start=$SECONDS
    status=0
    run_logged "$name" "$@" || status=$?
    record "$name" "$status" $((SECONDS - start))
}

record() {
    local name="$1" status="$2" secs="$3" verdict="PASS"
    if [ "$status" -ne 0 ]; then
        verdict="FAIL (exit $status)"
        failed=1
        reasons+=("$name")
    fi
    results+=("$(printf '%-28s %5ss  %s' "$name" "$secs" "$verdict")")
}

# why NAME: the lines of a failed step's output that say what failed (pytest's
# FAILED/ERROR lines, the bench's and the topology's FAILED checks, errors), at most 20;
# else its last 10 lines.
why() {
    local log found
    log="$(step_log "$1")"
    [ -f "$log" ] || return 0
    found="$(grep -E '^(FAILED|ERROR) |FAILED|[Ee]rror[: ]|Traceback|^E  ' "$log" | tail -n 20 || true)"
    if [ -z "$found" ]; then
        found="$(tail -n 10 "$log")"
    fi
    printf '%s\n' "$found" | sed 's/^/      /'
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
# makemigrations and mypy (django-stubs; in a lane below) import the settings outside
# pytest, where TESTING=1 is refused unless DEBUG is on (lpse_support/settings.py).
# The import contracts (.importlinter; its contract type is scripts/importlayers.py).
step "lint-imports" env PYTHONPATH=scripts lint-imports
step "makemigrations --check" env DEBUG=1 python manage.py makemigrations --check --dry-run

# The SQLite pass (-m "not browser"). lib/ may not import Django (the lib-pure contract
# in .importlinter): its tests cannot differ between databases, so with DB=all they run
# once, in the PostgreSQL pass; DB=sqlite alone runs them here.
sqlite_pass() {
    local sqlite_only=()
    if [ "$DB" = all ]; then
        sqlite_only=(--ignore=lib/tests)
    fi
    (
        export VAR_DIR="$WORK/sqlite/var"
        mkdir -p "$VAR_DIR"
        run_pytest -m "not browser" "${sqlite_only[@]}"
    )
}

# postgres_pass SHARD: one shard of the PostgreSQL pass (testsupport/shards.py) on a
# throwaway cluster of its own, with a VAR_DIR of its own; the cluster is stopped after.
postgres_pass() {
    local shard="$1" dir status=0
    dir="$(scripts/pg-throwaway.sh start)" || return 1
    echo "$dir" >>"$CLUSTERS"
    (
        # shellcheck source=/dev/null
        . "$dir/env"
        export VAR_DIR="$WORK/postgres-$shard/var"
        mkdir -p "$VAR_DIR"
        run_pytest --shard "$shard"
    ) || status=$?
    scripts/pg-throwaway.sh stop "$dir" || true
    return "$status"
}

# The smoke's data set (1,000 tickets) is generated once, into $WORK/dataset, and the
# topology restores its dump.
bench_smoke() { python scripts/bench.py --smoke --smoke-cache "$WORK/dataset"; }
topology_short() { python scripts/topology.py --short --short-cache "$WORK/dataset"; }

# Lanes. With DB=all the work runs in two lanes at once, one per core (the machine is
# then busy: measured, a third lane made the whole run longer, 1,877 s against 1,780 s):
#   foreground:  pytest (PostgreSQL, shard 1)
#   lane 2:      mypy, pytest (SQLite), the bench smoke, the topology, then
#                pytest (PostgreSQL, shard 2) on a cluster of its own
# Shard 2 (testsupport/shards.py) is the few tests that start PostgreSQL clusters of
# their own (backups, restores, replicas): they wait on those programs most of the time,
# and moving them evens out the two lanes, which otherwise ended some 220 s apart with
# one core idle. A lane's output is printed when the foreground is done; its steps'
# verdicts join the summary.
#
# lane_step NAME COMMAND...: step() inside a lane; its verdict goes to the lane's file.
lane_step() {
    local name="$1" start status=0
    shift
    echo
    echo "==> $name: $*"
    start=$SECONDS
    run_logged "$name" "$@" || status=$?
    echo "$status $((SECONDS - start)) $name" >>"$LANE_DIR/results"
}
# lane NAME STEP_NAME COMMAND [STEP_NAME COMMAND]...: run the steps one after another in
# the background (each COMMAND one word: a function of this script).
lane() {
    local name="$1"
    shift
    mkdir -p "$WORK/lanes/$name"
    (
        LANE_DIR="$WORK/lanes/$name"
        : >"$LANE_DIR/results"
        while [ $# -ge 2 ]; do
            lane_step "$1" "$2"
            shift 2
        done
    ) >"$WORK/lanes/$name/output" 2>&1 &
    LANE_PIDS+=($!)
    LANE_NAMES+=("$name")
}
LANE_NAMES=()
# lanes_join: wait for every lane, print its output, record its steps' verdicts.
lanes_join() {
    local i name status secs step
    for i in "${!LANE_PIDS[@]}"; do
        wait "${LANE_PIDS[$i]}" || true
    done
    for name in "${LANE_NAMES[@]}"; do
        echo
        echo "==> lane $name (ran beside the foreground):"
        cat "$WORK/lanes/$name/output"
    done
    for name in "${LANE_NAMES[@]}"; do
        while read -r status secs step; do
            record "$step" "$status" "$secs"
        done <"$WORK/lanes/$name/results"
    done
    LANE_PIDS=()
}

mypy_check() { env DEBUG=1 mypy .; }
postgres_shard_2() { postgres_pass 2; }

case "$DB" in
    all)
        echo
        echo "==> in two lanes at once: [pytest (PostgreSQL, shard 1)] and [mypy, pytest (SQLite),"
        echo "    bench smoke, topology short, pytest (PostgreSQL, shard 2)], whose output follows"
        lane 2 "mypy" mypy_check "pytest (SQLite)" sqlite_pass "bench smoke" bench_smoke \
            "topology short" topology_short "pytest (PostgreSQL, shard 2)" postgres_shard_2
        step "pytest (PostgreSQL, shard 1)" postgres_pass 1
        lanes_join
        ;;
    postgres)
        # The two shards at once, then the load benchmark end to end, small (its own
        # durable PostgreSQL, gunicorn and locust; fails on any failed request or memory
        # probe; a production-like environment, no TESTING), then the production shape on
        # loopback (nginx, two app servers, primary + replica, Redis, moto S3, workers), a
        # few seconds of load and of each fault; fails if an invariant breaks.
        lane 2 "mypy" mypy_check "pytest (PostgreSQL, shard 2)" postgres_shard_2
        step "pytest (PostgreSQL, shard 1)" postgres_pass 1
        lanes_join
        step "bench smoke" bench_smoke
        step "topology short" topology_short
        ;;
    sqlite)
        step "mypy" mypy_check
        step "pytest (SQLite)" sqlite_pass
        ;;
esac

echo
echo "==> summary (DB=$DB${PYTEST_ARGS:+, PYTEST_ARGS=$PYTEST_ARGS})"
printf '    %s\n' "${results[@]}"
for name in "${reasons[@]}"; do
    echo
    echo "==> why $name failed (its output is above):"
    why "$name"
done
exit "$failed"
