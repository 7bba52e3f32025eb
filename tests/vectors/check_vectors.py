#!/usr/bin/python3
"""Independent check of parley's test vectors.

Parses every vector from the byte tables in the headers (src/wire/env.h,
rcpt.h, party.h, keyfile.h, codec.h; normative copy in docs/protocol.md) with
its own code: nothing here is shared with, generated from or calls the C
implementation.  It uses only the Python standard library and Debian's
python3-cryptography.

Checked, per file:
  - the bytes equal the hex in vectors.json and the id is SHA-256 of them;
  - every field parses per the layout (label, version, lengths, limits, id
    syntax, exact end) and holds what the generator was asked to write;
  - every Ed25519 signature verifies over the documented signing input (all
    bytes before the signature; a rotated party record's prev_sig over the
    same bytes, by the previous record's key), and fails with one byte of
    the signature flipped;
  - fingerprints, ad_len, signing-input lengths, envelope-2's prev and ref,
    the receipt's env_id;
  - each envelope body decrypts with its disclosed body key, and each
    recipient's disclosed X25519 secret key opens its sealed copy of that
    body key, while a non-recipient's key does not;
  - the clear key file holds the secrets of the record it carries.

Primitives not exposed by `cryptography`, assembled from what it exposes:
  - XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha): the HChaCha20 subkey is
    the ChaCha20 block function before its final addition of the input
    state, recovered as (keystream - input state) word by word from one
    raw ChaCha20 block; then ChaCha20-Poly1305 (RFC 8439) with nonce
    0x00000000 || nonce[16:24].
  - libsodium's sealed box (crypto_box_seal): X25519 from `cryptography`,
    nonce = BLAKE2b-192(epk || pk) from hashlib, and XSalsa20-Poly1305 with
    Salsa20/HSalsa20 written out below from the Salsa20 specification and
    Poly1305 from `cryptography`.  A wrong Salsa20 could not produce a valid
    Poly1305 tag, and HSalsa20 is also checked against the NaCl test value.
Not checked: opening keyfile-argon2id.bin.  Argon2id is in neither the
standard library nor this Debian's python3-cryptography (it arrived in
cryptography 44), and writing it here would be slow and a second
implementation to trust; when `cryptography` provides it, it is used.

Usage: /usr/bin/python3 tests/vectors/check_vectors.py tests/vectors
Output: TAP lines; exit status 1 if any check failed.
"""
import hashlib
import json
import os
import re
import struct
import sys

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (Ed25519PrivateKey,
                                                               Ed25519PublicKey)
from cryptography.hazmat.primitives.asymmetric.x25519 import (X25519PrivateKey,
                                                              X25519PublicKey)
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.poly1305 import Poly1305

try:
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
except ImportError:
    Argon2id = None

T0 = 1767225600000  # 2026-01-01T00:00:00Z, the generator's clock
PARTIES = ("us-nrrc", "ru-nrrc", "osce-witness")

N = 0
FAILED = False


def tap(ok, desc):
    global N, FAILED
    N += 1
    print(("ok" if ok else "not ok") + " %d - %s" % (N, desc))
    if not ok:
        FAILED = True


def skip(desc, why):
    global N
    N += 1
    print("ok %d - %s # SKIP %s" % (N, desc, why))


class Malformed(Exception):
    pass


def need(cond, what):
    if not cond:
        raise Malformed(what)


# --- common fields (codec.h) ---------------------------------------------

ID_RE = re.compile(r"[a-z0-9][a-z0-9.-]{0,62}\Z")


def text_ok(s):
    """UTF-8 (Python's decoder is strict: shortest form, no surrogates),
    no C0 or C1 control characters, no DEL."""
    return not any(ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f for c in s)


