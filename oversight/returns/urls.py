"""URLs of the returns app."""

app_name = "returns"
urlpatterns: list = []
