"""Builds the demo shop. Each function is idempotent: it looks rows up by natural key first."""

import random
import time
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from catalog.demo import data
from catalog.demo.images import product_jpeg
from catalog.models import (
    SKU,
    Attribute,
    AttributeValue,
    Brand,
    Category,
    LimitedTimePrice,
    Merchant,
    MerchantStaff,
    Product,
    ProductImage,
    Promotion,
    PromotionTier,
    ShippingRegionRate,
    ShippingTemplate,
    StockMove,
    StockRecord,
    Warehouse,
)
from shop.accounts.models import Coupon, CustomerProfile, HeldCoupon, MembershipTier
from shop.money import to_money
from shop.roles import MERCHANT_STAFF, PLATFORM_OPS, ensure_role_groups

User = get_user_model()

DEMO_PRODUCTS = 200
DEMO_CODE_PREFIX = "DEMO-"
BULK_IMAGE_COUNT = 8
BATCH = 2000


@dataclass
class Catalogue:
    """Lookups the product generator needs, loaded once."""

    merchants: dict[str, Merchant]
    warehouses: dict[str, list[Warehouse]]
    categories: dict[str, Category]
    brands: dict[str, Brand]
    values: dict[str, list[AttributeValue]]


@dataclass
class SkuSpec:
    code: str
    price: Decimal
    market_price: Decimal
    weight_grams: int
    volume_cm3: int
    barcode: str
    value_ids: list[int]
    stock: list[tuple[int, int]]  # (warehouse id, on hand)


@dataclass
class ProductSpec:
    title: str
    subtitle: str
    description: str
    merchant_id: int
    category_id: int
    brand_id: int
    is_featured: bool
    image_label: str = ""  # the words whose initials the generated picture shows
    skus: list[SkuSpec] = field(default_factory=list)

    @property
    def price_from(self) -> Decimal:
        return min(sku.price for sku in self.skus)


# --- reference data -------------------------------------------------------------------------


def ensure_tiers() -> dict[str, MembershipTier]:
    tiers = {}
    for code, name, percent, position in data.TIERS:
        tier, _ = MembershipTier.objects.get_or_create(
            code=code, defaults={"name": name, "discount_percent": percent, "position": position}
        )
        tiers[code] = tier
    return tiers


def ensure_merchants() -> tuple[dict[str, Merchant], dict[str, list[Warehouse]]]:
    merchants = {}
    for slug, name, kind, description in data.MERCHANTS:
        merchants[slug], _ = Merchant.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "description": description}
        )
    warehouses: dict[str, list[Warehouse]] = {slug: [] for slug in merchants}
    for code, merchant_slug, name, region, address in data.WAREHOUSES:
        warehouse, _ = Warehouse.objects.get_or_create(
            code=code,
            defaults={
                "merchant": merchants[merchant_slug],
                "name": name,
                "region": region,
                "address": address,
            },
        )
        warehouses[merchant_slug].append(warehouse)
    for slug, (first, additional, free_over, regions) in data.SHIPPING.items():
        template, _ = ShippingTemplate.objects.get_or_create(
            merchant=merchants[slug],
            defaults={
                "first_fee": Decimal(first),
                "additional_fee": Decimal(additional),
                "free_over": Decimal(free_over),
            },
        )
        for region, (region_first, region_additional) in regions.items():
            ShippingRegionRate.objects.get_or_create(
                template=template,
                region=region,
                defaults={
                    "first_fee": Decimal(region_first),
                    "additional_fee": Decimal(region_additional),
                },
            )
    return merchants, warehouses


def ensure_taxonomy() -> tuple[dict[str, Category], dict[str, Brand], dict[str, list]]:
    categories: dict[str, Category] = {}
    for position, (slug, name, parent_slug) in enumerate(data.CATEGORIES):
        categories[slug], _ = Category.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "parent": categories[parent_slug] if parent_slug else None,
                "position": position,
            },
        )
    brands = {}
    for name in data.BRANDS:
        brands[name], _ = Brand.objects.get_or_create(slug=name.lower(), defaults={"name": name})
    values: dict[str, list[AttributeValue]] = {}
    for code, (name, attribute_values) in data.ATTRIBUTES.items():
        attribute, _ = Attribute.objects.get_or_create(code=code, defaults={"name": name})
        values[code] = [
            AttributeValue.objects.get_or_create(attribute=attribute, value=value)[0]
            for value in attribute_values
        ]
    return categories, brands, values


def load_catalogue() -> Catalogue:
    merchants, warehouses = ensure_merchants()
    categories, brands, values = ensure_taxonomy()
    return Catalogue(merchants, warehouses, categories, brands, values)


