"""Server-drawn SVG maps: every shape once, the right colour per class, escaped titles, links,
well-formed XML without scripts, and each map within 60 KB gzip-compressed. No database."""

import csv
import gzip
import json
import math
import random
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import shapely
from django.utils.translation import gettext
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tumbuh.regions import boundaries, maps
from tumbuh.regions.boundaries_build import build, effective_areas
from tumbuh.regions.datafiles import DATA_DIR
from tumbuh.regions.maps import MapPoint, choropleth, point_map

SVG = "{http://www.w3.org/2000/svg}"
BUDGET_BYTES = 60_000
CATEGORIES = {"4g": "4G", "3g": "Hanya 2G/3G", "none": "Tanpa sinyal"}


def shipped_codes(filename: str) -> list[str]:
    with open(DATA_DIR / filename, encoding="utf-8", newline="") as handle:
        return [row["code"] for row in csv.DictReader(handle)]


def shipped_names(filename: str) -> dict[str, str]:
    with open(DATA_DIR / filename, encoding="utf-8", newline="") as handle:
        return {row["code"]: row["name"] for row in csv.DictReader(handle)}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to check it


def shapes(root: ET.Element) -> dict[str, ET.Element]:
    """Every drawn shape by its code; fails if a code is drawn twice."""
    found = {}
    for path in root.iter(f"{SVG}path"):
        code = path.get("data-code")
        if code is not None:
            assert code not in found, f"{code} drawn twice"
            found[code] = path
    return found


def gzipped_size(svg: str) -> int:
    return len(gzip.compress(svg.encode("utf-8"), compresslevel=6))


def view_box(root: ET.Element) -> tuple[float, float, float, float]:
    return tuple(float(value) for value in root.get("viewBox").split())


def shape_title(root: ET.Element, code: str) -> str:
    """The title read for a shape: its own, or its link's."""
    for element in root.iter():
        children = list(element)
        for child in children:
            if child.tag == f"{SVG}path" and child.get("data-code") == code:
                own = child.find(f"{SVG}title")
                if own is not None:
                    return own.text
                return element.find(f"{SVG}title").text
    raise AssertionError(f"{code} not drawn")


def no_data_fill(root: ET.Element) -> str:
    pattern = root.find(f"{SVG}defs/{SVG}pattern")
    return f"url(#{pattern.get('id')})"


def national_values(level: str, seed: int = 1) -> dict[str, float | None]:
    rng = random.Random(seed)
    return {code: None if rng.random() < 0.1 else rng.random() for code in boundaries.codes(level)}


def village_points(regency_code: str, count: int, seed: int = 7) -> list[MapPoint]:
    """``count`` points spread over the regency's extent, each with its own label."""
    west, south, east, north = boundaries.layer("regency").bounds_of(regency_code)
    rng = random.Random(seed)
    return [
        MapPoint(
            latitude=rng.uniform(south, north),
            longitude=rng.uniform(west, east),
            label=f"Desa Sukamaju Baru {number}",
            category=rng.choice(list(CATEGORIES)),
        )
        for number in range(count)
    ]


def assert_safe_svg(root: ET.Element) -> None:
    """No scripts, no event handlers, no reference outside the document except page links."""
    for element in root.iter():
        assert element.tag not in {f"{SVG}script", f"{SVG}foreignObject", f"{SVG}image"}
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), name
            assert "javascript:" not in value.lower()
            if name in {"href", "{http://www.w3.org/1999/xlink}href"}:
                assert element.tag == f"{SVG}a" and value.startswith("/")
            if "url(" in value:
                assert re.fullmatch(r"url\(#[\w-]+\)", value), value


# --- the shipped boundaries -------------------------------------------------------------------


def test_shipped_boundaries_cover_every_province_and_regency():
    assert list(boundaries.codes("province")) == sorted(shipped_codes("provinces.csv"))
    assert list(boundaries.codes("regency")) == sorted(shipped_codes("regencies.csv"))
    assert len(boundaries.codes("province")) == 38
    assert len(boundaries.codes("regency")) == 514


