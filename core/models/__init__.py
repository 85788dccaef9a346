"""Kernel models: addon state, companies, users, groups, access rights, rules, audit, approvals, notifications, attachments, job runs, report subscriptions, the search index."""

from core.models.approval import ApprovalEvent, ApprovalRequest
from core.models.attachment import Attachment, AttachmentLimit
from core.models.audit import AuditEntry
from core.models.base import AddonState, CompanyAddon, ExternalId
from core.models.job import JobRun
from core.models.notification import Notification, NotificationPreference
from core.models.report import ReportSubscription
from core.models.search import SearchEntry
from core.models.security import (
    AccessRight,
    ApiToken,
    Company,
    Group,
    IdempotencyKey,
    LoginAttempt,
    LoginThrottle,
    RecordRule,
    User,
    UserSession,
    group_implied,
    rule_group,
    user_company,
    user_group,
)

__all__ = [
    "AccessRight",
    "AddonState",
    "ApiToken",
    "ApprovalEvent",
    "ApprovalRequest",
    "Attachment",
    "AttachmentLimit",
    "AuditEntry",
    "Company",
    "CompanyAddon",
    "ExternalId",
    "Group",
    "JobRun",
    "IdempotencyKey",
    "LoginAttempt",
    "LoginThrottle",
    "Notification",
    "NotificationPreference",
    "RecordRule",
    "ReportSubscription",
    "SearchEntry",
    "User",
    "UserSession",
    "group_implied",
    "rule_group",
    "user_company",
    "user_group",
]
