"""Writers of small watch files for tests, independent of upright's readers.

``fit_bytes`` encodes a FIT activity by the FIT protocol (a 14-byte header, definition
and data messages, the CRC-16 of the FIT SDK), so tests can build cases no shared file
has: no records, no distance and no GPS, a wrong checksum, a ride. ``tcx_text`` and
``gpx_text`` write the two XML formats with the namespace prefixes real exports use.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence

#: FIT timestamps count seconds from 1989-12-31 00:00 UTC; 2020-01-01 00:00 UTC is:
FIT_2020_S = 946_771_200
FIT_SPORTS = {"generic": 0, "running": 1, "cycling": 2, "walking": 11}

_CRC_TABLE = (
    0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
    0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400,
)  # fmt: skip


def fit_crc(data: bytes) -> int:
    """CRC-16 of the FIT SDK."""
    crc = 0
    for byte in data:
        for nibble in (byte & 0xF, byte >> 4):
            tmp = _CRC_TABLE[crc & 0xF]
            crc = ((crc >> 4) & 0x0FFF) ^ tmp ^ _CRC_TABLE[nibble]
    return crc


# record field: (number, struct code, base type, scale)
_RECORD_FIELDS: dict[str, tuple[int, str, int, float]] = {
    "timestamp": (253, "I", 0x86, 1.0),
    "lat_semicircles": (0, "i", 0x85, 1.0),
    "lon_semicircles": (1, "i", 0x85, 1.0),
    "heart_rate": (3, "B", 0x02, 1.0),
    "cadence": (4, "B", 0x02, 1.0),
    "distance": (5, "I", 0x86, 100.0),
    "speed": (6, "H", 0x84, 1000.0),
    "vertical_oscillation": (39, "H", 0x84, 10.0),
    "stance_time": (41, "H", 0x84, 10.0),
}
_INVALID = {"B": 0xFF, "H": 0xFFFF, "I": 0xFFFFFFFF, "i": 0x7FFFFFFF}


def _definition(local: int, global_num: int, fields: Sequence[tuple[int, str, int]]) -> bytes:
    out = struct.pack("<BBBHB", 0x40 | local, 0, 0, global_num, len(fields))
    for number, code, base in fields:
        out += struct.pack("<BBB", number, struct.calcsize(code), base)
    return out


def fit_bytes(
    records: Sequence[Mapping[str, float]],
    *,
    sport: str | None = "running",
    start_s: int = FIT_2020_S,
    break_crc: bool = False,
) -> bytes:
    """A FIT activity: file_id, one record per mapping (field name -> value in the
    profile's unit; ``time_s`` from the start), then a session naming ``sport``."""
    body = _definition(0, 0, [(0, "B", 0x00), (1, "H", 0x84), (4, "I", 0x86)])
    body += struct.pack("<BBHI", 0, 4, 255, start_s)  # type=activity, manufacturer=dev
    names = sorted({k for r in records for k in r if k != "time_s"} | {"timestamp"})
    if records:
        fields = [_RECORD_FIELDS[n][:3] for n in names]
        body += _definition(1, 20, fields)
        for record in records:
            values = []
            for n in names:
                _, code, _, scale = _RECORD_FIELDS[n]
                if n == "timestamp":
                    values.append(start_s + round(record["time_s"]))
                elif n in record:
                    values.append(round(record[n] * scale))
                else:
                    values.append(_INVALID[code])
            body += struct.pack("<B" + "".join(_RECORD_FIELDS[n][1] for n in names), 1, *values)
    if sport is not None:
        duration = round(records[-1]["time_s"]) if records else 0
        body += _definition(2, 18, [(253, "I", 0x86), (2, "I", 0x86), (7, "I", 0x86), (5, "B", 0)])
        body += struct.pack(
            "<BIIIB", 2, start_s + duration, start_s, duration * 1000, FIT_SPORTS[sport]
        )
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT")
    header += struct.pack("<H", fit_crc(header))
    crc = fit_crc(header + body) ^ (0xFFFF if break_crc else 0)
    return header + body + struct.pack("<H", crc)


def _iso(t_s: float) -> str:
    minutes, seconds = divmod(int(t_s), 60)
    hours, minutes = divmod(minutes, 60)
    return f"2020-01-01T{hours:02d}:{minutes:02d}:{seconds:02d}Z"


def tcx_text(points: Sequence[Mapping[str, float]], *, sport: str = "Running") -> str:
    """A TCX activity; point keys: time_s, lat, lon, distance_m, hr, run_cadence."""
    tps = []
    for p in points:
        parts = [f"<Time>{_iso(p['time_s'])}</Time>"]
        if "lat" in p:
            parts.append(
                f"<Position><LatitudeDegrees>{p['lat']}</LatitudeDegrees>"
                f"<LongitudeDegrees>{p['lon']}</LongitudeDegrees></Position>"
            )
        if "distance_m" in p:
            parts.append(f"<DistanceMeters>{p['distance_m']}</DistanceMeters>")
        if "hr" in p:
            parts.append(f"<HeartRateBpm><Value>{p['hr']:.0f}</Value></HeartRateBpm>")
        if "run_cadence" in p:
            parts.append(
                f"<Extensions><ns3:TPX><ns3:RunCadence>{p['run_cadence']:.0f}</ns3:RunCadence>"
                "</ns3:TPX></Extensions>"
            )
        tps.append("<Trackpoint>" + "".join(parts) + "</Trackpoint>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/'
        'TrainingCenterDatabase/v2" xmlns:ns3="http://www.garmin.com/xmlschemas/'
        'ActivityExtension/v2"><Activities>'
        f'<Activity Sport="{sport}"><Id>{_iso(0)}</Id><Lap StartTime="{_iso(0)}"><Track>'
        + "".join(tps)
        + "</Track></Lap></Activity></Activities></TrainingCenterDatabase>\n"
    )


def gpx_text(points: Sequence[Mapping[str, float]], *, sport: str | None = "running") -> str:
    """A GPX track; point keys: time_s, lat, lon, hr, cad."""
    pts = []
    for p in points:
        ext = ""
        if "hr" in p or "cad" in p:
            inner = "".join(f"<gpxtpx:{k}>{p[k]:.0f}</gpxtpx:{k}>" for k in ("hr", "cad") if k in p)
            ext = (
                "<extensions><gpxtpx:TrackPointExtension>"
                f"{inner}</gpxtpx:TrackPointExtension></extensions>"
            )
        pts.append(
            f'<trkpt lat="{p["lat"]}" lon="{p["lon"]}">'
            f"<time>{_iso(p['time_s'])}</time>{ext}</trkpt>"
        )
    kind = f"<type>{sport}</type>" if sport else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="upright tests" xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
        f"<trk><name>test</name>{kind}<trkseg>" + "".join(pts) + "</trkseg></trk></gpx>\n"
    )
