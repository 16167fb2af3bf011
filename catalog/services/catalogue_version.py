"""The catalogue's version: a counter in the Django cache (Redis) that every edit of what a
listing shows moves on, so that what is cached under one version (the facets of a listing,
catalog.selectors.listing.listing_summary) is never read again after an edit.

Bumped by catalog.signals (saves and deletions of products, SKUs, brands, attribute values,
categories and merchants, and SKUs' attribute values) and by the services whose queryset
updates send no signal (price_from, activation, featuring, a merchant's stock edits). Stock
moves of orders and sales counts do not bump it: the facets do not depend on them, and a
version moved on by every sale would leave nothing cached.

Redis unreachable: an edit is saved all the same (the bump is logged and skipped; what was
cached lives FACET_CACHE_SECONDS at most), and catalogue_version() answers None, which the
listing reads as "compute, do not cache".
"""

import logging
import time

from django.core.cache import cache
from django.db import transaction
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
# What a cache outage raises: redis-py's errors, or the socket's own.
CACHE_DOWN = (RedisError, OSError)

CATALOGUE_VERSION_KEY = "catalog:version"


def catalogue_version() -> int | None:
    """The current version (one cache read), None when the cache is unreachable. Started from
    the clock when the key is missing (Redis emptied), so that a restarted counter never meets
    entries of an earlier life."""
    try:
        version = cache.get(CATALOGUE_VERSION_KEY)
        if version is None:
            version = time.time_ns() // 1000
            cache.add(CATALOGUE_VERSION_KEY, version, timeout=None)
            version = cache.get(CATALOGUE_VERSION_KEY, version)
    except CACHE_DOWN as error:
        logger.warning("catalogue version unavailable, cache unreachable: %s", error)
        return None
    return version


def _bump() -> None:
    try:
        try:
            cache.incr(CATALOGUE_VERSION_KEY)
        except ValueError:  # no counter yet: whatever is read next starts a new one
            cache.add(CATALOGUE_VERSION_KEY, time.time_ns() // 1000, timeout=None)
    except CACHE_DOWN as error:
        logger.warning("catalogue version not moved on, cache unreachable: %s", error)


def catalogue_version_bump() -> None:
    """The catalogue changed: now (this request's next read sees the edit), and again once the
    transaction commits (a listing computed meanwhile by another request, from the data before
    the commit, was cached under the version in between and is not read again)."""
    _bump()
    transaction.on_commit(_bump)
