"""The gateways' wire: one small interface (base), the Alipay and WeChat Pay adapters over
their client libraries, and the signature and encryption helpers (crypto). Nothing here reads
settings or the database, so the sandbox gateway can imitate the wire without importing the
rest of payments; which gateway runs where is payments.configured_gateways'."""
