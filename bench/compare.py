#!/usr/bin/python3
"""Whole-process comparison for issue 20: `iesync sync` against the floor and a Python baseline.

For each school size it generates a school (generate-school, seed 1, XML) into a temp folder,
ages the exports an hour (the importer leaves files younger than 30 s for the next cycle),
writes a minimal iesync config for it (the five MIS feeds and the demo mapping; Classroom off,
write-back to a file drop folder, no behaviour feed, as the floor has none), and times whole
processes, the median of --runs of each, in the same run:

  (a) fresh      `iesync sync` into a fresh store
  (b) floor      `iesync_floor` (pugixml + one transaction) into a fresh store
  (c) Python     bench/baseline_import.py (xml.etree + sqlite3) into a fresh file
  (d) unchanged  `iesync sync` again on the store left by (a), nothing changed
  (e) re-export  `iesync sync` on a copy of the store left by (a), after
                 `generate-school --edit 0.01` rewrote the exports (1% of every feed changed)

each with its peak RSS (the child's ru_maxrss from os.wait4). Rounds of (a), (b), (c) are
interleaved so a slow spell of a shared machine falls on all three alike. An `iesync sync`
that does not exit 0 stops the script: a failed run is never timed as a fast one.

    /usr/bin/python3 bench/compare.py [--sizes 2000,50000] [--runs 5] [--build build]

Standard library only; run it with Debian's /usr/bin/python3.
"""

import argparse
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3"
EDIT_FRACTION = 0.01
FEEDS = ("students", "staff", "memberships", "timetable", "bookings")

CONFIG = """\
# Written by bench/compare.py for one generated school.
[school]
name = "Compare Academy"
timezone = "Europe/London"
mapping = "mapping.toml"

[store]
path = "var/iesync.db"

[mis]
export_dir = "exports"
format = "xml"
feeds.students = "students.xml"
feeds.staff = "staff.xml"
feeds.memberships = "memberships.xml"
feeds.timetable = "timetable.xml"
feeds.bookings = "ie-bookings.xml"

[classroom]
enabled = false

[writeback]
target = "file"
outbox_dir = "var/outbox"

[log]
dir = "var/log"
level = "info"
"""

# The demo mapping's fields and calendar (examples/demo/mapping.toml), the captions the
# generator writes.
MAPPING = """\
[fields.students]
id = "Adno"
forename = "Forename"
surname = "Legal Surname"
year = "Year"
reg_group = "Reg"
email = "Primary Email"
upn = "UPN"
sen = "SEN Status"
pupil_premium = "Pupil Premium"
gender = "Gender"

[fields.staff]
code = "Staff Code"
name = "Name"
email = "Email"

[fields.memberships]
student_id = "Adno"
class = "Class"
start_date = "Start Date"
end_date = "End Date"

[fields.timetable]
class = "ShortName"
day = "DayName"
start = "StartTime"
end = "EndTime"
room = "Name"
teacher = "Staff Code"

[fields.bookings]
id = "Booking ID"
student_id = "Adno"
date = "Date"
start = "Start"
end = "End"
reason = "Reason"
room = "Room"
status = "Status"

[calendar]
cycle = 2
first_monday = 2026-09-07
day_name = "Day{cycle_day}"
day_aliases = { "Da10" = "Day10" }
am = "08:45-13:10"
pm = "13:10-15:15"

[calendar.periods]
"1" = "08:50-09:50"
"2" = "09:50-10:50"
"3" = "11:10-12:10"
"4" = "12:10-13:10"
"5" = "14:00-15:00"

[codes]
lesson = "/"
session_am = "/"
session_pm = "\\\\"
"""


class Failed(Exception):
    pass


def run(argv, log_path, must_succeed=True):
    """Runs argv as a child; returns (wall seconds, peak RSS in MB, exit code)."""
    with open(log_path, "ab") as log:
        log.write(("$ " + " ".join(argv) + "\n").encode())
        log.flush()
        actions = [(os.POSIX_SPAWN_DUP2, log.fileno(), 1), (os.POSIX_SPAWN_DUP2, log.fileno(), 2)]
        t0 = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if must_succeed and code != 0:
        with open(log_path, "rb") as f:
            tail = f.read()[-3000:].decode(errors="replace")
        raise Failed("%s exited %d; its output (%s) ends:\n%s" % (argv[0], code, log_path, tail))
    return wall, usage.ru_maxrss / 1024.0, code


