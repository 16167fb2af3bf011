"""Merchant scoping for the Django admin.

A merchant's staff (a user with a MerchantStaff row) sees and edits only their own merchant's
rows: list, change page, delete, foreign-key choices and list filters. Platform operations staff
and superusers see everything. A staff user who is neither sees nothing of merchant data.

Usage::

    @admin.register(SubOrder)
    class SubOrderAdmin(MerchantScopedAdmin, admin.ModelAdmin):
        merchant_lookup = "merchant"            # or "sku__product__merchant", ...

Foreign keys to merchant-owned models (warehouses, products, SKUs, promotions...) are limited in
every form of a scoped admin; `register_merchant_lookup("orders.suborder", "merchant")` teaches
the scoping about a model whose path to the merchant is not a plain `merchant` field.
"""

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from catalog.actors import is_platform_staff, staff_merchant
from catalog.models import Merchant

_UNSET = object()

# How to get from a model to its merchant, for models whose path is not a "merchant" field.
# Models without an entry and without a "merchant" field are shared (categories, brands...).
_MERCHANT_LOOKUPS: dict[str, str] = {
    "catalog.merchant": "pk",
    "catalog.productimage": "product__merchant",
    "catalog.sku": "product__merchant",
    "catalog.stockrecord": "sku__product__merchant",
    "catalog.stockmove": "sku__product__merchant",
    "catalog.promotiontier": "promotion__merchant",
    "catalog.limitedtimeprice": "promotion__merchant",
    "catalog.flashsale": "sku__product__merchant",
    "catalog.shippingregionrate": "template__merchant",
    # A parent order may span merchants: a merchant sees it when one of its lines is theirs.
    "orders.order": "lines__merchant",
}


def register_merchant_lookup(model_label: str, lookup: str) -> None:
    """Declare the path from a model ("app_label.model_name") to its merchant."""
    _MERCHANT_LOOKUPS[model_label.lower()] = lookup


def merchant_lookup_for(model) -> str | None:
    """The lookup from `model` to Merchant, or None for shared (unscoped) models."""
    label = model._meta.label_lower
    if label in _MERCHANT_LOOKUPS:
        return _MERCHANT_LOOKUPS[label]
    try:
        field = model._meta.get_field("merchant")
    except FieldDoesNotExist:
        return None
    if field.is_relation and field.related_model is Merchant:
        return "merchant"
    return None


def _lookup_is_multivalued(model, lookup: str) -> bool:
    """Whether following `lookup` crosses a reverse FK or many-to-many (rows could repeat)."""
    for part in lookup.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if field.many_to_many or field.one_to_many:
            return True
        if not field.is_relation:
            return False
        model = field.related_model
    return False


def scope_queryset(queryset: models.QuerySet, user, lookup: str | None = _UNSET):
    """`queryset` limited to what `user` may see: all for ops, own merchant's rows for merchant
    staff, nothing for anyone else. `lookup` defaults to the model's known path to Merchant;
    shared models (lookup None) are returned unchanged."""
    if lookup is _UNSET:
        lookup = merchant_lookup_for(queryset.model)
    if lookup is None or is_platform_staff(user):
        return queryset
    merchant = staff_merchant(user)
    if merchant is None:
        return queryset.none()
    if _lookup_is_multivalued(queryset.model, lookup):
        owned = queryset.model._default_manager.filter(**{lookup: merchant.pk}).values("pk")
        return queryset.filter(pk__in=owned)
    return queryset.filter(**{lookup: merchant.pk})


def object_merchant_id(obj, lookup: str) -> int | None:
    """Follow a non-multivalued lookup on an instance to the merchant id (None if unset)."""
    if lookup == "pk":
        return obj.pk
    parts = lookup.split("__")
    current = obj
    for part in parts[:-1]:
        current = getattr(current, part, None)
        if current is None:
            return None
    return getattr(current, f"{parts[-1]}_id", None)


