"""RSA-SHA256 (PKCS#1 v1.5) signatures and AES-256-GCM, as Alipay (RSA2) and WeChat Pay v3 use."""

import base64
from functools import lru_cache

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def new_private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def public_key_pem(private_pem: str) -> str:
    return (
        _private_key(private_pem)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def _wrap_pem(text: str, kind: str) -> bytes:
    """Accept a PEM or the bare base64 key that Alipay's console hands out."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        return text.encode()
    body = "\n".join(text[i : i + 64] for i in range(0, len(text), 64))
    return f"-----BEGIN {kind}-----\n{body}\n-----END {kind}-----\n".encode()


@lru_cache(maxsize=16)
def _private_key(pem: str):
    return serialization.load_pem_private_key(_wrap_pem(pem, "PRIVATE KEY"), password=None)


@lru_cache(maxsize=16)
def _public_key(pem: str):
    data = _wrap_pem(pem, "PUBLIC KEY")
    if b"BEGIN CERTIFICATE" in data:
        from cryptography import x509

        return x509.load_pem_x509_certificate(data).public_key()
    return serialization.load_pem_public_key(data)


def rsa_sign(message: str, private_pem: str) -> str:
    signature = _private_key(private_pem).sign(
        message.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256()
    )
    return base64.b64encode(signature).decode()


def rsa_verify(message: str, signature_b64: str, public_pem: str) -> bool:
    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except (ValueError, TypeError):
        return False
    try:
        _public_key(public_pem).verify(
            signature, message.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256()
        )
    except InvalidSignature:
        return False
    return True


def aes_gcm_encrypt(key: str, nonce: str, associated_data: str, plaintext: str) -> str:
    data = AESGCM(key.encode()).encrypt(
        nonce.encode(), plaintext.encode("utf-8"), associated_data.encode()
    )
    return base64.b64encode(data).decode()


def aes_gcm_decrypt(key: str, nonce: str, associated_data: str, ciphertext_b64: str) -> str:
    try:
        data = base64.b64decode(ciphertext_b64, validate=True)
        plain = AESGCM(key.encode()).decrypt(nonce.encode(), data, associated_data.encode())
    except (ValueError, TypeError, InvalidTag) as exc:
        raise ValueError("cannot decrypt resource") from exc
    return plain.decode("utf-8")
