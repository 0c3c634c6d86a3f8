"""A real ClamAV daemon for the tests: one test signature, nothing downloaded.

The session fixture `clamd_socket` (the socket's path) is offered to every dossier test by conftest.py,
or start a daemon of your own with `Clamd(directory).start()` to stop it during a test.
"""

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

MARKER = b"SEJOUR-TEST-VIRUS-MARKER"
# clamd reports signatures that are not from its official database with this suffix.
SIGNATURE = "SejourTest.Marker.UNOFFICIAL"
START_TIMEOUT_SECONDS = 60


class Clamd:
    """A clamd process with its own database, socket and log in `directory`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.socket = directory / "clamd.sock"
        self.log = directory / "clamd.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.started_in: float | None = None

    def start(self) -> "Clamd":
        (self.directory / "sejour-test.ndb").write_text(f"SejourTest.Marker:0:*:{MARKER.hex()}\n")
        config = self.directory / "clamd.conf"
        # Foreground, so this process is our own child: stopping it is terminate() and wait().
        config.write_text(
            f"DatabaseDirectory {self.directory}\n"
            f"LocalSocket {self.socket}\n"
            f"PidFile {self.directory / 'clamd.pid'}\n"
            f"LogFile {self.log}\n"
            "User root\n"
            "Foreground yes\n"
        )
        began = time.monotonic()
        self.process = subprocess.Popen(
            [clamd_binary(), "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() - began > START_TIMEOUT_SECONDS:
                self.stop()
                raise RuntimeError(f"clamd did not start:\n{self.log.read_text(errors='replace')}")
            time.sleep(0.05)
        self.started_in = time.monotonic() - began
        return self

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def answers(self) -> bool:
        """PING answered by PONG, asked without the code under test."""
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
                connection.settimeout(2)
                connection.connect(str(self.socket))
                connection.sendall(b"zPING\0")
                return connection.recv(16).startswith(b"PONG")
        except OSError:
            return False


def clamd_binary() -> str:
    """Debian's clamd, installed with apt-get when missing (the tests run as root here)."""
    found = shutil.which("clamd") or shutil.which("clamd", path="/usr/sbin:/usr/bin")
    if found:
        return found
    apt_get = shutil.which("apt-get")
    if apt_get is None:
        pytest.fail("clamd is missing and apt-get is not there to install clamav-daemon")
    sudo = [] if os.geteuid() == 0 else [shutil.which("sudo") or "/usr/bin/sudo"]
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, apt_get, "update", "-qq"], check=True, env=environment)
    subprocess.run(
        [*sudo, apt_get, "install", "-y", "-qq", "clamav-daemon"], check=True, env=environment
    )
    found = shutil.which("clamd", path="/usr/sbin:/usr/bin")
    if found is None:
        pytest.fail("clamav-daemon was installed but clamd is not in /usr/sbin or /usr/bin")
    return found


@pytest.fixture(scope="session")
def clamd_socket(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The socket of a clamd that runs for the whole session."""
    daemon = Clamd(tmp_path_factory.mktemp("clamd")).start()
    try:
        yield str(daemon.socket)
    finally:
        daemon.stop()
