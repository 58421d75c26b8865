"""Customer segmentation: RFM scores and named segments, k-means clusters, value tiers, profitability.

>>> from distcrm.segmentation import RFM, RFMData
>>> d = RFMData.from_arrays(recency=[1, 9, 30, 60, 90], frequency=[9, 5, 3, 2, 1], monetary=[500, 300, 80, 40, 20])
>>> RFM().score(d).segment.tolist()
['Champions', 'Loyal', 'Need attention', 'Hibernating', 'Lost']
"""

from distcrm.segmentation._kmeans import ClusterProfile, KMeansSegmenter
from distcrm.segmentation._protocol import Segmenter
from distcrm.segmentation._rfm import RFM, SEGMENTS, RFMData, RFMResult, SegmentTransition
from distcrm.segmentation._tiers import ABCResult, ProfitabilityResult, abc_analysis, customer_profitability

__all__ = [
    "RFM",
    "SEGMENTS",
    "ABCResult",
    "ClusterProfile",
    "KMeansSegmenter",
    "ProfitabilityResult",
    "RFMData",
    "RFMResult",
    "SegmentTransition",
    "Segmenter",
    "abc_analysis",
    "customer_profitability",
]
