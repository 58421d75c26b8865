"""distcrm.storage (under construction)."""

__all__: list[str] = []
