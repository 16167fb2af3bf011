"""What the environment switches on for a shop on many machines: media on S3-compatible object
storage, and the read-replica alias with its router."""

from tests.shop.fresh_process import run_django


def test_a_bucket_in_the_environment_puts_media_on_s3_compatible_storage():
    shown = run_django(
        "from django.core.files.storage import storages; s = storages['default']; "
        "print(type(s).__name__, s.bucket_name, s.endpoint_url)",
        AWS_STORAGE_BUCKET_NAME="shop-media",
        AWS_S3_ENDPOINT_URL="http://minio:9000",
        AWS_ACCESS_KEY_ID="k",
        AWS_SECRET_ACCESS_KEY="s",
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split() == ["S3Storage", "shop-media", "http://minio:9000"]


def test_without_a_bucket_media_stay_on_the_local_disk():
    shown = run_django(
        "from django.core.files.storage import storages; print(type(storages['default']).__name__)",
        AWS_STORAGE_BUCKET_NAME="",
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == "FileSystemStorage"


def test_a_replica_url_adds_the_alias_and_the_router():
    shown = run_django(
        "from django.conf import settings as s; "
        "print(sorted(s.DATABASES), s.DATABASE_ROUTERS, s.DATABASES['replica']['HOST'])",
        DATABASE_REPLICA_URL="postgres://shop:shop@replica.internal:5432/shop",
    )
    assert shown.returncode == 0, shown.stderr
    assert "['default', 'replica'] ['shop.db.ReadReplicaRouter'] replica.internal" in shown.stdout
