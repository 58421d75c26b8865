"""The distcrm domain model: validated, immutable records of customers, orders, deliveries,
feedback, loyalty and campaigns.

Every class is an ``attrs.frozen`` class validated on construction: a bad value raises
one :class:`~distcrm.errors.ValidationError` listing every bad field. Aggregates carry a
caller-chosen ``id`` (a UUID4 string by default) and a ``version`` used by storage for
optimistic concurrency. Lifecycles (order, shipment, complaint case, campaign) are state
machines: methods return a new object or raise :class:`~distcrm.errors.InvalidTransition`.
Change other fields with :func:`attrs.evolve`.

Examples
--------
>>> from datetime import datetime, timezone
>>> from decimal import Decimal
>>> from distcrm.domain import Money, Order, OrderLine
>>> t = datetime(2024, 5, 1, tzinfo=timezone.utc)
>>> order = Order(customer_id="C-1", created_at=t, currency="CNY",
...               lines=(OrderLine(product_id="P-1", quantity=Decimal(2), unit_price=Money.of("35.50", "CNY")),))
>>> order.confirm(t).status.value, str(order.total())
('confirmed', '71.00 CNY')
"""

from distcrm.domain._campaign import (
    Campaign,
    CampaignContact,
    CampaignGroup,
    CampaignStatus,
)
from distcrm.domain._competitor import Competitor, LostDeal, PricePosition
from distcrm.domain._customer import (
    ContactPerson,
    Customer,
    CustomerKind,
    CustomerStatus,
    Direction,
    Interaction,
    InteractionChannel,
    Preferences,
)
from distcrm.domain._delivery import (
    DeliveryFailureReason,
    Depot,
    Driver,
    ProofOfDelivery,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    TrackingEvent,
    Vehicle,
)
from distcrm.domain._feedback import (
    CasePriority,
    CaseStatus,
    ComplaintCase,
    Feedback,
    SlaTargets,
)
from distcrm.domain._lifecycle import Lifecycle, StatusChange
from distcrm.domain._loyalty import LedgerEntry, LedgerKind, LoyaltyAccount
from distcrm.domain._sales import Order, OrderLine, OrderStatus, Product
from distcrm.domain._values import (
    Address,
    AddressKind,
    Channel,
    Consent,
    ConsentPurpose,
    ContactPoint,
    GeoPoint,
    Money,
    TimeWindow,
    WeeklyWindow,
)

__all__ = [
    "Address",
    "AddressKind",
    "Campaign",
    "CampaignContact",
    "CampaignGroup",
    "CampaignStatus",
    "CasePriority",
    "CaseStatus",
    "Channel",
    "Competitor",
    "ComplaintCase",
    "Consent",
    "ConsentPurpose",
    "ContactPerson",
    "ContactPoint",
    "Customer",
    "CustomerKind",
    "CustomerStatus",
    "DeliveryFailureReason",
    "Depot",
    "Direction",
    "Driver",
    "Feedback",
    "GeoPoint",
    "Interaction",
    "InteractionChannel",
    "LedgerEntry",
    "LedgerKind",
    "Lifecycle",
    "LostDeal",
    "LoyaltyAccount",
    "Money",
    "Order",
    "OrderLine",
    "OrderStatus",
    "Preferences",
    "PricePosition",
    "Product",
    "ProofOfDelivery",
    "Shipment",
    "ShipmentLine",
    "ShipmentStatus",
    "SlaTargets",
    "StatusChange",
    "TimeWindow",
    "TrackingEvent",
    "Vehicle",
    "WeeklyWindow",
]
