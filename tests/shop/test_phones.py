"""Phone numbers as shoppers type them are normalised, not refused."""

import pytest

from shop.accounts import services
from shop.errors import InvalidInput
from shop.phones import normalise_mobile
from tests.accounts.factories import UserFactory


@pytest.mark.parametrize(
    "typed",
    [
        "+86 138-0013-8000",
        "0086 13800138000",
        "86 138 0013 8000",
        "(138) 0013-8000",
        "＋８６　１３８００１３８０００",
        "13800138000",
    ],
)
def test_a_mainland_mobile_is_normalised(typed):
    assert normalise_mobile(typed) == "13800138000"


@pytest.mark.django_db
def test_an_address_with_a_country_code_is_saved_normalised():
    user = UserFactory()

    address = services.address_create(
        user=user,
        recipient="张三",
        phone="+86 138-0013-8000",
        province="上海",
        city="上海市",
        district="浦东新区",
        detail="世纪大道 1 号",
    )

    assert address.phone == "13800138000"


@pytest.mark.django_db
def test_a_number_that_is_not_a_mobile_is_still_refused():
    with pytest.raises(InvalidInput):
        services.address_create(
            user=UserFactory(),
            recipient="张三",
            phone="+1 415 555 0100",
            province="上海",
            city="上海市",
            district="",
            detail="世纪大道 1 号",
        )
