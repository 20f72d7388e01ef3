"""Run the simulator: ``python -m simulator --port 8001 --app-url http://127.0.0.1:8000``."""

import argparse
import os
import signal
import sys
from pathlib import Path
from types import FrameType

from lib.devkeys import generate_dev_keys


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m simulator", description="Simulator of SPSE, SiRUP and Inaproc."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001, help="0 picks a free port")
    parser.add_argument("--app-url", default="http://127.0.0.1:8000", help="LPSE Support URL")
    parser.add_argument(
        "--keys", default="var/dev-keys.json", help="development keys file (created if missing)"
    )
    parser.add_argument("--quiet", action="store_true", help="do not log every request")
    return parser.parse_args(argv)


def _stop(signum: int, frame: FrameType | None) -> None:
    # SIGTERM ends the server the same way Ctrl-C does.
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Configure the simulator from the command line and serve it until stopped."""
    args = parse_args(argv)
    keys_file = Path(args.keys).resolve()
    generate_dev_keys(keys_file)

    # Set before Django reads its settings; a DJANGO_SETTINGS_MODULE inherited from the
    # app's environment must not win.
    os.environ["DJANGO_SETTINGS_MODULE"] = "simulator.settings"
    os.environ["SIMULATOR_APP_URL"] = args.app_url
    os.environ["SIMULATOR_KEYS_FILE"] = str(keys_file)
    hosts = os.environ.get("SIMULATOR_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
    host_name = f"[{args.host}]" if ":" in args.host else args.host
    os.environ["SIMULATOR_ALLOWED_HOSTS"] = f"{hosts},{host_name}"
    if args.quiet:
        os.environ["SIMULATOR_LOG_LEVEL"] = "WARNING"

    import django
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    django.setup()
    server = ThreadedWSGIServer((args.host, args.port), WSGIRequestHandler, ipv6=":" in args.host)
    server.set_app(get_wsgi_application())
    port = server.server_address[1]
    signal.signal(signal.SIGTERM, _stop)
    # One line, flushed: scripts and the test fixture read the URL (and port) from it.
    print(f"Simulator SPSE/SiRUP/Inaproc: http://{host_name}:{port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