def test_shipped_boundaries_lie_in_indonesia_and_are_small():
    for level in boundaries.LEVELS:
        layer = boundaries.layer(level)
        assert layer.longitude.min() > 94.9 and layer.longitude.max() < 141.1
        assert layer.latitude.min() > -11.1 and layer.latitude.max() < 6.1
        assert (layer.ring_area > 0).all()
    total = sum(boundaries.boundary_file(level).stat().st_size for level in boundaries.LEVELS)
    assert total < 1_000_000


def test_rings_of_one_regency():
    layer = boundaries.layer("regency")
    rings = layer.rings("32.73")  # Kota Bandung
    assert len(rings) >= 1 and all(ring.shape[1] == 2 and len(ring) >= 3 for ring in rings)
    west, south, east, north = layer.bounds_of("32.73")
    assert 107.5 < west < east < 107.8 and -7.0 < south < north < -6.8
    with pytest.raises(KeyError):
        layer.rings("32.99")


def test_effective_areas_remove_the_least_important_point_first():
    # A square with a point on its bottom edge (collinear) and a small notch on its top edge.
    x = np.array([0, 5, 10, 10, 6, 5, 4, 0], dtype=float)
    y = np.array([0, 0, 0, 10, 10, 9, 10, 10], dtype=float)
    weights = effective_areas(x, y)
    assert weights[1] == 0  # collinear: removed first
    # The notch's tip (area 1) goes next; its two shoulders are then on a straight line, and
    # take the tip's area (an effective area never decreases).
    assert weights[[5, 4, 6]].tolist() == [1, 1, 1]
    assert sorted(weights.tolist()) == [0, 1, 1, 1, 50, math.inf, math.inf, math.inf]


def test_build_writes_rings_that_read_back_on_the_grid(tmp_path):
    square = [[[106.0, -6.0], [106.5, -6.0], [106.5, -6.25], [106.25, -6.5], [106.0, -6.0]]]
    island = [[[107.0, -7.0], [107.0001, -7.0], [107.0001, -7.0001], [107.0, -7.0]]]
    source = tmp_path / "geo"
    source.mkdir()
    for filename, code in [
        ("provinces_simplified.geojson", "32"),
        ("regencies_simplified.geojson", "32.01"),
    ]:
        feature = {
            "type": "Feature",
            "properties": {"code": code},
            "geometry": {"type": "MultiPolygon", "coordinates": [square, island]},
        }
        (source / filename).write_text(json.dumps({"features": [feature]}))
    report = build(source, tmp_path)
    assert report["regency"]["shapes"] == 1 and report["regency"]["rings"] == 2
    first = (tmp_path / "regency_boundaries.json.gz").read_bytes()
    build(source, tmp_path)
    assert (tmp_path / "regency_boundaries.json.gz").read_bytes() == first  # deterministic

    layer = boundaries.read_layer(tmp_path / "regency_boundaries.json.gz", "regency")
    rings = layer.rings("32.01")
    np.testing.assert_allclose(rings[0], square[0][:-1], atol=1e-9)
    np.testing.assert_allclose(rings[1], island[0][:-1], atol=1e-9)
    corners = np.array(square[0][:-1])
    following = np.roll(corners, -1, axis=0)
    shoelace = abs((corners[:, 0] * following[:, 1] - following[:, 0] * corners[:, 1]).sum()) / 2
    assert layer.ring_area[0] == pytest.approx(shoelace)
    assert layer.bounds_of("32.01") == pytest.approx((106.0, -7.0001, 107.0001, -6.0))


# --- choropleth -------------------------------------------------------------------------------


def test_national_province_map_draws_every_province_once():
    root = parse(choropleth("province", {}, title="Cakupan 4G", legend="Desa dengan 4G"))
    drawn = shapes(root)
    assert sorted(drawn) == sorted(shipped_codes("provinces.csv"))
    assert all(re.fullmatch(r"m[0-9z m.\-]+", path.get("d")) for path in drawn.values())
    assert root.get("role") == "img" and root.get("aria-label") == "Cakupan 4G"
    assert root.get("width") == "100%" and root.find(f"{SVG}title").text == "Cakupan 4G"
    assert_safe_svg(root)


