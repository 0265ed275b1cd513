"""`ahportal-admin`: setup works in every mode; demo data only in dev and test; clear errors."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlmodel import Session, func, select

from ahportal import cli
from ahportal.models import Account, DemoIdentity, Division, Organization, UnitNature
from tests.conftest import PG_SERVER_URL, _pg_admin_engine, _pg_url, _reset_caches

PROD_ENV = {
    "AHPORTAL_MODE": "prod",
    "AHPORTAL_SECRET_KEY": "p" * 40,
    "AHPORTAL_OIDC_ISSUER": "https://idp.example.cn",
    "AHPORTAL_OIDC_CLIENT_SECRET": "client-secret",
    "AHPORTAL_BASE_URL": "https://rc.example.cn",
}


@pytest.fixture
def empty_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The URL of an empty database (SQLite file, or a new PostgreSQL database)."""
    monkeypatch.setenv("AHPORTAL_STORAGE_ROOT", str(tmp_path / "storage"))
    if PG_SERVER_URL:
        from sqlalchemy import text

        name = f"ahportal_cli_{os.getpid()}"
        admin = _pg_admin_engine()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = _pg_url(name)
    else:
        url = f"sqlite:///{tmp_path / 'var' / 'cli.db'}"  # its folder does not exist yet
    monkeypatch.setenv("AHPORTAL_DATABASE_URL", url)
    _reset_caches()
    yield url
    from ahportal.db import _engine_for

    _engine_for(url).dispose()  # not get_engine(): the settings may be broken on purpose
    _reset_caches()
    if PG_SERVER_URL:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _count(model: type) -> int:
    from ahportal.db import get_engine

    with Session(get_engine()) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def test_setup_in_prod_migrates_and_loads_reference_data_only(
    empty_db, monkeypatch, capsys
) -> None:
    for key, value in PROD_ENV.items():
        monkeypatch.setenv(key, value)
    _reset_caches()
    assert cli.main(["setup"]) == 0
    out = capsys.readouterr().out
    assert "数据库已迁移" in out and "参考数据已加载" in out and "不写入演示数据" in out
    from ahportal.db import get_engine

    tables = set(inspect(get_engine()).get_table_names())
    assert {"account", "division", "organization", "alembic_version"} <= tables
    assert _count(Division) > 100 and _count(UnitNature) > 0
    assert _count(Account) == 0
    assert _count(DemoIdentity) == 0
    assert _count(Organization) == 0
    # Running it again changes nothing, and demo data stays refused in prod.
    assert cli.main(["setup"]) == 0
    assert "新增 0 条" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="拒绝在生产模式下写入演示数据"):
        cli.main(["seed-demo"])
    assert _count(Account) == 0


@pytest.mark.parametrize("mode", ["dev", "test"])
def test_setup_in_dev_and_test_seeds_demo_data(empty_db, monkeypatch, capsys, mode) -> None:
    monkeypatch.setenv("AHPORTAL_MODE", mode)
    _reset_caches()
    assert cli.main(["setup"]) == 0
    assert "演示数据已就绪" in capsys.readouterr().out
    assert _count(Division) > 100
    assert _count(Account) > 10 and _count(DemoIdentity) > 0


@pytest.mark.parametrize("missing", ["AHPORTAL_SECRET_KEY", "AHPORTAL_OIDC_ISSUER"])
def test_prod_without_required_settings_says_which(empty_db, monkeypatch, capsys, missing):
    for key, value in PROD_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv(missing)
    monkeypatch.delenv("AHPORTAL_OIDC_CLIENT_SECRET")
    _reset_caches()
    assert cli.main(["setup"]) == 2
    err = capsys.readouterr().err
    assert "配置错误" in err and "生产模式" in err
    assert missing in err and "AHPORTAL_OIDC_CLIENT_SECRET" in err
    present = {"AHPORTAL_SECRET_KEY", "AHPORTAL_OIDC_ISSUER"} - {missing}
    assert not any(f"  {name}:" in err for name in present)


def test_the_installed_command_fails_cleanly_without_a_traceback(tmp_path) -> None:
    """What `AHPORTAL_MODE=prod make run` shows first: ahportal-admin setup's message."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AHPORTAL_")}
    env.update(AHPORTAL_MODE="prod", AHPORTAL_DATABASE_URL=f"sqlite:///{tmp_path}/x.db")
    result = subprocess.run(
        [sys.executable, "-m", "ahportal.cli", "setup"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    for name in cli.REQUIRED_IN_PROD:
        assert name in result.stderr
    assert not (tmp_path / "x.db").exists()
