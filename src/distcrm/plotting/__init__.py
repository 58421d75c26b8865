"""distcrm.plotting (under construction)."""

__all__: list[str] = []
