"""个人业绩库的类别: each category declared once, as data.

A category's fields drive the 新增 form, the list columns, validation, the unit's audit view
and the Excel template; a new category is one more `Category(...)` below, not new pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from ahportal.services.fields import DateOrder, FieldKind, FieldSpec

LEVELS = ("国家级", "省部级", "市厅级", "县级", "其他")
TITLE_GRADES = ("正高级", "副高级", "中级", "助理级", "员级")
INDEXING = ("SCI", "EI", "SSCI", "CSSCI", "北大中文核心", "中国科技核心", "普通期刊", "其他")
RANKS = FieldSpec(
    "rank", "本人排名", FieldKind.INT, required=True, low=1, high=100, example="1", list_column=True
)

PUBLIC_HOURS = "公需课"
PROFESSIONAL_HOURS = "专业课"


@dataclass(frozen=True)
class AttachmentRule:
    """What proof a category needs: how many files, at least and at most."""

    required: bool = True
    max_files: int = 5
    note: str = "证书、证明材料的扫描件或照片（PDF、JPG、PNG）"


@dataclass(frozen=True)
class Category:
    """One kind of library entry."""

    code: str
    label: str
    fields: tuple[FieldSpec, ...]
    # The field that names an entry in lists and messages, and the one that dates it.
    title_field: str
    date_field: str | None = None
    rules: tuple[DateOrder, ...] = ()
    attachments: AttachmentRule = AttachmentRule()
    # Health-sector entries carry a 病案列表 the person may adjust after submission.
    has_cases: bool = False
    group: str = "通用"

    def field(self, key: str) -> FieldSpec:
        for spec in self.fields:
            if spec.key == key:
                return spec
        raise KeyError(key)

    @property
    def list_fields(self) -> tuple[FieldSpec, ...]:
        return tuple(spec for spec in self.fields if spec.list_column)


CPD_CODE = "cpd"

CATEGORIES: tuple[Category, ...] = (
    Category(
        "education",
        "学历学位",
        (
            FieldSpec(
                "education",
                "学历",
                FieldKind.CHOICE,
                required=True,
                choices=("博士研究生", "硕士研究生", "大学本科", "大学专科", "中等专科", "其他"),
                list_column=True,
            ),
            FieldSpec("degree", "学位", FieldKind.CHOICE, choices=("博士", "硕士", "学士", "无")),
            FieldSpec("school", "毕业院校", required=True, max_length=100, list_column=True),
            FieldSpec("major", "所学专业", required=True, max_length=60, list_column=True),
            FieldSpec("start", "入学时间", FieldKind.MONTH, required=True),
            FieldSpec("graduated", "毕业时间", FieldKind.DATE, required=True, list_column=True),
            FieldSpec(
                "mode", "学习形式", FieldKind.CHOICE, required=True, choices=("全日制", "非全日制")
            ),
            FieldSpec("certificate_no", "毕业证书编号", max_length=40),
        ),
        title_field="school",
        date_field="graduated",
        rules=(DateOrder("start", "graduated"),),
    ),
    Category(
        "work",
        "工作经历",
        (
            FieldSpec("start", "起始时间", FieldKind.MONTH, required=True, list_column=True),
            FieldSpec("end", "结束时间", FieldKind.MONTH, note="至今可不填", list_column=True),
            FieldSpec("employer", "工作单位", required=True, max_length=100, list_column=True),
            FieldSpec(
                "position", "从事工作及职务", required=True, max_length=100, list_column=True
            ),
            FieldSpec("witness", "证明人", max_length=30),
        ),
        title_field="employer",
        date_field="start",
        rules=(DateOrder("start", "end"),),
        attachments=AttachmentRule(required=False, note="聘用合同、工作证明等（选填）"),
    ),
    Category(
        "qualification",
        "现有专业技术资格",
        (
            FieldSpec("name", "资格名称", required=True, max_length=60, list_column=True),
            FieldSpec(
                "grade",
                "资格级别",
                FieldKind.CHOICE,
                required=True,
                choices=TITLE_GRADES,
                list_column=True,
            ),
            FieldSpec("specialty", "专业", max_length=60),
            FieldSpec(
                "route",
                "取得途径",
                FieldKind.CHOICE,
                required=True,
                choices=("评审", "考试", "考核认定", "直接认定"),
            ),
            FieldSpec("obtained", "取得时间", FieldKind.DATE, required=True, list_column=True),
            FieldSpec("certificate_no", "证书编号", required=True, max_length=40),
            FieldSpec("issuer", "发证机关", max_length=60),
        ),
        title_field="name",
        date_field="obtained",
    ),
    Category(
        "appraisal",
        "年度考核",
        (
            FieldSpec("year", "考核年度", FieldKind.YEAR, required=True, list_column=True),
            FieldSpec(
                "result",
                "考核结果",
                FieldKind.CHOICE,
                required=True,
                choices=("优秀", "合格", "基本合格", "不合格", "不定等次"),
                list_column=True,
            ),
            FieldSpec("org", "考核单位", max_length=100),
        ),
        title_field="year",
        attachments=AttachmentRule(required=False, note="年度考核登记表（选填）"),
    ),
    Category(
        "paper",
        "论文",
        (
            FieldSpec("title", "论文题目", required=True, max_length=200, list_column=True),
            FieldSpec("journal", "刊物名称", required=True, max_length=100, list_column=True),
            FieldSpec("issn", "刊号（ISSN/CN）", max_length=40),
            FieldSpec("published", "发表时间", FieldKind.DATE, required=True, list_column=True),
            RANKS,
            FieldSpec("indexing", "收录情况", FieldKind.CHOICE, required=True, choices=INDEXING),
        ),
        title_field="title",
        date_field="published",
        attachments=AttachmentRule(note="刊物封面、目录及论文正文（PDF、JPG、PNG）"),
    ),
    Category(
        "book",
        "著作",
        (
            FieldSpec("title", "著作名称", required=True, max_length=200, list_column=True),
            FieldSpec("publisher", "出版社", required=True, max_length=100, list_column=True),
            FieldSpec("published", "出版时间", FieldKind.MONTH, required=True, list_column=True),
            FieldSpec("isbn", "ISBN", max_length=20),
            FieldSpec(
                "role",
                "本人角色",
                FieldKind.CHOICE,
                required=True,
                choices=("独著", "主编", "副主编", "编委", "参编"),
            ),
            FieldSpec("words", "本人撰写字数（万字）", FieldKind.DECIMAL, low=0.1, high=500),
        ),
        title_field="title",
        date_field="published",
    ),
    Category(
        "project",
        "科研项目",
        (
            FieldSpec("name", "项目名称", required=True, max_length=200, list_column=True),
            FieldSpec(
                "level",
                "项目级别",
                FieldKind.CHOICE,
                required=True,
                choices=LEVELS,
                list_column=True,
            ),
            FieldSpec("source", "项目来源", required=True, max_length=100),
            FieldSpec("number", "项目编号", max_length=60),
            FieldSpec(
                "role",
                "本人角色",
                FieldKind.CHOICE,
                required=True,
                choices=("主持", "参与"),
                list_column=True,
            ),
            RANKS,
            FieldSpec("start", "开始时间", FieldKind.MONTH, required=True),
            FieldSpec("end", "结束时间", FieldKind.MONTH, future_ok=True),
            FieldSpec("funds", "经费（万元）", FieldKind.DECIMAL, low=0, high=100_000),
            FieldSpec(
                "state", "完成情况", FieldKind.CHOICE, required=True, choices=("在研", "已结题")
            ),
        ),
        title_field="name",
        date_field="start",
        rules=(DateOrder("start", "end"),),
    ),
    Category(
        "award",
        "获奖",
        (
            FieldSpec("project", "获奖项目名称", required=True, max_length=200, list_column=True),
            FieldSpec("award", "奖项名称", required=True, max_length=100, list_column=True),
            FieldSpec("level", "奖励级别", FieldKind.CHOICE, required=True, choices=LEVELS),
            FieldSpec(
                "grade",
                "获奖等级",
                FieldKind.CHOICE,
                required=True,
                choices=("特等奖", "一等奖", "二等奖", "三等奖", "优秀奖", "其他"),
                list_column=True,
            ),
            RANKS,
            FieldSpec("awarded", "获奖时间", FieldKind.DATE, required=True, list_column=True),
            FieldSpec("issuer", "授奖单位", required=True, max_length=100),
        ),
        title_field="project",
        date_field="awarded",
    ),
    Category(
        "patent",
        "专利",
        (
            FieldSpec("name", "专利名称", required=True, max_length=200, list_column=True),
            FieldSpec(
                "type",
                "专利类型",
                FieldKind.CHOICE,
                required=True,
                choices=("发明专利", "实用新型专利", "外观设计专利"),
                list_column=True,
            ),
            FieldSpec("number", "专利号", required=True, max_length=40),
            FieldSpec("granted", "授权公告日", FieldKind.DATE, required=True, list_column=True),
            RANKS,
            FieldSpec("holder", "专利权人", required=True, max_length=100),
        ),
        title_field="name",
        date_field="granted",
    ),
    Category(
        "honor",
        "荣誉称号",
        (
            FieldSpec("name", "荣誉称号", required=True, max_length=100, list_column=True),
            FieldSpec("issuer", "授予单位", required=True, max_length=100, list_column=True),
            FieldSpec(
                "level", "级别", FieldKind.CHOICE, required=True, choices=LEVELS, list_column=True
            ),
            FieldSpec("granted", "授予时间", FieldKind.DATE, required=True, list_column=True),
        ),
        title_field="name",
        date_field="granted",
    ),
    Category(
        CPD_CODE,
        "继续教育",
        (
            FieldSpec("year", "年度", FieldKind.YEAR, required=True, list_column=True),
            FieldSpec(
                "hours_kind",
                "学时类别",
                FieldKind.CHOICE,
                required=True,
                choices=(PUBLIC_HOURS, PROFESSIONAL_HOURS),
                list_column=True,
            ),
            FieldSpec("course", "课程或培训名称", required=True, max_length=200, list_column=True),
            FieldSpec(
                "hours",
                "学时",
                FieldKind.DECIMAL,
                required=True,
                low=0.5,
                high=200,
                list_column=True,
            ),
            FieldSpec("provider", "培训机构", max_length=100),
            FieldSpec(
                "mode", "学习形式", FieldKind.CHOICE, choices=("网络学习", "面授培训", "其他")
            ),
        ),
        title_field="course",
        attachments=AttachmentRule(required=False, note="学时证明或培训证书（选填）"),
    ),
    Category(
        "health_paper",
        "行业专用·论文",
        (
            FieldSpec("title", "论文题目", required=True, max_length=200, list_column=True),
            FieldSpec("journal", "刊物名称", required=True, max_length=100, list_column=True),
            FieldSpec("published", "发表时间", FieldKind.DATE, required=True, list_column=True),
            RANKS,
            FieldSpec("indexing", "收录情况", FieldKind.CHOICE, required=True, choices=INDEXING),
        ),
        title_field="title",
        date_field="published",
        has_cases=True,
        group="行业专用（卫生系列）",
    ),
    Category(
        "health_review",
        "行业专用·综述",
        (
            FieldSpec("title", "综述题目", required=True, max_length=200, list_column=True),
            FieldSpec(
                "kind",
                "综述类型",
                FieldKind.CHOICE,
                required=True,
                choices=("病例分析报告", "临床病案综述", "专题综述"),
                list_column=True,
            ),
            FieldSpec("written", "完成时间", FieldKind.DATE, required=True, list_column=True),
            FieldSpec("words", "字数", FieldKind.INT, low=500, high=200_000),
            FieldSpec("abstract", "内容摘要", FieldKind.LONGTEXT, max_length=1000),
        ),
        title_field="title",
        date_field="written",
        attachments=AttachmentRule(note="综述正文（PDF、JPG、PNG）"),
        has_cases=True,
        group="行业专用（卫生系列）",
    ),
)

BY_CODE: dict[str, Category] = {category.code: category for category in CATEGORIES}

# 病案列表: the case records of a health-sector paper or review (typed columns of case_record).
CASE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "case_no",
        "病案号",
        required=True,
        max_length=32,
        example="2024000123",
        list_column=True,
        note="同一论文或综述内不得重复",
    ),
    FieldSpec(
        "sex",
        "患者性别",
        FieldKind.CHOICE,
        required=True,
        choices=("男", "女"),
        example="男",
        list_column=True,
    ),
    FieldSpec(
        "age",
        "患者年龄",
        FieldKind.INT,
        required=True,
        low=0,
        high=130,
        example="56",
        list_column=True,
        note="周岁；不满 1 岁填 0",
    ),
    FieldSpec(
        "admitted_on",
        "入院日期",
        FieldKind.DATE,
        required=True,
        example="2024-03-02",
        list_column=True,
    ),
    FieldSpec(
        "discharged_on",
        "出院日期",
        FieldKind.DATE,
        required=True,
        example="2024-03-15",
        list_column=True,
        note="不得早于入院日期",
    ),
    FieldSpec(
        "diagnosis",
        "主要诊断",
        required=True,
        max_length=200,
        example="急性ST段抬高型心肌梗死",
        list_column=True,
    ),
    FieldSpec("icd_code", "诊断编码（ICD-10）", max_length=16, example="I21.0"),
    FieldSpec("procedure", "手术及操作名称", max_length=200, example="经皮冠状动脉介入治疗"),
    FieldSpec(
        "treatment",
        "治疗方式",
        FieldKind.CHOICE,
        required=True,
        choices=("手术治疗", "介入治疗", "药物治疗", "放射治疗", "康复治疗", "综合治疗", "其他"),
        example="介入治疗",
        list_column=True,
    ),
    FieldSpec(
        "role",
        "本人角色",
        FieldKind.CHOICE,
        required=True,
        choices=(
            "主诊医师",
            "主刀医师",
            "第一助手",
            "第二助手",
            "管床医师",
            "会诊医师",
            "护理负责人",
        ),
        example="主刀医师",
        list_column=True,
    ),
    FieldSpec(
        "result",
        "治疗结果",
        FieldKind.CHOICE,
        required=True,
        choices=("治愈", "好转", "未愈", "死亡", "其他"),
        example="好转",
        list_column=True,
    ),
    FieldSpec("note", "备注", max_length=200, example=""),
)
CASE_RULES = (DateOrder("admitted_on", "discharged_on"),)

# 公需课学时: one row of the provincial learning platform's export, loaded by an HR bureau.
PUBLIC_HOURS_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "id_number", "身份证号", FieldKind.ID_NUMBER, required=True, example="340104199001011239"
    ),
    FieldSpec("name", "姓名", required=True, max_length=64, example="张三"),
    FieldSpec("year", "年度", FieldKind.YEAR, required=True, example="2025"),
    FieldSpec(
        "course", "课程名称", required=True, max_length=200, example="专业技术人员数字素养提升"
    ),
    FieldSpec("hours", "学时", FieldKind.DECIMAL, required=True, low=0.5, high=200, example="30"),
)


def category(code: object) -> Category | None:
    """The category with this code, or None (codes come from the browser)."""
    return BY_CODE.get(code) if isinstance(code, str) else None
