from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from imagekit.models import ImageSpecField
from pilkit.processors import ResizeToFill, ResizeToFit

from shop.regions import PROVINCE_CHOICES

money_field_kwargs = {"max_digits": 12, "decimal_places": 2}


class Merchant(models.Model):
    class Kind(models.TextChoices):
        SELF_OPERATED = "self_operated", _("Self-operated (platform)")
        THIRD_PARTY = "third_party", _("Third-party")

    name = models.CharField(_("name"), max_length=128, unique=True)
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=Kind.choices, default=Kind.THIRD_PARTY
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")

    def __str__(self):
        return self.name


class MerchantStaff(models.Model):
    """Links a user to the merchant they work for; the admin scopes everything by it."""

    class Role(models.TextChoices):
        MANAGER = "manager", _("Manager")
        OPERATOR = "operator", _("Catalogue operator")
        WAREHOUSE = "warehouse", _("Warehouse staff")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="merchant_staff",
        verbose_name=_("user"),
    )
    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="staff", verbose_name=_("merchant")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MANAGER)
    # Warehouse staff see the fulfilment queue of these warehouses only (empty: all of theirs).
    warehouses = models.ManyToManyField(
        "Warehouse", blank=True, related_name="staff", verbose_name=_("warehouses")
    )

    class Meta:
        verbose_name = _("merchant staff")
        verbose_name_plural = _("merchant staff")

    def __str__(self):
        return f"{self.user} @ {self.merchant}"


class Category(models.Model):
    name = models.CharField(_("name"), max_length=64)
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent category"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    no_reason_return = models.BooleanField(
        _("7-day no-reason return"),
        default=True,
        help_text=_(
            "七天无理由退货: shoppers may return this category's goods within 7 days of receipt "
            "without giving a reason. Switch off for goods that cannot be returned that way "
            "(food, custom-made goods); it then applies to every category below this one too."
        ),
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name


