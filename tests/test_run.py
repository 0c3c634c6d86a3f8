"""`make run`'s three processes: they start, serve, beat, and stop together on Ctrl-C."""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (loopback only)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (loopback only)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def local_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEJOUR_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    port = _free_port()
    env.update(
        SEJOUR_ENV="local",
        SEJOUR_SQLITE_PATH=str(tmp_path / "run.sqlite3"),
        SEJOUR_MEDIA_ROOT=str(tmp_path / "media"),
        SEJOUR_STATIC_ROOT=str(tmp_path / "static"),
        SEJOUR_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        SEJOUR_PROBE_TOKEN="probe-secret",
    )
    for command in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)
    return env, port


def test_web_worker_and_scheduler_start_serve_and_stop_on_ctrl_c(local_env):
    env, port = local_env
    supervisor = subprocess.Popen(
        [str(BIN / "honcho"), "start", "--procfile", "Procfile"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        ready = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            time.sleep(1)
            try:
                status, body = _get(
                    f"http://127.0.0.1:{port}/readyz", {"X-Probe-Token": "probe-secret"}
                )
            except OSError:
                continue
            ready = (status, json.loads(body))
            if status == 200:
                break
        assert ready is not None
        assert ready[0] == 200, ready
        assert ready[1]["checks"]["worker"]["ok"] is True
        status, body = _get(f"http://127.0.0.1:{port}/fr/")
        assert status == 200
        assert "Demander ou renouveler votre titre de séjour" in body.decode()
        assert b"gunicorn" not in body
    finally:
        os.killpg(supervisor.pid, signal.SIGINT)
        output, _ = supervisor.communicate(timeout=30)
    assert supervisor.returncode is not None
    for name in ("web.1", "worker.1", "scheduler.1"):
        assert f"{name} stopped" in output, output[-2000:]
    with pytest.raises(ConnectionRefusedError):  # nothing listens any more
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    with sqlite3.connect(env["SEJOUR_SQLITE_PATH"]) as database:
        assert database.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
