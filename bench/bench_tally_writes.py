"""What migration 0013's counter triggers cost a write: one declaration's status flipped
(审核中 ↔ 已退回) in its own transaction, N times with the triggers and N times with them
disabled, on a PostgreSQL database made by `bench/bench_stats.py --keep` (a million
declarations). Prints the mean microseconds per transaction; it asserts nothing and
leaves the counters right (each half is flipped back the way it was flipped).

Run: .venv/bin/python bench/bench_tally_writes.py postgresql://postgres@127.0.0.1:5432/<db>
"""

from __future__ import annotations

import argparse
import time

import psycopg

FLIP = (
    "UPDATE declaration SET status = CASE status WHEN 'auditing' THEN 'returned' "
    "ELSE 'auditing' END WHERE id = %s"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url", help="a libpq URL of a bench_stats database")
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    conn = psycopg.connect(args.url, autocommit=False)
    ids = [
        row[0]
        for row in conn.execute(
            "SELECT id FROM declaration WHERE status IN ('auditing', 'returned') "
            "ORDER BY id DESC LIMIT %s",
            (2 * args.rows,),
        )
    ]
    conn.rollback()

    def flips(part: list[int], triggers: bool) -> float:
        if not triggers:
            conn.execute("ALTER TABLE declaration DISABLE TRIGGER USER")
            conn.commit()
        began = time.perf_counter()
        for ident in part:
            conn.execute(FLIP, (ident,))
            conn.commit()
        took = (time.perf_counter() - began) / len(part) * 1e6
        if not triggers:
            conn.execute("ALTER TABLE declaration ENABLE TRIGGER USER")
            conn.commit()
        return took

    with_part, without_part = ids[: args.rows], ids[args.rows :]
    for _ in range(args.rounds):
        with_triggers = flips(with_part, True)
        without = flips(without_part, False)
        flips(with_part, True)  # back as they were, counted both ways
        flips(without_part, False)
        print(
            f"one status change per transaction: {with_triggers:6.0f} µs with the counter "
            f"triggers, {without:6.0f} µs without"
        )
    conn.close()


if __name__ == "__main__":
    main()
