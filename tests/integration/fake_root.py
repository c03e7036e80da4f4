"""A genuinely signed root DNSKEY RRset for the tests' hand-written DNS
servers, and the trust anchor that matches it.

`hygiene check` and `survey` first validate the root's DNSKEY RRset
against the trust anchor and stop when it fails (issue 10: a wrong anchor
would make every domain bogus). A server that only knows its test names
serves these records for the root's DNSKEY question, and the test passes
anchor_file() with --trust-anchor.

    import fake_root
    ZONE[(root_qname, 48)] = fake_root.DNSKEY_RRS    # [(type, rdata)]
    cmd += ["--trust-anchor", fake_root.anchor_file(tmpdir)]

ECDSA P-256 (RFC 6605) with python3-cryptography; a new key per process.
"""

import base64
import os
import struct
import time

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import \
    decode_dss_signature

TTL = 3600
_KEY = ec.generate_private_key(ec.SECP256R1())
_NUMS = _KEY.public_key().public_numbers()
DNSKEY = struct.pack("!HBB", 257, 3, 13) + _NUMS.x.to_bytes(32, "big") + \
    _NUMS.y.to_bytes(32, "big")


def _key_tag(rdata):
    """RFC 4034 Appendix B."""
    acc = 0
    for i, b in enumerate(rdata):
        acc += b if i & 1 else b << 8
    return (acc + (acc >> 16)) & 0xFFFF


def _rrsig():
    """The RRSIG over the root DNSKEY RRset (RFC 4034 §3.1.8.1)."""
    now = int(time.time())
    head = struct.pack("!HBBIIIH", 48, 13, 0, TTL, now + 30 * 86400,
                       now - 86400, _key_tag(DNSKEY)) + b"\0"
    rr = b"\0" + struct.pack("!HHIH", 48, 1, TTL, len(DNSKEY)) + DNSKEY
    r, s = decode_dss_signature(_KEY.sign(head + rr,
                                          ec.ECDSA(hashes.SHA256())))
    return head + r.to_bytes(32, "big") + s.to_bytes(32, "big")


# The answer to (".", DNSKEY): [(type, rdata)].
DNSKEY_RRS = [(48, DNSKEY), (46, _rrsig())]


def anchor_file(d):
    """Write the anchor into directory d; return its path."""
    path = os.path.join(d, "fake-root-anchor.key")
    with open(path, "w") as f:
        f.write(". %d IN DNSKEY 257 3 13 %s\n" % (
            TTL, base64.b64encode(DNSKEY[4:]).decode()))
    return path
