"""The one router of the API's endpoints.

The modules by concern (`reference`, `listing`, `detail`, `actions`) all add their
endpoints to it: one path is served by one router, and `/tickets` is both the list
(`listing`) and the creation of a ticket (`actions`). `api.api` imports the modules in
the order the OpenAPI document lists their paths.
"""

from ninja import Router

router = Router()
