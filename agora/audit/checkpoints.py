"""Signed checkpoints of the log: the tree's size and root as a C2SP signed note, signed by
the authority's Ed25519 log key (one plain signature, and a timestamped cosignature of the
same key, so the note says when it was signed), published at /audit/checkpoint."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import struct

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import tree
from .models import Checkpoint
from .offline import COSIGNATURE, DASH, ED25519, cosigned_message, key_id, verifier_key

KEY_FILE = "log-ed25519.key"


@functools.cache
def _key(configured: str, key_dir: str, production: bool) -> Ed25519PrivateKey:
    if configured:
        try:
            seed = base64.b64decode(configured, validate=True)
            return Ed25519PrivateKey.from_private_bytes(seed)
        except ValueError:
            raise ImproperlyConfigured("AGORA_LOG_KEY must be the base64 of a 32-byte Ed25519 seed") from None
    if production:
        raise ImproperlyConfigured("AGORA_LOG_KEY must be set when AGORA_PRODUCTION=1 (docs/signing.md)")
    path = settings.AGORA_KEY_DIR / KEY_FILE
    if not path.exists():  # a key of this machine's own, for the demo and tests
        path.parent.mkdir(parents=True, exist_ok=True)
        seed = Ed25519PrivateKey.generate().private_bytes_raw()
        path.touch(mode=0o600)
        path.write_text(base64.b64encode(seed).decode() + "\n")
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(path.read_text().strip()))


def log_key() -> Ed25519PrivateKey:
    return _key(settings.AGORA_LOG_KEY, str(settings.AGORA_KEY_DIR), settings.AGORA_PRODUCTION)


def public_key() -> bytes:
    return log_key().public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def verifier() -> str:
    """The key anyone checks checkpoints with (published at /audit/key)."""
    return verifier_key(settings.AGORA_LOG_ORIGIN, public_key())


def sign(size: int, root: bytes, at: dt.datetime) -> str:
    name, key, public = settings.AGORA_LOG_ORIGIN, log_key(), public_key()
    body = f"{name}\n{size}\n{base64.b64encode(root).decode()}\n"
    plain = key_id(name, ED25519, public) + key.sign(body.encode())
    stamp = int(at.timestamp())
    cosigned = (
        key_id(name, COSIGNATURE, public) + struct.pack(">Q", stamp) + key.sign(cosigned_message(body, stamp))
    )
    lines = [f"{DASH}{name} {base64.b64encode(raw).decode()}" for raw in (plain, cosigned)]
    return body + "\n" + "\n".join(lines) + "\n"


def latest() -> Checkpoint:
    """A checkpoint of the whole log as it is now: the last one signed if the log has not
    grown since, a new one otherwise."""
    size = tree.log_size()
    last = Checkpoint.objects.first()
    if last is not None and last.size == size:
        return last
    return at_size(size)


def at_size(size: int) -> Checkpoint:
    """The checkpoint of the first `size` events, signed now if none was yet."""
    found = Checkpoint.objects.filter(size=size).first()
    if found is not None:
        return found
    root = tree.root(size)
    now = timezone.now().replace(microsecond=0)
    try:
        with transaction.atomic():
            return Checkpoint.objects.create(size=size, root=root, signed_at=now, note=sign(size, root, now))
    except IntegrityError:  # signed meanwhile by another request: that one stands
        return Checkpoint.objects.get(size=size)
