"""Scale-out: batch entry points that run per partition on Dask (the ``dask`` extra).

Data larger than one machine's memory is read from Parquet files of transactions
(:data:`LOG_COLUMNS`), every row of a customer in one file
(:func:`write_partitioned_log` writes such a dataset). Each entry point takes a
``distributed.Client`` (or uses the default scheduler) and returns a dask DataFrame,
a result object, or the path of its Parquet output. Results equal the single-machine
path; see ``docs/scale-out.md`` for what runs where and the exactness guarantees.
dask, distributed and pyarrow are imported only when an entry point runs.
"""

from distcrm.scale._customers import CustomerScores, customer_summaries, score_customers
from distcrm.scale._io import LOG_COLUMNS, list_partitions, read_log, write_partitioned_log
from distcrm.scale._items import forecast_items, item_demand_panel
from distcrm.scale._recommend import CustomerRecommendations, recommend_customers

__all__ = [
    "LOG_COLUMNS",
    "CustomerRecommendations",
    "CustomerScores",
    "customer_summaries",
    "forecast_items",
    "item_demand_panel",
    "list_partitions",
    "read_log",
    "recommend_customers",
    "score_customers",
    "write_partitioned_log",
]
