from decimal import Decimal

import factory

from catalog.models import (
    SKU,
    Attribute,
    AttributeValue,
    Brand,
    Category,
    Merchant,
    MerchantStaff,
    Product,
    ProductImage,
    StockMove,
    StockRecord,
    Warehouse,
)
from tests.accounts.factories import UserFactory


class MerchantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Merchant
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Merchant {n}")
    slug = factory.Sequence(lambda n: f"merchant-{n}")
    kind = Merchant.Kind.THIRD_PARTY


class MerchantStaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MerchantStaff

    user = factory.SubFactory(UserFactory, is_staff=True)
    merchant = factory.SubFactory(MerchantFactory)
    role = MerchantStaff.Role.MANAGER


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Brand {n}")
    slug = factory.Sequence(lambda n: f"brand-{n}")


class AttributeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attribute
        django_get_or_create = ("code",)

    code = "colour"
    name = "Colour"


class AttributeValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AttributeValue
        django_get_or_create = ("attribute", "value")

    attribute = factory.SubFactory(AttributeFactory)
    value = "Red"


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    merchant = factory.SubFactory(MerchantFactory)
    category = factory.SubFactory(CategoryFactory)
    title = factory.Sequence(lambda n: f"Product {n}")
    subtitle = "A product"
    description = "Described."
    price_from = Decimal("99.00")


class SKUFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SKU

    product = factory.SubFactory(ProductFactory)
    code = factory.Sequence(lambda n: f"SKU-{n:06d}")
    price = Decimal("99.00")
    market_price = Decimal("129.00")
    weight_grams = 500
    volume_cm3 = 1000


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse
        django_get_or_create = ("code",)

    merchant = factory.SubFactory(MerchantFactory)
    code = factory.Sequence(lambda n: f"wh-{n}")
    name = factory.Sequence(lambda n: f"Warehouse {n}")
    region = "上海"


class StockRecordFactory(factory.django.DjangoModelFactory):
    """A stock record with the opening StockMove that explains it."""

    class Meta:
        model = StockRecord
        skip_postgeneration_save = True

    sku = factory.SubFactory(SKUFactory)
    warehouse = factory.SubFactory(
        WarehouseFactory, merchant=factory.SelfAttribute("..sku.product.merchant")
    )
    on_hand = 100
    allocated = 0

    @factory.post_generation
    def _ledger(obj, create, extracted, **kwargs):
        # Keep the invariant "stock equals the sum of its ledger" true for factory-made stock.
        if create:
            StockMove.objects.create(
                sku=obj.sku,
                warehouse=obj.warehouse,
                kind=StockMove.Kind.ADJUST,
                on_hand_delta=obj.on_hand,
                allocated_delta=obj.allocated,
                reason="test fixture",
            )


class ProductImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductImage

    product = factory.SubFactory(ProductFactory)
    image = factory.django.ImageField(width=64, height=64, color="red", format="PNG")
    alt = "A picture"
    position = 0


def stocked_sku(*, on_hand: int = 10, allocated: int = 0, **sku_fields) -> SKU:
    """A SKU with one stock record (and its opening ledger move) in its merchant's warehouse;
    the product's price_from follows the SKU price."""
    sku = SKUFactory(**sku_fields)
    StockRecordFactory(sku=sku, on_hand=on_hand, allocated=allocated)
    product = sku.product
    if product.price_from != sku.price and product.skus.count() == 1:
        product.price_from = sku.price
        product.save(update_fields=["price_from"])
    return sku


class SearchCatalogue:
    """A small known catalogue for search, filter and page tests.

    数码 (digital) > 手机 (phones), 电视 (tv); 运动 (sport). Brands Huawei, Apple, Xiaomi.
    Colour Red/Blue and Size M/L on SKUs.
    """

    def __init__(self):
        self.digital = CategoryFactory(name="数码", slug="digital", position=1)
        self.phones = CategoryFactory(name="手机", slug="phones", parent=self.digital)
        self.tv = CategoryFactory(name="电视", slug="tv", parent=self.digital)
        self.sport = CategoryFactory(name="运动", slug="sport", position=2)
        self.huawei = BrandFactory(name="Huawei", slug="huawei")
        self.apple = BrandFactory(name="Apple", slug="apple")
        self.xiaomi = BrandFactory(name="Xiaomi", slug="xiaomi")
        colour = AttributeFactory(code="colour", name="Colour")
        size = AttributeFactory(code="size", name="Size")
        self.red = AttributeValueFactory(attribute=colour, value="Red")
        self.blue = AttributeValueFactory(attribute=colour, value="Blue")
        self.size_m = AttributeValueFactory(attribute=size, value="M")
        self.size_l = AttributeValueFactory(attribute=size, value="L")
        self.merchant = MerchantFactory(name="Huawei Store", slug="huawei-store")

        self.mate = self._product(
            "华为手机 Mate 60",
            "5G 智能手机",
            self.phones,
            self.huawei,
            "5999.00",
            sales=500,
            values=[self.blue],
        )
        self.iphone = self._product(
            "iPhone 15 Pro",
            "Apple smartphone",
            self.phones,
            self.apple,
            "7999.00",
            sales=900,
            values=[self.red],
        )
        self.tv_set = self._product(
            "小米电视 65寸",
            "4K 超高清",
            self.tv,
            self.xiaomi,
            "2999.00",
            sales=100,
            values=[],
            description="Waterproof remote included.",
        )
        self.holder = self._product(
            "车载支架", "手机支架 配件", self.phones, None, "49.00", sales=50, values=[]
        )
        self.shoes = self._product(
            "Running shoes",
            "Light trainers",
            self.sport,
            None,
            "399.00",
            sales=300,
            values=[self.red, self.size_m],
            on_hand=0,
        )
        self.hidden = self._product(
            "华为手机 旧款", "inactive", self.phones, self.huawei, "999.00", sales=0, values=[]
        )
        self.hidden.is_active = False
        self.hidden.save(update_fields=["is_active"])

    def _product(
        self, title, subtitle, category, brand, price, *, sales, values, on_hand=10, description=""
    ):
        product = ProductFactory(
            title=title,
            subtitle=subtitle,
            category=category,
            brand=brand,
            price_from=Decimal(price),
            sales_count=sales,
            merchant=self.merchant,
            description=description or "Described.",
        )
        sku = SKUFactory(product=product, price=Decimal(price))
        sku.attribute_values.set(values)
        StockRecordFactory(sku=sku, on_hand=on_hand)
        product.sku = sku
        return product


class Shelf:
    """Products in one category, each with two SKUs (colours), stock and two images."""

    def __init__(self):
        self.root = CategoryFactory(name="数码", slug="digital")
        self.category = CategoryFactory(name="手机", slug="phones", parent=self.root)
        colour = AttributeFactory(code="colour", name="Colour")
        self.red = AttributeValueFactory(attribute=colour, value="Red")
        self.blue = AttributeValueFactory(attribute=colour, value="Blue")
        self.products = []

    def fill(self, count: int):
        for _ in range(count - len(self.products)):
            n = len(self.products)
            merchant = MerchantFactory()
            product = ProductFactory(
                title=f"智能手机 model {n}",
                category=self.category,
                merchant=merchant,
                brand=BrandFactory(),
                price_from=Decimal("100.00") + n,
            )
            for value in (self.red, self.blue):
                sku = SKUFactory(product=product, price=Decimal("100.00") + n)
                sku.attribute_values.set([value])
                StockRecordFactory(sku=sku, on_hand=5)
            ProductImageFactory(product=product)
            ProductImageFactory(product=product, position=1)
            self.products.append(product)
        return self