class Reader:
    def __init__(self, data):
        self.d = data
        self.o = 0

    def take(self, n):
        need(self.o + n <= len(self.d), "truncated at offset %d (need %d)" % (self.o, n))
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

    def label(self, name):
        at = self.o
        need(self.take(16) == label(name), "label at %d is not %r" % (at, name))

    def ident(self):
        at = self.o
        n = self.u8()
        need(1 <= n <= 63, "id length %d at offset %d" % (n, at))
        s = self.take(n).decode("ascii")
        need(ID_RE.match(s), "bad id %r at offset %d" % (s, at))
        return s

    def text(self, n, limit):
        at = self.o
        need(n <= limit, "text length %d > %d at offset %d" % (n, limit, at))
        s = self.take(n).decode("utf-8")
        need(text_ok(s), "control character in text at offset %d" % at)
        return s

    def str8(self, limit=255):
        return self.text(self.u8(), limit)

    def str16(self, limit):
        return self.text(self.u16(), limit)

    def end(self):
        need(self.o == len(self.d), "%d trailing bytes" % (len(self.d) - self.o))


def label(name):
    return name.encode() + b"\0" * (16 - len(name))


# --- structures ------------------------------------------------------------


def parse_envelope(d):
    """env.h"""
    r = Reader(d)
    r.label("parley-envelope")
    e = {"version": r.u8()}
    need(e["version"] == 1, "envelope version %d" % e["version"])
    e["channel"] = r.ident()
    e["sender"] = r.ident()
    e["seq"] = r.u64()
    need(e["seq"] >= 1, "seq 0")
    e["prev"] = r.take(32)
    need((e["seq"] == 1) == (e["prev"] == bytes(32)), "prev zero iff seq 1")
    e["kind"], e["prec"], e["flags"], e["tlp"] = r.u8(), r.u8(), r.u8(), r.u8()
    need(1 <= e["kind"] <= 6, "kind %d" % e["kind"])
    need(e["prec"] <= 3, "precedence %d" % e["prec"])
    need(e["flags"] & ~1 == 0, "unknown flags %#x" % e["flags"])
    need(e["tlp"] <= 4, "tlp %d" % e["tlp"])
    e["time_ms"] = r.u64()
    n_refs = r.u8()
    need(n_refs <= 16, "n_refs %d" % n_refs)
    e["refs"] = [r.take(32) for _ in range(n_refs)]
    need(len(set(e["refs"])) == n_refs, "a ref twice")
    n = r.u8()
    need(1 <= n <= 64, "n_recipients %d" % n)
    e["recipients"] = [(r.ident(), r.take(80)) for _ in range(n)]
    names = [p.encode() for p, _ in e["recipients"]]
    need(all(a < b for a, b in zip(names, names[1:])), "recipients not strictly ascending")
    e["nonce"] = r.take(24)
    blen = r.u32()
    need(16 <= blen <= 65536, "body_len %d" % blen)
    e["ad_len"] = r.o
    e["body"] = r.take(blen)
    e["signed_len"] = r.o
    e["sig"] = r.take(64)
    r.end()
    return e


def parse_receipt(d):
    """rcpt.h"""
    r = Reader(d)
    r.label("parley-receipt")
    need(r.u8() == 1, "receipt version")
    x = {"env_id": r.take(32), "receiver": r.ident(), "stored_ms": r.u64()}
    x["signed_len"] = r.o
    x["sig"] = r.take(64)
    r.end()
    return x


def parse_party(d):
    """party.h"""
    r = Reader(d)
    r.label("parley-party")
    need(r.u8() == 1, "party version")
    p = {"id": r.ident(), "revision": r.u32(), "time_ms": r.u64()}
    need(p["revision"] >= 1, "revision 0")
    p["sign_pk"], p["box_pk"] = r.take(32), r.take(32)
    n = r.u8()
    need(n <= 8, "n_endpoints %d" % n)
    p["endpoints"] = [r.str16(512) for _ in range(n)]
    for url in p["endpoints"]:
        need(re.match(r"https?://[!-~]+\Z", url), "endpoint %r" % url)
    n = r.u8()
    need(n <= 16, "n_contacts %d" % n)
    p["contacts"] = []
    for _ in range(n):
        c = {"role": r.ident(), "name": r.str16(256), "languages": r.str8(63),
             "hours": r.str8(63), "reach": r.str16(256)}
        need(all(re.match(r"[A-Za-z0-9-]{2,35}\Z", t) for t in c["languages"].split(",")),
             "languages %r" % c["languages"])
        p["contacts"].append(c)
    p["prev"] = r.take(32)
    need((p["revision"] == 1) == (p["prev"] == bytes(32)), "prev zero iff revision 1")
    p["signed_len"] = r.o
    p["sig"] = r.take(64)
    p["prev_sig"] = r.take(64) if p["revision"] > 1 else None
    r.end()
    return p


