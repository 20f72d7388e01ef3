"""gunicorn settings for LPSE Support's app servers (the benchmark and the topology too).

    gunicorn -c lpse_support/gunicorn_conf.py --bind 127.0.0.1:8000

Options given on the command line win over these. A graceful stop: on SIGTERM gunicorn
stops accepting connections, lets the requests in flight finish (up to
`graceful_timeout` seconds) and exits 0. Connections that arrive meanwhile wait in the
listening socket's queue until the last busy worker exits, and are then reset, never
answered: the proxy in front should send them to another app server
(`proxy_next_upstream error`).

With `PROMETHEUS_MULTIPROC_DIR` set, every worker keeps its metrics in a file of that
folder; a worker that exits is forgotten by the per-process gauges (`child_exit`), and
at start the gauges of processes that no longer run are removed. Counters and
histograms of earlier processes stay: their totals only grow, as Prometheus expects.
"""

import glob
import os
import re
from typing import Any

from prometheus_client import multiprocess

wsgi_app = "lpse_support.wsgi:application"
worker_class = "gthread"
workers = 2 * (os.cpu_count() or 1)
threads = 2
# Long enough for a 50 MB upload or the streamed zip of a ticket's files.
timeout = 120
graceful_timeout = 30
keepalive = 5
accesslog = None
errorlog = "-"
# gunicorn 25+ opens a control socket in the home folder by default: several app servers
# on one machine would share (and take over) that one path, and nothing here uses it.
control_socket_disable = True

_LIVE_GAUGE = re.compile(r"gauge_live[a-z]*_(\d+)\.db$")


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def on_starting(server: Any) -> None:
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder:
        return
    os.makedirs(folder, exist_ok=True)
    for path in glob.glob(os.path.join(folder, "gauge_live*_*.db")):
        match = _LIVE_GAUGE.search(path)
        if match and not _running(int(match.group(1))):
            os.remove(path)


def child_exit(server: Any, worker: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
