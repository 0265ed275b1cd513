"""statistics tallies

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-24 05:50:00

统计分析 at a million declarations on PostgreSQL: running counts the database keeps in step
with the declarations and their decisions, so a view groups a few thousand counter rows
instead of every declaration (models/tally.py):

- declaration_tally: submitted declarations per (unit, plan, plan year, series, level, status);
- declaration_month_tally: the same per (submission month, plan, year, series, level, status);
- stage_tally: decisions per (the declaration's unit, plan, year, series, level, audit level,
  outcome) with the count, sum and longest of the days they waited.

Triggers keep them, in the transaction that writes the declaration or the stage, whatever
code writes it (a service, an import, a bulk COPY). Each change is one upsert of the
deltas (`n = n + excluded.n`), old and new key in key order: two transactions moving cases
between the same two keys in opposite directions lock the counter rows in the same order
and cannot deadlock. A declaration's BEFORE DELETE takes its stages out of the counts (the
stages' own DELETE trigger, run by the cascade, no longer finds the declaration), as does a
change of the declaration's unit, plan or level; the longest wait of what is left is worked
out again.

On SQLite a later migration that rebuilds the declaration or declaration_stage table
(batch_alter_table) drops these triggers with the old table: it must create them again
(`create_triggers`) and rebuild the counts (`rebuild`); tests/services/test_tallies.py
fails otherwise.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DECLARATION_KEY = ["unit_id", "plan_id", "plan_year", "series_id", "level_id", "status"]
_MONTH_KEY = ["month", "plan_id", "plan_year", "series_id", "level_id", "status"]
_STAGE_KEY = [
    "unit_id", "plan_id", "plan_year", "series_id", "level_id", "stage_level", "outcome"
]
# The declaration columns the declaration counters read, by counter column.
_FROM_DECLARATION = {c: "{r}." + c for c in _DECLARATION_KEY}
_FROM_MONTH = {**_FROM_DECLARATION, "month": "COALESCE({r}.submitted_month, '')"}
_STAGE_MOVES = ["unit_id", "plan_id", "plan_year", "series_id", "level_id"]


def _greatest(a: str, b: str, dialect: str) -> str:
    """The larger of two nullable numbers (NULL only when both are)."""
    if dialect == "postgresql":
        return f"GREATEST({a}, {b})"
    return f"max(coalesce({a}, {b}), coalesce({b}, {a}))"


def _count_delta(table: str, key: list[str], source: dict[str, str], rows: list[tuple[str, int]]) -> str:
    """Add +1 / -1 for each (OLD/NEW, sign) row that is not a draft, to its key's counter."""
    parts = [
        "SELECT "
        + ", ".join(f"{source[c].format(r=rec)} AS {c}" for c in key)
        + f", {sign} AS d WHERE {rec}.status <> 'draft'"
        for rec, sign in rows
    ]
    cols = ", ".join(key)
    return (
        f"INSERT INTO {table} ({cols}, n) "
        f"SELECT {cols}, sum(d) FROM ({' UNION ALL '.join(parts)}) AS x WHERE true "
        f"GROUP BY {cols} HAVING sum(d) <> 0 ORDER BY {cols} "
        f"ON CONFLICT ({cols}) DO UPDATE SET n = {table}.n + excluded.n"
    )


