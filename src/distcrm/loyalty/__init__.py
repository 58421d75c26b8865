"""distcrm.loyalty (under construction)."""

__all__: list[str] = []
