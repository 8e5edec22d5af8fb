"""A held-out PII set made by a different generator than ../shared/bench/pii/dev.jsonl, so that scrub_pii's
figures are not only figures on the set its rules were checked against.

Different on purpose: prose in 24 Faker locales (CJK, Cyrillic, Greek, Hebrew, Thai included) instead of English
one-liners; phone numbers from each locale's own Faker formats and from libphonenumber's example numbers for 60
regions, in national and international format, behind labels in the page's language; every Faker card type
(Maestro 12 digits, JCB 15, Visa 13/19, ...) bare or grouped; IBANs of many countries, compact, spaced and lower
case; e-mail addresses at the locale's free-mail and company domains (Faker's `email(safe=False)`: its default
writes every address at example.org, a domain reserved for examples, which scrub_pii keeps); hard negatives that
real pages have (EAN-13 barcodes, section and version numbers, dates and prices in the
locale's format, postcodes, Luhn-invalid card-like numbers). The record format is the dev set's: {"id", "text",
"spans": [{"type", "start", "end", "value"}], "negs": [{"kind", "start", "end", "value"}]}.

The set is generated in memory from a seed (nothing is committed); `--write PATH` saves it for inspection.
Usage: .venv/bin/python bench/pii_heldout.py --n 2000 --seed 13 --write /tmp/pii_heldout.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
from typing import Any

import phonenumbers
from faker import Faker
from phonenumbers import PhoneNumberFormat, PhoneNumberType

LOCALES = ["en_US", "en_GB", "en_IN", "en_AU", "de_DE", "de_AT", "fr_FR", "fr_CH", "nl_NL", "nl_BE", "es_ES",
           "es_MX", "it_IT", "pt_PT", "pt_BR", "da_DK", "sv_SE", "no_NO", "pl_PL", "cs_CZ", "ru_RU", "el_GR",
           "ja_JP", "zh_CN"]
EXAMPLE_REGIONS = ["AR", "AT", "AU", "BE", "BG", "BR", "CA", "CH", "CL", "CN", "CO", "CZ", "DE", "DK", "EE", "EG",
                   "ES", "FI", "FR", "GB", "GR", "HK", "HR", "HU", "ID", "IE", "IL", "IN", "IS", "IT", "JP", "KE",
                   "KR", "LT", "LU", "LV", "MA", "MX", "MY", "NG", "NL", "NO", "NZ", "PE", "PH", "PK", "PL", "PT",
                   "RO", "RS", "RU", "SA", "SE", "SG", "SI", "SK", "TH", "TR", "UA", "ZA"]
# Labels as a page in that language writes them; {v} is the number.
PHONE_TEMPLATES = {
    "en": ["Phone: {v}", "Tel. {v}", "call me at {v}", "Mobile: {v}", "send messages to {v}",
           "You can reach our office on {v}.", "Fax {v}", "For bookings ring {v}", "Contact number: {v}"],
    "de": ["Telefon: {v}", "Tel.: {v}", "Handy {v}", "Rufen Sie uns unter {v} an.", "Fax: {v}"],
    "fr": ["Tél. : {v}", "Téléphone : {v}", "Appelez-nous au {v}.", "Portable : {v}"],
    "nl": ["Telefoon: {v}", "Tel. {v}", "Bel ons op {v}."],
    "es": ["Teléfono: {v}", "Tel. {v}", "Llámanos al {v}.", "Móvil: {v}"],
    "it": ["Telefono: {v}", "Tel. {v}", "Chiamaci al {v}.", "Cellulare: {v}"],
    "pt": ["Telefone: {v}", "Tel.: {v}", "Ligue para {v}.", "Celular: {v}"],
    "da": ["Telefon: {v}", "Tlf. {v}", "Ring på {v}."],
    "sv": ["Telefon: {v}", "Tel. {v}", "Ring oss på {v}."],
    "no": ["Telefon: {v}", "Tlf. {v}", "Ring oss på {v}."],
    "pl": ["Telefon: {v}", "Tel. {v}", "Zadzwoń pod numer {v}."],
    "cs": ["Telefon: {v}", "Tel. {v}", "Volejte {v}."],
    "ru": ["Телефон: {v}", "Тел. {v}", "Звоните по номеру {v}."],
    "el": ["Τηλέφωνο: {v}", "Τηλ. {v}"],
    "ja": ["電話：{v}", "TEL {v}", "お問い合わせは{v}まで。"],
    "zh": ["电话：{v}", "手机：{v}", "联系电话 {v}"],
}
# Faker has no bank provider for these; its generic fallback makes 21-character "GB" IBANs (ISO 13616: GB is 22),
# so their pages take an IBAN from a locale that has one.
NO_BANK_PROVIDER = {"en_IN", "es_MX", "zh_CN"}
CARD_TYPES = ["amex", "diners", "discover", "jcb15", "jcb16", "maestro", "mastercard", "visa13", "visa16", "visa19"]
CARD_TEMPLATES = ["Card number: {v}", "my card {v} was declined", "Karte {v}", "paid by card ({v})",
                  "Numéro de carte : {v}", "tarjeta {v}", "{brand} {v}", "CC: {v}", "card no. {v}"]
IBAN_TEMPLATES = ["IBAN: {v}", "Bank account {v}", "please transfer to {v}.", "Kontonummer (IBAN) {v}", "{v}"]
NEG_TEMPLATES = {
    "section": ["See Section {a}.{b}.{c}.{d} for details.", "siehe Abschnitt {a}.{b}.{c}.{d}.", "§ {a}.{b}.{c}.{d}",
                "第 {a}.{b}.{c}.{d} 节", "voir la section {a}.{b}.{c}.{d}", "Chapter {a}.{b}.{c}.{d}"],
    "version": ["version {a}.{b}.{c}.{d}", "v{a}.{b}.{c}.{d}", "Release {a}.{b}.{c}.{d} is out",
                "build {a}.{b}.{c}.{d}"],
}


def _phone(f: Faker, rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f.phone_number()
    region = rng.choice(EXAMPLE_REGIONS)
    kind = rng.choice([PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE])
    number = phonenumbers.example_number_for_type(region, kind) or phonenumbers.example_number(region)
    # vary the subscriber digits so the set is not 60 fixed numbers; keep the length and the leading digits
    digits = str(number.national_number)
    keep = max(2, len(digits) // 2)
    number.national_number = int(digits[:keep] + "".join(rng.choice("0123456789") for _ in digits[keep:]))
    style = rng.choice([PhoneNumberFormat.NATIONAL, PhoneNumberFormat.INTERNATIONAL])
    return phonenumbers.format_number(number, style)


def _card(f: Faker, rng: random.Random) -> tuple[str, str]:
    """A card of a random en_US Faker type (other locales replace the type list)."""
    kind = rng.choice(CARD_TYPES)
    digits = f.credit_card_number(kind)
    style = rng.random()
    if style < 0.4:
        return digits, kind
    sep = " " if style < 0.8 else "-"
    return sep.join(digits[i : i + 4] for i in range(0, len(digits), 4)), kind


def _iban(f: Faker, rng: random.Random) -> str:
    iban = f.iban()
    if rng.random() < 0.5:
        iban = " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
    return iban.lower() if rng.random() < 0.3 else iban


def _luhn_invalid(f: Faker, rng: random.Random) -> str:
    """A card number with its check digit changed."""
    digits = f.credit_card_number(rng.choice(CARD_TYPES))
    return digits[:-1] + str((int(digits[-1]) + rng.randint(1, 9)) % 10)


def _negative(f: Faker, cards: Faker, rng: random.Random) -> tuple[str, str]:
    """(kind, text) of something that must stay untouched."""
    kind = rng.choice(["section", "version", "ean13", "isbn", "date", "price", "postcode", "bad_cc", "order_no",
                       "time", "coords"])
    if kind in NEG_TEMPLATES:
        parts = {k: rng.randint(1, 30) for k in "abcd"}
        return kind, rng.choice(NEG_TEMPLATES[kind]).format(**parts)
    value = {"ean13": f.ean13, "isbn": f.isbn13, "date": f.date, "price": f.pricetag, "postcode": f.postcode,
             "bad_cc": lambda: _luhn_invalid(cards, rng), "order_no": lambda: f"#{rng.randint(10**9, 10**12)}",
             "time": f.time, "coords": lambda: f"{f.latitude():.4f}, {f.longitude():.4f}"}[kind]()
    return kind, str(value)


def generate(n: int, seed: int) -> list[dict[str, Any]]:
    """n records, each a paragraph of locale prose with one to three PII values or hard negatives."""
    rng = random.Random(seed)
    fakers = {loc: Faker(loc) for loc in LOCALES}
    for i, loc in enumerate(LOCALES):
        fakers[loc].seed_instance(seed * 1000 + i)
    records = []
    for rid in range(n):
        loc = rng.choice(LOCALES)
        f = fakers[loc]
        lang = loc.split("_")[0]
        text = f.paragraph(nb_sentences=rng.randint(1, 4))
        spans, negs = [], []
        for _ in range(rng.randint(1, 3)):
            kind = rng.choice(["PHONE", "PHONE", "CREDIT_CARD", "IBAN", "EMAIL", "IP_ADDRESS", "NEG", "NEG"])
            if kind == "NEG":
                neg_kind, value = _negative(f, fakers["en_US"], rng)
                text += " "
                negs.append({"kind": neg_kind, "start": len(text), "end": len(text) + len(value), "value": value})
                text += value
                continue
            if kind == "PHONE":
                template = rng.choice(PHONE_TEMPLATES.get(lang, PHONE_TEMPLATES["en"]))
                value = _phone(f, rng)
            elif kind == "CREDIT_CARD":
                value, brand = _card(fakers["en_US"], rng)
                template = rng.choice(CARD_TEMPLATES).replace("{brand}", brand.rstrip("0123456789").upper())
            elif kind == "IBAN":
                bank = fakers[rng.choice(sorted(set(LOCALES) - NO_BANK_PROVIDER))] if loc in NO_BANK_PROVIDER else f
                template, value = rng.choice(IBAN_TEMPLATES), _iban(bank, rng)
            elif kind == "EMAIL":
                template, value = rng.choice(["E-mail: {v}", "write to {v}", "<{v}>", "{v}"]), f.email(safe=False)
            else:
                template = rng.choice(["from {v}", "server {v} is down", "IP {v}", "[{v}]"])
                value = rng.choice([f.ipv4_public, f.ipv4_private, f.ipv6])()
            before, after = template.split("{v}")
            text += " " + before
            spans.append({"type": kind, "start": len(text), "end": len(text) + len(value), "value": value})
            text += value + after + " " + f.sentence()
        records.append({"id": rid, "locale": loc, "text": text, "spans": spans, "negs": negs})
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="records (default %(default)s)")
    parser.add_argument("--seed", type=int, default=13, help="random seed (default %(default)s)")
    parser.add_argument("--write", required=True, help="JSON-lines file to write")
    args = parser.parse_args()
    with open(args.write, "w", encoding="utf-8") as out:
        for record in generate(args.n, args.seed):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