class Brand(models.Model):
    name = models.CharField(_("name"), max_length=64, unique=True)
    slug = models.SlugField(_("slug"), max_length=64, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("brand")
        verbose_name_plural = _("brands")

    def __str__(self):
        return self.name


class Attribute(models.Model):
    """A kind of variation between SKUs, such as colour or size."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)

    class Meta:
        ordering = ["name"]
        verbose_name = _("attribute")
        verbose_name_plural = _("attributes")

    def __str__(self):
        return self.name


class AttributeValue(models.Model):
    attribute = models.ForeignKey(
        Attribute, on_delete=models.CASCADE, related_name="values", verbose_name=_("attribute")
    )
    value = models.CharField(_("attribute value"), max_length=64)

    class Meta:
        ordering = ["attribute__name", "value"]
        constraints = [
            models.UniqueConstraint(fields=["attribute", "value"], name="unique_attribute_value")
        ]
        verbose_name = _("attribute value")
        verbose_name_plural = _("attribute values")

    def __str__(self):
        return f"{self.attribute.name}: {self.value}"


class Product(models.Model):
    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="products", verbose_name=_("merchant")
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="products", verbose_name=_("category")
    )
    brand = models.ForeignKey(
        Brand,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="products",
        verbose_name=_("brand"),
    )
    title = models.CharField(_("title"), max_length=200)
    subtitle = models.CharField(_("subtitle"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_featured = models.BooleanField(_("featured"), default=False)
    no_reason_return = models.BooleanField(
        _("7-day no-reason return"),
        default=True,
        help_text=_(
            "七天无理由退货: shoppers may return it within 7 days of receipt without giving a "
            "reason. Switch off for goods that cannot be returned that way (food, custom-made "
            "goods). Offered only when the product's category (and every category above it) "
            "allows it too."
        ),
    )
    # Denormalised for listing, filtering and sorting without a join over SKUs; kept current by
    # catalog.services whenever a SKU changes.
    price_from = models.DecimalField(
        _("lowest price"), **money_field_kwargs, default=Decimal("0.00")
    )
    sales_count = models.PositiveIntegerField(_("units sold"), default=0)
    # Kept by reviews.services as visible reviews come and go (listings never aggregate).
    rating_count = models.PositiveIntegerField(_("reviews"), default=0)
    rating_average = models.DecimalField(
        _("average rating"), max_digits=3, decimal_places=2, default=Decimal("0.00")
    )
    search_document = SearchVectorField(_("search document"), null=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["is_active", "category"], name="product_active_category"),
            # One per storefront order (catalog.selectors DEFAULT_ORDERING and ORDERINGS), with
            # its tie-breakers, over active products only: a page is read in index order and
            # the scan stops after it, instead of sorting every match.
            models.Index(
                fields=["-is_featured", "-sales_count", "-created_at", "-id"],
                condition=Q(is_active=True),
                name="product_listed_default",
            ),
            models.Index(
                fields=["-sales_count", "-created_at", "-id"],
                condition=Q(is_active=True),
                name="product_listed_sales",
            ),
            models.Index(
                fields=["-created_at", "-id"],
                condition=Q(is_active=True),
                name="product_listed_new",
            ),
            models.Index(
                fields=["price_from", "id"],
                condition=Q(is_active=True),
                name="product_listed_price",
            ),
            # A category page (and its facets' sample, read in sales order): its products in
            # the page's order, so the scan stops after the page instead of sorting the
            # category's every product (0009).
            models.Index(
                fields=["category", "-is_featured", "-sales_count", "-created_at", "-id"],
                condition=Q(is_active=True),
                name="product_category_default",
            ),
            models.Index(
                fields=["category", "-sales_count", "-created_at", "-id"],
                condition=Q(is_active=True),
                name="product_category_sales",
            ),
        ]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        # The GIN full-text and trigram indexes are created in PostgreSQL-only migrations.

    def __str__(self):
        return self.title


class ProductImage(models.Model):
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="images", verbose_name=_("product")
    )
    image = models.ImageField(_("image"), upload_to="products/%Y/%m/")
    alt = models.CharField(_("alternative text"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    thumbnail = ImageSpecField(
        source="image", processors=[ResizeToFill(320, 320)], format="JPEG", options={"quality": 82}
    )
    large = ImageSpecField(
        source="image", processors=[ResizeToFit(960, 960)], format="JPEG", options={"quality": 86}
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("product image")
        verbose_name_plural = _("product images")

    def __str__(self):
        return f"Image {self.position + 1} of {self.product.title}"


class SKU(models.Model):
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="skus", verbose_name=_("product")
    )
    code = models.CharField(_("SKU code"), max_length=64, unique=True)
    attribute_values = models.ManyToManyField(
        AttributeValue, blank=True, related_name="skus", verbose_name=_("attribute values")
    )
    price = models.DecimalField(_("price"), **money_field_kwargs, validators=[MinValueValidator(0)])
    market_price = models.DecimalField(
        _("market price"),
        **money_field_kwargs,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    weight_grams = models.PositiveIntegerField(_("weight (g)"), default=500)
    volume_cm3 = models.PositiveIntegerField(_("volume (cm³)"), default=1000)
    barcode = models.CharField(_("barcode"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["product_id", "price", "id"]
        verbose_name = _("SKU")
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="sku_price_non_negative"),
        ]
        verbose_name_plural = _("SKUs")

    def __str__(self):
        return f"{self.code} {self.product.title}" if self.product_id else self.code


class Warehouse(models.Model):
    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="warehouses", verbose_name=_("merchant")
    )
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=128)
    region = models.CharField(_("province"), max_length=16, choices=PROVINCE_CHOICES)
    address = models.CharField(_("warehouse address"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["merchant_id", "name"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")

    def __str__(self):
        return f"{self.name} ({self.region})"


class StockRecord(models.Model):
    """Stock of one SKU in one warehouse. sellable = on_hand - allocated, never below zero: the
    database refuses any row that breaks it, whatever the code above does."""

    sku = models.ForeignKey(
        SKU, on_delete=models.CASCADE, related_name="stock_records", verbose_name=_("SKU")
    )
    warehouse = models.ForeignKey(
        Warehouse,
        on_delete=models.PROTECT,
        related_name="stock_records",
        verbose_name=_("warehouse"),
    )
    on_hand = models.IntegerField(_("on hand"), default=0)
    allocated = models.IntegerField(_("allocated"), default=0)
    location = models.CharField(
        _("bin location"),
        max_length=32,
        blank=True,
        help_text=_("Where it sits in the warehouse, for picking."),
    )

    class Meta:
        ordering = ["sku_id", "warehouse_id"]
        constraints = [
            models.UniqueConstraint(fields=["sku", "warehouse"], name="one_stock_record_per_place"),
            models.CheckConstraint(condition=Q(allocated__gte=0), name="stock_allocated_ge_0"),
            models.CheckConstraint(
                condition=Q(on_hand__gte=F("allocated")), name="stock_sellable_ge_0"
            ),
        ]
        verbose_name = _("stock record")
        verbose_name_plural = _("stock records")

    def __str__(self):
        # Read as words in the admin ("AB-1 红色 in 上海仓"), not as ids.
        return f"{self.sku.code} in {self.warehouse.name}"

    @property
    def sellable(self) -> int:
        return self.on_hand - self.allocated


class StockMove(models.Model):
    """Append-only stock ledger. on_hand and allocated of a StockRecord always equal the sums of
    its moves' deltas (`manage.py check_stock_ledger` proves it)."""

    class Kind(models.TextChoices):
        ALLOCATE = "allocate", _("Allocated to an order")
        RELEASE = "release", _("Released (order cancelled, expired or failed)")
        CONSUME = "consume", _("Consumed at shipment")
        RETURN = "return", _("Returned to stock")
        ADJUST = "adjust", _("Manual adjustment")
        IMPORT = "import", _("Bulk import")

    sku = models.ForeignKey(
        SKU, on_delete=models.CASCADE, related_name="stock_moves", verbose_name=_("SKU")
    )
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="stock_moves", verbose_name=_("warehouse")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    on_hand_delta = models.IntegerField(_("change on hand"), default=0)
    allocated_delta = models.IntegerField(_("change allocated"), default=0)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    order_no = models.CharField(_("order number"), max_length=32, blank=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["sku", "warehouse"], name="stockmove_place")]
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")

    def __str__(self):
        return f"{self.get_kind_display()} of {self.sku.code} in {self.warehouse.name}"


