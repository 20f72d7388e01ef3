from django.urls import reverse


def test_a_nul_byte_anywhere_is_a_clear_400_not_a_500(client, alice):
    client.force_login(alice)
    assert client.get("/tiket/SPSE%00/").status_code == 400
    response = client.get(reverse("portal:ticket_list"), {"judul": "a\x00b"})
    assert response.status_code == 400
    assert "karakter yang tidak diizinkan" in response.content.decode()
    assert client.get(reverse("portal:ticket_list"), {"judul": "ab"}).status_code == 200
