"""The one htmx helper: a request from htmx gets the fragment, any other the whole page."""

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse


def is_htmx(request: HttpRequest) -> bool:
    """True when htmx made the request (and it is not a history restore, which needs a page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render_page(
    request: HttpRequest, template: str, context: dict, *, partial: str | None = None, status=200
) -> HttpResponse:
    """Render ``template``; for htmx requests render only its ``{% partialdef partial %}``."""
    name = f"{template}#{partial}" if partial and is_htmx(request) else template
    response = TemplateResponse(request, name, context, status=status)
    response.headers["Vary"] = "HX-Request"
    return response
