"""URLs of the staff app."""

app_name = "staff"
urlpatterns: list = []
