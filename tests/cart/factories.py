import factory

from cart.models import Cart, CartItem
from tests.accounts.factories import UserFactory
from tests.catalog.factories import SKUFactory


class CartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cart
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)


class CartItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CartItem

    cart = factory.SubFactory(CartFactory)
    sku = factory.SubFactory(SKUFactory)
    quantity = 1
