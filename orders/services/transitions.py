"""The steps every order and sub-order transition shares: refusing one the state does not
allow (409), and running a sub-order transition with its timeline row and domain event."""

from catalog.actors import Actor
from shop.errors import TransitionNotAllowed

from ..events import order_transition_record
from ..models import SubOrder
from ..wording import transition_refused


def transition_refuse(obj, action: str) -> None:
    """Raise TransitionNotAllowed: `action` is not allowed from `obj`'s status."""
    raise TransitionNotAllowed(
        transition_refused(action=action, status_label=obj.get_status_display()),
        extra={"status": obj.status},
    )


def sub_order_transition_run(
    *,
    sub_order: SubOrder,
    transition: str,
    node: str,
    actor: Actor,
    note: str = "",
    fields: list[str],
    **kwargs,
) -> SubOrder:
    """Run `transition` on a sub-order its caller locked and checked, save its status and
    `fields`, and record it (OrderEvent + DomainEvent)."""
    from_state = sub_order.status
    getattr(sub_order, transition)(**kwargs)
    sub_order.save(update_fields=["status", *fields])
    order_transition_record(
        node=node,
        order=sub_order.order,
        sub_order=sub_order,
        actor=actor,
        transition=transition,
        from_state=from_state,
        note=note,
    )
    return sub_order
