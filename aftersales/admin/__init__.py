"""After-sales in the admin: the merchant's queue of cases (due soonest first) with the answers as
buttons, operations' queue (appeals, overdue cases, failed refunds) with their decision, the
cases ops open for a shopper on the phone, shortages found at picking and lost parcels, the
reasons ops maintain and the merchants' return addresses.

Every page is scoped with catalog.admin_scope: a merchant's staff see and answer only their own
merchant's cases (another merchant's is "not found"). Every button is a POST to a view of its
own that calls one of aftersales.services; a domain error becomes an error message on the page,
never a 500. Nothing here writes a case.

- cases: the case admin (list, case page, its buttons' view); case_actions: the buttons
- desk_pages: operations' and the warehouse's pages that are not a case's
- appeals: operations' queue; reference: reasons and return addresses
- deadlines, inlines, display, access, forms: what those share

Cases, the ops queue's proxy and return addresses have a `merchant` field: the default lookup of
catalog.admin_scope scopes them, nothing to register. Apps above after-sales (knowledge) extend
the case admins by registering subclasses of them (see knowledge.admin_case_desk).
"""

from . import appeals, cases, reference

__all__ = ["appeals", "cases", "reference"]
