"""The role decides admin access: ``is_staff`` and ``is_superuser`` follow it on every save.

Only administrators may use Django's admin; an administrator may change anything there, every
change audited (``oversight.accounts.admin``). A user whose role changes loses or gains that
access at once.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from oversight.accounts.models import Profile, Role


@receiver(post_save, sender=Profile)
def admin_access_follows_role(sender: Any, instance: Profile, **kwargs: Any) -> None:
    user = instance.user
    wanted = instance.role == Role.ADMINISTRATOR
    if user.is_staff == wanted and user.is_superuser == wanted:
        return
    type(user).objects.filter(pk=user.pk).update(is_staff=wanted, is_superuser=wanted)
    user.is_staff = user.is_superuser = wanted