def parse_keyfile(d):
    """keyfile.h"""
    r = Reader(d)
    r.label("parley-keyfile")
    need(r.u8() == 1, "keyfile version")
    k = {"kdf": r.u8(), "ops": r.u64(), "mem": r.u64(), "salt": r.take(16), "nonce": r.take(24)}
    need(k["kdf"] in (0, 1), "kdf %d" % k["kdf"])
    n = r.u32()
    need(n >= 1, "record_len 0")
    k["record"] = r.take(n)
    k["header_len"] = r.o
    k["secret"] = r.take(64 if k["kdf"] == 0 else 80)
    r.end()
    return k


# --- primitives ------------------------------------------------------------


def verifies(pk, sig, msg):
    try:
        Ed25519PublicKey.from_public_bytes(pk).verify(sig, msg)
        return True
    except InvalidSignature:
        return False


def raw(pub):
    return pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(ident, pk):
    h = hashlib.sha256(label("parley-fp") + bytes([len(ident)]) + ident.encode() + pk).digest()
    h = h[:16].hex()
    return "-".join(h[i:i + 4] for i in range(0, 32, 4))


def hchacha20(key, nonce16):
    block = Cipher(algorithms.ChaCha20(key, nonce16), mode=None).encryptor().update(bytes(64))
    out = struct.unpack("<16I", block)
    state = struct.unpack("<4I", b"expand 32-byte k") + struct.unpack("<8I", key) + \
        struct.unpack("<4I", nonce16)
    words = [(out[i] - state[i]) & 0xffffffff for i in range(16)]
    return struct.pack("<8I", *(words[0:4] + words[12:16]))


def xchacha_decrypt(key, nonce, ct, ad):
    return ChaCha20Poly1305(hchacha20(key, nonce[:16])).decrypt(bytes(4) + nonce[16:], ct, ad)


def _salsa20_rounds(x):
    def rotl(v, c):
        return ((v << c) | (v >> (32 - c))) & 0xffffffff

    def qr(a, b, c, d):
        x[b] ^= rotl((x[a] + x[d]) & 0xffffffff, 7)
        x[c] ^= rotl((x[b] + x[a]) & 0xffffffff, 9)
        x[d] ^= rotl((x[c] + x[b]) & 0xffffffff, 13)
        x[a] ^= rotl((x[d] + x[c]) & 0xffffffff, 18)

    for _ in range(10):
        qr(0, 4, 8, 12)  # columns
        qr(5, 9, 13, 1)
        qr(10, 14, 2, 6)
        qr(15, 3, 7, 11)
        qr(0, 1, 2, 3)  # rows
        qr(5, 6, 7, 4)
        qr(10, 11, 8, 9)
        qr(15, 12, 13, 14)
    return x


def _salsa20_state(key, in16):
    c = struct.unpack("<4I", b"expand 32-byte k")
    k = struct.unpack("<8I", key)
    i = struct.unpack("<4I", in16)
    return [c[0], k[0], k[1], k[2], k[3], c[1], i[0], i[1],
            i[2], i[3], c[2], k[4], k[5], k[6], k[7], c[3]]


def hsalsa20(key, in16):
    x = _salsa20_rounds(_salsa20_state(key, in16))
    return struct.pack("<8I", x[0], x[5], x[10], x[15], x[6], x[7], x[8], x[9])


