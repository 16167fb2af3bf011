"""Generated product pictures: a coloured square with the product's initials (JPEG bytes)."""

import colorsys
import hashlib
import io
from functools import cache

from PIL import Image, ImageDraw, ImageFont

SIZE = 480


@cache
def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has one fixed-size bitmap font
        return ImageFont.load_default()


def colour_for(text: str) -> tuple[int, int, int]:
    """A pleasant, stable colour per text (same product -> same colour)."""
    digest = hashlib.sha1(text.encode("utf-8")).digest()
    hue = digest[0] / 255
    red, green, blue = colorsys.hls_to_rgb(hue, 0.55, 0.55)
    return int(red * 255), int(green * 255), int(blue * 255)


def initials(words: str) -> str:
    letters = [w[0] for w in words.split() if w[:1].isascii() and w[:1].isalnum()]
    return ("".join(letters[:2]) or "SP").upper()


def product_jpeg(*, label: str, key: str, size: int = SIZE) -> bytes:
    image = Image.new("RGB", (size, size), colour_for(key))
    draw = ImageDraw.Draw(image)
    text = initials(label)
    font = _font(size // 3)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    position = ((size - (right - left)) / 2 - left, (size - (bottom - top)) / 2 - top)
    draw.text(position, text, fill=(255, 255, 255), font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()