def _stage_delta(rows: list[tuple[str, int]], dialect: str) -> str:
    """Move the stages of a declaration (OLD: out of its old key; NEW: into its new key)."""
    parts = []
    for rec, sign in rows:
        key = ", ".join(f"{rec}.{c} AS {c}" for c in _STAGE_MOVES)
        if sign > 0:
            numbers = "1 AS n, CASE WHEN s.days IS NULL THEN 0 ELSE 1 END AS days_n, " \
                      "COALESCE(s.days, 0) AS days_sum, s.days AS days_max"
        else:
            numbers = "-1 AS n, CASE WHEN s.days IS NULL THEN 0 ELSE -1 END AS days_n, " \
                      "-COALESCE(s.days, 0) AS days_sum, CAST(NULL AS FLOAT) AS days_max"
        parts.append(
            f"SELECT {key}, s.level AS stage_level, s.outcome AS outcome, {numbers} "
            f"FROM declaration_stage s WHERE s.declaration_id = {rec}.id"
        )
    cols = ", ".join(_STAGE_KEY)
    longest = _greatest("stage_tally.days_max", "excluded.days_max", dialect)
    return (
        f"INSERT INTO stage_tally ({cols}, n, days_n, days_sum, days_max) "
        f"SELECT {cols}, sum(n), sum(days_n), sum(days_sum), max(days_max) "
        f"FROM ({' UNION ALL '.join(parts)}) AS x WHERE true "
        f"GROUP BY {cols} ORDER BY {cols} "
        f"ON CONFLICT ({cols}) DO UPDATE SET n = stage_tally.n + excluded.n, "
        "days_n = stage_tally.days_n + excluded.days_n, "
        "days_sum = stage_tally.days_sum + excluded.days_sum, "
        f"days_max = {longest}"
    )


# The longest wait of an old key, worked out again from its other declarations' stages.
_STAGE_LONGEST = """
UPDATE stage_tally SET days_max = (
    SELECT max(s.days) FROM declaration_stage s JOIN declaration d ON d.id = s.declaration_id
    WHERE d.id <> OLD.id AND d.unit_id = stage_tally.unit_id AND d.plan_id = stage_tally.plan_id
      AND d.plan_year = stage_tally.plan_year AND d.series_id = stage_tally.series_id
      AND d.level_id = stage_tally.level_id AND s.level = stage_tally.stage_level
      AND s.outcome = stage_tally.outcome
)
WHERE unit_id = OLD.unit_id AND plan_id = OLD.plan_id AND plan_year = OLD.plan_year
  AND series_id = OLD.series_id AND level_id = OLD.level_id
  AND (stage_level, outcome) IN (
      SELECT s.level, s.outcome FROM declaration_stage s WHERE s.declaration_id = OLD.id
  )
"""


def _stage_insert(dialect: str) -> str:
    cols = ", ".join(_STAGE_KEY)
    longest = _greatest("stage_tally.days_max", "excluded.days_max", dialect)
    return (
        f"INSERT INTO stage_tally ({cols}, n, days_n, days_sum, days_max) "
        "SELECT d.unit_id, d.plan_id, d.plan_year, d.series_id, d.level_id, NEW.level, "
        "NEW.outcome, 1, CASE WHEN NEW.days IS NULL THEN 0 ELSE 1 END, COALESCE(NEW.days, 0), "
        "NEW.days FROM declaration d WHERE d.id = NEW.declaration_id "
        f"ON CONFLICT ({cols}) DO UPDATE SET n = stage_tally.n + 1, "
        "days_n = stage_tally.days_n + excluded.days_n, "
        "days_sum = stage_tally.days_sum + excluded.days_sum, "
        f"days_max = {longest}"
    )


