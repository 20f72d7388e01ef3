"""Free ports below the kernel's ephemeral range, never twice, held until released."""

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lib import ports

ROOT = Path(__file__).resolve().parents[2]


def binds(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((ports.HOST, port))
        except OSError:
            return False
        return True


def test_a_port_is_below_the_ephemeral_range_and_free() -> None:
    floor = ports.ephemeral_floor()
    port = ports.free_port()
    assert 1024 <= port < floor
    assert binds(port)


def test_a_process_never_gets_the_same_port_twice() -> None:
    picked = [ports.free_port() for _ in range(300)]
    assert len(set(picked)) == len(picked)


def test_a_held_port_is_taken_until_released() -> None:
    hold = ports.PortHold()
    assert not binds(hold.port)
    assert hold.release() == hold.port
    assert binds(hold.port)
    assert hold.release() == hold.port  # twice is harmless


class Scripted:
    """The random pick, scripted: the ports to try, in order."""

    def __init__(self, sequence: list[int]) -> None:
        self.sequence: Iterator[int] = iter(sequence)

    def randint(self, _low: int, _high: int) -> int:
        return next(self.sequence)


def test_a_taken_port_and_one_given_before_are_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as taken:
        taken.bind((ports.HOST, 0))
        taken_port = taken.getsockname()[1]
        given = ports.free_port()
        free = next(p for p in range(25_000, 30_000) if p not in ports._given and binds(p))
        monkeypatch.setattr(ports, "_pick", Scripted([taken_port, given, free]))
        assert ports.free_port(floor=65_000) == free


def test_too_low_a_range_falls_back_to_the_kernel_s_pick() -> None:
    # An ephemeral range that starts at 1500 leaves no room below it above 1024.
    port = ports.free_port(floor=1500)
    assert port > 0 and binds(port)


def test_the_range_is_read_from_the_kernel_or_assumed(tmp_path: Path) -> None:
    range_file = tmp_path / "ip_local_port_range"
    range_file.write_text("40000\t60999\n", encoding="ascii")
    assert ports.ephemeral_floor(range_file) == 40000
    range_file.write_text("", encoding="ascii")
    assert ports.ephemeral_floor(range_file) == 32768
    assert ports.ephemeral_floor(tmp_path / "missing") == 32768


def test_as_a_script_it_prints_one_port() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "lib" / "ports.py")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert 1024 <= int(out) < ports.ephemeral_floor()
