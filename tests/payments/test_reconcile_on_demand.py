"""Operations reconcile a chosen day on demand; an empty list says when the next run is."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from payments.models import ReconciliationRun
from tests.catalog.factories_admin import merchant_staff_user, ops_user

pytestmark = pytest.mark.django_db

LIST = "admin:payments_reconciliationrun_changelist"
RUN = "admin:payments_reconciliationrun_run"


def test_an_empty_list_says_when_the_next_run_is(client, django_assert_max_num_queries):
    client.force_login(ops_user())

    with django_assert_max_num_queries(12):
        page = client.get(reverse(LIST)).content.decode()

    assert 'data-testid="next-run"' in page and "runs by itself at" in page


def test_ops_reconcile_a_chosen_day(client):
    # given
    client.force_login(ops_user())
    day = timezone.localdate() - timedelta(days=3)

    # when
    response = client.post(reverse(RUN), {"day": day.isoformat()}, follow=True)

    # then
    run = ReconciliationRun.objects.get()
    assert run.day == day
    assert f"Reconciled {day:%Y-%m-%d}" in response.content.decode()


def test_today_or_a_bad_date_is_a_message_not_a_run(client):
    client.force_login(ops_user())

    for value in (timezone.localdate().isoformat(), "2026-13-45", ""):
        response = client.post(reverse(RUN), {"day": value}, follow=True)
        assert response.status_code == 200
        assert "Reconciliation not run" in response.content.decode()
    assert not ReconciliationRun.objects.exists()


def test_merchant_staff_cannot_run_it(client):
    client.force_login(merchant_staff_user())

    response = client.post(reverse(RUN), {"day": "2026-01-01"})

    assert response.status_code == 403
