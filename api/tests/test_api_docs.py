"""The API documents itself, from our own server (government networks block CDNs)."""

from django.test import Client


def test_openapi_document_lists_every_operation_with_bearer_auth(
    client: Client, reference: None
) -> None:
    document = client.get("/api/v1/openapi.json").json()
    assert document["info"]["title"] == "LPSE Support API"
    paths = document["paths"]
    for path in (
        "/api/v1/tickets",
        "/api/v1/tickets/{number}",
        "/api/v1/tickets/{number}/feedback",
        "/api/v1/tickets/{number}/confirm",
        "/api/v1/tickets/{number}/reopen",
        "/api/v1/tickets/{number}/close",
        "/api/v1/tickets/{number}/rating",
        "/api/v1/tickets/{number}/take",
        "/api/v1/tickets/{number}/assign",
        "/api/v1/tickets/{number}/reply",
        "/api/v1/tickets/{number}/notes",
        "/api/v1/tickets/{number}/feedback-request",
        "/api/v1/tickets/{number}/resolve",
        "/api/v1/tickets/{number}/escalate",
        "/api/v1/tickets/{number}/return",
        "/api/v1/tickets/{number}/merge",
        "/api/v1/tickets/{number}/revalidate-code",
        "/api/v1/tickets/{number}/priority",
        "/api/v1/tickets/{number}/category",
        "/api/v1/tickets/{number}/incident",
        "/api/v1/tickets/{number}/unlink-incident",
        "/api/v1/tickets/{number}/attachments/{sequence}",
        "/api/v1/tickets/{number}/attachments.zip",
        "/api/v1/applications",
        "/api/v1/categories",
        "/api/v1/lpse",
        "/api/v1/ticket-types",
    ):
        assert path in paths, path
    schemes = document["components"]["securitySchemes"]
    assert any(scheme.get("scheme") == "bearer" for scheme in schemes.values())
    ids = [op["operationId"] for item in paths.values() for op in item.values()]
    assert len(ids) == len(set(ids)), "operation ids must be unique"


def test_interactive_docs_load_their_scripts_from_this_site(client: Client) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert b"/static/ninja/swagger-ui-bundle.js" in page.content
    assert b"cdn." not in page.content and b"unpkg" not in page.content