def salsa20_stream(key, nonce8, n):
    out = b""
    block = 0
    while len(out) < n:
        s = _salsa20_state(key, nonce8 + struct.pack("<Q", block))
        x = _salsa20_rounds(list(s))
        out += struct.pack("<16I", *((x[i] + s[i]) & 0xffffffff for i in range(16)))
        block += 1
    return out[:n]


def sealed_box_open(sealed, pk, sk):
    """libsodium crypto_box_seal_open: epk(32) || Poly1305 tag(16) || ciphertext."""
    epk, tag, ct = sealed[:32], sealed[32:48], sealed[48:]
    nonce = hashlib.blake2b(epk + pk, digest_size=24).digest()
    shared = X25519PrivateKey.from_private_bytes(sk).exchange(X25519PublicKey.from_public_bytes(epk))
    k = hsalsa20(shared, bytes(16))  # crypto_box_beforenm
    stream = salsa20_stream(hsalsa20(k, nonce[:16]), nonce[16:], 32 + len(ct))
    try:
        Poly1305.verify_tag(stream[:32], ct, tag)
    except InvalidSignature:
        return None
    return bytes(a ^ b for a, b in zip(ct, stream[32:]))


def flipped(b, i):
    return b[:i] + bytes([b[i] ^ 0xff]) + b[i + 1:]


# --- checks ----------------------------------------------------------------


def guarded(desc, fn, *args):
    """Run one group of checks; a parse failure is one failed check, not a stop."""
    try:
        fn(*args)
    except (Malformed, ValueError, KeyError, IndexError) as exc:
        tap(False, "%s: %s: %s" % (desc, type(exc).__name__, exc))


def check_self_tests():
    # NaCl's crypto_core_hsalsa20 test (tests/core1.c): Alice and Bob's
    # shared secret to their first key.
    shared = bytes.fromhex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")
    tap(hsalsa20(shared, bytes(16)).hex() ==
        "1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389",
        "HSalsa20 reproduces NaCl's firstkey")


def check_parties(files, meta, parties):
    for ident in PARTIES:
        name = "party-%s.bin" % ident
        d, m, info = files[name], meta[name], parties[ident]
        p = parse_party(d)
        tap(p["id"] == ident and p["revision"] == 1 and p["time_ms"] == T0 + 1,
            "%s: id, revision 1, time_ms" % name)
        tap(len(p["endpoints"]) >= 1 and len(p["contacts"]) >= 1,
            "%s has an endpoint and a contact" % name)
        tap(p["sign_pk"].hex() == m["sign_pk"] == info["sign_pk"] and
            p["box_pk"].hex() == info["box_pk"], "%s carries the keys in vectors.json" % name)
        box_sk = bytes.fromhex(info["box_sk"])
        tap(raw(X25519PrivateKey.from_private_bytes(box_sk).public_key()) == p["box_pk"],
            "%s: the disclosed X25519 secret key yields box_pk" % name)
        tap(p["signed_len"] == m["signing_input_length"] == len(d) - 64,
            "%s signing input length" % name)
        msg = d[:p["signed_len"]]
        tap(verifies(p["sign_pk"], p["sig"], msg), "%s self-signature verifies" % name)
        for i in (0, 31, 63):
            tap(not verifies(p["sign_pk"], flipped(p["sig"], i), msg),
                "%s with signature byte %d flipped fails" % (name, i))
        tap(not verifies(p["sign_pk"], p["sig"], flipped(msg, 17 + 1)),
            "%s with a flipped id byte fails" % name)
        fp = fingerprint(p["id"], p["sign_pk"])
        tap(fp == m["fingerprint"] == info["fingerprint"], "%s fingerprint %s" % (name, fp))


