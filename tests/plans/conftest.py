"""Users of every role (and a second analyst, to approve) for the plan's staff pages."""

from tests.staff.conftest import fast_passwords, users  # noqa: F401  (fixtures)
