"""JSON API of accounts (auth, addresses, profile), mounted under /api/."""

from django.urls import path

from shop.accounts.api import views

urlpatterns = [
    path("auth/register/", views.RegisterApi.as_view(), name="api-register"),
    path("auth/token/", views.TokenApi.as_view(), name="api-token"),
    path("auth/logout/", views.LogoutApi.as_view(), name="api-logout"),
    path("me/", views.MeApi.as_view(), name="api-me"),
    path("regions/", views.RegionNamesApi.as_view(), name="api-regions"),
    path("addresses/", views.AddressListApi.as_view(), name="api-addresses"),
    path("addresses/<uuid:address_id>/", views.AddressDetailApi.as_view(), name="api-address"),
    path(
        "addresses/<uuid:address_id>/set-default/",
        views.AddressSetDefaultApi.as_view(),
        name="api-address-set-default",
    ),
]
