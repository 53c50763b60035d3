#!/usr/bin/env python3
"""Mirror the Coalition Registry into a local SQLite file by following its change feed.

Usage:
    python3 examples/sync_client.py [--api http://127.0.0.1:8080/api/v1] [--db mirror.sqlite3]
                                    [--token JWT] [--types initiative,training] [--once]

Only the Python standard library is needed. What it does, step by step:

1. It keeps two tables in the local file: `records` (type, id, version, data as JSON) and
   `state` (the feed cursor).
2. It asks `GET /changes?after=<saved cursor>&limit=500&wait=30` (no cursor the first time:
   the feed starts from the beginning and holds every record's latest change).
3. For each change in order: `created`/`updated` upserts `data`, `deleted` removes the
   record. The page and its `page.next_cursor` are written in ONE local transaction, so a
   crash or a kill never loses or repeats a change: the next run resumes from the cursor.
4. An empty page means it is caught up; with `wait=30` the server holds the request until
   something changes (long polling), so the loop costs nothing while idle.
5. A 410 means the cursor is older than the feed's retention of deletions: it wipes the
   mirror and starts again from the beginning (the feed is a complete snapshot from there).

With `--token`, the mirror holds what that caller may see (an editor's drafts included);
anonymous mirrors hold published content and reference data.

Translated text arrives whole: every name, title, summary and description is a language map
(`{"lv": "…", "en": "…"}`) with the record's `original_language`, so the mirror keeps every
translation. The read-only `display` object (the texts in the request's languages) is left
out of the mirror: it depends on who asked, not on the record. `texts()` below shows how to
pick a record's text for a language chain locally, as the service does.
"""
import argparse
import json
import sqlite3
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def open_mirror(path):
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE IF NOT EXISTS records (type TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL,"
        " data TEXT NOT NULL, PRIMARY KEY (type, id))"
    )
    db.execute("CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT)")
    db.commit()
    return db


def saved_cursor(db):
    row = db.execute("SELECT value FROM state WHERE key = 'cursor'").fetchone()
    return row[0] if row else None


def fetch(api, cursor, token, types, wait):
    query = {"limit": "500", "wait": str(wait)}
    if cursor:
        query["after"] = cursor
    if types:
        query["types"] = types
    request = urllib.request.Request(f"{api}/changes?{urllib.parse.urlencode(query)}")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=wait + 30) as response:
        return json.load(response)


def texts(record, field, languages):
    """A record's text of `field` for a language chain (e.g. ["lv", "en"]), as the service's
    `display` picks it: the first language of the chain that has one, then the original
    language, then any text; None when the field has none."""
    entries = record.get(field) or {}
    for language in list(languages) + [record.get("original_language")]:
        if language in entries:
            return entries[language]
    return next(iter(sorted(entries.items())), (None, None))[1]


def apply(db, page):
    """Apply one page and save its cursor atomically."""
    with db:  # one transaction
        for change in page["data"]:
            if change["action"] == "deleted":
                db.execute("DELETE FROM records WHERE type = ? AND id = ?", (change["type"], change["id"]))
            else:
                data = dict(change["data"])
                data.pop("display", None)  # per request, not part of the record
                db.execute(
                    "INSERT INTO records (type, id, version, data) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (type, id) DO UPDATE SET version = excluded.version, data = excluded.data",
                    (change["type"], change["id"], change["version"], json.dumps(data, ensure_ascii=False)),
                )
        db.execute(
            "INSERT INTO state (key, value) VALUES ('cursor', ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (page["page"]["next_cursor"],),
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--api", default="http://127.0.0.1:8080/api/v1")
    parser.add_argument("--db", default="mirror.sqlite3")
    parser.add_argument("--token", default=None, help="bearer token (default: anonymous)")
    parser.add_argument("--types", default=None, help="comma-separated record types (default: all)")
    parser.add_argument("--once", action="store_true", help="stop when caught up instead of long-polling")
    args = parser.parse_args()

    db = open_mirror(args.db)
    while True:
        cursor = saved_cursor(db)
        try:
            page = fetch(args.api, cursor, args.token, args.types, 0 if args.once else 30)
        except urllib.error.HTTPError as error:
            if error.code == 410:
                print("cursor too old: resynchronising from the beginning", file=sys.stderr)
                with db:
                    db.execute("DELETE FROM records")
                    db.execute("DELETE FROM state")
                continue
            raise
        except (urllib.error.URLError, TimeoutError) as error:
            print(f"registry unreachable ({error}); retrying in 5 s", file=sys.stderr)
            time.sleep(5)
            continue
        apply(db, page)
        if page["data"]:
            print(f"applied {len(page['data'])} changes", file=sys.stderr)
        elif args.once:
            count = db.execute("SELECT count(*) FROM records").fetchone()[0]
            print(f"caught up: {count} records mirrored", file=sys.stderr)
            return


if __name__ == "__main__":
    main()