# A stage deleted by itself (not with its declaration: then the declaration is gone and
# its BEFORE DELETE has taken the stage out already).
_STAGE_DELETE = [
    f"INSERT INTO stage_tally ({', '.join(_STAGE_KEY)}, n, days_n, days_sum, days_max) "
    "SELECT d.unit_id, d.plan_id, d.plan_year, d.series_id, d.level_id, OLD.level, "
    "OLD.outcome, -1, CASE WHEN OLD.days IS NULL THEN 0 ELSE -1 END, -COALESCE(OLD.days, 0), "
    "NULL FROM declaration d WHERE d.id = OLD.declaration_id "
    f"ON CONFLICT ({', '.join(_STAGE_KEY)}) DO UPDATE SET n = stage_tally.n - 1, "
    "days_n = stage_tally.days_n + excluded.days_n, "
    "days_sum = stage_tally.days_sum + excluded.days_sum",
    """
UPDATE stage_tally SET days_max = (
    SELECT max(s.days) FROM declaration_stage s JOIN declaration d ON d.id = s.declaration_id
    WHERE d.unit_id = stage_tally.unit_id AND d.plan_id = stage_tally.plan_id
      AND d.plan_year = stage_tally.plan_year AND d.series_id = stage_tally.series_id
      AND d.level_id = stage_tally.level_id AND s.level = stage_tally.stage_level
      AND s.outcome = stage_tally.outcome
)
WHERE stage_level = OLD.level AND outcome = OLD.outcome
  AND (unit_id, plan_id, plan_year, series_id, level_id) IN (
      SELECT unit_id, plan_id, plan_year, series_id, level_id FROM declaration
      WHERE id = OLD.declaration_id
  )
""",
]


def _distinct(columns: list[str], dialect: str) -> str:
    op_ = "IS DISTINCT FROM" if dialect == "postgresql" else "IS NOT"
    return " OR ".join(f"OLD.{c} {op_} NEW.{c}" for c in columns)


def _triggers(dialect: str) -> list[tuple[str, str, str, str, list[str]]]:
    """(name, timing, event on table, WHEN condition or "", statements) per trigger."""
    both = [("OLD", -1), ("NEW", 1)]
    counts_change = _distinct(
        sorted(set(_DECLARATION_KEY) | {"submitted_month"}), dialect
    )
    counters = [
        ("declaration_tally", _DECLARATION_KEY, _FROM_DECLARATION),
        ("declaration_month_tally", _MONTH_KEY, _FROM_MONTH),
    ]
    return [
        (
            "tally_declaration_insert", "AFTER", "INSERT ON declaration", "",
            [_count_delta(t, k, s, [("NEW", 1)]) for t, k, s in counters],
        ),
        (
            "tally_declaration_update",
            "AFTER",
            "UPDATE OF " + ", ".join(sorted(set(_DECLARATION_KEY) | {"submitted_month"}))
            + " ON declaration",
            counts_change,
            [_count_delta(t, k, s, both) for t, k, s in counters],
        ),
        (
            "tally_declaration_delete", "AFTER", "DELETE ON declaration", "",
            [_count_delta(t, k, s, [("OLD", -1)]) for t, k, s in counters],
        ),
        (
            "tally_stage_move",
            "AFTER",
            "UPDATE OF " + ", ".join(_STAGE_MOVES) + " ON declaration",
            _distinct(_STAGE_MOVES, dialect),
            [_stage_delta(both, dialect), _STAGE_LONGEST],
        ),
        (
            "tally_stage_leave", "BEFORE", "DELETE ON declaration", "",
            [_stage_delta([("OLD", -1)], dialect), _STAGE_LONGEST],
        ),
        ("tally_stage_insert", "AFTER", "INSERT ON declaration_stage", "", [_stage_insert(dialect)]),
        ("tally_stage_delete", "AFTER", "DELETE ON declaration_stage", "", _STAGE_DELETE),
    ]


def create_triggers(bind: sa.engine.Connection) -> None:
    dialect = bind.dialect.name
    for name, timing, event, when, statements in _triggers(dialect):
        body = ";\n".join(statements) + ";"
        if dialect == "postgresql":
            returned = "OLD" if timing == "BEFORE" else "NULL"
            bind.execute(sa.text(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                f"BEGIN\n{body}\nRETURN {returned};\nEND $$"
            ))
            condition = f" WHEN ({when})" if when else ""
            bind.execute(sa.text(
                f"CREATE TRIGGER {name} {timing} {event} FOR EACH ROW{condition} "
                f"EXECUTE FUNCTION {name}()"
            ))
        else:
            condition = f" WHEN {when}" if when else ""
            bind.execute(sa.text(
                f"CREATE TRIGGER {name} {timing} {event} FOR EACH ROW{condition}\n"
                f"BEGIN\n{body}\nEND"
            ))


