"""The only code that changes notifications' state, one module per use case:

- outbox: an event becomes outbox rows, in the emitter's transaction (and their delivery is
  scheduled after commit)
- delivery: one row through its channel backend, with retries; ops' "Retry now"
- relay: the beat sweeps (rows the normal path did not deliver, old rows purged)
- inbox: a person's in-site messages read
- preferences: a shopper's channels switched on or off
- webhooks: a merchant's webhook secret rotated

Wording and rendering live in notifications.rendering; reads in notifications.selectors.
"""
