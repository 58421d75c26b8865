"""Purchase (buy-till-you-die) and spend models: private implementation of ``distcrm.forecast``."""