def check_rotation(files, meta):
    name = "party-us-nrrc-rev2.bin"
    d, m = files[name], meta[name]
    old = parse_party(files["party-us-nrrc.bin"])
    rot = parse_party(d)
    msg = d[:rot["signed_len"]]
    tap(rot["id"] == old["id"] and rot["revision"] == 2 and rot["time_ms"] == T0 + 2,
        "%s: same party, revision 2" % name)
    tap(rot["prev"] == hashlib.sha256(files["party-us-nrrc.bin"]).digest(),
        "%s names revision 1's id as prev" % name)
    tap(rot["sign_pk"] != old["sign_pk"] and rot["box_pk"] != old["box_pk"],
        "%s carries new keys" % name)
    tap(rot["signed_len"] == m["signing_input_length"] == len(d) - 128,
        "%s signing input length" % name)
    tap(rot["sign_pk"].hex() == m["sign_pk"] and old["sign_pk"].hex() == m["prev_sign_pk"],
        "%s signer keys match vectors.json" % name)
    tap(verifies(rot["sign_pk"], rot["sig"], msg), "%s self-signature verifies" % name)
    tap(verifies(old["sign_pk"], rot["prev_sig"], msg),
        "%s prev_sig verifies under revision 1's key" % name)
    tap(not verifies(rot["sign_pk"], rot["prev_sig"], msg),
        "%s prev_sig is not the new key's" % name)
    tap(not verifies(old["sign_pk"], rot["sig"], msg), "%s sig is not the old key's" % name)
    tap(not verifies(rot["sign_pk"], flipped(rot["sig"], 9), msg),
        "%s with a flipped signature byte fails" % name)
    tap(not verifies(old["sign_pk"], flipped(rot["prev_sig"], 9), msg),
        "%s with a flipped prev_sig byte fails" % name)
    fp = fingerprint(rot["id"], rot["sign_pk"])
    tap(fp == m["fingerprint"] and fp != fingerprint(old["id"], old["sign_pk"]),
        "%s fingerprint %s (changed by the rotation)" % (name, fp))


def check_body(name, plain, m):
    text = plain.decode("utf-8")
    tap(text == m["plaintext"], "%s body equals the plaintext in vectors.json" % name)
    body = json.loads(text)
    tap(sorted(body) == ["attachments", "authoritative", "data", "format", "texts", "version"] and
        body["format"] == "rfa" and body["version"] == 1 and
        sorted(body["texts"]) == ["en", "ru"] and body["authoritative"] == "en" and
        len(body["attachments"]) == 1, "%s body: rfa, texts en+ru, authoritative en, one attachment"
        % name)
    a = body["attachments"][0]
    tap(re.match(r"[0-9a-f]{64}\Z", a["sha256"]) is not None and a["size"] >= 0,
        "%s attachment names a SHA-256 and a size" % name)
    canon = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    tap(canon == text, "%s body is canonical JSON (compact, keys sorted)" % name)


