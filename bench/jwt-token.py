#!/usr/bin/env python3
"""Prints a signed JWT for the policy benchmark: jwt-token.py ALG KEY KID.

ALG is HS256 (KEY is the secret), RS256, ES256 or EdDSA (KEY is a PEM private key
file; openssl signs). The token expires in one day.
"""
import base64, hashlib, hmac, json, subprocess, sys, tempfile, time


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def der_to_raw(der: bytes) -> bytes:
    """An ECDSA signature from DER (SEQUENCE of two INTEGERs) to r||s, 32 bytes each."""
    index = 2 if der[1] < 0x80 else 3
    parts = []
    for _ in range(2):
        length = der[index + 1]
        parts.append(der[index + 2:index + 2 + length].lstrip(b"\0").rjust(32, b"\0"))
        index += 2 + length
    return parts[0] + parts[1]


def sign(alg: str, key: str, data: bytes) -> bytes:
    if alg == "HS256":
        return hmac.new(key.encode(), data, hashlib.sha256).digest()
    with tempfile.NamedTemporaryFile() as message:
        message.write(data)
        message.flush()
        if alg == "EdDSA":
            command = ["openssl", "pkeyutl", "-sign", "-inkey", key, "-rawin", "-in", message.name]
        else:
            command = ["openssl", "dgst", "-sha256", "-sign", key, message.name]
        signature = subprocess.run(command, check=True, capture_output=True).stdout
    return der_to_raw(signature) if alg == "ES256" else signature


alg, key, kid = sys.argv[1:4]
header = b64url(json.dumps({"alg": alg, "typ": "JWT", "kid": kid}).encode())
payload = b64url(json.dumps({"sub": "bench", "exp": int(time.time()) + 86400}).encode())
signing_input = f"{header}.{payload}".encode()
print(f"{header}.{payload}.{b64url(sign(alg, key, signing_input))}")
