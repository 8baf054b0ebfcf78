"""Masking of findings in text: full, keep last 4, hash, label, or a realistic synthetic value, with an
optional vault that maps every replacement back to the original."""

from __future__ import annotations

import hashlib
import hmac
import threading


class Vault:
    """Remembers replacements so that masked text can be restored (e.g. in a model's answer)."""

    def __init__(self) -> None:
        self._by_token: dict[str, str] = {}
        self._by_value: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def put(self, style: str, original: str, token: str) -> str:
        with self._lock:
            known = self._by_value.get((style, original))
            if known is not None:
                return known
            if token in self._by_token and self._by_token[token] != original:
                token = (
                    f"{token[:-1]}#{len(self._by_token)}{token[-1]}"
                    if token.endswith("]")
                    else (f"{token}#{len(self._by_token)}")
                )
            self._by_token[token] = original
            self._by_value[(style, original)] = token
            return token

    def restore(self, text: str) -> str:
        with self._lock:
            items = sorted(self._by_token.items(), key=lambda kv: -len(kv[0]))
        for token, original in items:
            text = text.replace(token, original)
        return text

    def __len__(self) -> int:
        return len(self._by_token)


def _digest(value: str, key: bytes) -> bytes:
    return hmac.new(key, value.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()


def _digits_from(seed: bytes, n: int) -> str:
    out: list[str] = []
    i = 0
    while len(out) < n:
        block = hashlib.sha256(seed + bytes([i])).digest()
        out.extend(str(b % 10) for b in block)
        i += 1
    return "".join(out[:n])


def _luhn_complete(prefix: str) -> str:
    for d in "0123456789":
        candidate = prefix + d
        total = 0
        for i, ch in enumerate(reversed(candidate)):
            v = int(ch)
            if i % 2 == 1:
                v = v * 2 - 9 if v * 2 > 9 else v * 2
            total += v
        if total % 10 == 0:
            return candidate
    return prefix + "0"


def _synthetic(category: str, value: str, seed: bytes) -> str:
    digits = _digits_from(seed, 24)
    if category == "CN_MOBILE":
        return "1" + "3456789"[int(digits[0]) % 7] + digits[1:10]
    if category == "CN_RESIDENT_ID":
        from aigis.guard.detectors.pii import _ID_CHECK, _ID_WEIGHTS

        body = (
            "110105"
            + f"19{70 + int(digits[0:2]) % 30:02d}"
            + f"{1 + int(digits[2:4]) % 12:02d}"
            + f"{1 + int(digits[4:6]) % 28:02d}"
            + digits[6:9]
        )
        total = sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True))
        return body + _ID_CHECK[total % 11]
    if category in ("CREDIT_CARD", "CN_BANK_CARD"):
        n = sum(c.isdigit() for c in value)
        prefix = ("62" if category == "CN_BANK_CARD" else "4") + digits
        return _luhn_complete(prefix[: max(12, n) - 1])
    if category == "EMAIL_ADDRESS":
        return f"user{digits[:6]}@example.com"
    if category == "PHONE_NUMBER":
        return f"555-01{digits[:2]}"
    if category == "US_SSN":
        return f"9{digits[:2]}-{digits[2:4]}-{digits[4:8]}"  # 9xx area numbers are never issued
    if category == "IP_ADDRESS":
        return f"192.0.2.{int(digits[:3]) % 254 + 1}"  # TEST-NET-1
    if category == "PERSON":
        return "张三" if any("\u4e00" <= c <= "\u9fff" for c in value) else "Alex Doe"
    return f"[{category}]"


def mask_value(value: str, style: str, category: str, key: bytes = b"aigis") -> str:
    if style == "full":
        return "".join("*" if c.isalnum() else c for c in value)
    if style == "last4":
        total = sum(c.isalnum() for c in value)
        keep = 4 if total > 6 else 0
        seen = 0
        out = []
        for c in value:
            if c.isalnum():
                seen += 1
                out.append(c if seen > total - keep else "*")
            else:
                out.append(c)
        return "".join(out)
    if style == "hash":
        return f"<{category}:{_digest(value, key).hex()[:10]}>"
    if style == "synthetic":
        return _synthetic(category, value, _digest(value, key))
    return f"[{category}]"
