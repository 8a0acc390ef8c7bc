"""A CKAN-compatible read API (``/api/3/action/``), so a CKAN harvester can pull the datasets.

Three actions of CKAN's Action API, answering its envelope ``{"help": ..., "success": true,
"result": ...}``: ``package_list`` (the slugs), ``package_show?id=<slug>`` and
``package_search?q=&rows=&start=``. Packages have CKAN's shape (name, title, notes, licence,
organisation, metadata_modified, resources, extras); the Satu Data Indonesia fields
(frekuensi, cakupan, produsen_data, lisensi) are extras. Errors are CKAN's too: an unknown id
answers 404 ``Not Found Error``, a bad parameter 400 ``Validation Error``. GET only.
"""

from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from tumbuh.dashboards.opendata import datasets, publish, views

MAX_ROWS = 1000
DEFAULT_ROWS = 10
ORGANIZATION = {"name": "tumbuh", "title": datasets.PRODUCER}


def _help(request, action: str) -> str:
    return request.build_absolute_uri(reverse(f"opendata:{action.replace('_', '-')}"))


def _answer(request, action: str, result) -> JsonResponse:
    response = JsonResponse(
        {"help": _help(request, action), "success": True, "result": result},
        json_dumps_params={"ensure_ascii": False},
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _error(request, action: str, status: int, kind: str, message: str, **fields) -> JsonResponse:
    return JsonResponse(
        {
            "help": _help(request, action),
            "success": False,
            "error": {"__type": kind, "message": message, **fields},
        },
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def package(request, found: datasets.Dataset, modified: str | None) -> dict:
    """One dataset in CKAN's package shape."""
    return {
        "id": found.slug,
        "name": found.slug,
        "title": found.judul,
        "notes": found.deskripsi,
        "url": request.build_absolute_uri(reverse("opendata:dataset", args=[found.slug])),
        "license_id": "cc-by",
        "license_title": "Creative Commons Attribution 4.0",
        "license_url": views.CC_BY_URL,
        "organization": ORGANIZATION,
        "author": datasets.PRODUCER,
        "metadata_modified": modified,
        "state": "active",
        "type": "dataset",
        "private": False,
        "num_resources": len(views.FORMATS),
        "resources": [
            {
                "id": f"{found.slug}-{file['extension']}",
                "package_id": found.slug,
                "name": f"{found.judul} ({file['format']})",
                "url": file["url"],
                "format": file["format"],
                "mimetype": file["media_type"],
                "last_modified": modified,
            }
            for file in views.distributions(request, found.slug)
        ],
        "extras": [
            {"key": "judul_en", "value": found.title_en},
            {"key": "produsen_data", "value": found.produsen_data},
            {"key": "frekuensi", "value": found.frekuensi},
            {"key": "cakupan", "value": found.cakupan},
            {"key": "lisensi", "value": found.lisensi},
        ],
    }


def _modified() -> str | None:
    snapshot = publish.snapshot()
    if snapshot is None or snapshot.as_of is None:
        return None
    return snapshot.as_of.replace(tzinfo=None).isoformat()


@require_GET
def package_list(request):
    """``package_list``: the names of every dataset."""
    return _answer(request, "package_list", [found.slug for found in datasets.DATASETS])


@require_GET
def package_show(request):
    """``package_show?id=<name>``: one dataset."""
    name = request.GET.get("id", "")
    found = datasets.BY_SLUG.get(name)
    if found is None:
        return _error(request, "package_show", 404, "Not Found Error", "Not found")
    return _answer(request, "package_show", package(request, found, _modified()))


def _whole(request, name: str, default: int, *, most: int | None = None) -> int:
    text = request.GET.get(name, "")
    if text == "":
        return default
    value = int(text)  # ValueError for anything but a whole number
    if value < 0 or (most is not None and value > most):
        raise ValueError(name)
    return value


@require_GET
def package_search(request):
    """``package_search?q=&rows=&start=``: datasets whose texts hold every word of ``q``."""
    errors = {}
    try:
        rows = _whole(request, "rows", DEFAULT_ROWS, most=MAX_ROWS)
    except ValueError:
        errors["rows"] = [f"Must be a whole number from 0 to {MAX_ROWS}"]
    try:
        start = _whole(request, "start", 0)
    except ValueError:
        errors["start"] = ["Must be a whole number, 0 or more"]
    if errors:
        return _error(
            request, "package_search", 400, "Validation Error", "Bad parameters", **errors
        )
    words = request.GET.get("q", "").replace("*:*", "").lower().split()
    matches = [
        found
        for found in datasets.DATASETS
        if all(
            word in " ".join([found.slug, found.judul, found.title_en, found.deskripsi]).lower()
            for word in words
        )
    ]
    modified = _modified()
    return _answer(
        request,
        "package_search",
        {
            "count": len(matches),
            "sort": "name asc",
            "facets": {},
            "search_facets": {},
            "results": [package(request, found, modified) for found in matches[start:][:rows]],
        },
    )
