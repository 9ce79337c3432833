"""Upload handling that never keeps more of a file than the portal could accept."""

from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler


class CappedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Streams a large upload to a temporary file but stops writing past ``FILE_UPLOAD_KEEP_BYTES``.

    The file's ``size`` still tells the real length, so the form refuses it with "larger than N MB";
    a 2 GB post fills no disk.
    """

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.kept = 0

    def receive_data_chunk(self, raw_data, start):
        room = settings.FILE_UPLOAD_KEEP_BYTES - self.kept
        if room > 0:
            chunk = raw_data[:room]
            self.file.write(chunk)
            self.kept += len(chunk)

    def file_complete(self, file_size):
        self.file.seek(0)
        self.file.size = file_size
        return self.file
