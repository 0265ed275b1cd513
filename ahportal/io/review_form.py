"""The 专业技术资格评审表 as an A4 PDF: cover, 基本信息 with the photo, the material tables,
and one 审核意见 block per level with room for the stamp (盖章) it gets on paper."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ahportal.io.pdf import FormPDF

if TYPE_CHECKING:
    from ahportal.services.review_form import Opinion, ReviewForm

TITLE = "专业技术资格评审表"
PLATFORM = "安徽省专业技术人员综合管理服务平台"
ISSUER = "安徽省人力资源和社会保障厅 制"
NOTE = "注：本表由平台根据申报材料和各级审核记录生成，身份证号码隐去部分数字；打印后逐级盖章。"
CHINESE_NUMBERS = "一二三四五六七八九十"
ROW_H = 10.5
PHOTO_COL = 32.0
LABEL_W = 30.0


def _spaced(label: str, width: int = 4) -> str:
    """姓名 → 姓　　名: labels of a form's cover, justified to four characters."""
    if len(label) >= width or len(label) < 2:
        return label
    gaps = len(label) - 1
    pad = (width - len(label)) // gaps if gaps else 0
    return ("　" * pad).join(label)


def _cover(pdf: FormPDF, form: ReviewForm) -> None:
    pdf.show_header = False
    pdf.add_page()
    pdf.font(10)
    pdf.set_xy(pdf.l_margin, 22)
    pdf.cell(pdf.content_width, 6, f"申报编号：{form.declaration_id:08d}", align="R")
    pdf.set_xy(pdf.l_margin, 62)
    pdf.font(28)
    with pdf.local_context(text_mode="FILL_STROKE", line_width=0.35):
        pdf.cell(pdf.content_width, 14, TITLE, align="C")
    pdf.set_xy(pdf.l_margin, 80)
    pdf.font(15)
    pdf.cell(pdf.content_width, 9, f"（{form.plan_year} 年度）", align="C")
    fields = [
        ("姓名", form.name),
        ("工作单位", form.unit),
        ("申报系列", form.series),
        ("申报级别", form.level),
        ("申报专业", form.specialty),
        ("评审计划", form.plan_name),
        ("提交日期", form.submitted_on),
    ]
    left, label_w, value_w = 38.0, 30.0, 100.0
    y = 118.0
    for label, value in fields:
        pdf.font(14)
        pdf.set_xy(left, y)
        pdf.cell(label_w, 10, _spaced(label) + "：")
        size = pdf.fitted_size(value, value_w - 2, 14, 9)
        pdf.font(size)
        pdf.set_xy(left + label_w, y)
        pdf.cell(value_w, 10, value, align="C")
        pdf.line(left + label_w, y + 9, left + label_w + value_w, y + 9)
        y += 14
    pdf.font(14)
    pdf.set_xy(pdf.l_margin, 248)
    pdf.cell(pdf.content_width, 8, ISSUER, align="C")
    pdf.font(9)
    pdf.set_text_color(90, 90, 90)
    pdf.set_xy(pdf.l_margin, 258)
    pdf.cell(
        pdf.content_width,
        6,
        f"申报状态：{form.status}　　导出时间：{form.exported_at}",
        align="C",
    )
    pdf.set_text_color(0, 0, 0)
    pdf.show_header = True


def _basic(pdf: FormPDF, form: ReviewForm, number: str) -> None:
    pdf.section_title(f"{number}、基本信息")
    x0, y = pdf.l_margin, pdf.get_y()
    widths = [20.0, 27.0, 18.0, 27.0, 22.0, 28.0]
    xs = [x0]
    for w in widths:
        xs.append(xs[-1] + w)

    def row(cells: list[tuple[str, int, bool]], top: float) -> None:
        col = 0
        for text, span, label in cells:
            w = sum(widths[col : col + span])
            if col + span > len(widths):  # a row that runs under the photo column too
                w = sum(widths[col:]) + PHOTO_COL
            pdf.box(xs[col], top, w, ROW_H, text, fill=label, size=10 if label else 10.5)
            col += span

    row([("姓名", 1, True), (form.name, 1, False), ("性别", 1, True), (form.sex, 1, False),
         ("出生年月", 1, True), (form.birth, 1, False)], y)  # fmt: skip
    row([("身份证号", 1, True), (form.id_number, 3, False), ("联系电话", 1, True),
         (form.phone, 1, False)], y + ROW_H)  # fmt: skip
    row([("工作单位", 1, True), (form.unit, 5, False)], y + 2 * ROW_H)
    row([("申报系列", 1, True), (form.series, 1, False), ("申报级别", 1, True),
         (form.level, 1, False), ("申报专业", 1, True), (form.specialty, 1, False)],
        y + 3 * ROW_H)  # fmt: skip
    _photo(pdf, form, xs[-1], y, PHOTO_COL, 4 * ROW_H)
    row([("评审计划", 1, True), (form.plan_name, 3, False), ("申报年度", 1, True),
         (f"{form.plan_year}", 2, False)], y + 4 * ROW_H)  # fmt: skip
    pdf.set_xy(x0, y + 5 * ROW_H + 2)