def check_envelope(name, files, meta, parties, env_ids):
    d, m = files[name], meta[name]
    e = parse_envelope(d)
    seq = int(name[len("envelope-"):-len(".bin")])
    env_ids[name] = hashlib.sha256(d).digest()
    pk = bytes.fromhex(parties["us-nrrc"]["sign_pk"])
    tap(e["channel"] == "cyber" and e["sender"] == "us-nrrc" and e["seq"] == seq == m["seq"] and
        e["kind"] == 1 and e["tlp"] == 2 and e["time_ms"] == T0 + 60000 * seq,
        "%s: channel cyber, us-nrrc, seq %d, message, TLP AMBER" % (name, seq))
    if seq == 1:
        tap(e["prec"] == 0 and e["flags"] == 1 and e["refs"] == [],
            "%s: FLASH, exercise, no refs" % name)
    else:
        tap(e["prec"] == 3 and e["flags"] == 0, "%s: ROUTINE, not an exercise" % name)
    tap([p for p, _ in e["recipients"]] == m["recipients"] == ["ru-nrrc", "us-nrrc"],
        "%s recipients ru-nrrc, us-nrrc" % name)
    tap(e["ad_len"] == m["ad_length"] == e["signed_len"] - len(e["body"]),
        "%s associated data length %d" % (name, e["ad_len"]))
    tap(e["signed_len"] == m["signing_input_length"] == len(d) - 64, "%s signing input" % name)
    tap(m["signer_pk"] == pk.hex(), "%s signer_pk is us-nrrc's" % name)
    msg = d[:e["signed_len"]]
    tap(verifies(pk, e["sig"], msg), "%s signature verifies" % name)
    for i in (0, 30, 63):
        tap(not verifies(pk, flipped(e["sig"], i), msg),
            "%s with signature byte %d flipped fails" % (name, i))
    tap(not verifies(pk, e["sig"], flipped(msg, e["ad_len"] + 3)),
        "%s with a flipped body byte fails" % name)
    other = bytes.fromhex(parties["ru-nrrc"]["sign_pk"])
    tap(not verifies(other, e["sig"], msg), "%s does not verify under ru-nrrc's key" % name)

    key = bytes.fromhex(m["body_key"])
    ad = d[:e["ad_len"]]
    try:
        plain = xchacha_decrypt(key, e["nonce"], e["body"], ad)
        tap(True, "%s body decrypts with the disclosed key" % name)
        check_body(name, plain, m)
    except InvalidTag:
        tap(False, "%s body decrypts with the disclosed key" % name)
    for desc, args in (("its header", (key, e["nonce"], e["body"], flipped(ad, 20))),
                       ("its nonce", (key, flipped(e["nonce"], 20), e["body"], ad)),
                       ("its key", (flipped(key, 0), e["nonce"], e["body"], ad))):
        try:
            xchacha_decrypt(*args)
            tap(False, "%s body is bound to %s" % (name, desc))
        except InvalidTag:
            tap(True, "%s body is bound to %s" % (name, desc))

    for ident, sealed in e["recipients"]:
        info = parties[ident]
        got = sealed_box_open(sealed, bytes.fromhex(info["box_pk"]), bytes.fromhex(info["box_sk"]))
        tap(got == key, "%s: %s's sealed key opens to the disclosed body key" % (name, ident))
        w = parties["osce-witness"]
        tap(sealed_box_open(sealed, bytes.fromhex(w["box_pk"]), bytes.fromhex(w["box_sk"]))
            is None, "%s: %s's sealed key does not open for osce-witness" % (name, ident))
    return e


def check_chain(files, env_ids):
    e2 = parse_envelope(files["envelope-2.bin"])
    tap(e2["seq"] == 2 and e2["prev"] == env_ids["envelope-1.bin"],
        "envelope-2 prev is envelope-1's id")
    tap(e2["refs"] == [env_ids["envelope-1.bin"]], "envelope-2 refers to envelope-1")


def check_receipt(files, meta, parties, env_ids):
    name = "receipt-1.bin"
    d, m = files[name], meta[name]
    r = parse_receipt(d)
    pk = bytes.fromhex(parties["ru-nrrc"]["sign_pk"])
    msg = d[:r["signed_len"]]
    tap(r["env_id"] == env_ids["envelope-1.bin"], "%s env_id is envelope-1's id" % name)
    tap(r["receiver"] == "ru-nrrc" and m["signer_pk"] == pk.hex() and
        r["stored_ms"] == T0 + 60000 + 250, "%s: ru-nrrc, stored_ms" % name)
    tap(r["signed_len"] == m["signing_input_length"] == 16 + 1 + 32 + 1 + len(r["receiver"]) + 8,
        "%s signing input length" % name)
    tap(verifies(pk, r["sig"], msg), "%s signature verifies" % name)
    for i in (0, 32, 63):
        tap(not verifies(pk, flipped(r["sig"], i), msg),
            "%s with signature byte %d flipped fails" % (name, i))
    tap(not verifies(pk, r["sig"], flipped(msg, 20)), "%s with a flipped env_id byte fails" % name)


