"""Storefront pages of accounts: sign up / in / out, the profile, the password and the address
book."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.utils import ErrorDict
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import get_language, gettext, gettext_lazy
from django.views import i18n as django_i18n
from django.views.decorators.http import require_POST

from shop.accounts import selectors, services
from shop.accounts.forms import AddressForm, ProfileForm, SignInForm, SignUpForm
from shop.errors import InvalidInput, NotFound
from shop.redirects import safe_next
from shop.throttling import PageThrottle, too_many_message

# Which form field an InvalidInput code belongs to, so the message shows next to it.
_FIELD_OF_CODE = {
    "invalid_username": "username",
    "username_taken": "username",
    "invalid_password": "password",
    "invalid_phone": "phone",
    "invalid_email": "email",
    "invalid_language": "language",
    "invalid_recipient": "recipient",
    "invalid_province": "province",
    "invalid_city": "city",
    "invalid_district": "district",
    "invalid_detail": "detail",
}


def _add_domain_error(form, error: InvalidInput) -> None:
    field = _FIELD_OF_CODE.get(error.code)
    form.add_error(field if field in form.fields else None, error.detail)


def _with_message(form, message: str):
    """An unbound form that shows `message` above its fields (add_error needs a bound form)."""
    form._errors = ErrorDict(
        {NON_FIELD_ERRORS: form.error_class([message], error_class="nonfield")}
    )
    return form


class _ThrottledPostMixin:
    """Counts every POST of the page against a rate (shop.throttling); over it, the form is
    shown again with a message and a 429, and nothing is tried."""

    throttle_scope = ""
    throttled_what = gettext_lazy("attempts")

    def post(self, request, *args, **kwargs):
        wait = PageThrottle(self.throttle_scope).wait_for(request)
        if wait is not None:
            # An unbound form: a bound sign-in form would check the password while validating.
            kwargs = self.get_form_kwargs()
            kwargs.pop("data", None)
            kwargs.pop("files", None)
            form = _with_message(
                self.get_form_class()(**kwargs), too_many_message(wait, self.throttled_what)
            )
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)


class SignInView(_ThrottledPostMixin, auth_views.LoginView):
    """Per client address at most THROTTLE_SIGN_IN tries; per account and address, django-axes
    locks after AXES_FAILURE_LIMIT wrong passwords (shop.accounts.lockout shows why)."""

    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True
    throttle_scope = "sign_in"
    throttled_what = gettext_lazy("sign-in attempts from your network")


class SignOutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


def signup(request):
    next_url = safe_next(request)
    if request.user.is_authenticated:
        return redirect(next_url or "catalog:home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and (wait := PageThrottle("sign_up").wait_for(request)):
        form = _with_message(
            SignUpForm(), too_many_message(wait, gettext("new accounts from your network"))
        )
        response = render(
            request, "accounts/signup.html", {"form": form, "next": next_url}, status=429
        )
        response["Retry-After"] = str(wait)
        return response
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_register(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                phone=form.cleaned_data["phone"],
                # The language of the sign-up page words their messages from the first one.
                language=services.supported_language(get_language()),
            )
        except InvalidInput as error:
            _add_domain_error(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                gettext("Welcome, %(username)s! Your account is ready.")
                % {"username": user.username},
            )
            return redirect(next_url or "catalog:home")
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


@login_required
def profile(request):
    """The shopper's account: membership (read-only) and the contact details they may change."""
    # A read first: only staff and legacy users without a profile pay for the write.
    account = selectors.profile_get(request.user) or services.profile_for(request.user)
    form = ProfileForm(
        request.POST or None,
        initial={
            "phone": account.phone,
            "email": request.user.email,
            "language": account.language,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.profile_update(
                user=request.user,
                phone=form.cleaned_data["phone"],
                email=form.cleaned_data["email"],
                language=form.cleaned_data["language"] or None,
            )
        except InvalidInput as error:
            _add_domain_error(form, error)
        else:
            messages.success(request, gettext("Your details are saved."))
            response = redirect("accounts:profile")
            # The pages follow the language chosen for the messages, as the switch does.
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                saved.language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
            return response
    return render(request, "accounts/profile.html", {"form": form, "profile": account})


def set_language(request):
    """The footer's language switch (`/i18n/setlang/`): Django's view sets the cookie and
    redirects; for a signed-in user the choice is also stored on their account, so that pushes,
    SMS and inbox messages (worded by workers, with no request) come in that language."""
    response = django_i18n.set_language(request)
    language = request.POST.get(django_i18n.LANGUAGE_QUERY_PARAMETER) or ""
    if request.method == "POST" and response.status_code in (302, 303):
        services.profile_language_remember(user=request.user, language=language)
    return response


@login_required
def coupons(request):
    """My coupons (我的优惠券): what can be used now, what was used on which order, what ran out."""
    return render(
        request,
        "accounts/coupons.html",
        {"states": selectors.held_coupons_by_state(request.user, timezone.now())},
    )


class PasswordChangeView(_ThrottledPostMixin, auth_views.PasswordChangeView):
    """Django's view keeps this session signed in (update_session_auth_hash) and signs out the
    others; the API token is revoked as well, or a stolen password's token would outlive it.
    Tries are counted per account: a stolen session cannot guess the old password for long."""

    throttle_scope = "password_change"
    throttled_what = gettext_lazy("password changes for this account")
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.user_token_revoke(user=self.request.user)
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


@login_required
def addresses(request):
    return render(
        request,
        "accounts/addresses.html",
        {"addresses": selectors.addresses_for_user(request.user), "next": safe_next(request)},
    )


def _after_address_change(request):
    return redirect(safe_next(request) or reverse("accounts:addresses"))


@login_required
def address_add(request):
    form = AddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.address_create(user=request.user, **form.cleaned_data)
        except InvalidInput as error:
            _add_domain_error(form, error)
        else:
            messages.success(request, gettext("Address saved."))
            return _after_address_change(request)
    return render(
        request,
        "accounts/address_form.html",
        {
            "form": form,
            "title": gettext("New address"),
            "next": safe_next(request),
            "region_options": form.region_options(),
        },
    )


@login_required
def address_edit(request, public_id):
    try:
        address = selectors.address_get_for_user(user=request.user, public_id=public_id)
    except NotFound:
        raise Http404("Address not found.")
    initial = {field: getattr(address, field) for field in services.ADDRESS_FIELDS}
    initial["is_default"] = address.is_default
    form = AddressForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.address_update(
                user=request.user, public_id=address.public_id, **form.cleaned_data
            )
        except InvalidInput as error:
            _add_domain_error(form, error)
        except NotFound:
            raise Http404("Address not found.")
        else:
            messages.success(request, gettext("Address updated."))
            return _after_address_change(request)
    return render(
        request,
        "accounts/address_form.html",
        {
            "form": form,
            "title": gettext("Edit address"),
            "address": address,
            "next": safe_next(request),
            "region_options": form.region_options(),
        },
    )


@login_required
@require_POST
def address_delete(request, public_id):
    try:
        services.address_delete(user=request.user, public_id=public_id)
    except NotFound:
        raise Http404("Address not found.")
    messages.success(request, gettext("Address deleted."))
    return _after_address_change(request)


@login_required
@require_POST
def address_set_default(request, public_id):
    try:
        services.address_set_default(user=request.user, public_id=public_id)
    except NotFound:
        raise Http404("Address not found.")
    messages.success(request, gettext("Default address changed."))
    return _after_address_change(request)
