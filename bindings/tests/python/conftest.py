"""A real phananh-server with demo data for the binding tests, and the
generated Python bindings on the path (`cargo xtask bindings` writes them)."""

import os
import pathlib
import socket
import subprocess
import sys
import tempfile
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
BINDINGS = pathlib.Path(os.environ.get("PHANANH_PY_BINDINGS", ROOT / "target" / "bindings" / "python"))
sys.path.insert(0, str(BINDINGS))
PHOTOS = ROOT / "testdata" / "photos" / "real"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server():
    binary = os.environ.get("PHANANH_SERVER_BIN", str(ROOT / "target" / "debug" / "phananh-server"))
    data = tempfile.mkdtemp(prefix="phananh-py-server-")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "serve", "--demo", "--data", data, "--listen", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE,
        text=True,
    )
    password = None
    for line in proc.stdout:
        if line.startswith("demo staff account:"):
            password = line.strip().split(" / ")[-1]
        if line.startswith("staff dashboard:"):
            break
    assert password, "the demo server printed its staff password"
    yield {"url": f"http://127.0.0.1:{port}", "staff": ("admin", password)}
    proc.terminate()
    proc.wait(timeout=20)
