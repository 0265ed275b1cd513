"""How domain values read on screen: Chinese labels and badge colours for statuses, times.

Services return enums and datetimes; states turn them into text here, and pages take
their choice lists from the states, so a label is written once.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from ahportal.models import (
    ROLE_LABELS,
    BindingStatus,
    DeclarationStatus,
    EntrySource,
    HrLevel,
    LeaderResult,
    LibraryStatus,
    PlanStatus,
    Role,
)
from ahportal.services.bindings import PersonBindingState
from ahportal.services.formatting import local_time
from ahportal.services.org_accounts import AccountState
from ahportal.services.workflow import ActionChoice, FlowStep

# (status, label, colour). Pairs, not a dict keyed by member, and looked up by (enum type,
# value): StrEnum members of different enums with the same value ("draft") compare and hash
# equal, so a dict would give 草稿 and 填报中 one entry.
_LABELS: tuple[tuple[Enum, str, str], ...] = (
    (BindingStatus.PENDING, "待审核", "amber"),
    (BindingStatus.APPROVED, "已通过", "green"),
    (BindingStatus.REJECTED, "已驳回", "red"),
    (BindingStatus.SUPERSEDED, "已变更", "gray"),
    (PersonBindingState.UNBOUND, "未绑定", "gray"),
    (PersonBindingState.PENDING, "待审核", "amber"),
    (PersonBindingState.BOUND, "已绑定", "green"),
    (PersonBindingState.REJECTED, "已驳回", "red"),
    (AccountState.ACTIVE, "正常", "green"),
    (AccountState.LOCKED, "锁定中", "orange"),
    (AccountState.DISABLED, "已停用", "gray"),
    (LibraryStatus.DRAFT, "草稿", "gray"),
    (LibraryStatus.PENDING, "待审核", "amber"),
    (LibraryStatus.APPROVED, "已通过", "green"),
    (LibraryStatus.RETURNED, "已退回", "red"),
    (EntrySource.DECLARED, "用户申报", "blue"),
    (EntrySource.AUTO, "自动生成", "green"),
    (PlanStatus.DRAFT, "草稿", "gray"),
    (PlanStatus.PUBLISHED, "已发布", "green"),
    (DeclarationStatus.DRAFT, "填报中", "gray"),
    (DeclarationStatus.AUDITING, "审核中", "amber"),
    (DeclarationStatus.RETURNED, "已退回", "red"),
    (DeclarationStatus.TERMINATED, "已终止", "gray"),
    (DeclarationStatus.PASSED, "审核通过", "green"),
    (LeaderResult.LEADER, "入选带头人", "green"),
    (LeaderResult.RESERVE, "入选后备人选", "green"),
    (LeaderResult.NONE, "未入选", "gray"),
)

_HR_LEVEL_PREFIX = {HrLevel.PROVINCE: "省级", HrLevel.CITY: "市级", HrLevel.COUNTY: "县级"}

# Button colour of a workflow action; anything not listed reads as a refusal.
_ACTION_TONES = {"approve": "green", "pass": "green"}


_STATUS: dict[tuple[type, object], tuple[str, str]] = {}
for _member, _label, _colour in _LABELS:
    _STATUS[(type(_member), _member.value)] = (_label, _colour)


def status_label(value: Enum) -> str:
    return _STATUS.get((type(value), value.value), (str(value.value), "gray"))[0]


def status_color(value: Enum) -> str:
    return _STATUS.get((type(value), value.value), ("", "gray"))[1]


def status_options(enum_cls: type[Enum]) -> list[dict[str, str]]:
    """A filter's choices for a status enum: value and label, in declaration order."""
    return [{"value": str(member.value), "label": status_label(member)} for member in enum_cls]


def role_label(role: Role, hr_level: HrLevel | None = None) -> str:
    """单位管理员, 市级人社部门, …"""
    prefix = _HR_LEVEL_PREFIX.get(hr_level, "") if role is Role.HR_BUREAU and hr_level else ""
    return prefix + ROLE_LABELS[role]


# 人员注册审核's status filter (pages take choice lists from the state).
BINDING_STATUS_OPTIONS = status_options(BindingStatus)
# 个人业绩库 and 业绩档案 status filters (the unit never sees drafts).
LIBRARY_STATUS_OPTIONS = status_options(LibraryStatus)
# 职称申报审核's status filter (已审核 shows every status the cases reached).
DECLARATION_STATUS_OPTIONS = [
    o for o in status_options(DeclarationStatus) if o["value"] != DeclarationStatus.DRAFT.value
]
UNIT_LIBRARY_STATUS_OPTIONS = [
    o for o in LIBRARY_STATUS_OPTIONS if o["value"] != LibraryStatus.DRAFT.value
]
# 评审计划's status filter.
PLAN_STATUS_OPTIONS = status_options(PlanStatus)


def when(value: datetime | None) -> str:
    return local_time(value)


def action_buttons(choices: list[ActionChoice]) -> list[dict[str, str]]:
    """The dialog's decision buttons, drawn from the transitions the actor may take."""
    return [
        {
            "action": c.action,
            "label": c.label,
            "tone": _ACTION_TONES.get(c.action, "red"),
            "opinion_required": "1" if c.opinion_required else "",
        }
        for c in choices
    ]


def flow_rows(steps: list[FlowStep]) -> list[dict[str, str]]:
    """流程 lines: time, who, what, opinion."""
    return [
        {"time": when(s.time), "actor": s.actor, "action": s.label, "opinion": s.opinion}
        for s in steps
    ]


def text_fields(model: Any) -> dict[str, str]:
    """A read model's fields as strings for a State var (enums by label, times in China time)."""
    # Shallow: asdict() would deep-copy the lists (flow, actions) only for them to be skipped.
    if is_dataclass(model) and not isinstance(model, type):
        values = {f.name: getattr(model, f.name) for f in fields(model)}
    else:
        values = dict(model)
    out: dict[str, str] = {}
    for key, value in values.items():
        if type(value) is str:  # most fields: no conversion to look for
            out[key] = value
        elif isinstance(value, Enum):
            out[key] = status_label(value)
        elif isinstance(value, datetime):
            out[key] = when(value)
        elif isinstance(value, list | dict) or is_dataclass(value):
            continue
        else:
            out[key] = "" if value is None else str(value)
    return out


def records_leader_results(actor: Any) -> bool:
    """The provincial HR bureau, the last level of a leader case, records its result."""
    return actor is not None and actor.hr_level is HrLevel.PROVINCE
