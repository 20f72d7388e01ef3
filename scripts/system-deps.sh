#!/usr/bin/env bash
# Make sure the Debian packages that a task needs are installed.
#
#   scripts/system-deps.sh NEED...      NEED: venv | chromium | postgresql | nginx | redis
#
# As root the missing packages are installed (one `apt-get update`, then one
# `apt-get install -y`). As a normal user the exact command is printed and the
# script exits non-zero. Nothing is done when everything is present.
# Recommended packages are skipped (Chromium's pull in printing and desktop
# services); fonts-liberation is named instead so pages render real text.
# PYTHON (default python3) is the interpreter that will create the virtualenv.
set -euo pipefail

PYTHON="${PYTHON:-python3}"

pkg_installed() {
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = "installed" ]
}

pg_bindir() {
    # Newest installed server version; /usr/local/bin/{initdb,pg_ctl} are not trusted.
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true
}

missing=()
add() {
    local pkg
    for pkg in "$@"; do
        case " ${missing[*]-} " in
            *" $pkg "*) ;;
            *) missing+=("$pkg") ;;
        esac
    done
}

for need in "$@"; do
    case "$need" in
        venv)
            py="$(command -v "$PYTHON" || true)"
            if [ -z "$py" ]; then
                add python3 python3-venv
            elif command -v dpkg >/dev/null 2>&1 \
                && dpkg -S "$(readlink -f "$py")" >/dev/null 2>&1 \
                && ! pkg_installed python3-venv; then
                # Debian's own python3 has no ensurepip without python3-venv.
                add python3-venv
            fi
            ;;
        chromium)
            if [ ! -x /usr/bin/chromium ] && ! command -v chromium >/dev/null 2>&1; then
                add chromium fonts-liberation
            fi
            ;;
        postgresql)
            bindir="$(pg_bindir)"
            if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ] || [ ! -x "$bindir/pg_ctl" ]; then
                add postgresql
            fi
            ;;
        nginx)
            # The proxy of `make topology`, and openssl for its self-signed certificate.
            if [ ! -x /usr/sbin/nginx ] && ! command -v nginx >/dev/null 2>&1; then
                add nginx
            fi
            command -v openssl >/dev/null 2>&1 || add openssl
            ;;
        redis)
            # The shared cache's tests start their own redis-server (testsupport/redis.py).
            if ! command -v redis-server >/dev/null 2>&1; then
                add redis-server
            fi
            ;;
        *)
            echo "system-deps: unknown need '$need' (venv, chromium, postgresql, nginx, redis)" >&2
            exit 2
            ;;
    esac
done

if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "Missing system packages: ${missing[*]} (Debian package names; install the equivalents)." >&2
    exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
    {
        echo "Missing Debian packages: ${missing[*]}"
        echo "Install them as root, then run make again:"
        echo "    sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    } >&2
    exit 1
fi

echo "==> Installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}" </dev/null