def drop_triggers(bind: sa.engine.Connection) -> None:
    dialect = bind.dialect.name
    for name, _timing, event, _when, _statements in _triggers(dialect):
        if dialect == "postgresql":
            table = event.rsplit(" ON ", 1)[1]
            bind.execute(sa.text(f"DROP TRIGGER IF EXISTS {name} ON {table}"))
            bind.execute(sa.text(f"DROP FUNCTION IF EXISTS {name}()"))
        else:
            bind.execute(sa.text(f"DROP TRIGGER IF EXISTS {name}"))


def rebuild(bind: sa.engine.Connection) -> None:
    """The counts from what is there (idempotent)."""
    for table in ("declaration_tally", "declaration_month_tally", "stage_tally"):
        bind.execute(sa.text(f"DELETE FROM {table}"))
    cols = ", ".join(_DECLARATION_KEY)
    bind.execute(sa.text(
        f"INSERT INTO declaration_tally ({cols}, n) SELECT {cols}, count(*) FROM declaration "
        f"WHERE status <> 'draft' GROUP BY {cols}"
    ))
    month = "COALESCE(submitted_month, '')"
    rest = ", ".join(_MONTH_KEY[1:])
    bind.execute(sa.text(
        f"INSERT INTO declaration_month_tally (month, {rest}, n) "
        f"SELECT {month}, {rest}, count(*) FROM declaration WHERE status <> 'draft' "
        f"GROUP BY {month}, {rest}"
    ))
    moves = ", ".join(f"d.{c}" for c in _STAGE_MOVES)
    bind.execute(sa.text(
        f"INSERT INTO stage_tally ({', '.join(_STAGE_KEY)}, n, days_n, days_sum, days_max) "
        f"SELECT {moves}, s.level, s.outcome, count(*), count(s.days), "
        "COALESCE(sum(s.days), 0), max(s.days) "
        "FROM declaration_stage s JOIN declaration d ON d.id = s.declaration_id "
        f"GROUP BY {moves}, s.level, s.outcome"
    ))


def _plan_key() -> list[sa.Column]:
    return [
        sa.Column(name, sa.Integer(), nullable=False)
        for name in ("plan_id", "plan_year", "series_id", "level_id")
    ]


def upgrade() -> None:
    def status() -> sa.Column:
        return sa.Column("status", sa.String(length=32), nullable=False)

    def count() -> sa.Column:
        return sa.Column("n", sa.Integer(), nullable=False)

    op.create_table(
        "declaration_tally",
        sa.Column("unit_id", sa.Integer(), nullable=False), *_plan_key(), status(), count(),
        sa.PrimaryKeyConstraint(*_DECLARATION_KEY, name=op.f("pk_declaration_tally")),
    )
    op.create_table(
        "declaration_month_tally",
        sa.Column("month", sa.String(length=7), nullable=False), *_plan_key(),
        status(), count(),
        sa.PrimaryKeyConstraint(*_MONTH_KEY, name=op.f("pk_declaration_month_tally")),
    )
    op.create_table(
        "stage_tally",
        sa.Column("unit_id", sa.Integer(), nullable=False), *_plan_key(),
        sa.Column("stage_level", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        count(),
        sa.Column("days_n", sa.Integer(), nullable=False),
        sa.Column("days_sum", sa.Float(), nullable=False),
        sa.Column("days_max", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint(*_STAGE_KEY, name=op.f("pk_stage_tally")),
    )
    bind = op.get_bind()
    rebuild(bind)
    create_triggers(bind)


def downgrade() -> None:
    drop_triggers(op.get_bind())
    op.drop_table('stage_tally')
    op.drop_table('declaration_month_tally')
    op.drop_table('declaration_tally')
