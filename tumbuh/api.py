"""The one API, at /api/v1/: a router per app, one error shape ``{"code", "detail"}``."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from tumbuh.accounts.api import router as accounts_router
from tumbuh.core.errors import ErrorCode, error_body, refusal_body
from tumbuh.regions.api import router as regions_router


class TumbuhAPI(NinjaAPI):
    """The API, whose OpenAPI document also declares the answers any operation can give
    whatever it does: 429 to an authenticated operation while the caller's address or key is
    locked out after wrong keys or passwords (``accounts/lockout.py``), 403 to a change made with
    a session cookie but without its CSRF token, and 400 to a body that is not JSON."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for methods in schema["paths"].values():
            for method, operation in methods.items():
                responses = operation.get("responses", {})
                declared = {str(status) for status in responses}
                if operation.get("security") and "401" in declared:
                    responses.setdefault(429, {"description": LOCKED_OUT, "content": error})
                    if method.upper() in UNSAFE_METHODS and "403" not in declared:
                        responses[403] = {"description": CSRF_FAILED, "content": error}
                if "requestBody" in operation and "400" not in declared:
                    responses[400] = {"description": BAD_BODY, "content": error}
        return schema


UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
LOCKED_OUT = "Locked out after too many wrong API keys or passwords (see Retry-After)"
CSRF_FAILED = "Signed in with the session cookie, but the CSRF token is missing or wrong"
BAD_BODY = "The request body cannot be parsed (not JSON, or not the declared form)"


api = TumbuhAPI(
    title="Tumbuh API",
    version="1",
    description=(
        "The API of Tumbuh, the platform of Indonesia's national UMKM and BumDes "
        "digitalisation programme. Region data is public; everything else is limited to the "
        'caller\'s regions. Errors have one shape: {"code": ..., "detail": ...}.'
    ),
    urls_namespace="api",
    docs_url="/docs",
)

api.add_router("/regions/", regions_router)
api.add_router("/accounts/", accounts_router)
api.add_router("/registry/", "tumbuh.registry.api.router")
api.add_router("/capability/", "tumbuh.capability.api.router")
api.add_router("/programmes/", "tumbuh.programmes.api.router")
api.add_router("/licensing/", "tumbuh.licensing.api.router")
api.add_router("/stores/", "tumbuh.stores.api.router")
api.add_router("/catalogue/", "tumbuh.catalogue.api.router")
api.add_router("/connectivity/", "tumbuh.connectivity.api.router")
api.add_router("/stats/", "tumbuh.dashboards.api.router")
api.add_router("/supply/", "tumbuh.supply.api.router")


def _field_errors(errors: list[dict]) -> str:
    parts = []
    for error in errors:
        location = ".".join(str(part) for part in error.get("loc", ())[1:]) or "body"
        parts.append(f"{location}: {error.get('msg', 'invalid')}")
    return "; ".join(parts)


@api.exception_handler(Http404)
def not_found(request, exc):
    detail = str(exc) or "Not found."
    return api.create_response(request, error_body(ErrorCode.NOT_FOUND, detail), status=404)


@api.exception_handler(NinjaValidationError)
def invalid(request, exc):
    body = error_body(ErrorCode.INVALID, _field_errors(exc.errors))
    return api.create_response(request, body, status=422)


@api.exception_handler(DjangoValidationError)
def refused(request, exc):
    """A refusal (``core.refusals.Refused``, or any validation error of a service): 422 with its
    reason code and the field at fault when it has them."""
    return api.create_response(request, refusal_body(exc), status=422)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    detail = "Sign in, or send an API key: Authorization: Bearer <key>."
    return api.create_response(request, error_body(ErrorCode.UNAUTHENTICATED, detail), status=401)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    detail = str(exc) or "You may not do this."
    return api.create_response(request, error_body(ErrorCode.FORBIDDEN, detail), status=403)


@api.exception_handler(HttpError)
def http_error(request, exc):
    code = {
        404: ErrorCode.NOT_FOUND,
        403: ErrorCode.FORBIDDEN,
        409: ErrorCode.CONFLICT,
        429: ErrorCode.RATE_LIMITED,
    }.get(exc.status_code, ErrorCode.INVALID)
    response = api.create_response(request, error_body(code, str(exc)), status=exc.status_code)
    if getattr(exc, "retry_after", None):  # seconds, for 429
        response["Retry-After"] = str(exc.retry_after)
    return response
