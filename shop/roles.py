"""Staff roles as Django groups: platform operations and merchant staff.

The groups carry the model permissions; *which rows* a merchant's staff may touch is decided by
`catalog.admin_scope` (every admin of merchant data is scoped to the staff's merchant).

Models of apps that are not written yet are named here anyway and looked up with
`apps.get_model` inside `try/except LookupError`, so this works at every stage of the project.
"""

import logging

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Q

logger = logging.getLogger(__name__)

PLATFORM_OPS = "Platform operations"
MERCHANT_STAFF = "Merchant staff"

# Apps whose models are the shop's own (app labels).
SHOP_APPS = (
    "accounts",
    "catalog",
    "cart",
    "orders",
    "reviews",
    "payments",
    "logistics",
    "aftersales",
    "notifications",
    "knowledge",
)

VIEW = ("view",)
VIEW_CHANGE = ("view", "change")
VIEW_ADD_CHANGE = ("view", "add", "change")
FULL = ("view", "add", "change", "delete")

# What a merchant's staff may do, per model ("app_label.model_name" -> actions). Rows are
# restricted to their own merchant by catalog.admin_scope; stock changes go through the stock
# service (the admin form for stock records calls it), the ledger is read-only.
MERCHANT_STAFF_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "catalog.product": VIEW_ADD_CHANGE,
    "catalog.productimage": FULL,
    "catalog.sku": VIEW_ADD_CHANGE,
    "catalog.stockrecord": VIEW_ADD_CHANGE,
    "catalog.stockmove": VIEW,
    "catalog.warehouse": VIEW,
    "catalog.promotion": FULL,
    "catalog.promotiontier": FULL,
    "catalog.limitedtimeprice": FULL,
    "catalog.flashsale": FULL,  # 秒杀 of their own SKUs
    "catalog.shippingtemplate": VIEW_ADD_CHANGE,
    "catalog.shippingregionrate": FULL,
    # Shared reference data: read-only, needed for choices and autocomplete.
    "catalog.category": VIEW,
    "catalog.brand": VIEW,
    "catalog.attribute": VIEW,
    "catalog.attributevalue": VIEW,
    # Later apps: taken only if the model exists.
    "orders.order": VIEW,
    "orders.suborder": VIEW_CHANGE,
    "orders.orderline": VIEW,
    "orders.orderevent": VIEW,
    "reviews.review": VIEW_CHANGE,  # read and answer once (reviews.admin)
    "logistics.shipment": VIEW_CHANGE,
    "logistics.trackingevent": VIEW,
    "logistics.shipmentevent": VIEW,
    "aftersales.aftersalescase": VIEW_CHANGE,
    "aftersales.caseevent": VIEW,
    "aftersales.returnaddress": FULL,  # their own, scoped like every merchant row
    "aftersales.casereason": VIEW,  # the platform's list, read for choices
    # Their own system's endpoint for order pushes (scoped by notifications' admin).
    "notifications.merchantwebhook": VIEW_ADD_CHANGE,
    # The service desk: the shop's own snippets and macros, questions shoppers sent it.
    "knowledge.cannedreply": FULL,
    "knowledge.macro": FULL,
    "knowledge.contactrequest": VIEW_CHANGE,
}

# Platform operations: view and change everything of the shop, run the catalogue (add), delete
# the child rows that inlines edit, and look users up when linking staff to merchants.
OPS_EXTRA_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "catalog.productimage": ("delete",),
    "catalog.attributevalue": ("delete",),
    "catalog.promotiontier": ("delete",),
    "catalog.limitedtimeprice": ("delete",),
    "catalog.flashsale": ("delete",),
    "catalog.shippingregionrate": ("delete",),
    "catalog.merchantstaff": ("delete",),
    # Carts and reviews were catalog's models and kept its "add" when they moved out.
    "cart.cart": ("add",),
    "cart.cartitem": ("add",),
    "reviews.review": ("add",),
    "reviews.reviewimage": ("add",),
    "auth.user": ("view",),
    # Push rules are data that operations maintain (DESIGN.md, notifications).
    "notifications.pushrule": ("add",),
    "notifications.merchantwebhook": ("add",),
    "knowledge.article": ("add",),
    "knowledge.topic": ("add",),
    "knowledge.cannedreply": ("add",),
    "knowledge.macro": ("add",),
}


def _model(label: str):
    try:
        return global_apps.get_model(label)
    except LookupError:
        return None


def _permissions(models_actions: list[tuple], using: str) -> list:
    """The permissions for [(model, actions)], read in one query (this runs after every
    migrate, so not one query per model)."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    wanted = Q()
    for model, actions in models_actions:
        content_type = ContentType.objects.db_manager(using).get_for_model(
            model, for_concrete_model=False
        )
        codenames = [f"{action}_{model._meta.model_name}" for action in actions]
        wanted |= Q(content_type=content_type, codename__in=codenames)
    if not wanted:
        return []
    return list(Permission.objects.using(using).filter(wanted))


def _ops_permissions(using: str) -> list:
    wanted = []
    for app_label in SHOP_APPS:
        try:
            app_config = global_apps.get_app_config(app_label)
        except LookupError:
            continue
        actions = VIEW_ADD_CHANGE if app_label == "catalog" else VIEW_CHANGE
        wanted += [(model, actions) for model in app_config.get_models()]
    for label, actions in OPS_EXTRA_PERMISSIONS.items():
        model = _model(label)
        if model is not None:
            wanted.append((model, actions))
    return _permissions(wanted, using)


def _merchant_staff_permissions(using: str) -> list:
    wanted = []
    for label, actions in MERCHANT_STAFF_PERMISSIONS.items():
        model = _model(label)
        if model is not None:
            wanted.append((model, actions))
    return _permissions(wanted, using)


def ensure_role_groups(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Create or update both role groups so that they hold exactly the permissions above.

    Idempotent; run after every migrate and by seed_demo.
    """
    from django.contrib.auth.models import Group

    # post_migrate runs app by app: the permissions of apps after catalog in INSTALLED_APPS do
    # not exist yet when catalog's signal fires, so create them all first (idempotent).
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)

    ops, _ = Group.objects.using(using).get_or_create(name=PLATFORM_OPS)
    ops.permissions.set(_ops_permissions(using))
    staff, _ = Group.objects.using(using).get_or_create(name=MERCHANT_STAFF)
    staff.permissions.set(_merchant_staff_permissions(using))


def ensure_role_groups_after_migrate(**kwargs):
    """post_migrate receiver: creates the role groups and their permissions."""
    ensure_role_groups(using=kwargs.get("using", DEFAULT_DB_ALIAS))


def grant_merchant_staff_role(*, user) -> None:
    """A user linked to a merchant can sign in to the admin with the merchant staff role."""
    from django.contrib.auth.models import Group

    group = Group.objects.filter(name=MERCHANT_STAFF).first()
    if group is None:
        ensure_role_groups()
        group = Group.objects.get(name=MERCHANT_STAFF)
    user.groups.add(group)
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
