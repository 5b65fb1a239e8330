#!/usr/bin/env bash
# The Classroom conformance test, as ctest runs it (label unit):
#   tests/conformance/run.sh PATH/TO/fake-classroom
# Installs the pinned npm packages (npm ci, into tests/conformance/node_modules, only when
# package-lock.json changed since the last install), starts the fake on fixture.json with a
# fresh key, and runs conformance.js with Google's own Node client against it.
# Exit 0: every check passed. 1: a mismatch (or the fake would not start). 77 (ctest's
# SKIP_RETURN_CODE): the test could not run here, because node or npm is missing or the npm
# registry cannot be reached; the reason is printed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
fake=${1:?usage: run.sh PATH/TO/fake-classroom}
skip=77
subject=iesync-reader@school.example

for tool in node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIPPED: $tool is not installed (scripts/install-deps.sh installs nodejs and npm)"
    exit $skip
  fi
done

# npm ci wipes node_modules and installs exactly package-lock.json; a stamp of the lock file
# spares the download when nothing changed.
stamp="$here/node_modules/.iesync-lock.sha256"
want=$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  log=$(mktemp)
  rc=0
  (cd "$here" && timeout 300 npm ci --prefer-offline --no-audit --no-fund \
     --fetch-retries=1 --fetch-timeout=30000) >"$log" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    # A registry that cannot be reached (refused, unknown host, timed out, or npm cut off by
    # the timeout) is no mismatch: say so and skip, never pass or fail.
    if [ "$rc" -eq 124 ] ||
       grep -qiE 'E(NOTFOUND|AI_AGAIN|CONNREFUSED|CONNRESET|TIMEDOUT|NETUNREACH|HOSTUNREACH)|network|socket hang up|timed out' "$log"; then
      echo "SKIPPED: the npm registry could not be reached, so Google's Node client could not be installed"
      grep -m 3 -iE '(error|ERR!) (code|errno|request to|network)' "$log" || tail -n 3 "$log"
      rm -f "$log"
      exit $skip
    fi
    echo "npm ci failed:" >&2
    cat "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
  echo "$want" >"$stamp"
fi

work=$(mktemp -d)
fake_pid=
cleanup() {
  if [ -n "$fake_pid" ]; then kill "$fake_pid" 2>/dev/null || true; wait "$fake_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# A key file as the Cloud console hands it out (token_uri is Google's; the library ignores it).
"$fake" --write-key "$work" --token-uri https://oauth2.googleapis.com/token >/dev/null
# Pages of 2, so every list is read across pages as a program must.
"$fake" --port 0 --fixture "$here/fixture.json" --public-key "$work/public-key.pem" \
  --page-size 2 --impersonate "$subject" >"$work/fake.log" 2>&1 &
fake_pid=$!
base=
for _ in $(seq 100); do
  base=$(sed -n 's/^fake-classroom listening on \(http:[^ ]*\) .*/\1/p' "$work/fake.log")
  [ -n "$base" ] && break
  if ! kill -0 "$fake_pid" 2>/dev/null; then
    echo "the Classroom fake did not start:" >&2
    cat "$work/fake.log" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$base" ]; then
  echo "the Classroom fake did not say where it listens" >&2
  exit 1
fi

echo "Google's client: $(cd "$here" && node -p "'@googleapis/classroom ' + require('@googleapis/classroom/package.json').version + ', google-auth-library ' + require('google-auth-library/package.json').version"), node $(node --version)"
node "$here/conformance.js" --base-url "$base" --token-uri "$base/token" \
  --key-file "$work/service-account.json" --subject "$subject"