class Promotion(models.Model):
    """A merchant's goods promotion, applied before member benefits (DESIGN.md pricing order)."""

    class Kind(models.TextChoices):
        FULL_REDUCTION = "full_reduction", _("Spend X, get Y off (tiers)")
        PERCENT = "percent", _("Percent off")
        LIMITED_PRICE = "limited_price", _("Limited-time price")

    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="promotions", verbose_name=_("merchant")
    )
    name = models.CharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    is_active = models.BooleanField(_("active"), default=True)
    # Empty `products` and applies_to_all True: every product of the merchant.
    applies_to_all = models.BooleanField(_("all products of the merchant"), default=True)
    products = models.ManyToManyField(
        Product, blank=True, related_name="promotions", verbose_name=_("products")
    )
    percent_off = models.DecimalField(
        _("percent off"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["merchant", "starts_at", "ends_at"], name="promo_window")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="promotion_valid_window"
            ),
        ]
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")

    def __str__(self):
        return self.name


class PromotionTier(models.Model):
    """For FULL_REDUCTION: spend at least `threshold`, get `discount` off (the highest tier
    reached applies)."""

    promotion = models.ForeignKey(
        Promotion, on_delete=models.CASCADE, related_name="tiers", verbose_name=_("promotion")
    )
    threshold = models.DecimalField(
        _("spend at least"), **money_field_kwargs, validators=[MinValueValidator(0)]
    )
    discount = models.DecimalField(
        _("amount off"), **money_field_kwargs, validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["threshold"]
        constraints = [
            models.CheckConstraint(
                condition=Q(discount__lte=F("threshold")), name="tier_discount_le_threshold"
            )
        ]
        verbose_name = _("promotion tier")
        verbose_name_plural = _("promotion tiers")


class LimitedTimePrice(models.Model):
    """For LIMITED_PRICE: the SKU sells at `price` during the promotion's window."""

    promotion = models.ForeignKey(
        Promotion,
        on_delete=models.CASCADE,
        related_name="limited_prices",
        verbose_name=_("promotion"),
    )
    sku = models.ForeignKey(
        SKU, on_delete=models.CASCADE, related_name="limited_prices", verbose_name=_("SKU")
    )
    price = models.DecimalField(
        _("limited-time price"), **money_field_kwargs, validators=[MinValueValidator(0)]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["promotion", "sku"], name="one_limited_price_per_sku")
        ]
        verbose_name = _("limited-time price")
        verbose_name_plural = _("limited-time prices")


