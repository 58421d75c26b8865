"""distcrm.serialization (under construction)."""

__all__: list[str] = []
