"""distcrm.forecast (under construction)."""

__all__: list[str] = []