class ShippingTemplate(models.Model):
    """A merchant's shipping fee: first weight + each additional weight step, by destination
    region, free above a threshold of goods value."""

    merchant = models.OneToOneField(
        Merchant,
        on_delete=models.CASCADE,
        related_name="shipping_template",
        verbose_name=_("merchant"),
    )
    first_weight_grams = models.PositiveIntegerField(_("first weight (g)"), default=1000)
    first_fee = models.DecimalField(
        _("first weight fee"), **money_field_kwargs, default=Decimal("8.00")
    )
    additional_weight_grams = models.PositiveIntegerField(
        _("additional weight step (g)"), default=1000
    )
    additional_fee = models.DecimalField(
        _("fee per additional step"), **money_field_kwargs, default=Decimal("5.00")
    )
    free_over = models.DecimalField(
        _("free shipping over"), **money_field_kwargs, null=True, blank=True
    )

    class Meta:
        verbose_name = _("shipping template")
        verbose_name_plural = _("shipping templates")

    def __str__(self):
        return f"Shipping of {self.merchant}"


class ShippingRegionRate(models.Model):
    template = models.ForeignKey(
        ShippingTemplate,
        on_delete=models.CASCADE,
        related_name="region_rates",
        verbose_name=_("shipping template"),
    )
    region = models.CharField(_("province"), max_length=16, choices=PROVINCE_CHOICES)
    first_fee = models.DecimalField(_("first weight fee"), **money_field_kwargs)
    additional_fee = models.DecimalField(_("fee per additional step"), **money_field_kwargs)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["template", "region"], name="one_rate_per_region")
        ]
        verbose_name = _("regional shipping rate")
        verbose_name_plural = _("regional shipping rates")


class FlashSale(models.Model):
    """秒杀: one SKU at `price` between `starts_at` and `ends_at`, at most `per_shopper_limit`
    units per shopper over the whole sale. While it runs, order attempts for the SKU pass the
    Redis admission gate (catalog.services.flash_gate) before they open a transaction."""

    sku = models.ForeignKey(
        SKU, on_delete=models.CASCADE, related_name="flash_sales", verbose_name=_("SKU")
    )
    name = models.CharField(_("name"), max_length=128)
    price = models.DecimalField(
        _("flash sale price"), **money_field_kwargs, validators=[MinValueValidator(0)]
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    per_shopper_limit = models.PositiveIntegerField(
        _("limit per shopper"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("Units one shopper may buy."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["sku", "starts_at", "ends_at"], name="flash_sale_window")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="flash_sale_valid_window"
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="flash_sale_price_ge_0"),
            models.CheckConstraint(
                condition=Q(per_shopper_limit__gte=1), name="flash_sale_limit_ge_1"
            ),
        ]
        verbose_name = _("flash sale")
        verbose_name_plural = _("flash sales")

    def __str__(self):
        return self.name

    def runs_at(self, at) -> bool:
        return self.is_active and self.starts_at <= at < self.ends_at


class FlashSalePurchase(models.Model):
    """Units of a flash sale a shopper holds in orders that are not closed. One row per shopper
    and sale, raised by one conditional upsert (so two tabs of one shopper cannot both pass the
    limit) and lowered when an order is cancelled or expires."""

    flash_sale = models.ForeignKey(
        FlashSale, on_delete=models.CASCADE, related_name="purchases", verbose_name=_("flash sale")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("shopper"),
    )
    quantity = models.PositiveIntegerField(_("units held"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["flash_sale", "user"], name="one_purchase_per_shopper"),
        ]
        verbose_name = _("flash sale purchase")
        verbose_name_plural = _("flash sale purchases")

    def __str__(self):
        return f"{self.quantity} of {self.flash_sale_id} by {self.user_id}"
