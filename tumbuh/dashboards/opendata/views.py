"""The public open data pages: ``/data/``, each dataset's page, its files, the DCAT catalogue
and the headline map.

Everything is read from :func:`publish.snapshot`, the kept build (made by the worker, never
here); before the first build the pages, files and map answer 503 "being prepared" with
Retry-After, while the catalogue and the CKAN API (metadata) answer as usual. The pages are
public and kept by the page cache (``core.page_cache``) under a scope named after the build,
for at most :data:`PAGE_SECONDS`; a page says "as of" its dataset's clock (the rollups', or the
section figures' for capability and stores). Files, the catalogue and the map are the same in
every language (``is_language_neutral``) and may be stored by shared caches for
:data:`FILE_SECONDS`.
"""

import hashlib
import json
import re

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from tumbuh.core.money import decimal_text
from tumbuh.core.page_cache import cached_page
from tumbuh.dashboards.opendata import datasets, publish
from tumbuh.registry.models import Milestone

PAGE_SECONDS = 300
MAP_WIDTH = 640  # pixels on the page; the SVG scales
FILE_SECONDS = 300
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "parquet": "application/vnd.apache.parquet"}
FORMATS = {"csv": "CSV", "parquet": "Parquet"}
CC_BY_URL = "https://creativecommons.org/licenses/by/4.0/"
ODBL_URL = "https://opendatacommons.org/licenses/odbl/1-0/"
RETRY_SECONDS = 60


def _snapshot_scope(request, *args, **kwargs) -> list[str]:
    snapshot = publish.snapshot()
    return [f"opendata:{snapshot.stamp if snapshot else 'none'}"]


def _being_prepared(request):
    """The answer of a page, file or map before the first build is kept: 503 with Retry-After.

    Only a new installation (the demo builds the files) or a cache that lost the build meets
    it; the worker's build takes seconds to a minute. Building inside the request instead would
    hold a web thread for up to a minute nationally, beyond a proxy's patience.
    """
    response = render(request, "opendata/preparing.html", status=503)
    response["Retry-After"] = str(RETRY_SECONDS)
    patch_cache_control(response, no_store=True)
    return response


opendata_page = cached_page(_snapshot_scope, timeout=lambda: PAGE_SECONDS)


def _map_size(svg: str) -> tuple[int, int]:
    width, height = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).groups()
    return int(width), int(height)


def _headline_map(snapshot) -> str:
    from tumbuh.regions import maps
    from tumbuh.regions.models import Province

    values = publish.businesses_per_thousand(snapshot.datasets["usaha-provinsi-tonggak"])
    with translation.override("id"):
        return maps.choropleth(
            "province",
            values,
            title="Usaha terdaftar per 1.000 penduduk, per provinsi",
            legend="Usaha per 1.000 penduduk",
            labels=dict(Province.objects.values_list("code", "name")),
        )


def _file_response(request, content: bytes, *, media_type: str, as_of, file_name=None):
    """A public, cacheable response with an ETag of its content and Last-Modified of ``as_of``."""
    etag = '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
    last_modified = int(as_of.timestamp()) if as_of else None
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    response = not_modified or HttpResponse(content, content_type=media_type)
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    if file_name:
        response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    patch_cache_control(response, public=True, max_age=FILE_SECONDS)
    response.is_language_neutral = True
    return response


def distributions(request, slug: str) -> list[dict]:
    """The files of a dataset: format, media type and absolute URL."""
    return [
        {
            "format": FORMATS[extension],
            "media_type": MEDIA_TYPES[extension].split(";")[0],
            "extension": extension,
            "url": request.build_absolute_uri(reverse("opendata:download", args=[slug, extension])),
        }
        for extension in FORMATS
    ]


@require_safe
@opendata_page
def home(request):
    """``/data/``: the national figures, the map, the datasets and their licences."""
    snapshot = publish.snapshot()
    if snapshot is None:
        return _being_prepared(request)
    national = snapshot.national
    in_3t, everywhere = snapshot.three_t
    width, height = _map_size(_headline_map(snapshot))
    width, height = MAP_WIDTH, round(height * MAP_WIDTH / width)
    labels = dict(Milestone.Kind.choices)
    milestones = [(labels[name], national[name]) for name in national if name in labels]
    return render(
        request,
        "opendata/home.html",
        {
            "as_of": snapshot.as_of,
            "businesses": national["usaha"],
            "milestones": milestones,
            "share_3t": decimal_text(in_3t / everywhere, percent=True)
            if in_3t is not None and everywhere
            else None,
            "datasets": datasets.DATASETS,
            "map_width": width,
            "map_height": height,
            "cc_by_url": CC_BY_URL,
            "odbl_url": ODBL_URL,
        },
    )