def _photo(pdf: FormPDF, form: ReviewForm, x: float, y: float, w: float, h: float) -> None:
    pdf.rect(x, y, w, h)
    if form.photo is None:
        pdf.set_text_color(120, 120, 120)
        pdf.box(x, y, w, h, "未上传照片", size=9)
        pdf.set_text_color(0, 0, 0)
        return
    width = w - 5
    height = width * 7 / 5  # the stored photo is 295×413 (5:7)
    if height > h - 4:
        height = h - 4
        width = height * 5 / 7
    pdf.image(str(form.photo), x=x + (w - width) / 2, y=y + (h - height) / 2, w=width, h=height)


def _tables(pdf: FormPDF, form: ReviewForm, first: int) -> int:
    number = first
    for title, tables in form.sections:
        pdf.section_title(f"{CHINESE_NUMBERS[number]}、{title}")
        number += 1
        if not tables:
            pdf.box(pdf.l_margin, pdf.get_y(), pdf.content_width, ROW_H, "无")
            pdf.set_y(pdf.get_y() + ROW_H + 2)
            continue
        for table in tables:
            if table.title:
                if pdf.will_page_break(24):
                    pdf.add_page()
                pdf.font(10.5)
                pdf.set_x(pdf.l_margin)
                pdf.cell(pdf.content_width, 7, table.title)
                pdf.ln(7)
            pdf.grid(table.headers, table.rows, table.weights)
    return number


def _date_text(op: Opinion) -> str:
    day = op.decided_on
    return f"{day.year} 年 {day.month} 月 {day.day} 日" if day else "年　　月　　日"


def _opinion_height(pdf: FormPDF, op: Opinion) -> tuple[str, float]:
    lines = [
        f"审核单位：{op.org_name}",
        f"审核结果：{op.decision or '尚未审核'}",
        f"审核意见：{op.opinion or ('无' if op.decision else '')}",
    ]
    text = "\n".join(lines)
    pdf.font(10.5)
    body_w = pdf.content_width - LABEL_W
    text_h = len(pdf.wrapped(body_w - 6, 6, text)) * 6
    return text, max(46.0, text_h + 28)


def _opinion_block(pdf: FormPDF, op: Opinion) -> None:
    label_w = LABEL_W
    body_w = pdf.content_width - label_w
    text, h = _opinion_height(pdf, op)
    if pdf.will_page_break(h):
        pdf.add_page()
    x, y = pdf.l_margin, pdf.get_y()
    pdf.box(x, y, label_w, h, f"{op.level}\n审核意见", fill=True, size=10)
    pdf.rect(x + label_w, y, body_w, h)
    pdf.font(10.5)
    pdf.set_xy(x + label_w + 3, y + 3)
    pdf.multi_cell(body_w - 6, 6, text)
    bottom = y + h
    pdf.font(10.5)
    right = x + pdf.content_width - 58
    if op.actor_name and op.actor_name != op.org_name:
        signer = f"经办人：{op.actor_name}"
        room = right - (x + label_w + 3) - 2
        pdf.font(pdf.fitted_size(signer, room, 10.5))
        pdf.set_xy(x + label_w + 3, bottom - 10)
        pdf.cell(room, 6, signer)
        pdf.font(10.5)
    pdf.set_xy(right, bottom - 19)
    pdf.cell(52, 6, "（盖章）", align="C")
    pdf.set_xy(right, bottom - 10)
    pdf.cell(52, 6, _date_text(op), align="C")
    pdf.set_xy(x, bottom)


def _opinions(pdf: FormPDF, form: ReviewForm, number: int) -> None:
    first = _opinion_height(pdf, form.opinions[0])[1] if form.opinions else ROW_H
    pdf.section_title(f"{CHINESE_NUMBERS[number]}、审核意见", keep_with=first)
    if not form.opinions:
        pdf.box(pdf.l_margin, pdf.get_y(), pdf.content_width, ROW_H, "尚未提交审核")
        pdf.set_y(pdf.get_y() + ROW_H)
    for op in form.opinions:
        _opinion_block(pdf, op)
    pdf.ln(4)
    pdf.font(8.5)
    pdf.set_text_color(90, 90, 90)
    pdf.set_x(pdf.l_margin)
    pdf.multi_cell(pdf.content_width, 4.5, NOTE)
    pdf.set_text_color(0, 0, 0)


def render(form: ReviewForm) -> bytes:
    """The PDF: fonts subset to the characters used, so it stays small."""
    pdf = FormPDF(
        header_left=PLATFORM,
        header_right=f"{TITLE}　{form.name}　{form.plan_year} 年度",
        texts=[*form.texts(), TITLE, PLATFORM, ISSUER, NOTE],
    )
    pdf.set_title(f"{TITLE}（{form.name}）")
    pdf.set_creator(PLATFORM)
    _cover(pdf, form)
    pdf.add_page()
    _basic(pdf, form, CHINESE_NUMBERS[0])
    number = _tables(pdf, form, 1)
    _opinions(pdf, form, number)
    return bytes(pdf.output())
