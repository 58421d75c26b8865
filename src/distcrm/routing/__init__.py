"""distcrm.routing (under construction)."""

__all__: list[str] = []
