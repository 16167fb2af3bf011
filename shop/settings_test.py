"""Settings for the test suite: the shop's own settings as a laptop runs them.

DEBUG and the payment/courier sandbox default to off (production fails closed), so the tests turn
them on here, before shop.settings reads the environment. Subprocesses started by a test inherit
both. pytest-django still runs each test with settings.DEBUG False.
"""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("PAYMENT_SANDBOX", "1")

from shop.settings import *  # noqa: F403

# The shop speaks Chinese to a request that asks for no language; the suite asserts English
# wording unless a test asks for Chinese (Accept-Language or the language switch).
LANGUAGE_CODE = "en"
