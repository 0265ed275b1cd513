"""The 情况登记表 of a 学术和技术带头人 (or 后备人选) declaration as an A4 PDF: basic information
with the photo, 学历学位, 工作经历, 现有专业技术资格, the selected achievements, and the
单位推荐意见 box the unit stamps (盖章) and dates on paper before scanning it back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ahportal.io.pdf import FormPDF

if TYPE_CHECKING:
    from ahportal.services.leader_form import RegistrationForm

PLATFORM = "安徽省专业技术人员综合管理服务平台"
NOTE = (
    "注：本表由平台根据申报人提交的信息生成，身份证号码隐去部分数字。"
    "单位审核后在“单位推荐意见”栏填写意见、加盖单位公章，扫描成 PDF 文件上传。"
)
NUMBERS = "一二三四五六七八九十"
ROW_H = 10.5
PHOTO_W = 32.0


def _photo(pdf: FormPDF, form: RegistrationForm, x: float, y: float, w: float, h: float) -> None:
    if form.photo is None:
        pdf.set_text_color(120, 120, 120)
        pdf.box(x, y, w, h, "未上传照片", size=9)
        pdf.set_text_color(0, 0, 0)
        return
    pdf.rect(x, y, w, h)
    width = w - 5
    height = width * 7 / 5  # the stored photo is 5:7
    if height > h - 4:
        height = h - 4
        width = height * 5 / 7
    pdf.image(str(form.photo), x=x + (w - width) / 2, y=y + (h - height) / 2, w=width, h=height)


def _heading(pdf: FormPDF, form: RegistrationForm) -> None:
    pdf.font(9.5)
    pdf.set_xy(pdf.l_margin, pdf.t_margin)
    pdf.cell(pdf.content_width, 5, f"申报编号：{form.declaration_id:08d}", align="R")
    pdf.set_xy(pdf.l_margin, pdf.t_margin + 7)
    pdf.font(18)
    with pdf.local_context(text_mode="FILL_STROKE", line_width=0.25):
        pdf.cell(pdf.content_width, 10, form.title, align="C")
    pdf.set_xy(pdf.l_margin, pdf.t_margin + 18)
    pdf.font(11)
    pdf.cell(pdf.content_width, 7, f"（{form.plan_year} 年度　{form.batch}）", align="C")
    pdf.set_y(pdf.t_margin + 28)


def _basic(pdf: FormPDF, form: RegistrationForm) -> None:
    pdf.section_title(f"{NUMBERS[0]}、基本信息")
    x0, y = pdf.l_margin, pdf.get_y()
    widths = [22.0, 26.0, 18.0, 26.0, 24.0, 26.0]
    widths[-1] = pdf.content_width - PHOTO_W - sum(widths[:-1])
    xs = [x0]
    for w in widths:
        xs.append(xs[-1] + w)

    def row(cells: list[tuple[str, int, bool]], top: float) -> None:
        column = 0
        for text, span, label in cells:
            w = sum(widths[column : column + span])
            if column + span > len(widths):  # runs under the photo column too
                w = sum(widths[column:]) + PHOTO_W
            pdf.box(xs[column], top, w, ROW_H, text, fill=label, size=10 if label else 10.5)
            column += span

    row([("姓名", 1, True), (form.name, 1, False), ("性别", 1, True), (form.sex, 1, False),
         ("出生年月", 1, True), (form.birth, 1, False)], y)  # fmt: skip
    row([("身份证号", 1, True), (form.id_number, 3, False), ("联系电话", 1, True),
         (form.phone, 1, False)], y + ROW_H)  # fmt: skip
    row([("工作单位", 1, True), (form.unit, 5, False)], y + 2 * ROW_H)
    row([("申报类别", 1, True), (form.candidacy, 1, False), ("学科", 1, True),
         (form.discipline, 1, False), ("现专业技术资格", 1, True), (form.grade, 1, False)],
        y + 3 * ROW_H)  # fmt: skip
    _photo(pdf, form, xs[-1], y, PHOTO_W, 4 * ROW_H)
    row([("申报计划", 1, True), (form.plan_name, 3, False), ("计划年度", 1, True),
         (str(form.plan_year), 2, False)], y + 4 * ROW_H)  # fmt: skip
    pdf.set_xy(x0, y + 5 * ROW_H + 2)


def _sections(pdf: FormPDF, form: RegistrationForm) -> int:
    number = 1
    for title, tables in form.sections:
        pdf.section_title(f"{NUMBERS[number]}、{title}")
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


def _recommendation(pdf: FormPDF, form: RegistrationForm, number: int) -> None:
    height = 70.0
    pdf.section_title(f"{NUMBERS[number]}、单位推荐意见", keep_with=height)
    x, y = pdf.l_margin, pdf.get_y()
    label_w = 30.0
    pdf.box(x, y, label_w, height, "单位\n推荐意见", fill=True, size=11)
    pdf.rect(x + label_w, y, pdf.content_width - label_w, height)
    pdf.font(10.5)
    pdf.set_xy(x + label_w + 3, y + 3)
    pdf.cell(pdf.content_width - label_w - 6, 6, f"推荐单位：{form.unit}")
    right = x + pdf.content_width - 62
    pdf.set_xy(right, y + height - 22)
    pdf.cell(56, 6, "（单位盖章）", align="C")
    pdf.set_xy(right, y + height - 12)
    pdf.cell(56, 6, "年　　月　　日", align="C")
    pdf.set_xy(x, y + height + 4)
    pdf.font(8.5)
    pdf.set_text_color(90, 90, 90)
    pdf.multi_cell(pdf.content_width, 4.5, NOTE)
    pdf.set_text_color(0, 0, 0)


def render(form: RegistrationForm) -> bytes:
    """The PDF, fonts subset to the characters used."""
    pdf = FormPDF(
        header_left=PLATFORM,
        header_right=f"{form.title}　{form.name}",
        texts=[*form.texts(), PLATFORM, NOTE, "单位推荐意见", "（单位盖章）"],
    )
    pdf.set_title(f"{form.title}（{form.name}）")
    pdf.set_creator(PLATFORM)
    pdf.add_page()
    _heading(pdf, form)
    _basic(pdf, form)
    number = _sections(pdf, form)
    _recommendation(pdf, form, number)
    return bytes(pdf.output())
