"""The read-replica router with a real second alias: catalogue reads outside a transaction go
to `replica`, orders and every write to `default`, and nothing migrates on the replica."""

import pytest
from django.db import connections, transaction

from catalog.models import Product
from orders.models import Order
from shop.db import ReadReplicaRouter
from tests.catalog.factories import ProductFactory


def test_without_a_replica_the_router_leaves_every_read_alone():
    router = ReadReplicaRouter()
    router.replica = "no-replica-configured"
    assert router.db_for_read(Product) is None


@pytest.fixture(scope="module")
def replica_alias():
    """A second connection to the test database, as a streaming replica would be."""
    connections.settings["replica"] = {**connections.settings["default"]}
    yield "replica"
    connections["replica"].close()
    del connections.settings["replica"]
    if hasattr(connections._connections, "replica"):
        delattr(connections._connections, "replica")


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_catalogue_reads_go_to_the_replica_and_orders_stay_on_the_primary(replica_alias):
    router = ReadReplicaRouter()
    product = ProductFactory()

    assert router.db_for_read(Product) == "replica"
    assert router.db_for_read(Order) == "default"
    assert router.db_for_write(Product) == "default"
    assert router.allow_migrate("replica", "catalog") is False
    assert router.allow_migrate("default", "catalog") is True
    # The replica alias is a real connection that sees what the primary committed.
    assert Product.objects.using(router.db_for_read(Product)).filter(pk=product.pk).exists()
    with transaction.atomic():
        # Inside a transaction on the primary a read may depend on its writes: primary.
        assert router.db_for_read(Product) == "default"
