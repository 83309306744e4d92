"""The CGCS2000 Gauss-Kruger zones of the EPSG database: which CRS fits which longitude.

Chinese agencies deliver metric data in a CGCS2000 Gauss-Kruger zone: 3-degree zones (central
meridians 75°E to 135°E) as EPSG:4534-4554 without the zone prefix (eastings about
300,000-700,000 m) and EPSG:4513-4533 with it (eastings 25,500,000 ... 45,500,000: the zone
number in front); 6-degree zones as EPSG:4502-4512 without and EPSG:4491-4501 with the prefix
(zones 13-23).  `gk_zone` describes such a CRS, `gk_epsg` picks the zone for a longitude and
`prefixed_epsg` reads the zone from a prefixed easting.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from pyproj import CRS

#: (first EPSG code, zone width in degrees, zone prefix in the eastings); central meridians run
#: from 75°E in steps of the zone width, 21 zones of 3 degrees and 11 of 6 degrees.
_SERIES: tuple[tuple[int, int, bool], ...] = (
    (4534, 3, False),
    (4513, 3, True),
    (4502, 6, False),
    (4491, 6, True),
)
_FIRST_CM = 75
_LAST_CM = 135


@dataclass(frozen=True)
class GKZone:
    """A CGCS2000 Gauss-Kruger zone CRS.

    Attributes
    ----------
    epsg
        Its EPSG code.
    central_meridian
        Degrees east.
    width
        3 or 6 degrees.
    prefix
        True when eastings carry the zone number in front (e.g. 38,500,000 m).
    """

    epsg: int
    central_meridian: int
    width: int
    prefix: bool

    @property
    def number(self) -> int:
        """The zone number (38 for the 3-degree zone of 114°E, 20 for the 6-degree one)."""
        if self.width == 3:
            return self.central_meridian // 3
        return (self.central_meridian + 3) // 6

    @property
    def west(self) -> float:
        """Western edge of the zone (degrees east)."""
        return self.central_meridian - self.width / 2

    @property
    def east(self) -> float:
        """Eastern edge of the zone (degrees east)."""
        return self.central_meridian + self.width / 2

    def covers(self, lon: float) -> bool:
        """True when ``lon`` lies within the zone."""
        return self.west <= lon <= self.east

    def describe(self) -> str:
        """``EPSG:4549 (CGCS2000 3-degree Gauss-Kruger CM 120E)`` and the like."""
        prefix = f", zone prefix {self.number}" if self.prefix else ""
        return (
            f"EPSG:{self.epsg} (CGCS2000 {self.width}-degree Gauss-Kruger CM "
            f"{self.central_meridian}E{prefix})"
        )


#: A hint for metres whose CRS is unknown (messages of readers).
GK_HINT = "the CGCS2000 Gauss-Kruger zone of the data, EPSG:4534–4554, e.g. EPSG:4549 for 120°E"


def _zone(epsg: int) -> GKZone | None:
    for first, width, prefix in _SERIES:
        n = (_LAST_CM - _FIRST_CM) // width
        if first <= epsg <= first + n:
            return GKZone(epsg, _FIRST_CM + (epsg - first) * width, width, prefix)
    return None


def gk_zone(crs: Any) -> GKZone | None:
    """The CGCS2000 Gauss-Kruger zone a CRS is, or None for any other CRS.

    Examples
    --------
    >>> gk_zone("EPSG:4549").central_meridian, gk_zone("EPSG:4526").number
    (120, 38)
    >>> gk_zone("EPSG:4326") is None
    True
    """
    try:
        epsg = CRS.from_user_input(crs).to_epsg()
    except Exception:  # anything pyproj cannot read is no Gauss-Kruger zone
        return None
    return None if epsg is None else _zone(int(epsg))


def gk_epsg(lon: float, *, width: int = 3, prefix: bool = False) -> int:
    """The EPSG code of the CGCS2000 Gauss-Kruger zone holding longitude ``lon``.

    Longitudes outside China's zones (75°E-135°E central meridians) take the nearest zone.

    Examples
    --------
    >>> gk_epsg(113.6), gk_epsg(120.6), gk_epsg(113.6, prefix=True), gk_epsg(113.6, width=6)
    (4547, 4549, 4526, 4508)
    """
    if width not in (3, 6):
        raise ValueError(f"zone width is 3 or 6 degrees, not {width}")
    first = next(f for f, w, p in _SERIES if w == width and p == prefix)
    cm = 3 * math.floor(lon / 3 + 0.5) if width == 3 else 6 * math.floor(lon / 6) + 3
    cm = min(max(cm, _FIRST_CM), _LAST_CM)
    return first + (cm - _FIRST_CM) // width


def prefixed_epsg(easting: float) -> int | None:
    """The prefixed zone CRS a Gauss-Kruger easting with a zone prefix belongs to, or None.

    Examples
    --------
    >>> prefixed_epsg(38_512_345.0), prefixed_epsg(20_400_000.0), prefixed_epsg(512_345.0)
    (4526, 4498, None)
    """
    number = int(abs(easting) // 1_000_000)
    if 25 <= number <= 45:
        return 4513 + number - 25
    if 13 <= number <= 23:
        return 4491 + number - 13
    return None


def unprefixed(zone: GKZone) -> int:
    """The EPSG code of the same zone without the prefix (the zone itself when it has none).

    Examples
    --------
    >>> unprefixed(gk_zone("EPSG:4526")), unprefixed(gk_zone("EPSG:4547"))
    (4547, 4547)
    """
    return gk_epsg(zone.central_meridian, width=zone.width, prefix=False)


def metric_crs_for(lon: float) -> str:
    """A metric CRS for work around longitude ``lon``: its 3-degree zone, without prefix."""
    return f"EPSG:{gk_epsg(lon)}"


def zone_crss(crs: Any) -> list[str]:
    """``crs`` as an EPSG code and, for a Gauss-Kruger zone, the same zone with / without prefix.

    Examples
    --------
    >>> zone_crss("EPSG:4549"), zone_crss("EPSG:32650")
    (['EPSG:4549', 'EPSG:4528'], ['EPSG:32650'])
    """
    epsg = CRS.from_user_input(crs).to_epsg()
    out = [f"EPSG:{epsg}"] if epsg is not None else []
    zone = gk_zone(crs)
    if zone is not None:
        twin = gk_epsg(zone.central_meridian, width=zone.width, prefix=not zone.prefix)
        out.append(f"EPSG:{twin}")
    return out
