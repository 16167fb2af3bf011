"""Demo data for a local shop: merchants, catalogue, stock, promotions, coupons and logins.

`seed_demo` (the management command) calls `seed_base()` and, for benchmarks,
`add_bulk_products()`. Everything is keyed on natural keys (slugs, codes, usernames), so running
it twice changes nothing.
"""
