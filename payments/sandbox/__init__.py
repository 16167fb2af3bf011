"""The sandbox payment gateway: a cashier page, an RSA key pair of its own, a ledger of trades
and refunds, and signed asynchronous notifications in Alipay's and WeChat Pay's own formats."""
