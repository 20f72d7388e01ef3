from django.urls import reverse


def test_a_nul_byte_anywhere_is_a_clear_400_not_a_500(client, alice):
    client.force_login(alice)
    assert client.get("/tiket/SPSE%00/").status_code == 400
    response = client.get(reverse("portal:ticket_list"), {"judul": "a\x00b"})
    assert response.status_code == 400
    assert "karakter yang tidak diizinkan" in response.content.decode()
    assert client.get(reverse("portal:ticket_list"), {"judul": "ab"}).status_code == 200


def test_ids_too_long_for_the_database_are_a_plain_404(client, alice):
    # SQLite cannot compare a number beyond 64 bits: such URLs must not reach a query.
    from tickets.tests.factories import make_ticket

    ticket = make_ticket(alice)
    client.force_login(alice)
    huge = "9" * 30
    assert client.get(f"/tiket/{ticket.number}/lampiran/{huge}/").status_code == 404
    assert client.post(f"/notifikasi/{huge}/buka/").status_code == 404
    assert client.post(f"/akun/token/{huge}/cabut/").status_code == 404


def test_the_api_answers_a_nul_byte_in_its_error_format(client, alice):
    from accounts.tokens import api_token_create

    _, raw = api_token_create(user=alice, name="uji")
    response = client.get(
        "/api/v1/tickets", {"cursor": "a\x00"}, HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
