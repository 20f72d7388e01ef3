"""URL map of the simulator: the sign-in sites and the JSON data endpoints."""

from django.urls import path

from simulator.views import api, inaproc, index, sirup, spse

urlpatterns = [
    path("", index.index, name="index"),
    path("spse/<int:kd_lpse>/", spse.home, name="spse_home"),
    path("spse/<int:kd_lpse>/login/", spse.login, name="spse_login"),
    path("spse/<int:kd_lpse>/beranda/", spse.beranda, name="spse_beranda"),
    path("spse/<int:kd_lpse>/logout/", spse.logout, name="spse_logout"),
    path("sirup/", sirup.home, name="sirup_home"),
    path("sirup/login/", sirup.login, name="sirup_login"),
    path("sirup/beranda/", sirup.beranda, name="sirup_beranda"),
    path("sirup/aplikasi/", sirup.aplikasi, name="sirup_aplikasi"),
    path("sirup/logout/", sirup.logout, name="sirup_logout"),
    path("inaproc/", inaproc.inaproc, name="inaproc"),
    path("handoff/", inaproc.handoff, name="handoff"),
    # Data endpoints (bearer token; see simulator/views/api.py).
    path("dw/api/v1/tender/<str:kd_tender>/", api.tender, name="api_tender"),
    path("dw/api/v1/nontender/<str:kd_nontender>/", api.nontender, name="api_nontender"),
    path("katalog/api/v1/paket/<str:kd_paket>/", api.catalog_package, name="api_catalog"),
    path("sirup/api/v1/rup/<str:kd_rup>/", api.rup, name="api_rup"),
    path("dw/api/v1/paket-saya/", api.dw_own_packages, name="api_dw_own_packages"),
    path("sirup/api/v1/paket-saya/", api.sirup_own_packages, name="api_sirup_own_packages"),
]
