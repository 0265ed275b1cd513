"""SQLModel tables and enums, one module per aggregate; importing this registers them all."""

from ahportal.models.account import (
    ROLE_LABELS,
    Account,
    AuthSession,
    LoginMethod,
    LoginThrottle,
    Role,
)
from ahportal.models.base import utcnow
from ahportal.models.declaration import (
    AttachmentSource,
    Declaration,
    DeclarationAttachment,
    DeclarationMaterial,
    DeclarationStage,
    DeclarationStatus,
    PlanStatus,
    PostQuota,
    PostUse,
    ReviewPlan,
)
from ahportal.models.devidp import DemoIdentity, DevAuthorizationCode, GovnetUserType
from ahportal.models.division import Division, DivisionLevel
from ahportal.models.flow import (
    OPINION_MAX_LENGTH,
    AuditCategory,
    AuditResult,
    FlowRecord,
    OperationLog,
    RecordKind,
)
from ahportal.models.leader import (
    LeaderCandidacy,
    LeaderDeclaration,
    LeaderMaterial,
    LeaderPlan,
    LeaderResult,
    LeaderStatus,
)
from ahportal.models.library import (
    CaseRecord,
    EntrySource,
    LibraryAttachment,
    LibraryEntry,
    LibraryStatus,
    PublicCourseHours,
)
from ahportal.models.organization import HrLevel, Organization, OrgKind, OrgStatus
from ahportal.models.person import BindingStatus, Person, UnitBinding
from ahportal.models.reference import Specialty, TitleLevel, TitleSeries, UnitNature
from ahportal.models.tally import DeclarationMonthTally, DeclarationTally, StageTally

__all__ = [
    "OPINION_MAX_LENGTH",
    "ROLE_LABELS",
    "Account",
    "AttachmentSource",
    "AuditCategory",
    "AuditResult",
    "AuthSession",
    "BindingStatus",
    "CaseRecord",
    "Declaration",
    "DeclarationAttachment",
    "DeclarationMaterial",
    "DeclarationMonthTally",
    "DeclarationStage",
    "DeclarationStatus",
    "DeclarationTally",
    "DemoIdentity",
    "DevAuthorizationCode",
    "Division",
    "DivisionLevel",
    "EntrySource",
    "FlowRecord",
    "GovnetUserType",
    "HrLevel",
    "LeaderCandidacy",
    "LeaderDeclaration",
    "LeaderMaterial",
    "LeaderPlan",
    "LeaderResult",
    "LeaderStatus",
    "LibraryAttachment",
    "LibraryEntry",
    "LibraryStatus",
    "LoginMethod",
    "LoginThrottle",
    "OperationLog",
    "OrgKind",
    "OrgStatus",
    "Organization",
    "Person",
    "PlanStatus",
    "PostQuota",
    "PostUse",
    "PublicCourseHours",
    "RecordKind",
    "ReviewPlan",
    "Role",
    "Specialty",
    "StageTally",
    "TitleLevel",
    "TitleSeries",
    "UnitBinding",
    "UnitNature",
    "utcnow",
]
