from django.urls import reverse

from accounts.services import reporter_upsert

EDIT = reverse("accounts:profile_edit")


def _data(**overrides):
    data = {
        "full_name": "Alice P. Pratiwi",
        "email": "alice.baru@example.go.id",
        "phone": "0812 3456 7890",
        "instansi": "Dinas PU",
    }
    data.update(overrides)
    return data


def test_profile_shows_the_reporters_data(client, alice):
    client.force_login(alice)
    body = client.get(reverse("accounts:profile")).content.decode()
    assert "Alice Pratiwi" in body and "Ubah Profil" in body and "ppk1" in body


def test_saving_asks_for_confirmation_first(client, alice):
    client.force_login(alice)
    response = client.post(EDIT, _data())
    assert response.templates[0].name == "accounts/profile_confirm.html"
    assert "alice.baru@example.go.id" in response.content.decode()
    alice.refresh_from_db()
    assert alice.email == "ppk1@example.go.id"


def test_confirming_saves_and_says_so(client, alice):
    client.force_login(alice)
    response = client.post(EDIT, {**_data(), "confirm": "yes"}, follow=True)
    assert "Data berhasil diubah." in response.content.decode()
    alice.refresh_from_db()
    assert (alice.full_name, alice.email, alice.phone, alice.instansi) == (
        "Alice P. Pratiwi", "alice.baru@example.go.id", "0812 3456 7890", "Dinas PU",
    )  # fmt: skip


def test_cancelling_changes_nothing(client, alice):
    client.force_login(alice)
    response = client.post(EDIT, {**_data(), "confirm": "no"})
    assert response.templates[0].name == "accounts/profile_edit.html"
    alice.refresh_from_db()
    assert alice.full_name == "Alice Pratiwi"


def test_bad_input_is_refused_in_indonesian(client, alice):
    client.force_login(alice)
    response = client.post(EDIT, {**_data(email="bukan-email", phone="abc"), "confirm": "yes"})
    errors = response.context["form"].errors
    assert errors["email"] == ["Masukkan alamat email yang valid."]
    assert "Nomor HP hanya berisi angka" in errors["phone"][0]
    alice.refresh_from_db()
    assert alice.email == "ppk1@example.go.id"


def test_sign_in_does_not_overwrite_what_the_reporter_edited(client, alice):
    # Given alice changed her name and e-mail herself
    client.force_login(alice)
    client.post(EDIT, {**_data(), "confirm": "yes"})
    # When SPSE hands her over again with its own data and a new role
    reporter_upsert(
        source="spse", kd_lpse=119, user_id="ppk1", name="ALICE (SPSE)",
        email="ppk1@spse.example", role="pokja",
    )  # fmt: skip
    # Then her edits stay and the role follows SPSE
    alice.refresh_from_db()
    assert alice.full_name == "Alice P. Pratiwi"
    assert alice.email == "alice.baru@example.go.id"
    assert alice.role == "pokja"