# --- products -------------------------------------------------------------------------------


def _money(value: float) -> Decimal:
    return to_money(str(value))  # demo prices are computed as floats; str() keeps 0.1 exact


def _barcode(number: int) -> str:
    """An EAN-13 with the 69 (China) prefix and a correct check digit."""
    body = f"69{number % 10**10:010d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def product_spec(rng: random.Random, catalogue: Catalogue, *, index: int, code: str) -> ProductSpec:
    """One plausible product with 2-4 SKUs, stock in 1-2 of its merchant's warehouses."""
    leaf_slug = list(data.LEAVES)[index % len(data.LEAVES)]
    leaf = data.LEAVES[leaf_slug]
    noun_cn, noun_en = rng.choice(leaf["nouns"])
    adjective_cn, adjective_en = rng.choice(data.ADJECTIVES)
    brand = catalogue.brands[rng.choice(leaf["brands"])]
    merchant = catalogue.merchants[rng.choice(leaf["merchants"])]
    model = f"{rng.choice('ABCDEFGHKMNPRSTX')}{rng.randint(1, 99)}"
    title = f"{brand.name} {noun_en} {model} {adjective_cn}{noun_cn}"
    subtitle = f"{adjective_en} {noun_en.lower()} by {brand.name} · {adjective_cn}款 {noun_cn}"
    description = (
        f"{brand.name} {noun_en} {model}. {adjective_cn}{noun_cn}，品质保证，七天无理由退货。\n"
        f"{adjective_en} edition, genuine product with the manufacturer's warranty."
    )

    # SKU variations: combinations of the leaf's attributes, 2-4 of them.
    axes = []
    for attribute_code in leaf["attrs"]:
        choices = catalogue.values[attribute_code]
        wanted = leaf.get(f"{attribute_code}_values")
        if wanted:
            choices = [v for v in choices if v.value in wanted]
        axes.append(rng.sample(choices, k=min(len(choices), rng.randint(1, 3))))
    combos = [[]]
    for axis in axes:
        combos = [combo + [value] for combo in combos for value in axis]
    rng.shuffle(combos)
    combos = combos[: rng.randint(2, 4)]
    while len(combos) < 2:  # one-value axes: vary by an extra colour so there are two choices
        extra = rng.choice(catalogue.values["colour"])
        combos.append([v for v in combos[0] if v.attribute_id != extra.attribute_id] + [extra])

    low, high = leaf["price"]
    base = rng.uniform(low, high)
    warehouses = catalogue.warehouses[merchant.slug]
    product = ProductSpec(
        title=title[:200],
        subtitle=subtitle[:255],
        description=description,
        merchant_id=merchant.pk,
        category_id=catalogue.categories[leaf_slug].pk,
        brand_id=brand.pk,
        is_featured=index % 9 == 0,
        image_label=f"{brand.name} {noun_en.split()[-1]}",
    )
    for position, combo in enumerate(combos):
        price = _money(round(base * (1 + 0.12 * position)) - 0.1)
        places = rng.sample(warehouses, k=min(len(warehouses), rng.randint(1, 2)))
        stock = [(w.pk, 0 if rng.random() < 0.03 else rng.randint(5, 300)) for w in places]
        product.skus.append(
            SkuSpec(
                code=f"{code}-{position + 1}",
                price=price,
                market_price=_money(float(price) * rng.uniform(1.1, 1.5)),
                weight_grams=rng.randint(*leaf["weight"]),
                volume_cm3=rng.randint(*leaf["volume"]),
                barcode=_barcode(rng.getrandbits(40)),
                value_ids=sorted({v.pk for v in combo}),
                stock=stock,
            )
        )
    return product


