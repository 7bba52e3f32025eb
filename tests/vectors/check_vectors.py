#!/usr/bin/python3
"""Independent check of parley's test vectors.

Parses every vector from the byte tables in docs/protocol.md with its own
code (nothing here is shared with the C implementation), verifies every
Ed25519 signature over the documented signing input with the Python
`cryptography` package, recomputes every id and fingerprint with hashlib,
and decrypts the envelope bodies with their disclosed body keys.

XChaCha20-Poly1305 is not exposed by `cryptography`, so it is assembled
from exposed parts exactly as draft-irtf-cfrg-xchacha defines it: the
HChaCha20 subkey is the ChaCha20 block function's output before the final
addition of the input state, recovered as (keystream - input state) word by
word from one raw ChaCha20 block; then ChaCha20-Poly1305 (RFC 8439) with
nonce 0x00000000 || nonce[16:24].

Usage: /usr/bin/python3 tests/vectors/check_vectors.py tests/vectors
Output: TAP lines; exit status 1 if any check failed.
"""
import hashlib
import json
import os
import struct
import sys

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

N = 0
FAILED = False


def tap(ok, desc):
    global N, FAILED
    N += 1
    print(("ok" if ok else "not ok") + " %d - %s" % (N, desc))
    if not ok:
        FAILED = True


class Reader:
    def __init__(self, data):
        self.d = data
        self.o = 0

    def take(self, n):
        if self.o + n > len(self.d):
            raise ValueError("truncated at offset %d" % self.o)
        b = self.d[self.o:self.o + n]
        self.o += n
        return b

    def u8(self):
        return self.take(1)[0]

    def u16(self):
        return struct.unpack(">H", self.take(2))[0]

    def u32(self):
        return struct.unpack(">I", self.take(4))[0]

    def u64(self):
        return struct.unpack(">Q", self.take(8))[0]

    def ident(self):
        n = self.u8()
        assert 1 <= n <= 63, "id length %d" % n
        s = self.take(n).decode("ascii")
        assert all(c in "abcdefghijklmnopqrstuvwxyz0123456789.-" for c in s), s
        assert s[0] not in ".-", s
        return s

    def str8(self):
        return self.take(self.u8()).decode("utf-8")

    def str16(self):
        return self.take(self.u16()).decode("utf-8")

    def end(self):
        assert self.o == len(self.d), "%d trailing bytes" % (len(self.d) - self.o)


def label(name):
    return name.encode() + b"\0" * (16 - len(name))


def parse_envelope(d):
    r = Reader(d)
    assert r.take(16) == label("parley-envelope")
    e = {"version": r.u8()}
    assert e["version"] == 1
    e["channel"] = r.ident()
    e["sender"] = r.ident()
    e["seq"] = r.u64()
    e["prev"] = r.take(32)
    assert (e["seq"] == 1) == (e["prev"] == b"\0" * 32)
    e["kind"], e["prec"], e["flags"], e["tlp"] = r.u8(), r.u8(), r.u8(), r.u8()
    assert 1 <= e["kind"] <= 6 and e["prec"] <= 3 and e["flags"] & ~1 == 0 and e["tlp"] <= 4
    e["time_ms"] = r.u64()
    e["refs"] = [r.take(32) for _ in range(r.u8())]
    assert len(e["refs"]) <= 16
    n = r.u8()
    assert 1 <= n <= 64
    e["recipients"] = [(r.ident(), r.take(80)) for _ in range(n)]
    names = [p for p, _ in e["recipients"]]
    assert names == sorted(set(names), key=lambda s: s.encode())
    e["nonce"] = r.take(24)
    blen = r.u32()
    assert 16 <= blen <= 65536
    e["ad_len"] = r.o
    e["body"] = r.take(blen)
    e["signed_len"] = r.o
    e["sig"] = r.take(64)
    r.end()
    return e


