"""The fixed demo rows: who sells what, where it ships from, and how products are named."""

from decimal import Decimal

TIERS = [
    # code, name, discount percent, position
    ("regular", "Regular", Decimal("0.00"), 0),
    ("silver", "Silver", Decimal("3.00"), 1),
    ("gold", "Gold", Decimal("5.00"), 2),
]

SELF_MERCHANT = "self"
MERCHANTS = [
    # slug, name, kind, description
    (
        SELF_MERCHANT,
        "自营旗舰店 Shop Self-operated",
        "self_operated",
        "Sold and shipped by the shop.",
    ),
    ("trendy-apparel", "潮流服饰 Trendy Apparel", "third_party", "Clothing and shoes."),
    ("digital-goods", "数码优品 Digital Goods", "third_party", "Phones, computers, audio."),
]

WAREHOUSES = [
    # code, merchant slug, name, region, address
    ("self-sh", SELF_MERCHANT, "上海仓 Shanghai DC", "上海", "上海市嘉定区物流园 1 号"),
    ("self-gz", SELF_MERCHANT, "广州仓 Guangzhou DC", "广东", "广州市白云区物流大道 8 号"),
    ("self-bj", SELF_MERCHANT, "北京仓 Beijing DC", "北京", "北京市大兴区物流路 6 号"),
    ("apparel-gz", "trendy-apparel", "潮流服饰广州仓", "广东", "广州市番禺区服装城 3 号"),
    ("digital-bj", "digital-goods", "数码优品北京仓", "北京", "北京市海淀区中关村 2 号"),
    ("digital-sh", "digital-goods", "数码优品上海仓", "上海", "上海市浦东新区张江 5 号"),
]

# merchant slug -> (first fee, additional fee, free over, {region: (first, additional)})
SHIPPING = {
    SELF_MERCHANT: (
        "6.00", "3.00", "99.00",
        {"上海": ("4.00", "2.00"), "新疆": ("18.00", "10.00"), "西藏": ("20.00", "12.00")},
    ),
    "trendy-apparel": (
        "8.00", "4.00", "199.00",
        {"广东": ("5.00", "2.00"), "新疆": ("20.00", "10.00"), "西藏": ("22.00", "12.00")},
    ),
    "digital-goods": (
        "10.00", "5.00", "299.00",
        {"北京": ("6.00", "3.00"), "上海": ("8.00", "4.00"), "新疆": ("25.00", "15.00")},
    ),
}  # fmt: skip

# Category tree: (slug, "中文 English", parent slug or None)
CATEGORIES = [
    ("electronics", "数码 Electronics", None),
    ("phones", "手机 Phones", "electronics"),
    ("computers", "电脑 Computers", "electronics"),
    ("audio", "耳机音响 Audio", "electronics"),
    ("clothing", "服装 Clothing", None),
    ("menswear", "男装 Menswear", "clothing"),
    ("womenswear", "女装 Womenswear", "clothing"),
    ("shoes", "鞋靴 Shoes", "clothing"),
    ("home", "家居 Home", None),
    ("kitchen", "厨具 Kitchen", "home"),
    ("bedding", "床品 Bedding", "home"),
    ("food", "食品 Food", None),
    ("snacks", "零食 Snacks", "food"),
    ("tea", "茶饮 Tea", "food"),
]

BRANDS = [
    "Huami", "Xingchen", "Lumo", "Zhiyu", "Feiyun", "Mumu", "Qingshan", "Beida", "Hailan",
    "Tianqi", "Songshu", "Baicao",
]  # fmt: skip

ATTRIBUTES = {
    # code: (name, values)
    "colour": ("颜色 Colour", ["黑 Black", "白 White", "红 Red", "蓝 Blue", "灰 Grey", "绿 Green"]),
    "size": ("尺码 Size", ["S", "M", "L", "XL", "XXL"]),
    "spec": ("规格 Spec", ["64GB", "128GB", "256GB", "250g", "500g", "1kg"]),
}

