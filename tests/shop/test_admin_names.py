"""Chinese first in the admin: every app and model of ours and every one of its fields has a
Chinese name, so a merchant never reads "sub order line" or "stock records" on a Chinese page.

A name is translated when it reads differently in zh-hans and in English: a bare string (or a
name Django derives from the attribute, like "payable amount") reads the same in both."""

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from knowledge.models import Language
from shop.regions import PROVINCE_CHOICES

# Names that are the same words in Chinese as in English.
SAME_IN_BOTH_LANGUAGES = {"ID", "SKU"}

# Choices written in their own language whatever the page's: province names, and the names of
# the languages themselves (as the language switch shows them).
CHOICES_IN_THEIR_OWN_LANGUAGE = [
    list(PROVINCE_CHOICES),
    list(Language.choices),
    list(settings.LANGUAGES),
]


def project_apps():
    """Our apps (those whose code lives in this repository), not Django's or a library's."""
    base = str(settings.BASE_DIR)
    return [
        app
        for app in apps.get_app_configs()
        if app.path.startswith(base) and "/.venv/" not in app.path
    ]


def reads_the_same_in_both_languages(text) -> bool:
    with translation.override("en"):
        english = str(text)
    with translation.override("zh-hans"):
        chinese = str(text)
    return chinese == english and english not in SAME_IN_BOTH_LANGUAGES


def untranslated_names(app_labels):
    """'app.Model: what' for each name of those apps' models that is not in Chinese."""
    found = []
    for app in project_apps():
        if app.label not in app_labels:
            continue
        # The heading of the app's models on the admin index.
        if reads_the_same_in_both_languages(app.verbose_name):
            found.append(f"{app.label}: verbose_name {app.verbose_name!r}")
        for model in app.get_models():
            where = f"{app.label}.{model.__name__}"
            meta = model._meta
            if reads_the_same_in_both_languages(meta.verbose_name):
                found.append(f"{where}: verbose_name {meta.verbose_name!r}")
            # Without an explicit plural Django appends an "s", in Chinese too (售后单s).
            if "verbose_name_plural" not in meta.original_attrs:
                found.append(f"{where}: no verbose_name_plural")
            elif reads_the_same_in_both_languages(meta.verbose_name_plural):
                found.append(f"{where}: verbose_name_plural {meta.verbose_name_plural!r}")
            for field in [*meta.concrete_fields, *meta.local_many_to_many]:
                if reads_the_same_in_both_languages(field.verbose_name):
                    found.append(f"{where}.{field.name}: verbose_name {field.verbose_name!r}")
                if field.help_text and reads_the_same_in_both_languages(field.help_text):
                    found.append(f"{where}.{field.name}: help_text {field.help_text!r}")
    return found


def untranslated_choice_labels(app_labels):
    found = []
    for app in project_apps():
        if app.label not in app_labels:
            continue
        for model in app.get_models():
            for field in model._meta.concrete_fields:
                if not field.choices or list(field.choices) in CHOICES_IN_THEIR_OWN_LANGUAGE:
                    continue
                found += [
                    f"{app.label}.{model.__name__}.{field.name}: {label!r}"
                    for _value, label in field.flatchoices
                    if reads_the_same_in_both_languages(label)
                ]
    return found


def test_every_model_and_field_of_ours_has_a_chinese_name():
    labels = {app.label for app in project_apps()}
    assert {"accounts", "catalog", "orders", "aftersales", "logistics"} <= labels
    assert untranslated_names(labels) == []


def test_every_choice_of_ours_has_a_chinese_label():
    labels = {app.label for app in project_apps()}
    assert untranslated_choice_labels(labels) == []


def test_the_check_catches_a_bare_name_and_a_name_missing_from_the_catalogue():
    bare = models.CharField("payable amount", max_length=8)
    unknown = models.CharField(_("a name nobody translated"), max_length=8)
    translated = models.CharField(_("sub-order"), max_length=8)
    assert reads_the_same_in_both_languages(bare.verbose_name)
    assert reads_the_same_in_both_languages(unknown.verbose_name)
    assert not reads_the_same_in_both_languages(translated.verbose_name)
    assert not reads_the_same_in_both_languages("SKU")


@pytest.mark.django_db
def test_the_admin_shows_our_models_and_fields_in_chinese(admin_client):
    index = admin_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = index.content.decode()
    for chinese in ("商品评价", "库存流水", "售后原因", "缺货记录", "运费模板", "对账差异"):
        assert chinese in page
    assert "Stock moves" not in page and "Shortage records" not in page
    assert "知识库与客服" in page and "Catalogue" not in page

    form = admin_client.get(reverse("admin:catalog_sku_add"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = form.content.decode()
    assert "市场价" in page and "重量（克）" in page
    assert "Market price" not in page
