"""Typed domain errors; each carries a Chinese message a user can act on."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a service raises on purpose; `message` is shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotSignedIn(DomainError):
    """No valid session."""

    def __init__(self, message: str = "登录已失效，请重新登录") -> None:
        super().__init__(message)


class PermissionDenied(DomainError):
    """The actor's role may not do this, or the record lies outside the actor's scope."""

    def __init__(self, message: str = "您没有权限进行此操作") -> None:
        super().__init__(message)


class NotFound(DomainError):
    """The record does not exist (or is not visible to the actor)."""

    def __init__(self, message: str = "记录不存在或已被删除") -> None:
        super().__init__(message)


class ValidationFailed(DomainError):
    """Input is invalid; `field` names the form field (or Excel row) at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class InvalidTransition(DomainError):
    """The requested workflow action is not allowed from the record's current status."""

    def __init__(self, message: str = "当前状态下不能进行此操作") -> None:
        super().__init__(message)


class SignInFailed(DomainError):
    """A sign-in was refused; `code` (missing, wrong, locked, disabled) travels in URLs."""

    def __init__(self, message: str, code: str = "wrong", attempts_left: int = 0) -> None:
        super().__init__(message)
        self.code = code
        self.attempts_left = attempts_left
