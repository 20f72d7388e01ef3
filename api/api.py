"""The versioned JSON API, `/api/v1/` (django-ninja): OpenAPI at `/api/v1/openapi.json`,
interactive docs at `/api/v1/docs`."""

from csp.decorators import csp_update
from ninja import NinjaAPI
from ninja.operation import Operation

# The endpoint modules add their endpoints to the router when imported, in this order.
from api import reference, listing, detail, actions  # noqa: F401  # isort: skip
from api.auth import TokenAuth
from api.errors import install_error_handlers
from api.ratelimit import UserRateThrottle
from api.router import router


class LpseSupportApi(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        # Operation ids are public (client generators name their methods after them):
        # they keep the form they had when every endpoint lived in `api/tickets.py`.
        return f"api_tickets_{operation.view_func.__name__}"


api = LpseSupportApi(
    title="LPSE Support API",
    version="1",
    description=(
        "Buat dan pantau tiket LPSE Support tanpa browser. Autentikasi: header "
        "`Authorization: Bearer <token>` dengan token API dari halaman Akun › Token API. "
        "Hak akses sama dengan di web."
    ),
    urls_namespace="api-v1",
    auth=TokenAuth(),
    throttle=[UserRateThrottle()],
    docs_url="/docs",
    # Swagger UI (our static copy) draws its icons from data: URLs in its stylesheet; the
    # site-wide Content-Security-Policy is widened for this page alone.
    docs_decorator=csp_update({"img-src": ["data:"]}),
    openapi_url="/openapi.json",
)
install_error_handlers(api)
api.add_router("", router)
