from tests.staff.conftest import fast_passwords, plan, users  # noqa: F401  (shared fixtures)