def parse_receipt(d):
    r = Reader(d)
    assert r.take(16) == label("parley-receipt")
    assert r.u8() == 1
    x = {"env_id": r.take(32), "receiver": r.ident(), "stored_ms": r.u64()}
    x["signed_len"] = r.o
    x["sig"] = r.take(64)
    r.end()
    return x


def parse_party(d):
    r = Reader(d)
    assert r.take(16) == label("parley-party")
    assert r.u8() == 1
    p = {"id": r.ident(), "revision": r.u32(), "time_ms": r.u64()}
    p["sign_pk"], p["box_pk"] = r.take(32), r.take(32)
    p["endpoints"] = [r.str16() for _ in range(r.u8())]
    p["contacts"] = [(r.ident(), r.str16(), r.str8(), r.str8(), r.str16()) for _ in range(r.u8())]
    p["prev"] = r.take(32)
    assert (p["revision"] == 1) == (p["prev"] == b"\0" * 32)
    p["signed_len"] = r.o
    p["sig"] = r.take(64)
    p["prev_sig"] = r.take(64) if p["revision"] > 1 else None
    r.end()
    return p


def parse_keyfile(d):
    r = Reader(d)
    assert r.take(16) == label("parley-keyfile")
    assert r.u8() == 1
    k = {"kdf": r.u8(), "ops": r.u64(), "mem": r.u64(), "salt": r.take(16), "nonce": r.take(24)}
    k["record"] = r.take(r.u32())
    k["header_len"] = r.o
    k["secret"] = r.take(len(d) - r.o)
    assert len(k["secret"]) == (64 if k["kdf"] == 0 else 80)
    return k


def verifies(pk, sig, msg):
    try:
        Ed25519PublicKey.from_public_bytes(pk).verify(sig, msg)
        return True
    except InvalidSignature:
        return False


def fingerprint(ident, pk):
    h = hashlib.sha256(label("parley-fp") + bytes([len(ident)]) + ident.encode() + pk).hexdigest()
    return "-".join(h[i:i + 4] for i in range(0, 32, 4))


def hchacha20(key, nonce16):
    block = Cipher(algorithms.ChaCha20(key, nonce16), mode=None).encryptor().update(b"\0" * 64)
    out = struct.unpack("<16I", block)
    state = struct.unpack("<4I", b"expand 32-byte k") + struct.unpack("<8I", key) + \
        struct.unpack("<4I", nonce16)
    words = [(out[i] - state[i]) & 0xffffffff for i in range(16)]
    return struct.pack("<8I", *(words[0:4] + words[12:16]))


def xchacha_decrypt(key, nonce, ct, ad):
    sub = hchacha20(key, nonce[:16])
    return ChaCha20Poly1305(sub).decrypt(b"\0" * 4 + nonce[16:], ct, ad)


def flipped(b, i):
    return b[:i] + bytes([b[i] ^ 1]) + b[i + 1:]


