# ruff: noqa: E501 - article prose is kept one paragraph a line, as Markdown authors write it
"""The demo shop's help centre: topics, articles in Chinese and English, canned replies and
macros, as the data migration and seed_demo create them (idempotent: rows that exist, ops'
edits included, are left alone).

The figures in the articles are the shop's own settings: 7 days after receipt to ask
(AFTERSALES_WINDOW_DAYS), 48 h for the merchant to answer (MERCHANT_RESPONSE_HOURS), 7 days to
send a return (RETURN_SHIP_DAYS), 10 days for the merchant to confirm it (RETURN_RECEIVE_DAYS),
7 days to appeal a rejection (APPEAL_DAYS).
"""

NOT_SHIPPED, IN_TRANSIT, RECEIVED = "not_shipped", "in_transit", "received"
REFUND, RETURN, EXCHANGE = "refund_only", "return_refund", "exchange"

TOPICS = [
    # slug, name, description
    ("returns", "退货退款 · Returns and refunds", "怎样申请、寄回、多久处理 · How to ask, send back, how long"),
    ("refund-payment", "退款到账 · Refund arrival", "退款什么时候到、退到哪里 · When and where the money goes"),
    ("delivery", "物流配送 · Delivery", "没收到、拒收、破损 · Not arrived, refused, damaged"),
    ("exchange", "换货 · Exchanges", "尺码、规格不合适 · Wrong size or variant"),
    ("invoice-coupon", "发票与优惠券 · Invoices and coupons", "开票、退款后的优惠券 · Invoices, coupons after a refund"),
]  # fmt: skip

