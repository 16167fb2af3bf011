"""JSON API of accounts (auth, addresses), mounted under /api/."""

urlpatterns: list = []