def test_national_regency_map_draws_every_regency_even_the_smallest():
    root = parse(choropleth("regency", {}, title="Cakupan 4G", legend="Desa dengan 4G"))
    drawn = shapes(root)
    assert sorted(drawn) == sorted(shipped_codes("regencies.csv"))
    assert all(path.get("d").count("z") >= 1 for path in drawn.values())


def test_regencies_within_a_province_only():
    root = parse(choropleth("regency", {}, title="Papua", legend="Desa dengan 4G", within="91"))
    papua = [code for code in shipped_codes("regencies.csv") if code.startswith("91.")]
    assert sorted(shapes(root)) == sorted(papua)


def test_values_take_the_colour_of_their_class():
    values = {"11": 5, "12": 10, "13": 25, "14": 30, "15": 99, "16": 0}
    root = parse(choropleth("province", values, title="t", legend="l", bins=[10, 20, 30]))
    palette = maps.SEQUENTIAL[4]
    fills = {code: path.get("fill") for code, path in shapes(root).items()}
    assert [fills[code] for code in ["16", "11", "12", "13", "14", "15"]] == [
        palette[0],  # 0 < 10
        palette[0],  # 5 < 10
        palette[1],  # 10 starts the second class
        palette[2],  # 25 in 20–30
        palette[3],  # 30 or more
        palette[3],
    ]
    legend = [text.text for text in root.iter(f"{SVG}text")]
    assert legend == ["l", "< 10", "10 – 20", "20 – 30", "≥ 30", gettext("No data")]


def test_default_classes_are_quintiles_of_the_drawn_values():
    codes = boundaries.codes("province")
    values = {code: float(number) for number, code in enumerate(codes, start=1)}  # 1 … 38
    root = parse(choropleth("province", values, title="t", legend="Usaha menunggu"))
    palette = maps.SEQUENTIAL[5]
    fills = {code: path.get("fill") for code, path in shapes(root).items()}
    assert fills[codes[0]] == palette[0] and fills[codes[-1]] == palette[4]
    assert sorted(set(fills.values())) == sorted(palette)
    legend = [text.text for text in root.iter(f"{SVG}text")]
    assert legend == [
        "Usaha menunggu", "< 8", "8 – 16", "16 – 23", "23 – 31", "≥ 31", gettext("No data")
    ]  # fmt: skip


def test_missing_none_and_nan_are_no_data():
    values = {"11": None, "12": math.nan, "13": 0.5}
    root = parse(choropleth("province", values, title="t", legend="l", percent=True))
    fills = {code: path.get("fill") for code, path in shapes(root).items()}
    hatch = no_data_fill(root)
    assert fills["11"] == fills["12"] == fills["14"] == hatch
    assert fills["13"] == maps.SEQUENTIAL[1][0]
    assert shape_title(root, "11") == f"11: {gettext('No data')}"
    assert shape_title(root, "13") == "13: 50 %"


def test_titles_name_the_shape_and_its_value_in_indonesian_format():
    labels = shipped_names("provinces.csv")
    values = {"11": 0.4531, "12": 12345}
    root = parse(choropleth("province", {"11": 0.4531}, title="t", legend="l", labels=labels, percent=True))  # fmt: skip
    assert shape_title(root, "11") == "Aceh: 45,3 %"
    root = parse(choropleth("province", values, title="t", legend="l", labels=labels))
    assert shape_title(root, "12") == "Sumatera Utara: 12.345"
    assert shape_title(root, "11") == "Aceh: 0,5"


def test_href_wraps_shapes_in_links():
    def href(code):
        return f"/konsol/konektivitas/wilayah/{code}/" if code != "12" else None

    svg = choropleth("province", {"11": 3}, title="t", legend="l", href=href)
    root = parse(svg)
    links = {
        link.find(f"{SVG}path").get("data-code"): link.get("href") for link in root.iter(f"{SVG}a")
    }
    assert links["11"] == "/konsol/konektivitas/wilayah/11/"
    assert "12" not in links and len(links) == 37
    assert root.get("role") == "group"  # links inside an img would be hidden from screen readers
    assert_safe_svg(root)