# slug, language, topic, title, summary, keywords, reasons, stages, case types, body
ARTICLES = [
    (
        "how-to-return-zh", "zh-hans", "returns",
        "如何申请退货退款",
        "收货后 7 天内在订单页提交售后申请，商家同意后按退货地址寄回，商家确认收货后退款。",
        "退货 退款 申请售后 寄回 退货流程 怎么退",
        ["no-reason-7d", "quality", "wrong-item", "not-as-described", "damaged"],
        [RECEIVED], [RETURN],
        """## 申请步骤

1. 打开 **我的订单**，找到要退的商品，点击 **申请售后**。
2. 选择 **退货退款**，选择原因（质量问题、发错货等请上传照片），填写退款金额（默认是可退的最高金额）。
3. 提交后商家有 **48 小时** 处理；超时未处理，系统自动同意。
4. 商家同意后，申请页会显示 **退货地址**。请在 **7 天内** 寄回并填写快递单号，否则申请自动关闭。
5. 商家收到退货后确认，退款随即原路退回；商家 **10 天内** 未确认的，系统自动退款。

## 注意

- 收货后 **7 天内** 可以申请；已确认收货的订单也可以。
- 请保持商品完好、配件齐全，并保留快递单号直到退款完成。
- 商家拒绝时，可在 **7 天内** 申请平台介入。
""",
    ),
    (
        "how-to-return-en", "en", "returns",
        "How to return an item for a refund",
        "Ask within 7 days of receipt from the order page, send the item to the return address once the merchant agrees, and the refund follows their confirmation.",
        "return refund send back money back how to return",
        ["no-reason-7d", "quality", "wrong-item", "not-as-described", "damaged"],
        [RECEIVED], [RETURN],
        """## Step by step

1. Open **My orders**, find the item and choose **After-sales**.
2. Pick **Return and refund** and a reason (for a quality problem or a wrong item, add photos). The refund amount defaults to the most you can get back.
3. The merchant has **48 hours** to answer; if they do not, the request is approved automatically.
4. Once approved, the request page shows the **return address**. Send the item within **7 days** and enter the tracking number, or the request closes.
5. When the merchant confirms the parcel arrived, the refund goes back to your payment method. If they do not confirm within **10 days** of delivery, the platform refunds you.

## Good to know

- You can ask within **7 days** of receiving the order, also after confirming receipt.
- Keep the item complete with its accessories, and keep the tracking number until you are refunded.
- If the merchant rejects the request, you can ask the platform to step in within **7 days**.
""",
    ),
    (
        "refund-arrival-zh", "zh-hans", "refund-payment",
        "退款多久到账？各支付方式到账时间",
        "退款原路退回：支付宝余额、微信零钱通常即时到账，银行卡 1-3 个工作日，信用卡最长 7 个工作日；货到付款由平台人工打款。",
        "退款到账 多久到账 什么时候到账 钱什么时候退回来 退钱 退款时间 没收到退款 支付宝 微信 银行卡 信用卡 货到付款",
        [], [], [REFUND, RETURN],
        """退款在商家同意（或确认收到退货）后自动发起，按 **原支付方式** 退回。

| 支付方式 | 退回到 | 到账时间 |
|---|---|---|
| 支付宝（余额、余额宝） | 支付宝余额 | 通常即时，最长 2 小时 |
| 支付宝（银行卡、花呗） | 原银行卡 / 花呗额度 | 1-3 个工作日 |
| 微信支付（零钱） | 微信零钱 | 通常即时 |
| 微信支付（银行卡、信用卡） | 原银行卡 | 储蓄卡 1-3 个工作日，信用卡最长 7 个工作日 |
| 货到付款 | 平台人工打款 | 审核后 3-5 个工作日 |

## 没有收到？

- 在售后申请页查看 **退款进度**：显示"退款中"说明已提交支付机构，显示"已退款"说明支付机构已确认。
- 支付机构偶尔会延迟，系统会自动重试直到成功，无需重复申请。
- 超过上表时间仍未到账，请通过下方 **联系客服** 告诉我们售后单号。
""",
    ),
    (
        "refund-arrival-en", "en", "refund-payment",
        "When does my refund arrive? By payment method",
        "Refunds go back the way you paid: Alipay balance and WeChat change usually at once, bank cards in 1-3 working days, credit cards up to 7; cash on delivery is paid out by the platform.",
        "refund arrive how long money back refund time take days not received alipay wechat bank card credit card cash on delivery",
        [], [], [REFUND, RETURN],
        """A refund starts automatically once the merchant approves (or confirms your return), and goes back to **the payment method you used**.

| Paid with | Refunded to | Arrives |
|---|---|---|
| Alipay balance | Alipay balance | usually at once, at most 2 hours |
| Alipay with a bank card or Huabei | the same card / Huabei | 1-3 working days |
| WeChat Pay change | WeChat change | usually at once |
| WeChat Pay with a bank card | the same card | debit 1-3, credit up to 7 working days |
| Cash on delivery | a transfer by the platform | 3-5 working days after review |

## Not there yet?

- The request page shows the **refund progress**: "Refunding" means it is with the payment provider, "Refunded" means the provider confirmed it.
- Providers are sometimes slow; the shop retries on its own until the refund goes through, so there is no need to ask again.
- If it is later than the table says, use **Contact us** below with your after-sales number.
""",
    ),
    (
        "seven-day-exclusions-zh", "zh-hans", "returns",
        "七天无理由退货不包括哪些商品？",
        "定制商品、鲜活易腐商品、已拆封的数字商品、报刊等，以及商品页标明不支持的商品，不适用七天无理由退货。",
        "七天无理由 7天无理由 不支持退货 不能退 例外 定制 生鲜 拆封",
        ["no-reason-7d", "wrong-size"], [RECEIVED], [RETURN, EXCHANGE],
        """依据《网络购买商品七日无理由退货暂行办法》，以下商品 **不适用** 七天无理由退货：

- 消费者定作的商品（刻字、定制尺寸等）；
- 鲜活易腐的商品（生鲜、鲜花、蛋糕等）；
- 在线下载或已拆封的音像制品、计算机软件等数字化商品；
- 已交付的报纸、期刊；
- 商品页明确标注"不支持七天无理由退货"的商品（如拆封后影响人身安全或健康的贴身用品、一经激活价值明显贬损的商品）。

申请表会提示哪些商品不适用。

## 仍然可以申请的情况

商品有 **质量问题、发错货、与描述不符或破损** 时，不受以上限制，请选择对应原因并上传照片，运费由商家承担。

## 其他条件

七天无理由退货要求商品完好（不影响二次销售），从签收次日起算 7 天；退回运费由买家承担。
""",
    ),
    (
        "seven-day-exclusions-en", "en", "returns",
        "What the 7-day no-reason return does not cover",
        "Custom-made goods, fresh and perishable food, opened digital goods, newspapers and items marked on their page are not returnable without a reason.",
        "7 day no reason return exclusions cannot return custom perishable opened 七天无理由",
        ["no-reason-7d", "wrong-size"], [RECEIVED], [RETURN, EXCHANGE],
        """Under China's rules for online purchases (七日无理由退货), these items **cannot** be returned without a reason:

- goods made to your order (engraved, custom sizes);
- fresh and perishable goods (fresh food, flowers, cakes);
- downloaded or unsealed audio, video and software;
- newspapers and magazines already delivered;
- items whose page says "no 7-day no-reason return" (for example intimate or hygiene products once opened, goods that lose most of their value once activated).

The request form tells you which of your items this applies to.

## You can still ask when

the item has a **quality problem, is the wrong item, is not as described or arrived damaged**: pick that reason and add photos; the merchant pays the return shipping.

## Other conditions

The item must be in resaleable condition, within 7 days from the day after delivery; you pay the return shipping.
""",
    ),
    (
        "parcel-not-arrived-zh", "zh-hans", "delivery",
        "包裹一直没收到怎么办？",
        "先在订单页查看物流；显示已签收但没收到、或长时间没有更新，可申请仅退款，商家或平台核实后退款。",
        "没收到 未收到 物流不动 快递丢了 丢件 显示签收 没到货 包裹",
        ["not-delivered"], [IN_TRANSIT], [REFUND, "lost"],
        """## 先看物流

在 **订单详情** 查看物流轨迹：

- **运输中**：一般 3-5 天送达，偏远地区会更久，请耐心等待。
- **超过 3 天没有更新**：可能滞留或丢件，可以在订单页 **申请售后**，选择"物流一直未送到"，申请仅退款。
- **显示已签收但没有收到**：先问问家人、门卫、快递柜和驿站；仍然找不到的，申请售后并说明情况。

## 之后会怎样

商家会联系快递核实。确认丢件的，平台会直接为你退款，无需退货；找到包裹的会继续派送。

在确认收货之前，订单不会自动完成，你的售后权利不受影响。
""",
    ),
    (
        "parcel-not-arrived-en", "en", "delivery",
        "My parcel has not arrived",
        "Check the tracking on the order page; if it shows delivered but you have nothing, or has not moved for days, ask for a refund and the merchant or platform checks with the carrier.",
        "parcel not arrived not received lost package tracking not moving delivered but missing",
        ["not-delivered"], [IN_TRANSIT], [REFUND, "lost"],
        """## Check the tracking first

Open **Order details** to see the parcel's tracking:

- **In transit**: most parcels arrive in 3-5 days, remote areas take longer.
- **No update for more than 3 days**: it may be stuck or lost. Choose **After-sales** on the order page, reason "Parcel never arrived", and ask for a refund.
- **Shows delivered, but you have nothing**: ask family, the doorman, the parcel locker or pick-up point. If it is still missing, open a request and say so.

## What happens next

The merchant checks with the carrier. A parcel confirmed lost is refunded by the platform with nothing to send back; a parcel found goes on to you.

An order is never completed automatically while you have not received it, so you keep your rights.
""",
    ),
    (
        "refused-parcel-zh", "zh-hans", "delivery",
        "拒收包裹后怎么退款？",
        "外包装破损或不想要时可以当面拒收，包裹退回商家后系统自动退款，不需要再申请。",
        "拒收 拒签 退回 拒收退款 包裹破损 不想要",
        ["damaged-refused", "dont-want"], [IN_TRANSIT], [REFUND, "refusal"],
        """## 可以拒收的情况

快递送达时，如发现 **外包装破损、漏液、明显受潮**，或不想要了，可以当面告诉快递员拒收。

## 拒收后

1. 快递把包裹退回商家，物流显示"拒收"后，系统会 **自动创建拒收退款** 售后单。
2. 商家收到退回的包裹后，退款原路退回；包裹一直没有退回的，到期后由系统退款。
3. 自动退款退的是商品金额。因包裹破损拒收的，运费应由商家承担：请在该售后单里留言并附上照片，商家或平台核实后退还运费；因不想要拒收的，运费不退。

货到付款的订单拒收后无需付款。

如果已经签收才发现问题，请在订单页申请售后并上传照片，选择"商品破损"。
""",
    ),
    (
        "refused-parcel-en", "en", "delivery",
        "Refusing a parcel at the door",
        "You may refuse a damaged or unwanted parcel at delivery; once it is back with the merchant you are refunded automatically, without filing a request.",
        "refuse parcel refused delivery damaged box send back refusal refund",
        ["damaged-refused", "dont-want"], [IN_TRANSIT], [REFUND, "refusal"],
        """## When to refuse

If the box is **torn, leaking or wet** at delivery, or you no longer want it, tell the courier you refuse it.

## After refusing

1. The carrier takes the parcel back; once tracking shows "refused", the shop **opens a refusal refund** for you.
2. When the merchant has the parcel back, the money goes back to your payment method; if it never gets back, the shop refunds you when the waiting time ends.
3. The automatic refund is for the goods. Refused because it was damaged: the shipping is the merchant's to bear, so write on that request with a photo and the merchant or the platform refunds it after checking. Refused because you changed your mind: the shipping is not refunded.

A cash-on-delivery order you refuse costs nothing.

If you already signed for it and then found the damage, open a request on the order page with photos and the reason "Arrived damaged".
""",
    ),
    (
        "exchange-size-zh", "zh-hans", "exchange",
        "尺码不合适怎么换货？",
        "收货 7 天内申请换货，寄回原商品，商家收到后发出新尺码；新尺码缺货时改为退款。",
        "换货 换尺码 尺码不合适 大了 小了 换颜色 换规格",
        ["wrong-size", "no-reason-7d", "quality"], [RECEIVED], [EXCHANGE],
        """## 申请换货

1. 在订单页点击 **申请售后**，选择 **换货**，原因选"尺码/规格不合适"。
2. 在说明里写清楚想换的 **尺码或颜色**。
3. 商家同意后，按申请页的退货地址寄回，并填写快递单号。
4. 商家收到后发出新商品，申请页会显示新包裹的物流。

## 注意

- 换货需要商品完好、吊牌齐全、未洗涤。
- 因尺码不合适换货，寄回运费由买家承担；质量问题换货由商家承担。
- 想要的尺码没有库存时，商家会改为 **退货退款**，钱原路退回。

不确定尺码？先看商品页的 **尺码表**，或联系店铺客服。
""",
    ),
    (
        "exchange-size-en", "en", "exchange",
        "Exchanging for another size",
        "Ask for an exchange within 7 days of receipt, send the item back, and the merchant ships the new size; if it is out of stock you get a refund instead.",
        "exchange size too big too small swap colour variant wrong size",
        ["wrong-size", "no-reason-7d", "quality"], [RECEIVED], [EXCHANGE],
        """## Asking for an exchange

1. Choose **After-sales** on the order page, then **Exchange**, reason "Wrong size or variant".
2. In the description, write the **size or colour** you want instead.
3. Once the merchant agrees, send the item to the return address on the request page and enter the tracking number.
4. When it arrives, the merchant ships the replacement; its tracking shows on the request page.

## Good to know

- The item must be unworn, unwashed, with its tags.
- You pay the return shipping for a size exchange; the merchant pays for a quality problem.
- If the size you want is out of stock, the merchant turns the exchange into a **return and refund**.

Not sure about sizes? Check the **size chart** on the product page, or ask the shop.
""",
    ),
    (
        "invoice-zh", "zh-hans", "invoice-coupon",
        "如何开具发票？退货后发票怎么办？",
        "电子发票由商家开具，确认收货后在订单页申请；退货退款后原发票作废或开具红字发票。",
        "发票 开票 电子发票 增值税 专票 抬头 红字发票",
        [], [], [],
        """## 申请发票

- 发票由 **销售商品的商家** 开具，一般为电子普通发票。
- 确认收货后，通过 **联系客服 → 联系店铺**，写明订单号、发票抬头（个人或单位名称）和税号，商家会在 3 个工作日内发到你的邮箱或订单消息里。
- 需要增值税专用发票的单位买家，请同时提供开户行、账号、地址和电话。

## 退货之后

- 全部退款的订单，商家会 **作废原发票或开具红字发票**，请不要再用原发票报销。
- 部分退款的，商家按实际支付金额重新开具。
""",
    ),
    (
        "invoice-en", "en", "invoice-coupon",
        "Getting an invoice (fapiao), and what a refund does to it",
        "The merchant issues the electronic invoice; ask after confirming receipt. A refund voids the invoice or is matched by a red-letter invoice.",
        "invoice fapiao receipt vat tax company title red invoice",
        [], [], [],
        """## Asking for an invoice

- The **merchant who sold the item** issues the invoice, usually an electronic ordinary fapiao.
- After confirming receipt, use **Contact us → the shop** with the order number, the invoice title (your name or company) and tax number; the merchant sends it within 3 working days.
- Companies needing a special VAT invoice also give their bank, account, address and phone.

## After a refund

- An order refunded in full has its invoice **voided or reversed by a red-letter invoice**; do not claim expenses with the old one.
- After a partial refund the merchant issues a new invoice for what you paid.
""",
    ),
    (
        "coupon-after-refund-zh", "zh-hans", "invoice-coupon",
        "退款后优惠券会退回吗？",
        "整单在发货前全部取消或退款、且优惠券仍在有效期内时，优惠券自动退回；部分退款或已发货的，优惠券不退回，退款按实际支付金额计算。",
        "优惠券 退回 红包 满减 退款 优惠 券",
        ["dont-want", "late-shipping"], [NOT_SHIPPED, RECEIVED], [REFUND, RETURN],
        """## 会退回的情况

订单 **发货前** 整单取消或全部退款（包括缺货退款），且优惠券 **仍在有效期内**，优惠券会自动退回到你的账户，可以再次使用。

## 不会退回的情况

- 订单已有商品发货后再退款；
- 只退了部分商品；
- 优惠券已过期。

## 退多少钱

退款金额按你 **实际支付** 的金额计算：满减、折扣和优惠券已经按比例分摊到每件商品，退一件商品退的是这件商品实际付的钱，可以在申请页看到最高可退金额。
""",
    ),
    (
        "coupon-after-refund-en", "en", "invoice-coupon",
        "Do I get my coupon back after a refund?",
        "Only when the whole order is cancelled or refunded before anything ships and the coupon has not expired; otherwise the refund is what you actually paid for the item.",
        "coupon back voucher discount refund promotion",
        ["dont-want", "late-shipping"], [NOT_SHIPPED, RECEIVED], [REFUND, RETURN],
        """## You get it back when

the whole order is cancelled or refunded **before anything ships** (an out-of-stock refund included) and the coupon is **still valid**: it returns to your account, ready to use again.

## You do not when

- part of the order had already shipped;
- only some items are refunded;
- the coupon has expired.

## How much is refunded

What you **actually paid** for the item: full-reduction offers, discounts and the coupon are spread over the items in proportion, so returning one item refunds its share. The request form shows the most you can get back.
""",
    ),
    (
        "cancel-before-shipping-zh", "zh-hans", "returns",
        "未发货的订单怎么取消、退款？",
        "商家发货前可以在订单页取消订单或申请仅退款，系统立即同意并原路退款。",
        "取消订单 未发货 不想要 拍错 仅退款 退款 发货慢",
        ["dont-want", "late-shipping"], [NOT_SHIPPED], [REFUND],
        """## 还没发货

- 未付款的订单：直接在订单页 **取消订单**。
- 已付款、商家还没发货：在订单页点击 **取消订单**，或对某件商品 **申请售后 → 仅退款**，原因选"不想要了/拍错了"。**无需商家同意**，系统立即同意并发起退款。
- 商家超过约定时间未发货，选"未按约定时间发货"，运费一并退回。

## 已经发货了

可以等收到后申请退货，也可以在快递送达时 **拒收**，包裹退回后自动退款。
""",
    ),
    (
        "cancel-before-shipping-en", "en", "returns",
        "Cancelling an order that has not shipped",
        "Before the merchant ships you can cancel from the order page or ask for a refund only; it is approved at once and refunded to your payment method.",
        "cancel order not shipped changed my mind ordered by mistake refund only late shipping",
        ["dont-want", "late-shipping"], [NOT_SHIPPED], [REFUND],
        """## Not shipped yet

- Not paid: **Cancel order** on the order page.
- Paid, not shipped: **Cancel order**, or for one item **After-sales → Refund only** with the reason "Changed my mind". **No merchant approval is needed**: it is approved at once and refunded.
- The merchant missed the promised shipping time: choose "Not shipped on time"; shipping is refunded too.

## Already shipped

Wait for it and return it, or **refuse** the parcel at the door; you are refunded once it is back.
""",
    ),
    (
        "damaged-quality-zh", "zh-hans", "returns",
        "收到的商品破损、有质量问题或发错货",
        "拍下商品、包装和快递单的照片，在订单页申请售后；这类原因由商家负责，来回运费由商家承担。",
        "破损 质量问题 坏了 发错货 少件 漏发 与描述不符 照片 凭证",
        ["quality", "damaged", "wrong-item", "missing-items", "not-as-described"], [RECEIVED],
        [REFUND, RETURN, EXCHANGE],
        """## 请先拍照

拍下 **商品问题处、外包装和快递面单**，最多可上传 9 张照片或一段短视频。没有照片，商家可能无法判断。

## 申请

1. 在订单页 **申请售后**，选择"质量问题""商品破损""发错货""少件/漏发"或"与描述不符"。
2. 按需要选择：
   - **仅退款**：少件、轻微问题，商家可能提出部分退款方案，你可以接受或拒绝；
   - **退货退款** 或 **换货**：寄回商品，**运费由商家承担**（可在说明里写明垫付的运费）。
3. 商家 48 小时内处理；拒绝的，你可以在 7 天内申请平台介入，平台根据双方的凭证判断。
""",
    ),
    (
        "damaged-quality-en", "en", "returns",
        "The item arrived damaged, faulty or wrong",
        "Photograph the item, the box and the shipping label, then open a request; the merchant is responsible and pays the shipping both ways.",
        "damaged broken faulty defect quality wrong item missing not as described photo evidence",
        ["quality", "damaged", "wrong-item", "missing-items", "not-as-described"], [RECEIVED],
        [REFUND, RETURN, EXCHANGE],
        """## Take photos first

Photograph **the fault, the box and the shipping label**; you can add up to 9 photos or one short video. Without them the merchant may not be able to judge.

## Asking

1. Choose **After-sales** on the order page with the reason "Quality problem", "Arrived damaged", "Wrong item sent", "Items missing" or "Not as described".
2. Then:
   - **Refund only**: for a missing part or a small fault; the merchant may offer a partial refund, which you can accept or decline;
   - **Return and refund** or **Exchange**: send the item back; **the merchant pays the shipping** (say in the description what you paid).
3. The merchant answers within 48 hours; if they reject it, you can ask the platform to step in within 7 days, and it decides on both sides' evidence.
""",
    ),
    (
        "return-shipping-fee-zh", "zh-hans", "returns",
        "退货运费谁来承担？",
        "商品有问题（质量、破损、发错、与描述不符）时商家承担；七天无理由、尺码不合适等个人原因由买家承担。",
        "运费 退货运费 邮费 谁出运费 运费险 包邮",
        ["no-reason-7d", "wrong-size", "quality", "damaged", "wrong-item"], [RECEIVED],
        [RETURN, EXCHANGE],
        """| 退货原因 | 寄回运费 | 原订单运费 |
|---|---|---|
| 质量问题、破损、发错货、与描述不符 | 商家承担 | 一并退回 |
| 七天无理由、尺码不合适、不想要 | 买家承担 | 不退 |
| 发货前整单退款 | — | 一并退回 |

商家承担运费时，请先垫付，并在售后申请页留言写明金额、附上运费凭证，商家核实后退还给你（商家不处理的，可申请平台介入）。请不要寄到付件，以免被拒收。
""",
    ),
    (
        "return-shipping-fee-en", "en", "returns",
        "Who pays the return shipping?",
        "The merchant when the item is at fault (quality, damage, wrong item, not as described); you for a change of mind, the 7-day no-reason return or a size exchange.",
        "return shipping cost postage who pays delivery fee",
        ["no-reason-7d", "wrong-size", "quality", "damaged", "wrong-item"], [RECEIVED],
        [RETURN, EXCHANGE],
        """| Reason | Return shipping | Original shipping |
|---|---|---|
| Quality, damage, wrong item, not as described | the merchant | refunded |
| 7-day no reason, wrong size, changed my mind | you | not refunded |
| Whole order refunded before shipping | — | refunded |

When the merchant pays, send the parcel prepaid and write the amount on the request page with a photo of the receipt; the merchant pays it back after checking (if they do not, ask the platform to step in). Do not send it freight-collect: it may be refused.
""",
    ),
]  # fmt: skip

