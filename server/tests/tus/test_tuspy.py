"""The official Python tus client (tuspy) against phananh-server: an upload
interrupted part-way and resumed by a new uploader, as a phone would after
the app is killed. Run by `cargo xtask ci` (see xtask) with pytest."""

import hashlib
import os
import re
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest
import requests
from tusclient import client as tus

ROOT = Path(__file__).resolve().parents[3]
PHOTO = ROOT / "testdata" / "photos" / "real" / "DSCN0010.jpg"


@pytest.fixture(scope="module")
def server():
    binary = os.environ.get("PHANANH_SERVER_BIN", str(ROOT / "target" / "debug" / "phananh-server"))
    data = tempfile.mkdtemp(prefix="phananh-tus-")
    proc = subprocess.Popen(
        [binary, "serve", "--demo", "--data", data, "--listen", "127.0.0.1:0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    base = None
    for line in proc.stdout:
        m = re.search(r"listening on (http://\S+)", line)
        if m:
            base = m.group(1)
            break
    assert base, "the server did not start"
    yield base
    proc.terminate()
    proc.wait(timeout=10)


def new_report(base, photo_bytes):
    token = requests.post(f"{base}/api/v1/devices").json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    report_id, photo_id = str(uuid.uuid4()), str(uuid.uuid4())
    body = {
        "category": "o_ga",
        "description": "Ổ gà lớn giữa đường liên xã, xe máy dễ ngã",
        "lat": 18.9,
        "lon": 105.3,
        "photos": [{"id": photo_id, "sha256": hashlib.sha256(photo_bytes).hexdigest(), "bytes": len(photo_bytes)}],
    }
    r = requests.put(f"{base}/api/v1/reports/{report_id}", json=body, headers=auth)
    assert r.status_code == 201, r.text
    return auth, report_id, photo_id


def test_interrupted_upload_resumes_with_tuspy(server):
    photo = PHOTO.read_bytes()
    auth, report_id, photo_id = new_report(server, photo)
    headers = dict(auth, **{"Idempotency-Key": photo_id})
    client = tus.TusClient(f"{server}/api/v1/reports/{report_id}/photos", headers=headers)
    metadata = {"photo_id": photo_id, "sha256": hashlib.sha256(photo).hexdigest()}

    first = client.uploader(str(PHOTO), chunk_size=16 * 1024, metadata=metadata, upload_checksum=True)
    first.upload(stop_at=len(photo) * 6 // 10)  # the link drops at ~60 %
    url = first.url
    assert 0 < first.offset < len(photo)

    # A new uploader (the app restarted) asks the server where it got to.
    resumed = client.uploader(str(PHOTO), url=url, chunk_size=64 * 1024, metadata=metadata, upload_checksum=True)
    assert resumed.get_offset() == first.offset
    resumed.upload()
    assert resumed.offset == len(photo)

    status = requests.get(f"{server}/api/v1/reports/{report_id}", headers=auth).json()
    assert status["photos_received"] == 1
    served = requests.get(f"{server}/r/{status['tracking_code']}/photo/0").content
    # Published without its metadata (this photo's EXIF carries GPS): the
    # image data from the last start-of-scan to the end is the very same,
    # and no EXIF is left in front of it.
    sos = b"\xff\xda"
    assert served[served.rindex(sos):] == photo[photo.rindex(sos):photo.rindex(b"\xff\xd9") + 2]
    assert b"Exif" not in served and b"GPS" not in served


def test_creation_replay_gives_the_same_location(server):
    photo = PHOTO.read_bytes()
    auth, report_id, photo_id = new_report(server, photo)
    client = tus.TusClient(f"{server}/api/v1/reports/{report_id}/photos", headers=dict(auth, **{"Idempotency-Key": photo_id}))
    metadata = {"photo_id": photo_id, "sha256": hashlib.sha256(photo).hexdigest()}
    a = client.uploader(str(PHOTO), metadata=metadata).create_url()
    b = client.uploader(str(PHOTO), metadata=metadata).create_url()
    assert a == b