def test_only_page_links_are_accepted():
    for url in ["javascript:alert(1)", "data:text/html,x", "//evil.example/"]:
        with pytest.raises(ValueError, match="map link"):
            choropleth("province", {}, title="t", legend="l", href=lambda code, url=url: url)


def test_titles_and_labels_are_escaped():
    attack = '<script>alert("x")</script>'
    svg = choropleth(
        "province", {"11": 1}, title=attack, legend=attack, labels={"11": attack + " & Co"}
    )
    assert "<script" not in svg
    root = parse(svg)
    assert shape_title(root, "11") == f"{attack} & Co: 1"
    assert root.get("aria-label") == attack
    assert_safe_svg(root)


def test_wrong_arguments_are_refused():
    with pytest.raises(ValueError, match="level"):
        choropleth("district", {}, title="t", legend="l")
    with pytest.raises(ValueError, match="within"):
        choropleth("province", {}, title="t", legend="l", within="91")
    with pytest.raises(ValueError, match="no regencies"):
        choropleth("regency", {}, title="t", legend="l", within="99")
    with pytest.raises(ValueError, match="increasing"):
        choropleth("province", {}, title="t", legend="l", bins=[1, 1])


def test_repeated_renders_reuse_the_paths_and_give_the_same_map():
    values = national_values("regency")
    first = choropleth("regency", values, title="t", legend="l", within="32")
    hits = maps._choropleth_drawing.cache_info().hits
    assert choropleth("regency", values, title="t", legend="l", within="32") == first
    assert maps._choropleth_drawing.cache_info().hits == hits + 1


@pytest.mark.parametrize("level", ["province", "regency"])
def test_national_maps_fit_the_budget(level):
    names = shipped_names("provinces.csv") | shipped_names("regencies.csv")
    svg = choropleth(
        level,
        national_values(level),
        title="Cakupan 4G per wilayah",
        legend="Desa dengan sinyal 4G",
        labels=names,
        href=lambda code: f"/konsol/konektivitas/wilayah/{code}/",
        percent=True,
    )
    parse(svg)
    assert gzipped_size(svg) <= BUDGET_BYTES


# --- point map --------------------------------------------------------------------------------


def test_point_map_draws_points_inside_the_view_box():
    points = village_points("32.04", 300)
    root = parse(point_map("32.04", points, title="Desa di Kab. Bandung", categories=CATEGORIES))
    _, _, width, height = view_box(root)
    circles = list(root.iter(f"{SVG}circle"))
    assert len(circles) == 300
    for circle in circles:
        assert 0 <= float(circle.get("cx")) <= width
        assert 0 <= float(circle.get("cy")) <= height
    titles = {circle.find(f"{SVG}title").text for circle in circles}
    assert "Desa Sukamaju Baru 0: " + CATEGORIES[points[0].category] in titles
    colours = {group.get("fill") for group in root.iter(f"{SVG}g") if group.find(f"{SVG}circle") is not None}  # fmt: skip
    assert colours == set(maps.CATEGORICAL[:3])
    counts = {key: sum(point.category == key for point in points) for key in CATEGORIES}
    legend = [text.text for text in root.iter(f"{SVG}text")]
    assert legend == [f"{text} ({counts[key]})" for key, text in CATEGORIES.items()]
    assert root.get("role") == "img"
    assert_safe_svg(root)


def test_point_map_leaves_out_points_far_away_and_says_so():
    points = [
        MapPoint(latitude=-6.9, longitude=107.6, label="Bandung", category="4g"),
        MapPoint(latitude=2.0, longitude=130.0, label="Jauh", category="none"),
    ]
    root = parse(point_map("32.73", points, title="t", categories=CATEGORIES))
    assert len(list(root.iter(f"{SVG}circle"))) == 1
    legend = [text.text for text in root.iter(f"{SVG}text")]
    assert legend[-1].startswith("1 ")


