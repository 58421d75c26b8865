"""distcrm.datasets (under construction)."""

__all__: list[str] = []