def age(folder, seconds=3600):
    then = time.time() - seconds
    for name in os.listdir(folder):
        os.utime(os.path.join(folder, name), (then, then))


def remove(*paths):
    for p in paths:
        if os.path.isdir(p):
            shutil.rmtree(p)
        elif os.path.exists(p):
            os.remove(p)


def db_files(path):
    return [path, path + "-wal", path + "-shm", path + "-journal"]


def feed_hashes(db_path):
    """Each MIS feed's applied content hash in an iesync store (feed_state)."""
    db = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True)
    try:
        return dict(db.execute("SELECT feed, content_hash FROM feed_state"))
    finally:
        db.close()


class School:
    """One generated school in a temp folder, with its config and the runs' scratch space."""

    def __init__(self, root, students, build):
        self.root, self.students, self.build = root, students, build
        self.exports = os.path.join(root, "exports")
        self.config = os.path.join(root, "iesync.toml")
        self.var = os.path.join(root, "var")
        self.store = os.path.join(self.var, "iesync.db")
        self.after_fresh = os.path.join(root, "var-after-fresh")
        self.log = os.path.join(root, "runs.log")
        with open(self.config, "w") as f:
            f.write(CONFIG)
        with open(os.path.join(root, "mapping.toml"), "w") as f:
            f.write(MAPPING)

    def binary(self, name):
        return os.path.join(self.build, name)

    def generate(self, edit=None):
        argv = [self.binary("generate-school"), "--students", str(self.students), "--seed", "1",
                "--format", "xml", "--out", self.exports]
        if edit is not None:
            argv += ["--edit", str(edit), "--edit-seed", "1"]
        run(argv, self.log)
        age(self.exports)

    def fresh_var(self):
        remove(self.var)
        os.makedirs(os.path.join(self.var, "outbox"))

    def restore_after_fresh(self):
        remove(self.var)
        shutil.copytree(self.after_fresh, self.var)

    def sync(self):
        return run([self.binary("iesync"), "sync", "--config", self.config], self.log)

    def floor(self):
        out = os.path.join(self.root, "floor.db")
        remove(*db_files(out))
        return run([self.binary("iesync_floor"), "--exports", self.exports, "--store", out],
                   self.log)

    def python(self):
        out = os.path.join(self.root, "python.db")
        remove(*db_files(out))
        return run([PYTHON, os.path.join(HERE, "baseline_import.py"), "--exports", self.exports,
                    "--db", out], self.log)


def measure(school, runs):
    """The five measurements of one school: {kind: [(wall, rss), ...]}."""
    got = {k: [] for k in ("fresh", "floor", "python", "unchanged", "reexport")}
    school.generate()
    for i in range(runs):
        school.fresh_var()
        got["fresh"].append(school.sync()[:2])
        got["floor"].append(school.floor()[:2])
        got["python"].append(school.python()[:2])
        print("  round %d/%d: fresh %.3f s, floor %.3f s, Python %.3f s"
              % (i + 1, runs, got["fresh"][-1][0], got["floor"][-1][0], got["python"][-1][0]),
              flush=True)
    applied = feed_hashes(school.store)
    missing = [f for f in FEEDS if f not in applied]
    if missing:
        raise Failed("the fresh sync applied no %s feed" % ", ".join(missing))
    remove(school.after_fresh)
    shutil.copytree(school.var, school.after_fresh)

    for _ in range(runs):
        school.restore_after_fresh()
        got["unchanged"].append(school.sync()[:2])
        if feed_hashes(school.store) != applied:
            raise Failed("an unchanged re-run changed what the store holds")

    school.generate(edit=EDIT_FRACTION)
    for i in range(runs):
        school.restore_after_fresh()
        got["reexport"].append(school.sync()[:2])
        now = feed_hashes(school.store)
        stale = [f for f in FEEDS if now.get(f) == applied.get(f)]
        if stale:
            raise Failed("the re-export run did not apply the changed %s feed" % ", ".join(stale))
        print("  re-export %d/%d: %.3f s" % (i + 1, runs, got["reexport"][-1][0]), flush=True)
    return got