def check_keyfiles(files, meta, parties):
    record = files["party-us-nrrc.bin"]
    us = parties["us-nrrc"]
    for name in ("keyfile-clear.bin", "keyfile-argon2id.bin"):
        d, m = files[name], meta[name]
        k = parse_keyfile(d)
        p = parse_party(k["record"])
        tap(k["record"] == files[m["record"]] == record, "%s holds party-us-nrrc.bin" % name)
        tap(k["kdf"] == m["kdf"] and k["header_len"] == m["header_length"] == 78 + len(record) and
            len(k["secret"]) == m["secret_length"], "%s header length and secret length" % name)
        tap(verifies(p["sign_pk"], p["sig"], k["record"][:p["signed_len"]]),
            "%s holds a self-signed record" % name)
        tap(not verifies(p["sign_pk"], flipped(p["sig"], 5), k["record"][:p["signed_len"]]),
            "%s record with a flipped signature byte fails" % name)
        if k["kdf"] == 0:
            tap(k["ops"] == 0 and k["mem"] == 0 and k["salt"] == bytes(16) and
                k["nonce"] == bytes(24), "%s: no KDF, so ops, mem, salt and nonce are zero" % name)
            seed, box_sk = k["secret"][:32], k["secret"][32:]
            tap(raw(Ed25519PrivateKey.from_private_bytes(seed).public_key()) == p["sign_pk"],
                "%s seed yields the record's signing key" % name)
            tap(raw(X25519PrivateKey.from_private_bytes(box_sk).public_key()) == p["box_pk"] and
                box_sk.hex() == us["box_sk"], "%s X25519 secret yields the record's box key" % name)
            continue
        # libsodium's "interactive" preset: 2 passes, 64 MiB.
        tap(k["kdf"] == 1 and k["ops"] == 2 and k["mem"] == 64 << 20 and
            k["salt"] != bytes(16) and k["nonce"] != bytes(24),
            "%s: Argon2id interactive (2 passes, 64 MiB), salt and nonce set" % name)
        if Argon2id is None:
            skip("%s unlocks with its passphrase" % name,
                 "no Argon2id in this python3-cryptography")
            continue
        kek = Argon2id(salt=k["salt"], length=32, iterations=k["ops"], lanes=1,
                       memory_cost=k["mem"] // 1024).derive(m["passphrase"].encode())
        try:
            secret = xchacha_decrypt(kek, k["nonce"], k["secret"], d[:k["header_len"]])
            tap(raw(Ed25519PrivateKey.from_private_bytes(secret[:32]).public_key()) ==
                p["sign_pk"], "%s unlocks with its passphrase" % name)
        except InvalidTag:
            tap(False, "%s unlocks with its passphrase" % name)


def main(vdir):
    with open(os.path.join(vdir, "vectors.json"), encoding="utf-8") as f:
        meta = json.load(f)
    parties = meta["parties"]
    files = {}
    for name in sorted(meta):
        if name == "parties":
            continue
        with open(os.path.join(vdir, name), "rb") as f:
            data = f.read()
        files[name] = data
        m = meta[name]
        tap(data.hex() == m["hex"] and len(data) == m["length"],
            "%s matches its hex in vectors.json" % name)
        tap(hashlib.sha256(data).hexdigest() == m["id"], "%s id is SHA-256 of its bytes" % name)

    env_ids = {}
    guarded("self tests", check_self_tests)
    guarded("party records", check_parties, files, meta, parties)
    guarded("rotation", check_rotation, files, meta)
    for name in ("envelope-1.bin", "envelope-2.bin"):
        guarded(name, check_envelope, name, files, meta, parties, env_ids)
    guarded("envelope chain", check_chain, files, env_ids)
    guarded("receipt", check_receipt, files, meta, parties, env_ids)
    guarded("key files", check_keyfiles, files, meta, parties)
    print("1..%d" % N)
    return 1 if FAILED else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "tests/vectors"))
    except (OSError, ValueError, KeyError) as exc:
        tap(False, "vectors load: %s: %s" % (type(exc).__name__, exc))
        sys.exit(1)