def test_point_map_refuses_unknown_categories_and_regencies():
    point = MapPoint(latitude=-6.9, longitude=107.6, label="x", category="5g")
    with pytest.raises(ValueError, match="5g"):
        point_map("32.73", [point], title="t", categories=CATEGORIES)
    with pytest.raises(ValueError, match=r"32\.99"):
        point_map("32.99", [], title="t", categories=CATEGORIES)


def largest_regencies() -> list[str]:
    """The regency with the most boundary points, the widest one, and the measured worst case."""
    layer = boundaries.layer("regency")
    points = np.diff(layer.ring_offsets[layer.shape_offsets])
    width = layer.bounds[:, 2] - layer.bounds[:, 0]
    return [layer.codes[int(points.argmax())], layer.codes[int(width.argmax())], "64.02"]


@pytest.mark.parametrize("regency_code", largest_regencies())
def test_point_map_with_two_thousand_points_fits_the_budget(regency_code):
    svg = point_map(
        regency_code,
        village_points(regency_code, 2000),
        title="Konektivitas desa",
        categories=CATEGORIES,
    )
    assert len(list(parse(svg).iter(f"{SVG}circle"))) == 2000
    assert gzipped_size(svg) <= BUDGET_BYTES


# --- geometry (shapely) ----------------------------------------------------------------------

# Rounding to whole units moves a point by at most half a unit on each axis.
ROUNDING = 0.5 * math.sqrt(2)


def path_rings(d: str) -> list[np.ndarray]:
    """The rings of SVG path data made of relative "m", implicit relative lines and "z", read as a
    browser reads them (after "z" the pen is back at the ring's first point)."""
    rings, pen, start, ring = [], np.zeros(2), np.zeros(2), None
    for token in re.findall(r"[mz]|-?\d+(?:\.\d+)?", d):
        if token == "m":
            ring = []
        elif token == "z":
            rings.append(np.array(ring))
            pen = start.copy()
        else:
            ring.append(float(token))
            if len(ring) % 2 == 0:
                pen = pen + ring[-2:]
                ring[-2:] = pen.tolist()
                if len(ring) == 2:
                    start = pen.copy()
    return [ring.reshape(-1, 2) for ring in rings]


def drawn_linework(d: str):
    """The drawn rings as one shapely geometry, densified so every stretch of a line is checked."""
    rings = [shapely.linearrings(ring) for ring in path_rings(d) if len(ring) >= 3]
    return shapely.segmentize(shapely.multilinestrings(rings), 0.25)


def boundary_linework(layer, code: str, frame):
    """A shape's rings from the shipped boundaries, projected into the map's frame."""
    rings = []
    for ring in layer.rings(code):
        x, y = frame.project(ring[:, 0], ring[:, 1])
        rings.append(shapely.linearrings(np.column_stack([x, y])))
    return shapely.multilinestrings(rings)


def assert_drawn_on_the_boundary(d: str, original, tolerance: float) -> None:
    """Every point of every drawn line lies within ``tolerance`` of the real boundary."""
    points = shapely.points(shapely.get_coordinates(drawn_linework(d)))
    assert len(points) > 0
    farthest = float(shapely.distance(points, original).max())
    assert farthest <= tolerance + 1e-6, farthest


@st.composite
def star_polygons(draw):
    """A simple polygon: points around a centre at distinct angles, each at its own radius."""
    count = draw(st.integers(3, 40))
    angles = draw(st.lists(st.floats(0, 2 * math.pi, exclude_max=True), min_size=count, max_size=count, unique=True))  # fmt: skip
    radii = draw(st.lists(st.floats(1, 200), min_size=count, max_size=count))
    order = np.argsort(angles)
    x = 500 + np.array(radii)[order] * np.cos(np.array(angles)[order])
    y = 350 + np.array(radii)[order] * np.sin(np.array(angles)[order])
    polygon = shapely.Polygon(np.column_stack([x, y]))
    assume(polygon.is_valid and polygon.area > 1)
    return polygon