@require_safe
@opendata_page
def dataset(request, slug):
    """One dataset: its metadata, columns, files and how small counts are hidden."""
    found = datasets.BY_SLUG.get(slug)
    if found is None:
        raise Http404
    snapshot = publish.snapshot()
    if snapshot is None:
        return _being_prepared(request)
    published = snapshot.datasets[slug]
    return render(
        request,
        "opendata/dataset.html",
        {
            "dataset": found,
            "published": published,
            "row_count": published.row_count,
            "as_of": snapshot.as_of_of(slug),
            "files": distributions(request, slug),
            "cc_by_url": CC_BY_URL,
            "odbl_url": ODBL_URL,
        },
    )


@require_safe
def download(request, slug, extension):
    """A dataset as CSV or Parquet."""
    if slug not in datasets.BY_SLUG or extension not in FORMATS:
        raise Http404
    snapshot = publish.snapshot()
    if snapshot is None:
        return _being_prepared(request)
    content = publish.file_bytes(snapshot, slug, extension)  # written with the build
    return _file_response(
        request,
        content,
        media_type=MEDIA_TYPES[extension],
        as_of=snapshot.as_of_of(slug),
        file_name=f"{slug}.{extension}",
    )


def _as_of_text(snapshot, slug: str) -> str | None:
    as_of = snapshot.as_of_of(slug) if snapshot else None
    return as_of.isoformat() if as_of else None


def catalogue_document(request) -> dict:
    """The DCAT-AP style catalogue of every dataset, as a JSON-LD document."""
    snapshot = publish.snapshot()
    modified = snapshot.as_of.isoformat() if snapshot and snapshot.as_of else None
    publisher = {"@type": "foaf:Organization", "foaf:name": datasets.PRODUCER}
    entries = []
    for found in datasets.DATASETS:
        licence = CC_BY_URL
        entries.append(
            {
                "@type": "dcat:Dataset",
                "@id": request.build_absolute_uri(reverse("opendata:dataset", args=[found.slug])),
                "dct:identifier": found.slug,
                "dct:title": [
                    {"@value": found.judul, "@language": "id"},
                    {"@value": found.title_en, "@language": "en"},
                ],
                "dct:description": {"@value": found.deskripsi, "@language": "id"},
                "dct:publisher": publisher,
                "dct:license": {"@id": licence},
                "dct:rights": found.lisensi,
                "dct:modified": {
                    "@value": _as_of_text(snapshot, found.slug),
                    "@type": "xsd:dateTime",
                },
                "dct:spatial": {
                    "@id": "http://publications.europa.eu/resource/authority/country/IDN"
                },
                "dct:accrualPeriodicity": {
                    "@id": "http://publications.europa.eu/resource/authority/frequency/DAILY"
                },
                "dcat:keyword": ["UMKM", "BumDes", "digitalisasi", found.cakupan],
                "dcat:distribution": [
                    {
                        "@type": "dcat:Distribution",
                        "dct:format": file["format"],
                        "dcat:mediaType": file["media_type"],
                        "dcat:downloadURL": {"@id": file["url"]},
                        "dct:license": {"@id": licence},
                    }
                    for file in distributions(request, found.slug)
                ],
            }
        )
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@type": "dcat:Catalog",
        "@id": request.build_absolute_uri(reverse("opendata:catalog")),
        "dct:title": [
            {"@value": "Data terbuka Tumbuh", "@language": "id"},
            {"@value": "Tumbuh open data", "@language": "en"},
        ],
        "dct:description": {
            "@value": "Jumlah usaha per wilayah dari program digitalisasi UMKM dan BumDes.",
            "@language": "id",
        },
        "dct:publisher": publisher,
        "dct:modified": {"@value": modified, "@type": "xsd:dateTime"},
        "dcat:dataset": entries,
    }


@require_safe
def catalog(request):
    """``/data/catalog.jsonld``: the DCAT catalogue (metadata only: served before a build too)."""
    snapshot = publish.snapshot()
    content = json.dumps(catalogue_document(request), ensure_ascii=False, indent=1).encode()
    return _file_response(
        request,
        content,
        media_type="application/ld+json; charset=utf-8",
        as_of=snapshot.as_of if snapshot else None,
    )


@require_safe
def headline_map(request):
    """``/data/peta.svg``: provinces by businesses per 1,000 people, a separate cached image."""
    snapshot = publish.snapshot()
    if snapshot is None:
        return _being_prepared(request)
    content = str(_headline_map(snapshot)).encode()
    return _file_response(request, content, media_type="image/svg+xml", as_of=snapshot.as_of)
