"""`ahportal-admin`: migrate the database, load reference data, seed demo data."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ahportal.settings import PROJECT_ROOT, get_settings


def migrate(database_url: str | None = None) -> None:
    """Upgrade the database to the newest Alembic revision."""
    from alembic.config import Config

    from alembic import command

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["configure_logger"] = False
    if database_url:
        config.attributes["database_url"] = database_url
    command.upgrade(config, "head")


def load_reference() -> int:
    """Load divisions and dictionaries (not demo data: every installation needs them)."""
    from ahportal.db import session_scope
    from ahportal.services.reference import load_reference_data

    with session_scope() as session:
        return load_reference_data(session)


def seed_demo() -> None:
    """Seed the demo accounts, organisations and identities (dev and test mode only)."""
    from ahportal.db import session_scope
    from ahportal.seeding import seed_demo as run

    if not get_settings().dev_idp_enabled:
        raise SystemExit("拒绝在生产模式下写入演示数据 (AHPORTAL_MODE=prod)")
    with session_scope() as session:
        run(session)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ahportal-admin", description=__doc__)
    parser.add_argument("command", choices=["migrate", "load-reference", "seed-demo", "setup"])
    args = parser.parse_args(argv)
    settings = get_settings()
    if settings.is_sqlite:
        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True
        )
    if args.command in ("migrate", "setup"):
        migrate()
        print("数据库已迁移到最新版本")
    if args.command in ("load-reference", "setup"):
        print(f"参考数据已加载（新增 {load_reference()} 条）")
    if args.command in ("seed-demo", "setup"):
        seed_demo()
        print("演示数据已就绪")
    return 0


if __name__ == "__main__":
    sys.exit(main())
