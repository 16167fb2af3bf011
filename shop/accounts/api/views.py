"""Accounts API: register, token, the address book and the signed-in shopper's profile."""

from django.contrib.auth import authenticate, logout
from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.accounts import selectors, services
from shop.accounts.api.serializers import (
    AddressInputSerializer,
    AddressOutputSerializer,
    ErrorSerializer,
    MeOutputSerializer,
    MeUpdateInputSerializer,
    RegionNamesOutputSerializer,
    RegionQuerySerializer,
    RegisterInputSerializer,
    RegisterOutputSerializer,
    TokenInputSerializer,
    TokenOutputSerializer,
)
from shop.accounts.models import Address
from shop.errors import InvalidInput
from shop.regions import region_names

ERROR = OpenApiResponse(ErrorSerializer, description="Error with a readable detail and a code")


class RegisterApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_scope = "sign_up"

    @extend_schema(
        tags=["auth"],
        request=RegisterInputSerializer,
        responses={201: RegisterOutputSerializer, 400: ERROR, 429: ERROR},
        summary="Create a shopper account and return its API token",
    )
    def post(self, request):
        serializer = RegisterInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        # An app that names no language gets the one it asked the API in (Accept-Language).
        fields["language"] = fields.get("language") or services.supported_language(get_language())
        user = services.user_register(**fields)
        token, _ = Token.objects.get_or_create(user=user)
        return Response(
            RegisterOutputSerializer(
                {"id": user.pk, "username": user.username, "token": token.key}
            ).data,
            status=status.HTTP_201_CREATED,
        )


class TokenApi(APIView):
    """Per client address, at most THROTTLE_SIGN_IN attempts whatever the account (429); per
    account and address, django-axes locks after AXES_FAILURE_LIMIT wrong passwords (429
    `locked_out` with Retry-After, see shop.accounts.lockout)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_scope = "sign_in"

    @extend_schema(
        tags=["auth"],
        request=TokenInputSerializer,
        responses={200: TokenOutputSerializer, 400: ERROR, 429: ERROR},
        summary="Exchange a username and password for an API token",
    )
    def post(self, request):
        serializer = TokenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            # Django's request: django-axes flags a lockout on it for its middleware to answer.
            request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise InvalidInput("Wrong username or password.", code="invalid_credentials")
        token, _ = Token.objects.get_or_create(user=user)
        return Response(TokenOutputSerializer({"token": token.key}).data)


class LogoutApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["auth"],
        request=None,
        responses={204: None, 401: ERROR},
        summary="Sign out: revoke the caller's API token (it answers 401 afterwards)",
        description=(
            "Deletes the signed-in shopper's API token. There is one token per account, so "
            "every API client of the account is signed out; `POST /api/auth/token/` issues a "
            "new one. A caller signed in by session cookie is also signed out of the session."
        ),
    )
    def post(self, request):
        services.user_token_revoke(user=request.user)
        if request.auth is None:
            # Session-authenticated (the browsable API, the storefront's own scripts): end the
            # session too, or "sign out" would leave the caller signed in.
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RegionNamesApi(APIView):
    """The cities of a province, or the districts of a city: what the address forms offer as
    the shopper types (the address services check the same data when saving)."""

    permission_classes = [AllowAny]
    authentication_classes = []  # public reference data: no session, no CSRF

    @extend_schema(
        tags=["addresses"],
        parameters=[RegionQuerySerializer],
        responses={200: RegionNamesOutputSerializer, 400: ERROR},
        summary="Cities of a province, or districts of a city",
    )
    def get(self, request):
        query = RegionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        names = region_names(**query.validated_data)
        response = Response({"names": names})
        response["Cache-Control"] = "public, max-age=86400"  # the divisions change yearly
        return response


class AddressListApi(GenericAPIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "address_create"
    serializer_class = AddressOutputSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no shopper
            return Address.objects.none()
        return selectors.addresses_for_user(self.request.user)

    @extend_schema(tags=["addresses"], responses={200: AddressOutputSerializer(many=True)})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        tags=["addresses"],
        request=AddressInputSerializer,
        responses={201: AddressOutputSerializer, 400: ERROR, 429: ERROR},
    )
    def post(self, request):
        serializer = AddressInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        address = services.address_create(user=request.user, **serializer.validated_data)
        return Response(AddressOutputSerializer(address).data, status=status.HTTP_201_CREATED)


class AddressDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["addresses"], responses={200: AddressOutputSerializer, 404: ERROR})
    def get(self, request, address_id):
        address = selectors.address_get_for_user(user=request.user, public_id=address_id)
        return Response(AddressOutputSerializer(address).data)

    @extend_schema(
        tags=["addresses"],
        request=AddressInputSerializer(partial=True),
        responses={200: AddressOutputSerializer, 400: ERROR, 404: ERROR},
    )
    def patch(self, request, address_id):
        selectors.address_get_for_user(user=request.user, public_id=address_id)
        serializer = AddressInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        address = services.address_update(
            user=request.user, public_id=address_id, **serializer.validated_data
        )
        return Response(AddressOutputSerializer(address).data)

    @extend_schema(tags=["addresses"], responses={204: None, 404: ERROR})
    def delete(self, request, address_id):
        services.address_delete(user=request.user, public_id=address_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AddressSetDefaultApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["addresses"], request=None, responses={200: AddressOutputSerializer, 404: ERROR}
    )
    def post(self, request, address_id):
        address = services.address_set_default(user=request.user, public_id=address_id)
        return Response(AddressOutputSerializer(address).data)


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["auth"], responses={200: MeOutputSerializer})
    def get(self, request):
        profile = services.profile_for(request.user)
        return Response(_me_data(request.user, profile))

    @extend_schema(
        tags=["auth"],
        request=MeUpdateInputSerializer,
        responses={200: MeOutputSerializer, 400: ERROR},
        summary="Change the signed-in shopper's phone, email and/or language of messages",
    )
    def patch(self, request):
        serializer = MeUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        profile = services.profile_update(user=request.user, **serializer.validated_data)
        return Response(_me_data(request.user, profile))


def _me_data(user, profile) -> dict:
    data = {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "phone": profile.phone,
        "tier": profile.tier.name if profile.tier else "",
        "discount_rate": selectors.tier_discount_rate(profile.tier),
        "is_new_customer": profile.is_new_customer,
        "language": profile.language,
    }
    return MeOutputSerializer(data).data
