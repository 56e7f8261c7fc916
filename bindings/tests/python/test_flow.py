"""The whole flow through the generated Python bindings, against the real
compiled library and a real server: draft, photo, a typed validation error
in Vietnamese, submit, sync, tracking code, a staff reply, sync again."""

import asyncio
import json
import tempfile
import time
import urllib.request

import pytest

from conftest import PHOTOS

import phananh_core as model
import phananh_ffi as pa


class Secrets(pa.SecretStore):
    def __init__(self):
        self.values = {}

    def get(self, key):
        return self.values.get(key)

    def set(self, key, value):
        self.values[key] = value

    def remove(self, key):
        self.values.pop(key, None)


class Events(pa.SyncListener):
    def __init__(self):
        self.events = []

    def on_event(self, event):
        self.events.append(event)


def open_app(server, language=model.Language.VI):
    locale = "vi-VN" if language == model.Language.VI else "en-US"
    config = model.Config(data_dir=tempfile.mkdtemp(prefix="phananh-py-"), default_server_url=server["url"], device_locale=locale)
    return pa.PhanAnh(config, Secrets())


def staff_reply(server, code, status, reply):
    def call(path, body, token=None):
        req = urllib.request.Request(server["url"] + path, data=json.dumps(body).encode(), method="POST")
        req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(req) as r:
            return json.loads(r.read() or b"{}")

    name, password = server["staff"]
    token = call("/api/v1/staff/login", {"name": name, "password": password})["token"]
    call(f"/api/v1/staff/reports/{code}/status", {"status": status, "reply": reply}, token)


def test_the_whole_flow(server):
    app = open_app(server)
    assert app.categories() == []
    assert asyncio.run(app.refresh_categories())
    names = {c.code: c.name for c in app.categories()}
    assert names["o_ga"] == "Ổ gà, hư hỏng mặt đường"

    draft = app.create_draft(model.DraftFields(description="Ổ gà"))
    assert draft.state == model.ReportState.DRAFT and draft.editable
    with pytest.raises(pa.PhanAnhError.Validation) as err:
        app.submit(draft.id)
    assert err.value.field in ("category", "description", "location")
    assert "Mô tả" in err.value.detail or "Loại" in err.value.detail, err.value.detail

    report = app.update_draft(
        draft.id,
        model.DraftFields(
            category="o_ga",
            description="Ổ gà lớn giữa đường liên xã, xe máy đã ngã",
            location=model.Location(lat=18.9, lon=105.3, accuracy_m=6.0),
            reporter_phone="0912 345 678",
        ),
    )
    assert report.category_name == "Ổ gà, hư hỏng mặt đường"
    attached = app.attach_photo_path(draft.id, str(PHOTOS / "HMD_Nokia_8.3_5G.jpg"))
    assert 20_000 < attached.photo.bytes < 2_000_000
    assert attached.photo.size_label.endswith("KB")
    gps = attached.suggestion.location
    assert gps is not None and abs(gps.lat - 60.1467) < 0.001, "the photo's GPS, only as a suggestion"

    queued = app.submit(draft.id)
    assert queued.state == model.ReportState.QUEUED
    assert queued.reporter_phone == "+84912345678"
    summary = asyncio.run(app.sync_once())
    assert (summary.sent, summary.photos_sent, summary.waiting) == (1, 1, 0)
    sent = app.get_report(draft.id)
    assert sent.state == model.ReportState.SENT
    assert sent.tracking_code.startswith("DL-")
    assert sent.status_label == "Đã tiếp nhận"

    staff_reply(server, sent.tracking_code, "in_progress", "Tổ công tác sẽ vá trong tuần.")
    summary = asyncio.run(app.sync_once())
    assert summary.changes == 1
    updated = app.get_report(draft.id)
    assert updated.status == model.DistrictStatus.IN_PROGRESS
    assert updated.status_label == "Đang xử lý"
    assert updated.history[-1].reply == "Tổ công tác sẽ vá trong tuần."
    row = app.list_reports(model.ListFilter(search="o ga lon")).items[0]
    assert row.last_reply == "Tổ công tác sẽ vá trong tuần."

    hints = asyncio.run(app.nearby(18.9, 105.3, None))
    assert hints.reports[0].tracking_code == sent.tracking_code

    # The answer, the rating, and a neighbour who follows: through the FFI.
    staff_reply(server, sent.tracking_code, "resolved", "Đã vá xong.")
    asyncio.run(app.sync_once())
    told = app.take_notifications()
    assert [n.title for n in told] == [f"Phản ánh {sent.tracking_code}: Đã giải quyết"]
    assert told[0].report_id == draft.id and told[0].body == "Đã vá xong."
    answered = app.get_report(draft.id)
    assert answered.can_rate and answered.can_reopen
    rated = app.rate(draft.id, model.RatingScore.SATISFIED, "Nhanh", False)
    assert rated.rating_line == "Đánh giá của bạn: Hài lòng · đang chờ gửi"
    asyncio.run(app.sync_once())
    assert app.get_report(draft.id).rating_line == "Đánh giá của bạn: Hài lòng · đã gửi"
    with pytest.raises(pa.PhanAnhError.Validation) as err:
        app.rate(draft.id, model.RatingScore.NOT_SATISFIED, None, False)
    assert err.value.field == "already_rated"
    neighbour = open_app(server)
    followed = neighbour.follow(sent.tracking_code.lower(), True, [])
    assert followed.tracking_code == sent.tracking_code and followed.me_too
    asyncio.run(neighbour.sync_once())
    following = neighbour.following()
    assert following[0].status == model.DistrictStatus.RESOLVED
    assert following[0].last_reply == "Đã vá xong."

    app.set_language(model.Language.EN)
    assert app.get_report(draft.id).status_label == "Resolved"


def test_a_long_sync_can_be_cancelled(server):
    app = open_app(server)
    events = Events()
    task = app.start_sync(events)
    draft = app.create_draft(
        model.DraftFields(
            category="rac_thai",
            description="Rác thải đổ trộm bên bờ kênh, bốc mùi",
            location=model.Location(lat=18.91, lon=105.31),
        )
    )
    app.submit(draft.id)
    deadline = time.time() + 20
    while app.get_report(draft.id).state != model.ReportState.SENT:
        assert time.time() < deadline, "the running sync sent the new report"
        time.sleep(0.05)
    assert any(isinstance(e, model.SyncEvent.SENT) for e in events.events)
    task.cancel()
    deadline = time.time() + 5
    while not task.is_stopped():
        assert time.time() < deadline
        time.sleep(0.02)


def test_two_instances_on_two_directories(server):
    a, b = open_app(server), open_app(server, model.Language.EN)
    a.create_draft(model.DraftFields(description="Một"))
    assert len(a.list_reports(model.ListFilter()).items) == 1
    assert b.list_reports(model.ListFilter()).items == []


def test_errors_not_crashes(server):
    app = open_app(server, model.Language.EN)
    with pytest.raises(pa.PhanAnhError.NotFound):
        app.get_report("no-such-report")
    draft = app.create_draft(model.DraftFields())
    with pytest.raises(pa.PhanAnhError.PhotoRejected):
        app.attach_photo_bytes(draft.id, b"not a photo")
    with pytest.raises(pa.PhanAnhError):
        app.attach_photo_path(draft.id, "/nonexistent/photo.jpg")
    with pytest.raises(pa.PhanAnhError.Validation):
        app.update_draft(draft.id, model.DraftFields(location=model.Location(lat=float("nan"), lon=105.0)))
