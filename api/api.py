"""The versioned JSON API, `/api/v1/` (django-ninja): OpenAPI at `/api/v1/openapi.json`,
interactive docs at `/api/v1/docs`."""

from ninja import NinjaAPI

from api.auth import TokenAuth
from api.errors import install_error_handlers
from api.ratelimit import UserRateThrottle
from api.tickets import router as tickets_router

api = NinjaAPI(
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
    openapi_url="/openapi.json",
)
install_error_handlers(api)
api.add_router("", tickets_router)