def median(samples, i):
    return statistics.median(s[i] for s in samples)


def spread(samples):
    walls = [s[0] for s in samples]
    return "%.3f-%.3f" % (min(walls), max(walls))


def seconds(s):
    return "%.0f ms" % (s * 1000) if s < 0.1 else "%.2f s" % s


def table(results, runs):
    lines = [
        "| school | iesync sync (fresh) | floor | fresh ÷ floor (goal at 2,000: ≤ 1.5×) | Python "
        "| iesync faster than Python by | peak RSS: sync / floor / Python | unchanged re-run "
        "| re-export 1% | re-export ÷ floor (goal: ≤ 0.35×) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for students, got in results:
        fresh, floor, py = (median(got[k], 0) for k in ("fresh", "floor", "python"))
        unchanged, reexport = median(got["unchanged"], 0), median(got["reexport"], 0)
        lines.append(
            "| {:,} students | {} | {} | {:.2f}× | {} | {:.1f}× | {:.0f} / {:.0f} / {:.0f} MB "
            "| {} | {} | {:.2f}× |".format(
                students, seconds(fresh), seconds(floor), fresh / floor, seconds(py), py / fresh,
                median(got["fresh"], 1), median(got["floor"], 1), median(got["python"], 1),
                seconds(unchanged), seconds(reexport), reexport / floor))
    lines.append("")
    lines.append("Median of %d whole-process runs each; wall-time ranges (s):" % runs)
    for students, got in results:
        lines.append("- {:,}: fresh {}, floor {}, Python {}, unchanged {}, re-export {}; peak RSS "
                     "unchanged {:.0f} MB, re-export {:.0f} MB".format(
                         students, spread(got["fresh"]), spread(got["floor"]),
                         spread(got["python"]), spread(got["unchanged"]),
                         spread(got["reexport"]), median(got["unchanged"], 1),
                         median(got["reexport"], 1)))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(
        description="Time `iesync sync`, the floor and a Python baseline as whole processes.")
    ap.add_argument("--sizes", default="2000,50000",
                    help="comma-separated school sizes in students (default 2000,50000)")
    ap.add_argument("--runs", type=int, default=5, help="runs of each, the median is shown")
    ap.add_argument("--build", default="build",
                    help="folder holding iesync, generate-school and iesync_floor (searched "
                         "below it too: bench/, bench/generator/)")
    ap.add_argument("--keep", action="store_true", help="keep the temp folders (their runs.log)")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.runs < 1 or not sizes:
        ap.error("give at least one size and one run")

    # The programs may sit in subfolders of a CMake build; link them into one folder.
    bin_dir = tempfile.mkdtemp(prefix="iesync-compare-bin-")
    for name in ("iesync", "generate-school", "iesync_floor"):
        found = [os.path.join(args.build, sub, name) for sub in ("", "bench", "bench/generator")]
        found = [p for p in found if os.access(p, os.X_OK)]
        if not found:
            sys.exit("%s not found under %s; build it (cmake --build %s --target %s)"
                     % (name, args.build, args.build, name))
        os.symlink(os.path.abspath(found[0]), os.path.join(bin_dir, name))

    print("load average before: %.2f %.2f %.2f" % os.getloadavg(), flush=True)
    results = []
    try:
        for students in sizes:
            root = tempfile.mkdtemp(prefix="iesync-compare-%d-" % students)
            print("%d students (%s):" % (students, root), flush=True)
            try:
                results.append((students, measure(School(root, students, bin_dir), args.runs)))
            except Failed:
                print("(kept %s for its runs.log)" % root, file=sys.stderr)
                raise
            if not args.keep:
                shutil.rmtree(root, ignore_errors=True)
    except Failed as e:
        sys.exit("FAILED: %s" % e)
    finally:
        shutil.rmtree(bin_dir, ignore_errors=True)
    print("load average after: %.2f %.2f %.2f" % os.getloadavg())
    print()
    print(table(results, args.runs))


if __name__ == "__main__":
    main()
