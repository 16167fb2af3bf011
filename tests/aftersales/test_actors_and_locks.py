"""Who acts on a case is an Actor (catalog.actors): the case role comes from it, every write
requires one, events record its user and role; cases are locked through aftersales.lock_objects
(order, sub-order, then the case)."""

import inspect

import pytest

from aftersales import lock_objects, services
from aftersales.models import AfterSalesCase, CaseEvent, CaseType
from aftersales.services.base import Role, require_role, role_of
from catalog.actors import SYSTEM, actor_for
from orders.models import Order, SubOrder
from shop.errors import NotFound
from tests.accounts.factories import UserFactory
from tests.aftersales.factories import (
    ask,
    fresh,
    merchant_staff,
    ops_user,
    paid_sub_order,
    receive,
)
from tests.catalog.factories import MerchantFactory

pytestmark = pytest.mark.django_db

CASES = AfterSalesCase._meta.db_table


@pytest.fixture
def requested(django_capture_on_commit_callbacks):
    sub_order = receive(paid_sub_order(quantities=(1,), capture=django_capture_on_commit_callbacks))
    return ask(sub_order, type=CaseType.RETURN_REFUND, reason="quality")


def test_the_case_role_is_derived_from_the_actor(requested):
    # given the people around one case, and people it is not theirs
    own_staff = actor_for(merchant_staff(requested.merchant))
    other_staff = actor_for(merchant_staff(MerchantFactory()))
    stranger = actor_for(UserFactory())

    # then
    assert role_of(SYSTEM, requested) == Role.SYSTEM
    assert role_of(actor_for(ops_user()), requested) == Role.OPS
    assert role_of(own_staff, requested) == Role.MERCHANT
    assert role_of(actor_for(requested.user), requested) == Role.SHOPPER
    assert role_of(other_staff, requested) is None
    assert role_of(stranger, requested) is None
    with pytest.raises(NotFound):
        require_role(stranger, requested, Role.SHOPPER)
    with pytest.raises(NotFound):
        require_role(other_staff, requested, Role.MERCHANT)
    assert require_role(SYSTEM, requested, Role.OPS) == Role.SYSTEM


def test_an_actor_is_required_by_every_service_that_writes():
    # every public service of aftersales.services but the read-only ones
    for name in services.__all__:
        parameters = inspect.signature(getattr(services, name)).parameters
        assert "actor" in parameters, name
        assert parameters["actor"].kind is inspect.Parameter.KEYWORD_ONLY, name
        assert parameters["actor"].default is inspect.Parameter.empty, name


def test_a_user_is_not_an_actor(requested):
    # given a service called with a user instead of an Actor
    # then it fails loudly rather than mistaking the user for the system
    with pytest.raises((TypeError, AttributeError)):
        services.case_approve(case_no=requested.case_no, actor=requested.user)
    assert fresh(requested).status == AfterSalesCase.Status.REQUESTED


def test_events_keep_the_user_and_the_role_of_the_actor(requested):
    # given
    staff = merchant_staff(requested.merchant)

    # when the merchant approves, and the system's timer would have
    services.case_approve(case_no=requested.case_no, actor=actor_for(staff))

    # then the approval names the merchant's user and role; the request named the shopper
    approve = CaseEvent.objects.get(case=requested, action="approve")
    assert (approve.actor, approve.role) == (staff, Role.MERCHANT)
    request = CaseEvent.objects.get(case=requested, action="request")
    assert (request.actor, request.role) == (requested.user, Role.SHOPPER)


def test_a_timer_records_the_system(requested, settings):
    # given the merchant's time to answer is over
    AfterSalesCase.objects.filter(pk=requested.pk).update(respond_by="2000-01-01T00:00:00Z")

    # when the sweep's service runs as the system
    services.case_timeout_respond(case_id=requested.pk, actor=SYSTEM)

    # then
    approve = CaseEvent.objects.get(case=requested, action="approve")
    assert (approve.actor, approve.role) == (None, Role.SYSTEM)


def test_lock_case_locks_order_sub_order_then_the_case(requested, django_assert_num_queries):
    # when
    with django_assert_num_queries(5) as captured:
        case = lock_objects.lock_case(case_no=requested.case_no)

    # then the locks are taken in the shop's order, and the case carries its locked rows
    locking = [q["sql"] for q in captured.captured_queries if "FOR UPDATE" in q["sql"]]
    tables = [
        next(t for t in (Order._meta.db_table, SubOrder._meta.db_table, CASES) if t in sql)
        for sql in locking
    ]
    assert tables == [Order._meta.db_table, SubOrder._meta.db_table, CASES]
    assert case.sub_order.pk == requested.sub_order_id
    assert case.order.pk == requested.order_id


def test_lock_case_of_an_unknown_number_is_not_found():
    with pytest.raises(NotFound):
        lock_objects.lock_case(case_no="A-nothing")
