"""`Cache-Control: no-store` on whatever a signed-in person or an API token receives
(lpse_support/cache_headers.py, issue 13)."""

from django.http import HttpRequest, HttpResponse
from django.test import Client

from accounts.models import User
from accounts.tokens import api_token_create
from lpse_support.cache_headers import NoStoreForSignedInMiddleware
from tickets.tests.factories import make_ticket


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_a_reporter_page_is_not_stored(client: Client, alice: User) -> None:
    # Given a signed-in reporter with a ticket
    ticket = make_ticket(alice)
    client.force_login(alice)
    # When they open the dashboard and the ticket, then neither may be stored
    for path in ("/dashboard/", f"/tiket/{ticket.number}/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert no_store(response), path


def test_a_console_page_is_not_stored(client: Client, agent: User) -> None:
    # Given a signed-in agent, when the queue opens, then it may not be stored
    client.force_login(agent)
    response = client.get("/konsol/")
    assert response.status_code == 200
    assert no_store(response)


def test_the_page_showing_a_new_api_token_is_not_stored(client: Client, alice: User) -> None:
    # Given a signed-in reporter
    client.force_login(alice)
    # When they create a token, the answer showing it in full may not be stored
    response = client.post("/akun/token/", {"name": "Skrip rekap"})
    assert response.status_code == 200
    assert "lps_" in response.content.decode()
    assert no_store(response)
    # And a refused creation (no name) is not stored either, and creates nothing
    refused = client.post("/akun/token/", {"name": ""})
    assert refused.status_code == 400
    assert no_store(refused)
    assert alice.api_tokens.count() == 1


def test_api_answers_to_a_token_are_not_stored(client: Client, alice: User) -> None:
    # Given an API token, when the API answers it (a list, and a missing ticket)
    raw = api_token_create(user=alice, name="Skrip")[1]
    ok = client.get("/api/v1/tickets", HTTP_AUTHORIZATION=f"Bearer {raw}")
    missing = client.get("/api/v1/tickets/SPSE-20000101-99999", HTTP_AUTHORIZATION=f"Bearer {raw}")
    # Then neither answer may be stored
    assert ok.status_code == 200 and no_store(ok)
    assert missing.status_code == 404 and no_store(missing)


def test_an_api_answer_to_a_wrong_token_is_not_stored(client: Client, db: None) -> None:
    # When a request carries a token that is not valid
    response = client.get("/api/v1/tickets", HTTP_AUTHORIZATION="Bearer lps_nope_nope")
    # Then it is refused, and the refusal is not stored either
    assert response.status_code == 401
    assert no_store(response)


def test_the_anonymous_landing_page_may_be_cached(client: Client, db: None) -> None:
    # When an anonymous visitor opens the landing page, nothing forbids caching it
    response = client.get("/")
    assert response.status_code == 200
    assert not no_store(response)


def test_static_files_may_be_cached_even_for_signed_in_people(client: Client, alice: User) -> None:
    # Given a signed-in reporter, when a static file is fetched
    client.force_login(alice)
    response = client.get("/static/css/app.css")
    # Then it is served without no-store
    assert response.status_code == 200
    assert not no_store(response)
    b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_an_answer_that_sets_its_own_cache_control_keeps_it(rf, alice: User) -> None:
    # Given a signed-in person's request and a view that chose its own caching
    request = rf.get("/dashboard/")
    request.user = alice

    def view(request: HttpRequest) -> HttpResponse:
        answer = HttpResponse("ok")
        answer["Cache-Control"] = "private, max-age=60"
        return answer

    # When the middleware passes the answer on, then the view's choice stands
    response = NoStoreForSignedInMiddleware(view)(request)
    assert response["Cache-Control"] == "private, max-age=60"
    # While the same view without a header gets no-store
    bare = NoStoreForSignedInMiddleware(lambda request: HttpResponse("ok"))(request)
    assert bare["Cache-Control"] == "no-store"