def create_products(specs: list[ProductSpec], *, image_for) -> list[Product]:
    """Insert products, SKUs, attribute links, stock records and their ledger moves in bulk.

    `image_for(product, spec)` returns the image file name already in storage (bulk mode) or
    None when the caller attaches images itself.
    """
    products = Product.objects.bulk_create(
        [
            Product(
                title=s.title,
                subtitle=s.subtitle,
                description=s.description,
                merchant_id=s.merchant_id,
                category_id=s.category_id,
                brand_id=s.brand_id,
                is_featured=s.is_featured,
                price_from=s.price_from,
            )
            for s in specs
        ],
        batch_size=BATCH,
    )
    sku_rows, sku_specs = [], []
    for product, spec in zip(products, specs, strict=True):
        for sku_spec in spec.skus:
            sku_rows.append(
                SKU(
                    product_id=product.pk,
                    code=sku_spec.code,
                    price=sku_spec.price,
                    market_price=sku_spec.market_price,
                    weight_grams=sku_spec.weight_grams,
                    volume_cm3=sku_spec.volume_cm3,
                    barcode=sku_spec.barcode,
                )
            )
            sku_specs.append(sku_spec)
    skus = SKU.objects.bulk_create(sku_rows, batch_size=BATCH)

    through = SKU.attribute_values.through
    links, records, moves = [], [], []
    for sku, sku_spec in zip(skus, sku_specs, strict=True):
        links += [through(sku_id=sku.pk, attributevalue_id=v) for v in sku_spec.value_ids]
        for warehouse_id, on_hand in sku_spec.stock:
            records.append(
                StockRecord(
                    sku_id=sku.pk,
                    warehouse_id=warehouse_id,
                    on_hand=on_hand,
                    location=f"A{sku.pk % 40:02d}-{sku.pk % 7}",
                )
            )
            if on_hand:
                moves.append(
                    StockMove(
                        sku_id=sku.pk,
                        warehouse_id=warehouse_id,
                        kind=StockMove.Kind.IMPORT,
                        on_hand_delta=on_hand,
                        reason="Demo data: opening stock",
                    )
                )
    through.objects.bulk_create(links, batch_size=BATCH)
    StockRecord.objects.bulk_create(records, batch_size=BATCH)
    StockMove.objects.bulk_create(moves, batch_size=BATCH)

    images = []
    for product, spec in zip(products, specs, strict=True):
        name = image_for(product, spec)
        if name:
            images.append(ProductImage(product_id=product.pk, image=name, alt=spec.title))
    ProductImage.objects.bulk_create(images, batch_size=BATCH)
    return products


def ensure_demo_products(catalogue: Catalogue, count: int = DEMO_PRODUCTS) -> int:
    """The fixed demo catalogue (same products every time); returns how many were added."""
    existing = set(
        SKU.objects.filter(code__startswith=DEMO_CODE_PREFIX).values_list("code", flat=True)
    )
    specs = []
    for index in range(count):
        code = f"{DEMO_CODE_PREFIX}{index + 1:04d}"
        rng = random.Random(index)  # one stream per product: adding products changes none
        spec = product_spec(rng, catalogue, index=index, code=code)
        if spec.skus[0].code not in existing:
            specs.append(spec)
    if not specs:
        return 0
    products = create_products(specs, image_for=lambda product, spec: None)
    for product, spec in zip(products, specs, strict=True):
        image = ProductImage(product=product, alt=spec.title)
        image.image.save(
            f"demo-{product.pk}.jpg",
            ContentFile(product_jpeg(label=spec.image_label, key=spec.title)),
            save=True,
        )
    return len(products)


def bulk_image_names() -> list[str]:
    """A handful of shared picture files for benchmark products (written once)."""
    names = []
    for k in range(BULK_IMAGE_COUNT):
        name = f"products/demo/bulk-{k}.jpg"
        if not default_storage.exists(name):
            label = f"{data.BRANDS[k % len(data.BRANDS)]} Bulk"
            name = default_storage.save(name, ContentFile(product_jpeg(label=label, key=label)))
        names.append(name)
    return names


def add_bulk_products(count: int, *, progress=None) -> dict:
    """Add `count` more products (2-4 SKUs each) quickly, for benchmarks. Not idempotent by
    design: each run adds new products under a fresh code prefix."""
    catalogue = load_catalogue()
    images = bulk_image_names()
    prefix = f"B{int(time.time() * 1000):x}"
    rng = random.Random(prefix)
    started = time.monotonic()
    products = skus = 0
    chunk = 1000
    for start in range(0, count, chunk):
        size = min(chunk, count - start)
        specs = [
            product_spec(rng, catalogue, index=start + i, code=f"{prefix}-{start + i}")
            for i in range(size)
        ]
        with transaction.atomic():
            create_products(specs, image_for=lambda product, spec: images[product.pk % len(images)])
        products += size
        skus += sum(len(s.skus) for s in specs)
        if progress is not None:
            progress.update(size)
    return {"products": products, "skus": skus, "seconds": time.monotonic() - started}


# --- promotions and coupons -----------------------------------------------------------------


