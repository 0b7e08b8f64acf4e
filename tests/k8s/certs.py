"""Certificates for the test API server, made with python3-cryptography.

    paths = make_certs("/tmp/x")
    paths.ca_cert, paths.server_cert, paths.server_key, paths.expired_cert, ...

One CA signs everything a test needs: a server certificate for 127.0.0.1, ::1
and localhost; the same certificate already expired (same key and names, so a
client that fails on it fails only because of the dates); a client certificate
for client-certificate authentication (CN=vigil, O=system:nodes); and, from a
second CA the server does not trust, a client certificate that must be refused.

EC P-256 keys: generating them takes milliseconds, so every test can have its
own fresh set.
"""

import datetime
import ipaddress
import os
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True)
class CertPaths:
    dir: str
    ca_cert: str
    ca_key: str
    server_cert: str       # valid for a year, from yesterday
    server_key: str
    expired_cert: str      # same key and names as server_cert, expired yesterday
    client_cert: str       # CN=vigil, O=system:nodes, signed by the CA
    client_key: str
    untrusted_client_cert: str  # signed by another CA: the server refuses it
    untrusted_client_key: str


def _key():
    return ec.generate_private_key(ec.SECP256R1())


def _name(cn, org=None):
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if org:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    return x509.Name(attrs)


def _builder(subject, issuer, pub, not_before, not_after):
    return (x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(pub)
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(pub), critical=False))


def _make_ca(cn, now):
    key = _key()
    name = _name(cn)
    cert = (_builder(name, name, key.public_key(), now - datetime.timedelta(days=1),
                     now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=True, crl_sign=True,
                                         encipher_only=False, decipher_only=False),
                           critical=True)
            .sign(key, hashes.SHA256()))
    return key, cert


def _leaf(ca_key, ca_cert, key, subject, eku, not_before, not_after, san=None):
    """A certificate for `key` signed by the CA, for server or client use (eku)."""
    b = (_builder(subject, ca_cert.subject, key.public_key(), not_before, not_after)
         .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
         .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                      key_encipherment=False, data_encipherment=False,
                                      key_agreement=False, key_cert_sign=False, crl_sign=False,
                                      encipher_only=False, decipher_only=False),
                        critical=True)
         .add_extension(x509.ExtendedKeyUsage([eku]), critical=False)
         .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                        critical=False))
    if san:
        b = b.add_extension(x509.SubjectAlternativeName(san), critical=False)
    return b.sign(ca_key, hashes.SHA256())


def _write(path, data, mode=0o644):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return path


def _cert_pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key):
    # PKCS#8 ("BEGIN PRIVATE KEY"), what kubeadm writes and what libcurl/OpenSSL read
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def make_certs(directory):
    """Write the CA, server, expired server and client certificates (PEM) into
    directory (created if needed) and return their paths."""
    os.makedirs(directory, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    day = datetime.timedelta(days=1)
    ca_key, ca_cert = _make_ca("vigil-test-ca", now)
    other_key, other_cert = _make_ca("vigil-untrusted-ca", now)

    server_key = _key()
    san = [x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
           x509.IPAddress(ipaddress.ip_address("::1")),
           x509.DNSName("localhost")]
    server_name = _name("vigil-test-apiserver")
    server = _leaf(ca_key, ca_cert, server_key, server_name, ExtendedKeyUsageOID.SERVER_AUTH,
                   now - day, now + 365 * day, san)
    expired = _leaf(ca_key, ca_cert, server_key, server_name, ExtendedKeyUsageOID.SERVER_AUTH,
                    now - 30 * day, now - day, san)

    client_key = _key()
    client = _leaf(ca_key, ca_cert, client_key, _name("vigil", "system:nodes"),
                   ExtendedKeyUsageOID.CLIENT_AUTH, now - day, now + 365 * day)
    stranger_key = _key()
    stranger = _leaf(other_key, other_cert, stranger_key, _name("vigil", "system:nodes"),
                     ExtendedKeyUsageOID.CLIENT_AUTH, now - day, now + 365 * day)

    p = lambda name: os.path.join(directory, name)  # noqa: E731
    return CertPaths(
        dir=directory,
        ca_cert=_write(p("ca.crt"), _cert_pem(ca_cert)),
        ca_key=_write(p("ca.key"), _key_pem(ca_key), 0o600),
        server_cert=_write(p("server.crt"), _cert_pem(server)),
        server_key=_write(p("server.key"), _key_pem(server_key), 0o600),
        expired_cert=_write(p("server-expired.crt"), _cert_pem(expired)),
        client_cert=_write(p("client.crt"), _cert_pem(client)),
        client_key=_write(p("client.key"), _key_pem(client_key), 0o600),
        untrusted_client_cert=_write(p("untrusted-client.crt"), _cert_pem(stranger)),
        untrusted_client_key=_write(p("untrusted-client.key"), _key_pem(stranger_key), 0o600),
    )


if __name__ == "__main__":
    import sys
    print(make_certs(sys.argv[1] if len(sys.argv) > 1 else "."))
