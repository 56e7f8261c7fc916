"""The cost of one FFI round trip from Python (not a test: prints figures).

    cargo xtask bindings --release && python3 bindings/tests/python/bench_ffi.py
"""

import os
import pathlib
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, os.environ.get("PHANANH_PY_BINDINGS", str(ROOT / "target" / "bindings" / "python")))
import phananh_core as model
import phananh_ffi as pa  # noqa: E402


class Secrets(pa.SecretStore):
    def get(self, key):
        return None

    def set(self, key, value):
        pass

    def remove(self, key):
        pass


def per_call(fn, n):
    for _ in range(min(n, 1000)):
        fn()
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n * 1e6


app = pa.PhanAnh(
    model.Config(data_dir=tempfile.mkdtemp(), default_server_url="http://127.0.0.1:9", device_locale="vi-VN"), Secrets()
)
draft = app.create_draft(model.DraftFields(description="Ổ gà lớn giữa đường liên xã"))
print(f"python {sys.version.split()[0]}, library {pa.core_version()}")
print(f"language()            {per_call(app.language, 200_000):7.2f} µs/call (no arguments, an enum back)")
print(f"core_version()        {per_call(pa.core_version, 200_000):7.2f} µs/call (a string back)")
print(f"get_report(id)        {per_call(lambda: app.get_report(draft.id), 20_000):7.2f} µs/call (SQLite read, a full record back)")
print(f"list_reports(limit=1) {per_call(lambda: app.list_reports(model.ListFilter(limit=1)), 20_000):7.2f} µs/call")
