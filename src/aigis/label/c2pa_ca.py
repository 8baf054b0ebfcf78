"""Signing credentials for C2PA manifests: a local development CA, or real certificates by configuration.

The development CA lives in ``AIGIS_HOME/keys/c2pa/``: a root certificate (ES256, ``root-ca.pem``,
key ``root-ca.key``) and a signing certificate it issued (``signer.pem``, key ``signer.key``) with the
key usage C2PA asks of a signer (digitalSignature, not a CA, extended key usage documentSigning and
emailProtection). It is generated on first use so that signing works out of the box; private keys are
readable only by their owner. Manifests signed with it validate, but no one else trusts that root, so
``verify`` reports them as ``untrusted-dev-CA``.

Real certificates: ``--c2pa-cert CHAIN.pem --c2pa-key KEY.pem``, or ``AIGIS_C2PA_CERT`` and
``AIGIS_C2PA_KEY`` (the chain starts with the signing certificate). Trust anchors for verification:
``AIGIS_C2PA_TRUST`` (a PEM file of root certificates).
"""

from __future__ import annotations

import datetime
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from aigis.config import Settings
from aigis.errors import ConfigError

FOLDER = "c2pa"
ROOT_CERT = "root-ca.pem"
ROOT_KEY = "root-ca.key"
SIGNER_CERT = "signer.pem"
SIGNER_KEY = "signer.key"
DEV_ORG = "aigis development CA"
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")
ENV_CERT = "AIGIS_C2PA_CERT"
ENV_KEY = "AIGIS_C2PA_KEY"
ENV_TRUST = "AIGIS_C2PA_TRUST"


@dataclass(frozen=True)
class Credentials:
    """A certificate chain (PEM, signing certificate first) and its private key (PEM)."""

    chain_pem: bytes
    key_pem: bytes
    alg: str
    dev: bool
    source: str

    def signer_certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificates(self.chain_pem)[0]


def folder(home: Path | None = None) -> Path:
    return (home or Settings.from_env().home) / "keys" / FOLDER


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(path, 0o600)


def _usage(*, sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not sign,
        crl_sign=not sign,
        encipher_only=False,
        decipher_only=False,
    )


def _root() -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "aigis development root"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEV_ORG),
        ]
    )
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(sign=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def _signer(
    root: x509.Certificate, root_key: ec.EllipticCurvePrivateKey
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "aigis development signer"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEV_ORG),
        ]
    )
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(root.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=730))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(sign=True), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False
        )
        .sign(root_key, hashes.SHA256())
    )
    return cert, key


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def dev_credentials(home: Path | None = None) -> Credentials:
    """The development CA's signer, generating the CA on first use (and a new signer when it expires)."""
    where = folder(home)
    if not (where / SIGNER_KEY).exists():
        where.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".c2pa-", dir=where.parent))
        try:
            root, root_key = _root()
            signer, signer_key = _signer(root, root_key)
            (staging / ROOT_CERT).write_bytes(_pem(root))
            _write_private(staging / ROOT_KEY, _key_pem(root_key))
            (staging / SIGNER_CERT).write_bytes(_pem(signer))
            _write_private(staging / SIGNER_KEY, _key_pem(signer_key))
            os.chmod(staging, 0o700)
            try:
                os.rename(staging, where)
            except OSError:
                if not (where / SIGNER_KEY).exists():
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    try:
        chain = (where / SIGNER_CERT).read_bytes()
        key = (where / SIGNER_KEY).read_bytes()
        signer = x509.load_pem_x509_certificate(chain)
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"{where}: the development CA is unreadable ({exc}); remove the folder to generate a new one"
        ) from None
    if signer.not_valid_after_utc < _now() + datetime.timedelta(days=1):
        root, root_key = _load_root(where)
        fresh, fresh_key = _signer(root, root_key)
        chain, key = _pem(fresh), _key_pem(fresh_key)
        _write_private(where / SIGNER_KEY, key)
        (where / SIGNER_CERT).write_bytes(chain)
    return Credentials(chain, key, "es256", True, str(where / SIGNER_CERT))


def _load_root(where: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    try:
        root = x509.load_pem_x509_certificate((where / ROOT_CERT).read_bytes())
        key = serialization.load_pem_private_key((where / ROOT_KEY).read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{where}: the development root CA is unreadable ({exc})") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ConfigError(f"{where / ROOT_KEY}: not an EC key; remove the folder to generate a new CA")
    return root, key


def dev_root_pem(home: Path | None = None) -> bytes | None:
    """The development root certificate, or None when it was never generated (verify never creates it)."""
    path = folder(home) / ROOT_CERT
    return path.read_bytes() if path.exists() else None


def _alg_for(key: object, source: str) -> str:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        algs = {"secp256r1": "es256", "secp384r1": "es384", "secp521r1": "es512"}
        if key.curve.name not in algs:
            raise ConfigError(
                f"{source}: EC curve {key.curve.name} is not allowed; use P-256, P-384 or P-521"
            )
        return algs[key.curve.name]
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "ed25519"
    if isinstance(key, rsa.RSAPrivateKey):
        return "ps256"
    raise ConfigError(f"{source}: key type {type(key).__name__} is not allowed; use EC, Ed25519 or RSA")


def load_credentials(
    cert: Path | None = None, key: Path | None = None, home: Path | None = None
) -> Credentials:
    """Credentials from the given paths, else AIGIS_C2PA_CERT/AIGIS_C2PA_KEY, else the development CA."""
    cert = cert or (Path(os.environ[ENV_CERT]) if os.environ.get(ENV_CERT) else None)
    key = key or (Path(os.environ[ENV_KEY]) if os.environ.get(ENV_KEY) else None)
    if cert is None and key is None:
        return dev_credentials(home)
    if cert is None or key is None:
        given, missing = ("certificate", "key") if key is None else ("key", "certificate")
        raise ConfigError(
            f"C2PA signing: a {given} was given without a {missing}; give both --c2pa-cert and --c2pa-key "
            f"(or {ENV_CERT} and {ENV_KEY}), or neither to use the development CA"
        )
    try:
        chain = cert.read_bytes()
        key_pem = key.read_bytes()
    except OSError as exc:
        raise ConfigError(f"C2PA signing: cannot read {exc.filename}: {exc.strerror}") from None
    try:
        certs = x509.load_pem_x509_certificates(chain)
    except ValueError as exc:
        raise ConfigError(f"{cert}: not a PEM certificate chain ({exc})") from None
    try:
        private = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{key}: not an unencrypted PEM private key ({exc})") from None
    if certs[0].public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) != private.public_key().public_bytes(  # type: ignore[union-attr]
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ):
        raise ConfigError(f"{key}: does not match the first certificate of {cert}; give the signing key")
    return Credentials(chain, key_pem, _alg_for(private, str(key)), False, str(cert))


def trust_anchors() -> bytes | None:
    """Root certificates trusted for verification, from AIGIS_C2PA_TRUST (a PEM file), if set."""
    value = os.environ.get(ENV_TRUST)
    if not value:
        return None
    path = Path(value)
    try:
        data = path.read_bytes()
        x509.load_pem_x509_certificates(data)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{ENV_TRUST}={value}: not a readable PEM file of certificates ({exc})") from None
    return data
