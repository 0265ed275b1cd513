"""The 业绩档案 审核 dialog: the entry's fields, attachments, cases, flow, and the decisions."""

from __future__ import annotations

import reflex as rx

from ahportal.components.audit_dialog import audit_dialog, decision_panel
from ahportal.components.binding_audit import flow_timeline
from ahportal.components.table import label_value
from ahportal.components.theme import TEXT_MUTED
from ahportal.state.library_audit import CASE_PREVIEW
from ahportal.state.library_audit import LibraryAuditState as S


def library_audit_dialog() -> rx.Component:
    return audit_dialog(
        S,
        rx.fragment("业绩审核：", S.detail["category_label"]),
        "核对业绩信息与证明材料后审核；退回时须写明需修改的内容。",
        label_value("姓名", S.detail["person_name"]),
        label_value("证件号码", S.detail["id_number"]),
        label_value("提交时间", S.detail["submitted_at"]),
        label_value("审核状态", S.detail["status"], value_id="library-audit-status"),
        rx.divider(),
        rx.foreach(S.fields, lambda f: label_value(f["label"], f["value"])),
        rx.heading("附件", as_="h3", size="3", margin_top="0.5rem"),
        rx.cond(
            S.files.length() == 0,
            rx.text("无附件", size="2", color=TEXT_MUTED),
            rx.foreach(S.files, lambda f: rx.link(f["name"], href=f["url"], is_external=True)),
        ),
        rx.cond(
            S.detail["has_cases"] == "True",
            rx.vstack(
                rx.heading("病案列表", as_="h3", size="3", margin_top="0.5rem"),
                rx.text(
                    "共 ",
                    S.detail["case_total"],
                    f" 条（显示前 {CASE_PREVIEW} 条）：",
                    size="2",
                    color=TEXT_MUTED,
                ),
                rx.text(S.case_columns.join("｜"), size="1", weight="medium"),
                rx.foreach(S.cases, lambda c: rx.text(c["cells"], size="1")),
                spacing="1",
                width="100%",
            ),
        ),
        rx.heading("流程", as_="h3", size="3", margin_top="0.5rem"),
        flow_timeline(S.flow),
        decision_panel(
            S, prefix="library-audit", placeholder="通过时可不填；退回时请写明需要修改的全部内容"
        ),
    )
