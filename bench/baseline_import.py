#!/usr/bin/python3
"""The Python baseline for bench/compare.py: a plain standard-library import of a generated
school's five SIMS CommandReporter XML feeds (xml.etree + sqlite3) into a fresh SQLite file.

It does what bench/floor.cpp does, the way a careful script would: the same tables, primary
keys and indexes as iesync's store for these feeds, the same PRAGMAs (WAL, synchronous=FULL),
one transaction, and the same conversions (feed dates to ISO, day name to cycle day, subject
code, a missing booking status as "booked"). Records are parsed with iterparse and freed as
they are inserted, so a 50,000-student school does not hold whole documents in memory.

    /usr/bin/python3 bench/baseline_import.py --exports DIR --db FILE
"""

import argparse
import os
import re
import sqlite3
import sys
import time
import xml.etree.ElementTree as ET

SCHEMA = """
CREATE TABLE students (
  id TEXT PRIMARY KEY, forename TEXT NOT NULL, surname TEXT NOT NULL, year TEXT NOT NULL,
  reg_group TEXT, email TEXT, upn TEXT, sen TEXT, pupil_premium TEXT, gender TEXT);
CREATE TABLE staff (code TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT);
CREATE TABLE memberships (
  student_id TEXT NOT NULL, class_code TEXT NOT NULL, start_date TEXT, end_date TEXT,
  PRIMARY KEY (student_id, class_code, start_date));
CREATE INDEX memberships_class ON memberships(class_code);
CREATE TABLE lessons (
  id INTEGER PRIMARY KEY, class_code TEXT NOT NULL, cycle_day INTEGER NOT NULL,
  day_name TEXT NOT NULL, start_time TEXT NOT NULL, end_time TEXT NOT NULL, room TEXT,
  teacher TEXT, subject TEXT);
CREATE INDEX lessons_day ON lessons(cycle_day, class_code);
CREATE TABLE bookings (
  id TEXT PRIMARY KEY, student_id TEXT NOT NULL, date TEXT NOT NULL, start_spec TEXT NOT NULL,
  end_spec TEXT NOT NULL, reason TEXT, room TEXT, status TEXT NOT NULL DEFAULT 'booked');
CREATE INDEX bookings_date ON bookings(date);
"""

# The demo mapping's calendar: Day1..Day10, with SIMS's four-character "Da10".
DAY_ALIASES = {"Da10": "Day10"}
DAY_RE = re.compile(r"^Day(\d+)$")
TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
DATE_XML = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(T.*)?$")
DATE_UK = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")


def tag(caption):
    """'Legal Surname' -> 'Legal_x0020_Surname', as CommandReporter names elements."""
    return "".join(c if c.isascii() and c.isalnum() else "_x%04X_" % ord(c) for c in caption)


def iso_date(text):
    if text is None:
        return None
    m = DATE_XML.match(text)
    if m:
        return "%s-%s-%s" % m.group(1, 2, 3)
    m = DATE_UK.match(text)
    if m:
        return "%s-%s-%s" % (m.group(3), m.group(2), m.group(1))
    return ""


def hhmm(text):
    m = TIME_RE.match(text or "")
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        return None
    return "%02d:%s" % (int(m.group(1)), m.group(2))


def records(path):
    """Each <Record> as a dict of element name -> text, freed once yielded."""
    for _, elem in ET.iterparse(path, events=("end",)):
        if elem.tag == "Record":
            yield {child.tag: (child.text or "").strip() for child in elem}
            elem.clear()


def insert(db, path, sql, row_of):
    rows = 0
    for rec in records(path):
        row = row_of(rec)
        if row is None:
            continue
        db.execute(sql, row)
        rows += 1
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--exports", required=True, help="folder holding the generated XML feeds")
    ap.add_argument("--db", required=True, help="the SQLite file to create (must not exist)")
    args = ap.parse_args()
    if os.path.exists(args.db):
        sys.exit("%s: already exists; the baseline imports into a fresh file" % args.db)

    t0 = time.monotonic()
    db = sqlite3.connect(args.db, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    db.executescript(SCHEMA)
    feed = lambda name: os.path.join(args.exports, name)
    g = lambda rec, caption: rec.get(tag(caption)) or None

    db.execute("BEGIN")
    rows = insert(
        db, feed("students.xml"),
        "INSERT INTO students VALUES (?,?,?,?,?,?,?,?,?,?)",
        lambda r: tuple(g(r, c) for c in ("Adno", "Forename", "Legal Surname", "Year", "Reg",
                                          "Primary Email", "UPN", "SEN Status", "Pupil Premium",
                                          "Gender")))
    rows += insert(db, feed("staff.xml"), "INSERT INTO staff VALUES (?,?,?)",
                   lambda r: (g(r, "Staff Code"), g(r, "Name"), g(r, "Email")))
    rows += insert(
        db, feed("memberships.xml"), "INSERT INTO memberships VALUES (?,?,?,?)",
        lambda r: (g(r, "Adno"), g(r, "Class"), iso_date(g(r, "Start Date")),
                   iso_date(g(r, "End Date"))))

    def lesson(r):
        cls = g(r, "ShortName")
        if not cls:
            return None  # a staff free: not a lesson
        name = g(r, "DayName") or ""
        m = DAY_RE.match(DAY_ALIASES.get(name, name))
        start, end = hhmm(g(r, "StartTime")), hhmm(g(r, "EndTime"))
        if not m or not start or not end:
            return None
        slash = cls.find("/")
        subject = cls[slash + 1:slash + 3] if slash >= 0 else ""
        return (cls, int(m.group(1)), name, start, end, g(r, "Name"), g(r, "Staff Code"), subject)

    rows += insert(
        db, feed("timetable.xml"),
        "INSERT INTO lessons (class_code, cycle_day, day_name, start_time, end_time, room, "
        "teacher, subject) VALUES (?,?,?,?,?,?,?,?)", lesson)
    rows += insert(
        db, feed("ie-bookings.xml"), "INSERT INTO bookings VALUES (?,?,?,?,?,?,?,?)",
        lambda r: (g(r, "Booking ID"), g(r, "Adno"), iso_date(g(r, "Date")), g(r, "Start"),
                   g(r, "End") or "", g(r, "Reason"), g(r, "Room"), g(r, "Status") or "booked"))
    db.execute("COMMIT")
    db.close()
    print("%d rows in %.3f s" % (rows, time.monotonic() - t0))


if __name__ == "__main__":
    main()
