"""The after-sales API of shoppers and of merchants' staff (ERP or the merchant app): input
serializer in, one aftersales service or selector call, the case out.

Domain errors raised by the services (InvalidInput 400, NotFound 404 — a case or sub-order
that is not yours —, Conflict/TransitionNotAllowed 409) become `{"detail", "code"}` bodies in
shop.errors.api_exception_handler; nothing here catches them. Merchant endpoints answer 403 to
a shopper (IsMerchantStaffOrOps, as logistics' merchant API does) and 404 to another
merchant's staff.
"""

from .merchant import (
    MerchantApproveView,
    MerchantCaseDetailView,
    MerchantCaseListView,
    MerchantMessageView,
    MerchantOfferView,
    MerchantOutOfStockView,
    MerchantReceiveReturnView,
    MerchantRejectView,
    MerchantReshipView,
)
from .shopper import (
    AppealView,
    CaseCancelView,
    CaseDetailView,
    CaseListCreateView,
    CaseMessageView,
    EvidenceUploadView,
    OfferAcceptView,
    OfferDeclineView,
    OrderCancelPaidView,
    ReturnShipmentView,
    SubOrderOptionsView,
)

__all__ = [
    "AppealView",
    "CaseCancelView",
    "CaseDetailView",
    "CaseListCreateView",
    "CaseMessageView",
    "EvidenceUploadView",
    "MerchantApproveView",
    "MerchantCaseDetailView",
    "MerchantCaseListView",
    "MerchantMessageView",
    "MerchantOfferView",
    "MerchantOutOfStockView",
    "MerchantReceiveReturnView",
    "MerchantRejectView",
    "MerchantReshipView",
    "OfferAcceptView",
    "OfferDeclineView",
    "OrderCancelPaidView",
    "ReturnShipmentView",
    "SubOrderOptionsView",
]