# Leaf category -> how its products look: nouns, brands, merchants, which attributes vary,
# price range (yuan), weight range (grams), volume range (cm3).
LEAVES = {
    "phones": {
        "nouns": [("智能手机", "Smartphone"), ("5G 手机", "5G Phone"), ("折叠屏手机", "Foldable")],
        "brands": ["Huami", "Xingchen", "Lumo"],
        "merchants": ["digital-goods", SELF_MERCHANT],
        "attrs": ("colour", "spec"),
        "spec_values": ["64GB", "128GB", "256GB"],
        "price": (999, 6999),
        "weight": (180, 260),
        "volume": (300, 600),
    },
    "computers": {
        "nouns": [("轻薄笔记本", "Ultrabook"), ("游戏本", "Gaming Laptop"), ("平板电脑", "Tablet")],
        "brands": ["Zhiyu", "Xingchen", "Feiyun"],
        "merchants": ["digital-goods", SELF_MERCHANT],
        "attrs": ("colour", "spec"),
        "spec_values": ["128GB", "256GB"],
        "price": (1999, 12999),
        "weight": (500, 2600),
        "volume": (2000, 6000),
    },
    "audio": {
        "nouns": [("蓝牙耳机", "Earbuds"), ("头戴耳机", "Headphones"), ("智能音箱", "Speaker")],
        "brands": ["Lumo", "Feiyun", "Huami"],
        "merchants": ["digital-goods", SELF_MERCHANT],
        "attrs": ("colour",),
        "price": (99, 1999),
        "weight": (50, 900),
        "volume": (200, 3000),
    },
    "menswear": {
        "nouns": [("纯棉T恤", "Cotton T-shirt"), ("休闲衬衫", "Casual Shirt"), ("夹克", "Jacket")],
        "brands": ["Hailan", "Mumu", "Qingshan"],
        "merchants": ["trendy-apparel", SELF_MERCHANT],
        "attrs": ("colour", "size"),
        "price": (49, 699),
        "weight": (150, 900),
        "volume": (800, 4000),
    },
    "womenswear": {
        "nouns": [("连衣裙", "Dress"), ("针织衫", "Knit Sweater"), ("风衣", "Trench Coat")],
        "brands": ["Mumu", "Qingshan", "Hailan"],
        "merchants": ["trendy-apparel"],
        "attrs": ("colour", "size"),
        "price": (69, 899),
        "weight": (150, 1000),
        "volume": (800, 4000),
    },
    "shoes": {
        "nouns": [("跑步鞋", "Running Shoes"), ("帆布鞋", "Canvas Shoes"), ("短靴", "Ankle Boots")],
        "brands": ["Beida", "Qingshan"],
        "merchants": ["trendy-apparel", SELF_MERCHANT],
        "attrs": ("colour", "size"),
        "price": (99, 1299),
        "weight": (500, 1400),
        "volume": (4000, 9000),
    },
    "kitchen": {
        "nouns": [
            ("不粘锅", "Non-stick Pan"),
            ("电饭煲", "Rice Cooker"),
            ("刀具套装", "Knife Set"),
        ],
        "brands": ["Tianqi", "Beida"],
        "merchants": [SELF_MERCHANT],
        "attrs": ("colour",),
        "price": (59, 999),
        "weight": (600, 4500),
        "volume": (3000, 20000),
    },
    "bedding": {
        "nouns": [("四件套", "Bedding Set"), ("羽绒被", "Down Duvet"), ("乳胶枕", "Latex Pillow")],
        "brands": ["Tianqi", "Mumu"],
        "merchants": [SELF_MERCHANT],
        "attrs": ("colour", "size"),
        "price": (89, 1599),
        "weight": (800, 4000),
        "volume": (8000, 40000),
    },
    "snacks": {
        "nouns": [("每日坚果", "Daily Nuts"), ("牛肉干", "Beef Jerky"), ("果干", "Dried Fruit")],
        "brands": ["Songshu", "Baicao"],
        "merchants": [SELF_MERCHANT],
        "attrs": ("spec",),
        "spec_values": ["250g", "500g", "1kg"],
        "price": (19, 199),
        "weight": (260, 1100),
        "volume": (500, 3000),
    },
    "tea": {
        "nouns": [
            ("西湖龙井", "Longjing Tea"),
            ("普洱茶", "Pu'er Tea"),
            ("茉莉花茶", "Jasmine Tea"),
        ],
        "brands": ["Baicao", "Songshu"],
        "merchants": [SELF_MERCHANT],
        "attrs": ("spec",),
        "spec_values": ["250g", "500g"],
        "price": (39, 899),
        "weight": (260, 1100),
        "volume": (500, 3000),
    },
}

ADJECTIVES = [
    ("新款", "New"),
    ("经典", "Classic"),
    ("旗舰", "Pro"),
    ("轻享", "Lite"),
    ("尊享", "Plus"),
]

USERS = {
    "shopper": "shopper-pass-2026",
    "merchant": "merchant-pass-2026",
    "merchant2": "merchant-pass-2026",
    "ops": "ops-pass-2026",
    "admin": "admin-pass-2026",
}

COUPONS = [
    # code, name, kind, value, min spend, for new customers
    ("NEWBIE10", "新人券 New customer ¥10 off", "fixed", "10.00", "49.00", True),
    ("PLATFORM20", "平台券 ¥20 off over ¥199", "fixed", "20.00", "199.00", False),
]