def main(vdir):
    meta = json.load(open(os.path.join(vdir, "vectors.json")))
    parties = meta["parties"]
    files = {}
    for name, m in meta.items():
        if name == "parties":
            continue
        data = open(os.path.join(vdir, name), "rb").read()
        files[name] = data
        tap(data.hex() == m["hex"], "%s matches its hex in vectors.json" % name)
        tap(hashlib.sha256(data).hexdigest() == m["id"], "%s id is SHA-256 of its bytes" % name)

    def pk(ident):
        return bytes.fromhex(parties[ident]["sign_pk"])

    records = {}
    for name in sorted(n for n in files if n.startswith("party-")):
        p = parse_party(files[name])
        records[name] = p
        m = meta[name]
        msg = files[name][:p["signed_len"]]
        tap(p["signed_len"] == m["signing_input_length"], "%s signing input length" % name)
        tap(verifies(p["sign_pk"], p["sig"], msg), "%s self-signature verifies" % name)
        tap(not verifies(p["sign_pk"], flipped(p["sig"], 7), msg),
            "%s with a flipped signature bit fails" % name)
        tap(fingerprint(p["id"], p["sign_pk"]) == m["fingerprint"], "%s fingerprint" % name)
    rot = records["party-us-nrrc-rev2.bin"]
    old = records["party-us-nrrc.bin"]
    tap(rot["revision"] == old["revision"] + 1 and rot["id"] == old["id"],
        "rotation follows revision 1")
    tap(rot["prev"] == hashlib.sha256(files["party-us-nrrc.bin"]).digest(),
        "rotation names revision 1 as prev")
    tap(verifies(old["sign_pk"], rot["prev_sig"], files["party-us-nrrc-rev2.bin"][:rot["signed_len"]]),
        "rotation is signed by the previous key")
    tap(not verifies(rot["sign_pk"], rot["prev_sig"], files["party-us-nrrc-rev2.bin"][:rot["signed_len"]]),
        "rotation's prev_sig is not the new key's")

    env_ids = {}
    for name in ("envelope-1.bin", "envelope-2.bin"):
        d = files[name]
        e = parse_envelope(d)
        m = meta[name]
        env_ids[name] = hashlib.sha256(d).digest()
        tap(e["ad_len"] == m["ad_length"], "%s associated data length" % name)
        tap(e["signed_len"] == m["signing_input_length"] == len(d) - 64, "%s signing input" % name)
        tap(verifies(pk(e["sender"]), e["sig"], d[:e["signed_len"]]), "%s signature verifies" % name)
        tap(not verifies(pk(e["sender"]), flipped(e["sig"], 30), d[:e["signed_len"]]),
            "%s with a flipped signature bit fails" % name)
        tap(not verifies(pk(e["sender"]), e["sig"], flipped(d, 40)[:e["signed_len"]]),
            "%s with a flipped header bit fails" % name)
        key = bytes.fromhex(m["body_key"])
        try:
            plain = xchacha_decrypt(key, e["nonce"], e["body"], d[:e["ad_len"]])
            tap(plain.decode("utf-8") == m["plaintext"], "%s body decrypts with the disclosed key" % name)
            body = json.loads(plain)
            tap(body["format"] == "rfa" and body["authoritative"] in body["texts"],
                "%s body is the documented JSON" % name)
        except InvalidTag:
            tap(False, "%s body decrypts with the disclosed key" % name)
        try:
            xchacha_decrypt(key, e["nonce"], e["body"], flipped(d[:e["ad_len"]], 20))
            tap(False, "%s body is bound to its header" % name)
        except InvalidTag:
            tap(True, "%s body is bound to its header" % name)
    e2 = parse_envelope(files["envelope-2.bin"])
    tap(e2["seq"] == 2 and e2["prev"] == env_ids["envelope-1.bin"], "envelope-2 chains to envelope-1")
    tap(e2["refs"] == [env_ids["envelope-1.bin"]], "envelope-2 refers to envelope-1")

    d = files["receipt-1.bin"]
    r = parse_receipt(d)
    tap(r["env_id"] == env_ids["envelope-1.bin"], "receipt-1 is for envelope-1")
    tap(verifies(pk(r["receiver"]), r["sig"], d[:r["signed_len"]]), "receipt-1 signature verifies")
    tap(not verifies(pk(r["receiver"]), r["sig"], flipped(d, 20)[:r["signed_len"]]),
        "receipt-1 with a flipped env_id fails")

    for name in ("keyfile-clear.bin", "keyfile-argon2id.bin"):
        k = parse_keyfile(files[name])
        p = parse_party(k["record"])
        tap(verifies(p["sign_pk"], p["sig"], k["record"][:p["signed_len"]]),
            "%s holds a self-signed record" % name)
    k = parse_keyfile(files["keyfile-clear.bin"])
    seed = k["secret"][:32]
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives import serialization
    derived = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    tap(derived == parse_party(k["record"])["sign_pk"], "keyfile-clear secret yields the record's key")

    return 1 if FAILED else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "tests/vectors"))
    except (AssertionError, ValueError, KeyError) as exc:
        tap(False, "vectors parse: %r" % (exc,))
        sys.exit(1)
