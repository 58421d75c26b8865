"""distcrm.care (under construction)."""

__all__: list[str] = []
