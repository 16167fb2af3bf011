"""The out-of-stock push also goes out when only some units of a parcel are short (logistics'
shortage at picking), so it must not promise a refund "in full". Rules ops have edited keep
their text."""

from django.db import migrations

OLD_BODY = (
    "Sorry, the merchant cannot ship sub-order {sub_order_no}: it is out of stock. "
    "You will be refunded in full."
)
NEW_BODY = (
    "Sorry, some or all of the goods in sub-order {sub_order_no} are out of stock. "
    "What cannot be shipped is refunded to you; the rest ships as usual."
)


def reword(apps, schema_editor):
    PushRule = apps.get_model("notifications", "PushRule")
    PushRule.objects.filter(node="suborder.out_of_stock", body_template=OLD_BODY).update(
        body_template=NEW_BODY
    )


def unreword(apps, schema_editor):
    PushRule = apps.get_model("notifications", "PushRule")
    PushRule.objects.filter(node="suborder.out_of_stock", body_template=NEW_BODY).update(
        body_template=OLD_BODY
    )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_merchant_webhook")]

    operations = [migrations.RunPython(reword, unreword)]
