"""Sign up, sign in, sign out, the profile, the password and the address book on the
storefront."""

from django.urls import path

from shop.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("signup/", views.signup, name="signup"),
    path("profile/", views.profile, name="profile"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("coupons/", views.coupons, name="coupons"),
    path("addresses/", views.addresses, name="addresses"),
    path("addresses/new/", views.address_add, name="address_add"),
    path("addresses/<uuid:public_id>/edit/", views.address_edit, name="address_edit"),
    path("addresses/<uuid:public_id>/delete/", views.address_delete, name="address_delete"),
    path(
        "addresses/<uuid:public_id>/default/", views.address_set_default, name="address_set_default"
    ),
]
