"""Input and output shapes of the accounts API."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from shop.accounts.models import Address
from shop.regions import PROVINCE_CHOICES


class RegisterInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(write_only=True, trim_whitespace=False)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    language = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=8,
        help_text='Language of the account\'s messages, "zh-hans" or "en"; empty: the request\'s',
    )


class RegisterOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    token = serializers.CharField()


class TokenInputSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(trim_whitespace=False)


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()


class AddressInputSerializer(serializers.Serializer):
    recipient = serializers.CharField(max_length=64)
    phone = serializers.CharField(max_length=20)
    province = serializers.ChoiceField(choices=PROVINCE_CHOICES)
    city = serializers.CharField(max_length=64)
    district = serializers.CharField(max_length=64, required=False, allow_blank=True)
    detail = serializers.CharField(max_length=255)
    is_default = serializers.BooleanField(required=False, default=False)


class RegionQuerySerializer(serializers.Serializer):
    province = serializers.ChoiceField(choices=PROVINCE_CHOICES)
    city = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class RegionNamesOutputSerializer(serializers.Serializer):
    names = serializers.ListField(child=serializers.CharField())


class AddressOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Address
        fields = [
            "id",
            "recipient",
            "phone",
            "province",
            "city",
            "district",
            "detail",
            "is_default",
            "one_line",
        ]
        read_only_fields = fields


class MeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    tier = serializers.CharField(allow_blank=True, help_text="Membership tier name")
    discount_rate = serializers.DecimalField(
        max_digits=6, decimal_places=4, help_text="Tier discount as a fraction, 0.05 = 5 % off"
    )
    is_new_customer = serializers.BooleanField()
    language = serializers.CharField(help_text="Language of pushes, SMS and inbox messages")


class MeUpdateInputSerializer(serializers.Serializer):
    """What a shopper may change of their profile. Plain strings: the service validates them,
    so the API, the storefront form and sign-up give the same answer for the same input."""

    phone = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        help_text='11-digit mainland mobile; "" removes it',
    )
    email = serializers.CharField(required=False, allow_blank=True, help_text='"" removes it')
    language = serializers.CharField(
        required=False, max_length=8, help_text='Language of messages: "zh-hans" or "en"'
    )

    def validate(self, attrs):
        # A client that sends `tier` or `username` must not get a 200 that silently ignored it.
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                f"These fields cannot be changed here: {', '.join(unknown)}."
            )
        return attrs


@extend_schema_serializer(component_name="AccountsError")  # no clash with other apps' errors
class ErrorSerializer(serializers.Serializer):
    """The body of every 4xx answer (shop.errors.api_exception_handler)."""

    detail = serializers.CharField()
    code = serializers.CharField()