def user_may_access(user, obj, lookup: str | None = _UNSET) -> bool:
    """Whether `user` may see `obj` at all (scope only; model permissions are separate)."""
    if obj is None or is_platform_staff(user):
        return True
    if lookup is _UNSET:
        lookup = merchant_lookup_for(type(obj))
    if lookup is None:
        return True
    merchant = staff_merchant(user)
    if merchant is None:
        return False
    if obj.pk is None:
        return True
    if _lookup_is_multivalued(type(obj), lookup):
        return type(obj)._default_manager.filter(pk=obj.pk, **{lookup: merchant.pk}).exists()
    return object_merchant_id(obj, lookup) == merchant.pk


class _ScopedFormFieldsMixin:
    """Limit FK and M2M choices to the staff's merchant's rows."""

    def _scope_formfield_queryset(self, db_field, request, kwargs):
        related = db_field.remote_field.model
        lookup = merchant_lookup_for(related)
        if lookup is None or is_platform_staff(request.user):
            return kwargs
        base = kwargs.get("queryset")
        if base is None:
            base = related._default_manager.all()
        kwargs["queryset"] = scope_queryset(base, request.user, lookup)
        if related is Merchant and not db_field.many_to_many:
            # Their own merchant is the only choice: pre-select it, no empty option.
            merchant = staff_merchant(request.user)
            if merchant is not None:
                kwargs.setdefault("initial", merchant.pk)
                kwargs["empty_label"] = None
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = self._scope_formfield_queryset(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs = self._scope_formfield_queryset(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class MerchantScopedAdmin(_ScopedFormFieldsMixin):
    """ModelAdmin mixin: list, object pages, choices and saves limited to the staff's merchant.

    Put it before admin.ModelAdmin in the bases and set `merchant_lookup`.
    """

    merchant_lookup: str = "merchant"

    # -- helpers for subclasses ---------------------------------------------------------------
    def is_platform(self, request) -> bool:
        return is_platform_staff(request.user)

    def request_merchant(self, request) -> Merchant | None:
        return staff_merchant(request.user)

    def in_scope(self, request, obj) -> bool:
        return user_may_access(request.user, obj, self.merchant_lookup)

    # -- rows ---------------------------------------------------------------------------------
    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return scope_queryset(queryset, request.user, self.merchant_lookup)

    # -- object permissions -------------------------------------------------------------------
    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.in_scope(request, obj)

    def has_add_permission(self, request, *args):
        # Staff who belong to no merchant cannot create merchant data.
        if not self.is_platform(request) and self.request_merchant(request) is None:
            return False
        return super().has_add_permission(request, *args)

    # -- list filters: choices of related filters only from visible rows ----------------------
    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if self.is_platform(request):
            return filters
        scoped = []
        for item in filters:
            if isinstance(item, str) and self._is_scoped_relation(item):
                scoped.append((item, admin.RelatedOnlyFieldListFilter))
            else:
                scoped.append(item)
        return scoped

    def _is_scoped_relation(self, field_path: str) -> bool:
        model = self.model
        for part in field_path.split("__"):
            try:
                field = model._meta.get_field(part)
            except FieldDoesNotExist:
                return False
            if not field.is_relation:
                return False
            model = field.related_model
        return merchant_lookup_for(model) is not None

    # -- saving -------------------------------------------------------------------------------
    def save_model(self, request, obj, form, change):
        if not self.is_platform(request) and self.merchant_lookup == "merchant":
            merchant = self.request_merchant(request)
            if merchant is not None and (not change or obj.merchant_id != merchant.pk):
                obj.merchant = merchant
        super().save_model(request, obj, form, change)


class MerchantScopedInline(_ScopedFormFieldsMixin):
    """InlineModelAdmin mixin with the same scoping for rows and choices."""

    merchant_lookup: str | None = None

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        lookup = self.merchant_lookup or merchant_lookup_for(self.model)
        return scope_queryset(queryset, request.user, lookup)
