"""Files uploaded with a document or a progress report."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from chibo.directives.models import (
    Attachment,
)

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


@dataclass
class FileIn:
    name: str
    content_type: str
    data: bytes


def attachment_store(file: FileIn | None) -> Attachment | None:
    if file is None:
        return None
    if len(file.data) > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"attachment": [_("The file is larger than 20 MB.")]})
    return Attachment.objects.create(
        name=file.name[:200] or "file",
        content_type=file.content_type[:120] or "application/octet-stream",
        size=len(file.data),
        sha256=hashlib.sha256(file.data).hexdigest(),
        data=file.data,
    )
