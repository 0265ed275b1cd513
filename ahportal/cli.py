"""`ahportal-admin`: migrate the database, load reference data, seed demo data, archive the
operation log.

`setup` runs every step the mode allows: migrations and reference data always, demo data
only in dev and test mode (in prod it says so and leaves the database without demo data).
`archive-audit-log [--months N] [--to FOLDER]` moves operation-log rows older than N months
(default and minimum 6) into a gzip-compressed JSON-lines file and deletes them.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ahportal.settings import PROJECT_ROOT, SettingsError, get_settings

# What production mode needs (ahportal/settings.py refuses to start without them).
REQUIRED_IN_PROD = {
    "AHPORTAL_SECRET_KEY": "随机密钥，至少 32 个字符",
    "AHPORTAL_OIDC_ISSUER": "安徽政务服务网的 OpenID Connect issuer 地址",
    "AHPORTAL_OIDC_CLIENT_SECRET": "在政务服务网登记的客户端密钥",
}


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


def archive_audit_log(months: int, folder: str | None) -> str:
    """Archive the operation log's old rows; the sentence that says what was done."""
    from ahportal.db import session_scope
    from ahportal.services.audit_archive import archive

    with session_scope() as session:
        done = archive(session, months=months, directory=Path(folder) if folder else None)
    before = done.cutoff.astimezone().strftime("%Y-%m-%d %H:%M")
    if not done.count:
        return f"没有 {before} 之前的操作日志需要归档"
    return f"已归档 {done.count} 条 {before} 之前的操作日志到 {done.path}"


def _settings_problem(error: SettingsError) -> str:
    """A message naming every required production setting that is missing, and the error."""
    lines = [f"配置错误：{error}"]
    if os.environ.get("AHPORTAL_MODE") == "prod":
        missing = [name for name in REQUIRED_IN_PROD if not os.environ.get(name)]
        if missing:
            lines.append("生产模式 (AHPORTAL_MODE=prod) 缺少以下必填配置：")
            lines += [f"  {name}: {REQUIRED_IN_PROD[name]}" for name in missing]
        lines.append(
            "另请设置 AHPORTAL_BASE_URL（门户的 https 地址）和 AHPORTAL_DATABASE_URL；"
            "详见 README 的 Production 一节。"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ahportal-admin", description=__doc__)
    parser.add_argument(
        "command",
        choices=["migrate", "load-reference", "seed-demo", "setup", "archive-audit-log"],
    )
    parser.add_argument(
        "--months",
        type=int,
        default=6,
        help="archive-audit-log: rows older than this many months (at least 6; default 6)",
    )
    parser.add_argument(
        "--to",
        dest="folder",
        default=None,
        help="archive-audit-log: the folder for the archive file (default: storage root)",
    )
    args = parser.parse_args(argv)
    if args.command == "archive-audit-log" and args.months < 6:
        print("操作日志至少保留 6 个月：--months 不能小于 6", file=sys.stderr)
        return 2
    try:
        settings = get_settings()
    except SettingsError as exc:
        print(_settings_problem(exc), file=sys.stderr)
        return 2
    if settings.is_sqlite:
        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True
        )
    if args.command == "archive-audit-log":
        print(archive_audit_log(args.months, args.folder))
        return 0
    if args.command in ("migrate", "setup"):
        migrate()
        print("数据库已迁移到最新版本")
    if args.command in ("load-reference", "setup"):
        print(f"参考数据已加载（新增 {load_reference()} 条）")
    if args.command == "seed-demo" or (args.command == "setup" and settings.dev_idp_enabled):
        seed_demo()
        print("演示数据已就绪")
    elif args.command == "setup":
        print(f"{settings.mode.value} 模式：不写入演示数据")
    return 0


if __name__ == "__main__":
    sys.exit(main())
