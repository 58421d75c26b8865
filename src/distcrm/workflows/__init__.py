"""distcrm.workflows (under construction)."""

__all__: list[str] = []
