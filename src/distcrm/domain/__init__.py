"""distcrm.domain (under construction)."""

__all__: list[str] = []
