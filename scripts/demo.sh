#!/usr/bin/env bash
# Installs, builds and runs the iesync service on the bundled demo school: a synthetic school of
# 150 students with a week of IE bookings (this week's, so "today" has someone in the room).
# The local Google Classroom fake starts beside it; marks go to the demo's MIS drop folder.
# Open the dashboard address it prints; Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# The same flags as scripts/test.sh, so the two commands share build/.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG"
cmake --build build -j "$(nproc)" --target iesync fake-classroom generate-school

demo=examples/demo
var=$demo/var
port=${IESYNC_DEMO_PORT:-8470}
classroom_port=${IESYNC_DEMO_CLASSROOM_PORT:-8471}
rm -rf "$var"
mkdir -p "$var/exports" "$var/mis-imports" "$var/log" "$var/classroom"
chmod 750 "$var"

# This week's school: the same synthetic students, bookings for the Monday..Friday of today's
# week, and the Classroom courses, work and hand-ins that go with them.
today=$(date +%F)
build/generate-school --students 150 --seed 1 --start "$today" --format xml --out "$var/exports" \
  --classroom-fixture "$var/classroom/fixture.json" >/dev/null
# Exports written in the last 30 s are left for the next cycle (the MIS may still be writing
# them); these are complete, so age them as a real drop would be.
touch -d '-5 minutes' "$var"/exports/*

# The fake Classroom and the service-account key iesync signs its token requests with.
build/tests/fake-classroom --write-key "$var/classroom" --token-uri "http://127.0.0.1:$classroom_port/token" >/dev/null
build/tests/fake-classroom --port "$classroom_port" --fixture "$var/classroom/fixture.json" \
  --public-key "$var/classroom/public-key.pem" --token-uri "http://127.0.0.1:$classroom_port/token" \
  --impersonate iesync-reader@demo.example.sch.uk >"$var/log/fake-classroom.log" 2>&1 &
fake_pid=$!
trap 'kill $fake_pid 2>/dev/null || true' EXIT
# Wait until it listens: a sync that starts first finds Classroom unreachable and shows every
# lesson's work as "unknown" until the next cycle, 15 minutes later.
for _ in $(seq 100); do
  grep -q "listening on" "$var/log/fake-classroom.log" && break
  if ! kill -0 "$fake_pid" 2>/dev/null; then cat "$var/log/fake-classroom.log" >&2; exit 1; fi
  sleep 0.1
done

# A local mail server for the teachers' chase emails and the behaviour lead's digest: every
# message it accepts lands in $var/mail as an .eml file.
mkdir -p "$var/mail"
/usr/bin/python3 tests/fakes/smtp/smtp_server.py --dir "$var/mail" --port-file "$var/mail/port" \
  >"$var/log/fake-smtp.log" 2>&1 &
smtp_pid=$!
trap 'kill $fake_pid $smtp_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  [ -s "$var/mail/port" ] && break
  if ! kill -0 "$smtp_pid" 2>/dev/null; then cat "$var/log/fake-smtp.log" >&2; exit 1; fi
  sleep 0.1
done
smtp_port=$(cat "$var/mail/port")

# The demo config, pointed at this run's folders and the fakes.
sed -e 's#^mapping = "mapping.toml"#mapping = "../mapping.toml"#' \
    -e 's#^path = "var/iesync.db"#path = "iesync.db"#' \
    -e 's#^export_dir = "exports".*#export_dir = "exports"#' \
    -e 's#^enabled = false#enabled = true#' \
    -e "s#^api_base = \"https://classroom.googleapis.com\"#api_base = \"http://127.0.0.1:$classroom_port\"\\nkey_file = \"classroom/service-account.json\"\\nimpersonate = \"iesync-reader@demo.example.sch.uk\"#" \
    -e "s#^token_uri = \"https://oauth2.googleapis.com/token\"#token_uri = \"http://127.0.0.1:$classroom_port/token\"#" \
    -e 's#^outbox_dir = "var/mis-imports"#outbox_dir = "mis-imports"#' \
    -e "s#^listen = \"127.0.0.1:8470\".*#listen = \"127.0.0.1:$port\"#" \
    -e 's#^dir = "var/log"#dir = "log"#' \
    -e 's|^school_hours = .*|school_hours = "00:00-23:59"   # the demo runs whenever you try it|' \
    -e 's#^days = .*#days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]#' \
    "$demo/iesync.toml" >"$var/iesync.toml"
cat >>"$var/iesync.toml" <<TOML

[notify]
enabled = true
smtp_url = "smtp://127.0.0.1:$smtp_port"
starttls = "none"   # the demo's mail server is on this machine
from = "IE room <ie-room@demo.example.sch.uk>"
behaviour_lead = ["behaviour-lead@demo.example.sch.uk"]
TOML
config=$var/iesync.toml
build/iesync check-config --config "$config"

# The days of this week before today, as if the service had been running all week.
monday=$(date -d "$today -$(( $(date -d "$today" +%u) - 1 )) days" +%F)
day=$monday
while [[ "$day" < "$today" ]]; do
  build/iesync sync --config "$config" --date "$day" >/dev/null || true
  day=$(date -d "$day +1 day" +%F)
done

# On a weekend the week's last school day is the one worth looking at.
show=$today
if [ "$(date -d "$today" +%u)" -gt 5 ]; then show=$(date -d "$monday +4 days" +%F); fi
echo
echo "Dashboard:         http://127.0.0.1:$port/?date=$show"
echo "Status (JSON):     http://127.0.0.1:$port/api/v1/status    metrics: /metrics"
echo "Sync log:          $var/log/sync.log"
echo "Marks for the MIS: $var/mis-imports/"
echo "Emails (chase, digest): $var/mail/   preview: build/iesync notify preview --config $config"
echo "Report:            build/iesync report --config $config --from $monday --to $today --out $var/report.html"
echo "Stop with Ctrl-C."
echo
build/iesync run --config "$config"
