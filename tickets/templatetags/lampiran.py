"""The name a person sees for an attachment, from the ticket the page already has."""

from django import template

from tickets.attachments import attachment_download_name
from tickets.models import Attachment

register = template.Library()


@register.filter
def nama_unduhan(attachment: Attachment, ticket_number: str) -> str:
    """`<nomor>_<NN>_<nama>.<ext>`; takes the number from the page's ticket so that a
    conversation's prefetched attachments need no query for their ticket each."""
    return attachment_download_name(
        ticket_number=ticket_number,
        sequence=attachment.sequence,
        original_name=attachment.original_name,
    )
