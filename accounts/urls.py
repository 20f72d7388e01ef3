from django.urls import path

from accounts.views import profile, sso, staff, tokens, totp

app_name = "accounts"

urlpatterns = [
    # Before sso/<source>/, which would otherwise swallow "lanjut".
    path("sso/lanjut/", sso.sso_continue, name="sso_continue"),
    path("sso/<str:source>/", sso.sso_handoff, name="sso_handoff"),
    path("masuk/", staff.staff_login, name="staff_login"),
    path("masuk/kode/", totp.totp_verify, name="totp"),
    path("keluar/", staff.logout_view, name="logout"),
    path("akun/profil/", profile.profile, name="profile"),
    path("akun/profil/ubah/", profile.profile_edit, name="profile_edit"),
    path("akun/token/", tokens.token_list, name="tokens"),
    path("akun/token/<id:token_id>/cabut/", tokens.token_revoke, name="token_revoke"),
]