def ensure_promotions(catalogue: Catalogue) -> None:
    now = timezone.now()
    window = {"starts_at": now - timedelta(days=1), "ends_at": now + timedelta(days=60)}
    self_operated = catalogue.merchants[data.SELF_MERCHANT]
    full, created = Promotion.objects.get_or_create(
        merchant=self_operated,
        name="满200减20 Spend ¥200, get ¥20 off",
        defaults={"kind": Promotion.Kind.FULL_REDUCTION, **window},
    )
    if created:
        PromotionTier.objects.create(promotion=full, threshold=200, discount=20)
        PromotionTier.objects.create(promotion=full, threshold=500, discount=60)

    apparel = catalogue.merchants["trendy-apparel"]
    Promotion.objects.get_or_create(
        merchant=apparel,
        name="全场9折 10% off everything",
        defaults={"kind": Promotion.Kind.PERCENT, "percent_off": Decimal("10.00"), **window},
    )

    digital = catalogue.merchants["digital-goods"]
    flash, created = Promotion.objects.get_or_create(
        merchant=digital,
        name="限时特价 Flash sale",
        defaults={"kind": Promotion.Kind.LIMITED_PRICE, "applies_to_all": False, **window},
    )
    if created:
        skus = list(
            SKU.objects.filter(product__merchant=digital, is_active=True).order_by("id")[:6]
        )
        for sku in skus:
            LimitedTimePrice.objects.create(
                promotion=flash, sku=sku, price=_money(float(sku.price) * 0.85)
            )
        flash.products.set({sku.product_id for sku in skus})


def ensure_coupons() -> dict[str, Coupon]:
    now = timezone.now()
    coupons = {}
    for code, name, kind, value, min_spend, for_new in data.COUPONS:
        coupons[code], _ = Coupon.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "value": Decimal(value),
                "min_spend": Decimal(min_spend),
                "valid_from": now - timedelta(days=1),
                "valid_until": now + timedelta(days=365),
                "for_new_customers": for_new,
            },
        )
    return coupons


# --- people ---------------------------------------------------------------------------------


def _ensure_user(username: str, *, is_staff=False, is_superuser=False, group=None) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "email": f"{username}@example.com",
            "is_staff": is_staff or is_superuser,
            "is_superuser": is_superuser,
        },
    )
    password = data.USERS[username]
    if created or not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    if group is not None:
        user.groups.add(Group.objects.get(name=group))
    return user


def ensure_users(catalogue: Catalogue, tiers, coupons) -> dict[str, User]:
    from shop.accounts import services as accounts

    users = {}
    shopper = User.objects.filter(username="shopper").first()
    if shopper is None:
        shopper = accounts.user_register(
            username="shopper", password=data.USERS["shopper"], email="shopper@example.com"
        )
    users["shopper"] = shopper
    profile = accounts.profile_for(shopper)
    if profile.tier_id != tiers["silver"].pk or not profile.phone:
        CustomerProfile.objects.filter(pk=profile.pk).update(
            tier=tiers["silver"], phone=profile.phone or "13800138000"
        )
    for coupon in coupons.values():
        HeldCoupon.objects.get_or_create(user=shopper, coupon=coupon)
    if not shopper.addresses.exists():
        accounts.address_create(
            user=shopper,
            recipient="张三",
            phone="13800138000",
            province="上海",
            city="上海市",
            district="浦东新区",
            detail="世纪大道 100 号 8 楼",
            is_default=True,
        )

    for username, merchant_slug in (
        ("merchant", data.SELF_MERCHANT),
        ("merchant2", "trendy-apparel"),
    ):
        user = _ensure_user(username, is_staff=True, group=MERCHANT_STAFF)
        MerchantStaff.objects.get_or_create(
            user=user,
            defaults={
                "merchant": catalogue.merchants[merchant_slug],
                "role": MerchantStaff.Role.MANAGER,
            },
        )
        users[username] = user
    users["ops"] = _ensure_user("ops", is_staff=True, group=PLATFORM_OPS)
    users["admin"] = _ensure_user("admin", is_superuser=True)
    return users


def seed_base(*, products: int = DEMO_PRODUCTS) -> dict:
    """The whole demo shop; returns counts for the summary."""
    with transaction.atomic():
        ensure_role_groups()
        tiers = ensure_tiers()
        catalogue = load_catalogue()
        added = ensure_demo_products(catalogue, products)
        ensure_promotions(catalogue)
        coupons = ensure_coupons()
        ensure_users(catalogue, tiers, coupons)
    return {
        "products_added": added,
        "products": Product.objects.count(),
        "skus": SKU.objects.count(),
        "merchants": Merchant.objects.count(),
        "warehouses": Warehouse.objects.count(),
        "categories": Category.objects.count(),
        "promotions": Promotion.objects.count(),
        "coupons": Coupon.objects.count(),
    }
