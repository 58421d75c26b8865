"""distcrm.segmentation (under construction)."""

__all__: list[str] = []
