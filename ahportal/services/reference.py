"""Reference data: Anhui divisions and the dictionaries, loaded idempotently from data files."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from ahportal.models import (
    Division,
    DivisionLevel,
    Specialty,
    TitleLevel,
    TitleSeries,
    UnitNature,
)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def _rows(name: str) -> Iterator[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _upsert(
    session: Session, model: type[Any], key: dict[str, Any], values: dict[str, Any]
) -> tuple[Any, bool]:
    """Insert a row or update its values; return (row, inserted)."""
    query = select(model)
    for name, value in key.items():
        query = query.where(getattr(model, name) == value)
    row = session.exec(query).first()
    if row is None:
        row = model(**key, **values)
        session.add(row)
        return row, True
    for name, value in values.items():
        setattr(row, name, value)
    session.add(row)
    return row, False


def load_divisions(session: Session) -> int:
    """Load the Anhui division tree; parents first so foreign keys hold."""
    rows = list(_rows("anhui-divisions.csv"))
    order = {DivisionLevel.PROVINCE: 0, DivisionLevel.CITY: 1, DivisionLevel.COUNTY: 2}
    rows.sort(key=lambda r: (order[DivisionLevel(r["level"])], r["code"]))
    inserted = 0
    for index, row in enumerate(rows):
        _, new = _upsert(
            session,
            Division,
            {"code": row["code"]},
            {
                "name": row["name"],
                "parent_code": row["parent_code"] or None,
                "level": DivisionLevel(row["level"]),
                "sort_order": index,
            },
        )
        inserted += new
        session.flush()
    return inserted


def load_dictionaries(session: Session) -> int:
    """Load unit natures, title series, levels and specialties; keep edits to names."""
    inserted = 0
    for row in _rows("unit-natures.csv"):
        inserted += _upsert_new(
            session,
            UnitNature,
            {"code": row["code"]},
            {
                "name": row["name"],
                "is_public_institution": row["is_public_institution"] == "1",
                "sort_order": int(row["sort_order"]),
            },
        )
    for row in _rows("title-levels.csv"):
        inserted += _upsert_new(
            session,
            TitleLevel,
            {"code": row["code"]},
            {"name": row["name"], "rank": int(row["rank"])},
        )
    for row in _rows("title-series.csv"):
        inserted += _upsert_new(
            session,
            TitleSeries,
            {"code": row["code"]},
            {"name": row["name"], "sort_order": int(row["sort_order"])},
        )
    session.flush()
    series_ids = {s.code: s.id for s in session.exec(select(TitleSeries)).all()}
    for row in _rows("specialties.csv"):
        inserted += _upsert_new(
            session,
            Specialty,
            {"series_id": series_ids[row["series_code"]], "code": row["code"]},
            {"name": row["name"], "sort_order": int(row["sort_order"])},
        )
    return inserted


def _upsert_new(
    session: Session, model: type[Any], key: dict[str, Any], values: dict[str, Any]
) -> int:
    """Insert when missing; an existing row keeps what operations may have edited."""
    query = select(model)
    for name, value in key.items():
        query = query.where(getattr(model, name) == value)
    if session.exec(query).first() is not None:
        return 0
    session.add(model(**key, **values))
    return 1


def load_reference_data(session: Session) -> int:
    """Load everything; one transaction. Returns the number of rows inserted."""
    inserted = load_divisions(session) + load_dictionaries(session)
    session.commit()
    return inserted


def division_names(session: Session) -> dict[str, str]:
    """Code → full name path (安徽省合肥市肥西县) for every division."""
    divisions = {d.code: d for d in session.exec(select(Division).order_by(col(Division.code)))}
    names: dict[str, str] = {}
    for code, division in divisions.items():
        parts = [division.name]
        parent = division.parent_code
        while parent:
            parts.append(divisions[parent].name)
            parent = divisions[parent].parent_code
        names[code] = "".join(reversed(parts))
    return names
