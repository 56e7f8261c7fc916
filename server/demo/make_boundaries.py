#!/usr/bin/env python3
"""Write boundaries.geojson: APPROXIMATE demo boundaries for Đô Lương's 33
communes and towns — a schematic 3 × 11 grid over the demo service area
(18.80–19.05 N, 105.15–105.45 E), not the real borders. Together the cells
cover the whole service area without overlaps, so every demo point routes to
exactly one commune. Real deployments load the province's official GeoJSON."""

import json
import pathlib

CODES = [
    # north row, west to east
    "BAI_SON", "BAC_SON", "BOI_SON", "DA_SON", "DAI_SON", "DANG_SON", "DONG_SON", "GIANG_SON_DONG", "GIANG_SON_TAY", "HIEN_SON", "HOA_SON",
    # middle row
    "HONG_SON", "LAC_SON", "LAM_SON", "LUU_SON", "MINH_SON", "TT_DO_LUONG", "MY_SON", "NAM_SON", "NGOC_SON", "NHAN_SON", "QUANG_SON",
    # south row
    "TAN_SON", "THAI_SON", "THINH_SON", "THUAN_SON", "THUONG_SON", "TRU_SON", "TRUNG_SON", "TRANG_SON", "VAN_SON", "XUAN_SON", "YEN_SON",
]
LAT = [19.05, 18.966667, 18.883333, 18.80]  # row edges, north to south
LON = [round(105.15 + i * 0.30 / 11, 6) for i in range(12)]
LON[-1] = 105.45

features = []
for n, code in enumerate(CODES):
    row, col = divmod(n, 11)
    north, south = LAT[row], LAT[row + 1]
    west, east = LON[col], LON[col + 1]
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    features.append({
        "type": "Feature",
        "properties": {"code": code, "approximate": True},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    })

out = pathlib.Path(__file__).with_name("boundaries.geojson")
out.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=1) + "\n")
print(f"wrote {out} ({len(features)} features)")
