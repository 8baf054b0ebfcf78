"""Tamper-evident ReservedCode1/2: Ed25519 over the content hash and the label fields.

ReservedCode1 (producer) signs the content hash with Label, ContentProducer and ProduceID;
ReservedCode2 (propagator) signs the content hash with every field except ReservedCode2.
The value is ``ed25519:KEYID:SIGNATURE`` (key id: 16 hex digits of SHA-256 of the public key,
signature: URL-safe base64 without padding), which is single-byte printable as annex E asks.
Keys live in ``AIGIS_HOME/keys``: generated on first use, the private key file readable only by its owner.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from aigis.config import Settings
from aigis.errors import ConfigError
from aigis.label.fields import AigcLabel

PREFIX = "ed25519"
PRIVATE_NAME = "label-ed25519.key"
PUBLIC_NAME = "label-ed25519.pub"
TRUSTED_DIR = "trusted"
SignatureStatus = Literal["valid", "invalid", "unknown_key", "absent", "foreign"]


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class KeyRing:
    """The signing key and the public keys trusted for verification."""

    private: Ed25519PrivateKey
    trusted: dict[str, Ed25519PublicKey]

    @property
    def key_id(self) -> str:
        return key_id(self.private.public_key())

    @classmethod
    def generate(cls) -> KeyRing:
        private = Ed25519PrivateKey.generate()
        return cls(private, {key_id(private.public_key()): private.public_key()})

    @classmethod
    def load(cls, home: Path | None = None) -> KeyRing:
        """Load (or create on first use) the key pair under ``home/keys``; trust ``keys/trusted/*.pub``."""
        folder = (home or Settings.from_env().home) / "keys"
        private_path = folder / PRIVATE_NAME
        if not private_path.exists():
            folder.mkdir(parents=True, exist_ok=True)
            private = Ed25519PrivateKey.generate()
            pem = private.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
            (folder / PUBLIC_NAME).write_bytes(_public_pem(private.public_key()))
        try:
            loaded = serialization.load_pem_private_key(private_path.read_bytes(), password=None)
        except ValueError as exc:
            raise ConfigError(
                f"{private_path}: not a PEM Ed25519 private key ({exc}); remove it to generate a new one"
            ) from None
        if not isinstance(loaded, Ed25519PrivateKey):
            raise ConfigError(
                f"{private_path}: holds a key that is not Ed25519; only Ed25519 keys are allowed"
            )
        ring = cls(loaded, {key_id(loaded.public_key()): loaded.public_key()})
        trusted_dir = folder / TRUSTED_DIR
        if trusted_dir.is_dir():
            for pub in sorted(trusted_dir.glob("*.pub")):
                ring.trust_pem(pub.read_bytes(), source=str(pub))
        return ring

    def trust_pem(self, pem: bytes, source: str = "public key") -> str:
        try:
            public = serialization.load_pem_public_key(pem)
        except ValueError as exc:
            raise ConfigError(f"{source}: not a PEM public key ({exc})") from None
        if not isinstance(public, Ed25519PublicKey):
            raise ConfigError(f"{source}: not an Ed25519 public key; only Ed25519 keys are allowed")
        kid = key_id(public)
        self.trusted[kid] = public
        return kid

    def public_pem(self) -> bytes:
        return _public_pem(self.private.public_key())

    def sign(self, message: bytes) -> str:
        return f"{PREFIX}:{self.key_id}:{_b64(self.private.sign(message))}"

    def check(self, value: str, message: bytes) -> SignatureStatus:
        if not value:
            return "absent"
        parts = value.split(":")
        if len(parts) != 3 or parts[0] != PREFIX:
            return "foreign"
        public = self.trusted.get(parts[1])
        if public is None:
            return "unknown_key"
        try:
            public.verify(_unb64(parts[2]), message)
        except (InvalidSignature, ValueError):
            return "invalid"
        return "valid"


def _public_pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def producer_message(label: AigcLabel, content_hash: str) -> bytes:
    return "\n".join(
        ["aigis-gb45438-producer-v1", content_hash, label.Label, label.ContentProducer, label.ProduceID]
    ).encode("ascii", "replace")


def propagator_message(label: AigcLabel, content_hash: str) -> bytes:
    return "\n".join(
        [
            "aigis-gb45438-propagator-v1",
            content_hash,
            label.Label,
            label.ContentProducer,
            label.ProduceID,
            label.ReservedCode1,
            label.ContentPropagator,
            label.PropagateID,
        ]
    ).encode("ascii", "replace")


def sign_producer(label: AigcLabel, content_hash: str, ring: KeyRing) -> AigcLabel:
    return label.with_(ReservedCode1=ring.sign(producer_message(label, content_hash)))


def sign_propagator(label: AigcLabel, content_hash: str, ring: KeyRing) -> AigcLabel:
    return label.with_(ReservedCode2=ring.sign(propagator_message(label, content_hash)))


def check_label(
    label: AigcLabel, content_hash: str, ring: KeyRing
) -> tuple[SignatureStatus, SignatureStatus]:
    """Status of (ReservedCode1, ReservedCode2)."""
    first = ring.check(label.ReservedCode1, producer_message(label, content_hash))
    second = ring.check(label.ReservedCode2, propagator_message(label, content_hash))
    return first, second
