#!/usr/bin/env bash
# How server/tests/data/release-schema-2/ was made: the server and CLI of the
# release before the government's half (commit 0d71200, server schema 2),
# run as a district would run them, then stopped cleanly. Kept so the
# migration test upgrades a data directory written by real released code,
# not one rebuilt from today's schema steps.
#
#   git worktree add /tmp/oldrel 0d71200
#   (cd /tmp/oldrel && CARGO_TARGET_DIR=/tmp/oldtarget cargo build -p phananh-server -p phananh-cli)
#   OLD=/tmp/oldtarget/debug bash server/tests/data/make-release-data.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
photos="$here/../../../testdata/photos/real"
work=$(mktemp -d)
out="$here/release-schema-2"
"$OLD/phananh-server" serve --demo --listen 127.0.0.1:18080 --data "$work/server" > "$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q "staff dashboard" "$work/server.log" && break; sleep 0.2; done
staff=$(sed -n 's/^demo staff account: \([^ ]*\) \/ \(.*\)$/\1 \2/p' "$work/server.log")
cli() { "$OLD/phananh" --home "$work/phone" --lang vi --server http://127.0.0.1:18080 "$@"; }
report() {
  id=$(cli draft new --category "$1" --description "$2" --lat "$3" --lon "$4" --name "Nguyễn Văn An" --phone 0912345678 | tail -1)
  if [ -n "${5:-}" ]; then cli draft attach "$id" "$photos/$5" > /dev/null; fi
  cli submit "$id" > /dev/null
}
report den_duong "Đèn đường trước nhà văn hoá xóm 3 tắt cả tuần nay" 18.82 105.355 DSCN0010.jpg
report o_ga "Ổ gà lớn giữa đường liên xã, xe máy đã ngã hai lần" 19.04 105.16
report rac_thai "Rác đổ trộm bên bờ kênh gần cầu" 18.92 105.31
cli sync --quiet
codes=$(cli --json reports | grep -o 'DL-[A-Z0-9]*' | sort -u)
set -- $staff
session=$(curl -s -X POST http://127.0.0.1:18080/api/v1/staff/login -H 'Content-Type: application/json' \
  -d "{\"name\":\"$1\",\"password\":\"$2\"}")
token=$(echo "$session" | sed 's/.*"token":"\([^"]*\)".*/\1/')
first=$(echo "$codes" | sed -n 1p); second=$(echo "$codes" | sed -n 2p)
curl -sf -X POST "http://127.0.0.1:18080/api/v1/staff/reports/$first/status" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' -d '{"status":"in_progress","reply":"Đã giao xã kiểm tra."}' > /dev/null
curl -sf -X POST "http://127.0.0.1:18080/api/v1/staff/reports/$second/status" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' -d '{"status":"resolved","reply":"Đã vá xong."}' > /dev/null
cli sync --quiet
kill -TERM $server; wait $server || true
trap - EXIT
rm -rf "$out" && mkdir -p "$out"
cp -r "$work/server/." "$out/"
rm -f "$out"/*.sqlite3-wal "$out"/*.sqlite3-shm
echo "$staff" > "$out/STAFF"
echo "$codes" > "$out/CODES"
echo "written $out"
