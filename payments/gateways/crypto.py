"""Keys as the client libraries want them, and the gateway side of the signatures.

The adapters sign and verify with python-alipay-sdk and wechatpayv3. What is here is (1) key
normalisation: the consoles hand out bare base64 keys, PKCS#1 or PKCS#8 private keys and
certificates, the libraries want PEM; and (2) what Alipay and WeChat Pay do on *their* side
(RSA-SHA256 signing of notifications and responses, AES-256-GCM encryption of a notification's
resource), which the sandbox gateway and the tests need.
"""

import base64
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
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
    data = _wrap_pem(pem, "PRIVATE KEY")
    try:
        return serialization.load_pem_private_key(data, password=None)
    except ValueError:
        # A bare PKCS#1 key (what Alipay's key tool writes by default).
        return serialization.load_pem_private_key(_wrap_pem(pem, "RSA PRIVATE KEY"), password=None)


@lru_cache(maxsize=16)
def _public_key(pem: str):
    data = _wrap_pem(pem, "PUBLIC KEY")
    if b"BEGIN CERTIFICATE" in data:
        from cryptography import x509

        return x509.load_pem_x509_certificate(data).public_key()
    return serialization.load_pem_public_key(data)


def pem_private_key(text: str) -> str:
    """Any RSA private key we accept, as the PKCS#8 PEM both libraries load."""
    return (
        _private_key(text)
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


def pem_public_key(text: str) -> str:
    """A public key given as PEM, bare base64 or a certificate, as a SubjectPublicKeyInfo PEM."""
    return (
        _public_key(text)
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


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
