"""The HTTP answer to a download, for the pages and the API alike."""

from django.http import FileResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from tickets.downloads import Download


def download_response(download: Download) -> StreamingHttpResponse:
    """Stream the download as a file to save (`Content-Disposition: attachment`)."""
    if download.file is not None:
        # FileResponse closes the file at the end and sends its length.
        return FileResponse(
            download.file,
            as_attachment=True,
            filename=download.file_name,
            content_type=download.content_type,
        )
    assert download.chunks is not None
    response = StreamingHttpResponse(download.chunks, content_type=download.content_type)
    disposition = content_disposition_header(as_attachment=True, filename=download.file_name)
    assert disposition is not None  # an attachment always has one
    response["Content-Disposition"] = disposition
    return response
