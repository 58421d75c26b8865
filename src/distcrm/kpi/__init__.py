"""distcrm.kpi (under construction)."""

__all__: list[str] = []