# title, body, case types, reason codes
CANNED_REPLIES = [
    (
        "同意退货 · Return approved",
        "您好，您的售后申请 {case_no} 已同意。请在 {deadline} 前将商品寄回：{return_address}，"
        "并在申请页填写快递单号。收到后将为您退款 ¥{refund_amount}。\n"
        "Your request {case_no} is approved. Please send the item by {deadline} to "
        "{return_address} and enter the tracking number; we refund ¥{refund_amount} on arrival.",
        [RETURN, EXCHANGE],
        [],
    ),
    (
        "请补充照片 · Photos needed",
        "您好，为了尽快处理订单 {order_no} 的售后，请上传商品问题处、外包装和快递面单的照片。\n"
        "To handle order {order_no} quickly, please add photos of the fault, the box and the label.",
        [],
        ["quality", "damaged", "wrong-item", "not-as-described"],
    ),
    (
        "已退款说明 · Refund on its way",
        "您好，售后 {case_no} 的退款 ¥{refund_amount} 已原路退回，支付宝/微信零钱通常即时到账，"
        "银行卡 1-3 个工作日。\nThe refund of ¥{refund_amount} for {case_no} is on its way: "
        "at once to an Alipay or WeChat balance, 1-3 working days to a bank card.",
        [REFUND, RETURN],
        [],
    ),
    (
        "核实物流 · Checking with the carrier",
        "您好，我们正在联系快递核实订单 {sub_order_no} 的包裹，24 小时内给您答复。\n"
        "We are checking parcel {sub_order_no} with the carrier and will answer within 24 hours.",
        [REFUND],
        ["not-delivered"],
    ),
]

