"""People and organisations, their roles, and the audit trail of every change.

Roles (``Role``): administrator, analyst, data provider (a partner organisation's user, who
sees and submits only that organisation's returns) and Panel member. The public has no account.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", "Administrator"
    ANALYST = "analyst", "Analyst"
    DATA_PROVIDER = "data-provider", "Data provider"
    PANEL_MEMBER = "panel-member", "Panel member"


class Organisation(models.Model):
    """The OPCC, the force, or a partner or commissioned service that submits returns."""

    class Kind(models.TextChoices):
        OPCC = "opcc", "Office of the Police and Crime Commissioner"
        FORCE = "force", "Police force"
        PARTNER = "partner", "Partner or commissioned service"
        PANEL = "panel", "Police and Crime Panel"

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Profile(models.Model):
    """A user's role and organisation."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="profile")
    role = models.CharField(max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="members")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class AuditEvent(models.Model):
    """One change: who made it, when, to what, and the values before and after."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True)
    username = models.CharField(max_length=150, help_text="Kept if the user is later removed")
    action = models.CharField(max_length=60, help_text="What was done, e.g. commentary.approve")
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=300)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_repr}"


class SignInAttempt(models.Model):
    """One attempt to sign in, kept to refuse guessing (``oversight.accounts.throttle``)."""

    class Outcome(models.TextChoices):
        FAILED = "failed", "Wrong user name or password"
        SUCCEEDED = "succeeded", "Signed in"
        REFUSED = "refused", "Refused: too many wrong attempts"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    username = models.CharField(max_length=150, help_text="As typed, in lower case")
    address = models.GenericIPAddressField(null=True, blank=True,
                                           help_text="The client's address (REMOTE_ADDR)")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["username", "at"]), models.Index(fields=["address", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} from {self.address}: {self.outcome}"
