"""The sandbox payment gateway, run as if it were an external service the shop talks to: an RSA
key pair of its own, a ledger of trades and refunds, and signed asynchronous notifications in
Alipay's and WeChat Pay's own formats, delivered to the shop's notify URL until acknowledged.

It imitates the gateways' wire formats, so it imports the shop's gateway adapters and crypto
(payments.gateways) and nothing else of payments: the shop calls the sandbox, never the other
way round, and it reaches the shop only through the notify URL, as a real gateway does.
Enabled only where settings.PAYMENT_SANDBOX is on (payments.configured_gateways)."""