# name, canned reply title, action
MACROS = [
    ("同意并发送退货地址 · Approve + send return address", "同意退货 · Return approved", "approve"),
    ("要求补充照片 · Ask for photos", "请补充照片 · Photos needed", "none"),
]


def ensure_help_content(apps=None) -> None:
    """Create the seeded topics, articles, canned replies and macros that are missing."""
    if apps is None:
        from django.apps import apps
    Topic = apps.get_model("knowledge", "Topic")
    Article = apps.get_model("knowledge", "Article")
    ArticleVersion = apps.get_model("knowledge", "ArticleVersion")
    CannedReply = apps.get_model("knowledge", "CannedReply")
    Macro = apps.get_model("knowledge", "Macro")
    CaseReason = apps.get_model("aftersales", "CaseReason")
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    topics = {}
    for position, (slug, name, description) in enumerate(TOPICS):
        topics[slug], _ = Topic.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "description": description, "position": position * 10},
        )
    reasons = {reason.code: reason for reason in CaseReason.objects.all()}
    created = []
    for position, row in enumerate(ARTICLES):
        slug, language, topic, title, summary, keywords, codes, stages, types, body = row
        if Article.objects.filter(slug=slug).exists():
            continue
        article = Article.objects.create(
            slug=slug,
            language=language,
            topic=topics[topic],
            title=title,
            summary=summary,
            keywords=keywords,
            stages=stages,
            case_types=types,
            body=body.strip() + "\n",
            audience="shopper",
            status="published",
            position=position * 10,
            published_at=now,
            review_due_on=(now + timedelta(days=180)).date(),
        )
        article.reasons.set([reasons[code] for code in codes if code in reasons])
        ArticleVersion.objects.create(
            article=article, number=1, title=title, body=article.body, status="published",
            note="seeded",
        )  # fmt: skip
        created.append(article.pk)
    for position, (title, body, types, codes) in enumerate(CANNED_REPLIES):
        reply, made = CannedReply.objects.get_or_create(
            title=title,
            merchant=None,
            defaults={"body": body, "case_types": types, "position": position * 10},
        )
        if made:
            reply.reasons.set([reasons[code] for code in codes if code in reasons])
    for position, (name, reply_title, action) in enumerate(MACROS):
        reply = CannedReply.objects.filter(title=reply_title, merchant=None).first()
        if reply is not None:
            Macro.objects.get_or_create(
                name=name,
                merchant=None,
                defaults={"reply": reply, "action": action, "position": position * 10},
            )
    if created:
        from .search import search_documents_refresh

        search_documents_refresh(Article, created)
