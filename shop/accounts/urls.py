"""Sign up, sign in, sign out, profile and addresses on the storefront."""

app_name = "accounts"
urlpatterns: list = []
