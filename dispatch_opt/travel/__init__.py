"""Travel-time matrices: vectorised haversine, given matrices, road graphs."""

from dispatch_opt.travel.build import build_travel
from dispatch_opt.travel.haversine import EARTH_RADIUS_M, great_circle_m, great_circle_matrix_m
from dispatch_opt.travel.matrix import TravelMatrix

__all__ = [
    "EARTH_RADIUS_M",
    "TravelMatrix",
    "build_travel",
    "great_circle_m",
    "great_circle_matrix_m",
]
