import pytest
from django.contrib.auth.models import Group
from django.db import DEFAULT_DB_ALIAS

from shop.roles import (
    MERCHANT_STAFF,
    PLATFORM_OPS,
    _merchant_staff_permissions,
    _ops_permissions,
    ensure_role_groups,
)


def _codenames(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return set(group.permissions.values_list("content_type__app_label", "codename"))


@pytest.mark.django_db
def test_both_role_groups_exist_after_migrate():
    # given a fresh test database (migrated) / when / then
    assert Group.objects.filter(name=PLATFORM_OPS).exists()
    assert Group.objects.filter(name=MERCHANT_STAFF).exists()


@pytest.mark.django_db
def test_merchant_staff_may_edit_products_but_only_read_the_ledger_and_warehouses():
    # given
    perms = _codenames(MERCHANT_STAFF)

    # then
    assert {("catalog", "view_product"), ("catalog", "add_product")} <= perms
    assert ("catalog", "change_product") in perms
    assert ("catalog", "change_stockrecord") in perms
    assert ("catalog", "view_stockmove") in perms
    assert ("catalog", "change_stockmove") not in perms
    assert ("catalog", "view_warehouse") in perms
    assert ("catalog", "change_warehouse") not in perms
    assert ("catalog", "change_merchant") not in perms
    assert ("catalog", "view_merchantstaff") not in perms


@pytest.mark.django_db
def test_ops_view_and_change_every_shop_app_and_add_to_the_catalogue():
    # given
    perms = _codenames(PLATFORM_OPS)

    # then
    assert ("catalog", "add_product") in perms
    assert ("catalog", "change_merchant") in perms
    assert ("catalog", "add_merchantstaff") in perms
    assert ("orders", "view_order") in perms
    assert ("orders", "change_suborder") in perms
    assert ("accounts", "view_address") in perms
    assert ("catalog", "delete_product") not in perms


@pytest.mark.django_db
def test_ensure_role_groups_is_idempotent_and_restores_removed_permissions():
    # given a group whose permissions were wiped by hand
    Group.objects.get(name=MERCHANT_STAFF).permissions.clear()

    # when
    ensure_role_groups()
    ensure_role_groups()

    # then
    assert Group.objects.filter(name=MERCHANT_STAFF).count() == 1
    assert ("catalog", "change_product") in _codenames(MERCHANT_STAFF)


@pytest.mark.django_db
def test_each_groups_permissions_are_read_in_one_query(django_assert_num_queries):
    # given: the content types are cached (as after the first app's post_migrate)
    ensure_role_groups()

    # when / then: one query per group, however many models the shop has (about 60)
    with django_assert_num_queries(1):
        ops = _ops_permissions(DEFAULT_DB_ALIAS)
    with django_assert_num_queries(1):
        staff = _merchant_staff_permissions(DEFAULT_DB_ALIAS)
    assert {p.codename for p in ops} >= {"add_product", "change_order", "view_user"}
    assert "change_stockmove" not in {p.codename for p in staff}