@settings(max_examples=200, deadline=None)
@given(star_polygons(), st.floats(0.05, 20))
def test_simplified_rings_stay_simple_and_within_the_tolerance(polygon, tolerance):
    ring = shapely.LineString(polygon.exterior.coords)  # closed: the first point repeated
    result = maps.simplified(np.array([ring]), tolerance)[0]
    assert result.geom_type == "LineString" and result.is_closed and result.is_simple
    coordinates = shapely.get_coordinates(result)
    assert len(coordinates) >= 4  # still a ring: a triangle at least
    assert tuple(coordinates[0]) == polygon.exterior.coords[0]  # the first point stays
    kept = {tuple(point) for point in coordinates}
    assert kept <= set(polygon.exterior.coords)  # points are only removed
    assert shapely.Polygon(coordinates).is_valid
    assert shapely.hausdorff_distance(result, ring) <= tolerance + 1e-9


def test_simplified_shipped_boundaries_are_valid_at_every_map_scale():
    for level, within in [("province", None), ("regency", None), ("regency", "91")]:
        layer = boundaries.layer(level)
        shapes = np.arange(len(layer.codes))
        if within:
            shapes = np.array([i for i, code in enumerate(layer.codes) if code.startswith(within)])
        frame = maps._choropleth_drawing(level, within).frame
        lines = maps._ring_lines(layer, maps._kept_rings(layer, shapes, frame), frame)
        result = maps.simplified(lines)
        assert shapely.is_simple(result).all() and shapely.is_closed(result).all()
        assert (shapely.get_num_coordinates(result) >= 4).all()
        assert shapely.is_valid(maps._polygons(result)).all()
        distances = shapely.hausdorff_distance(result, lines)
        assert (distances <= maps.SIMPLIFY_TOLERANCE + 1e-9).all()
        assert shapely.get_num_coordinates(result).sum() < shapely.get_num_coordinates(lines).sum()


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(boundaries.codes("province")))
def test_regencies_of_a_province_are_drawn_on_their_boundaries(province):
    layer = boundaries.layer("regency")
    drawing = maps._choropleth_drawing("regency", province)
    for code, d in zip(drawing.codes, drawing.paths, strict=True):
        original = boundary_linework(layer, code, drawing.frame)
        # A shape smaller than a unit is drawn in tenths, at a tenth of the tolerance.
        tolerance = (maps.SIMPLIFY_TOLERANCE + ROUNDING) / (10 if "." in d else 1)
        assert_drawn_on_the_boundary(d, original, tolerance)


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(boundaries.codes("regency")))
def test_a_regency_map_draws_its_outline_and_clips_its_neighbours_to_the_frame(code):
    layer = boundaries.layer("regency")
    frame, outline, neighbours = maps._regency_drawing(code)
    original = boundary_linework(layer, code, frame)
    assert_drawn_on_the_boundary(outline, original, maps.SIMPLIFY_TOLERANCE + ROUNDING)
    # The regency's largest ring is drawn whole: the real line is near the drawn one too.
    largest = max(layer.rings(code), key=lambda ring: shapely.Polygon(ring).area)
    x, y = frame.project(largest[:, 0], largest[:, 1])
    distances = shapely.distance(shapely.points(np.column_stack([x, y])), drawn_linework(outline))
    assert float(distances.max()) <= maps.SIMPLIFY_TOLERANCE + ROUNDING + 1e-6
    for ring in path_rings(neighbours):
        assert ring[:, 0].min() >= -2 and ring[:, 0].max() <= maps.WIDTH + 2
        assert ring[:, 1].min() >= -2 and ring[:, 1].max() <= frame.height + 2


def test_the_path_reader_reads_relative_rings_as_a_browser_does():
    assert [ring.tolist() for ring in path_rings("m10 20 5 0 0 5z m-3-4 1 0 0 1z")] == [
        [[10, 20], [15, 20], [15, 25]],
        [[7, 16], [8, 16], [8, 17]],
    ]
