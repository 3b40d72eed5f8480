#!/usr/bin/env python3
"""gen_workload.py — deterministic workload for mentorfed's benchmarks (issue 7).

Two outputs:

  records  JSON lines that `mentorfed put` accepts: schools, roadmap items,
           mentoring practices and competency cards whose text is drawn from
           the real seed documents (tests/data/*.txt) and recombined, so
           bodies vary, are mostly Cyrillic UTF-8 and encode to about 500
           bytes of protobuf each.  Keys are unique per (--prefix, index);
           the node turns a key into a content-hash id, so ids arrive in
           random order, as they do in a real federation.

  roadmap  a Chelyabinsk-format roadmap (the legal-database export format of
           tests/data/003_*.txt: one cell per line ending in " |", section
           rows followed by "||||") scaled to --items items, for the import
           benchmark.

Everything is a pure function of --seed, --prefix and the seed documents:
the same command writes the same bytes.
"""
import argparse
import hashlib
import json
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "tests", "data")

KINDS = (("roadmap_item", 40), ("mentoring_practice", 25), ("school", 20),
         ("competency_card", 15))
TIMINGS = (
    ("Январь-февраль 2023 г.", [("2023-01-01", "2023-02-28")]),
    ("Март-апрель 2023 г. Март-апрель 2024 г.,", [("2023-03-01", "2023-04-30"),
                                                ("2024-03-01", "2024-04-30")]),
    ("IV квартал 2023 г. IV квартал 2024 г.", [("2023-10-01", "2023-12-31"),
                                              ("2024-10-01", "2024-12-31")]),
    ("Февраль", [("2025-02-01", "2025-02-28")]),
    ("12.02.2025", [("2025-02-12", "2025-02-12")]),
    ("Апрель, сентябрь", [("2025-04-01", "2025-04-30"), ("2025-09-01", "2025-09-30")]),
    ("Декабрь", [("2025-12-01", "2025-12-31")]),
    ("В течение года", []),
)
FORMS = ("student_student", "teacher_teacher", "teacher_student",
         "university_student_student", "employer_student")
FORM_TEXT = ("ученик–ученик", "учитель–учитель", "учитель–ученик", "студент–ученик",
             "работодатель–ученик")
DIRECTIONS = ("knowledge", "upbringing", "health", "creativity", "career_guidance",
              "teacher_team", "school_climate", "educational_environment")
LEVELS = ("below_basic", "basic", "medium", "high")
MUNICIPALITIES = ("г. Томск", "г. Северск", "Томский район", "Асиновский район",
                  "г. Челябинск", "г. Магнитогорск", "Копейский городской округ",
                  "г. Новосибирск", "Колпашевский район", "г. Златоуст")


def load_phrases():
    """Sentences and cell texts of the seed documents, 20..300 characters."""
    out = []
    for name in sorted(os.listdir(DATA)):
        if not name.endswith(".txt"):
            continue
        with open(os.path.join(DATA, name), encoding="utf-8") as f:
            text = f.read()
        text = re.sub(r"<[^>]+>", " ", text).replace("\u00a0", " ")
        for line in text.splitlines():
            line = line.strip().rstrip("|").strip()
            for s in re.split(r"(?<=[.;!?])\s+", line):
                s = re.sub(r"\s+", " ", s).strip(" \t·-")
                if (20 <= len(s) <= 300 and not s.startswith("http") and
                        "ГАРАНТ" not in s and "документ" not in s):
                    out.append(s)
    if not out:
        sys.exit("gen_workload: no seed text under %s" % DATA)
    return out


class Gen:
    def __init__(self, seed, prefix, origin):
        self.r = random.Random("%s/%s/%s" % (seed, prefix, origin))
        self.prefix = prefix
        self.origin = origin
        self.phrases = load_phrases()
        self.words = sorted({w for p in self.phrases for w in p.split() if len(w) > 3})

    def text(self, lo, hi):
        """Recombined seed text of lo..hi characters (varied per record)."""
        r = self.r
        n = r.randint(lo, hi)
        parts = []
        size = 0
        while size < n:
            if r.random() < 0.7:
                p = r.choice(self.phrases)
            else:
                p = " ".join(r.choice(self.words) for _ in range(r.randint(3, 8)))
            parts.append(p)
            size += len(p) + 1
        s = " ".join(parts).replace("|", "/")
        return s[:n].rstrip()

    def school_ref(self):
        return anchor_id(self.origin, "school", self.r.randrange(ANCHOR_SCHOOLS))

    def body(self, kind, i):
        r = self.r
        if kind == "school":
            return {
                "name": "%s № %d %s" % (self.text(40, 90), i % 997 + 1, r.choice(MUNICIPALITIES)),
                "short_name": "школа № %d" % (i % 997 + 1),
                "municipality": r.choice(MUNICIPALITIES),
                "region": self.origin,
                "memberships": [{"body": self.text(30, 60), "basis": self.text(40, 90),
                                 "since": "2025-01-22"}],
                "self_diagnosis_level": r.choice(LEVELS),
                "source": self.text(20, 50),
            }
        if kind == "roadmap_item":
            raw, iv = r.choice(TIMINGS)
            return {
                "roadmap_id": anchor_id(self.origin, "roadmap", (i // 500) % ANCHOR_ROADMAPS),
                "number": str(i % 500 + 1),
                "section": ("I", "II", "III", "IV", "V")[r.randrange(5)],
                "title": self.text(60, 130),
                "timing": {"raw": raw, "intervals": [{"from": a, "to": b} for a, b in iv],
                           "continuous": not iv},
                "lead": self.text(20, 50),
                "co_executors": [self.text(15, 40) for _ in range(r.randint(0, 2))],
                "document_type": self.text(15, 40),
                "expected_result": self.text(30, 70),
            }
        if kind == "mentoring_practice":
            f = r.randrange(len(FORMS))
            return {
                "school_id": self.school_ref(),
                "region": self.origin,
                "form": FORMS[f],
                "form_text": FORM_TEXT[f],
                "goal": self.text(60, 120),
                "tasks": [self.text(25, 50) for _ in range(r.randint(1, 3))],
                "source": self.text(10, 30),
            }
        return {  # competency_card
            "school_id": self.school_ref(),
            "directions": r.sample(DIRECTIONS, r.randint(1, 3)),
            "offers": ["consultation", "internship", "webinar"][: r.randint(1, 3)],
            "description": self.text(180, 260),
            "source": self.text(10, 30),
        }

    def kind(self):
        x = self.r.randrange(100)
        for k, w in KINDS:
            if x < w:
                return k
            x -= w
        return KINDS[0][0]


# References point at anchors: schools and roadmaps written first by
# `gen_workload.py anchors` (the node refuses a reference to a record it does
# not hold, doc/CHECKS.md).  An id derived from a key is
# ORIGIN:KIND:<first 8 bytes of SHA-256(kind NUL key), hex> (mf_make_id).
ANCHOR_SCHOOLS = 1000
ANCHOR_ROADMAPS = 20


def anchor_key(kind, n):
    return "anchor-%s-%d" % (kind, n)


def anchor_id(origin, kind, n):
    h = hashlib.sha256(kind.encode() + b"\0" + anchor_key(kind, n).encode()).hexdigest()
    return "%s:%s:%s" % (origin, kind, h[:16])


def anchors(a):
    g = Gen(a.seed, "anchor", a.origin)
    out = open(a.out, "w", encoding="utf-8") if a.out != "-" else sys.stdout
    for n in range(ANCHOR_SCHOOLS):
        rec = {"kind": "school", "key": anchor_key("school", n), "body": g.body("school", n)}
        out.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
    for n in range(ANCHOR_ROADMAPS):
        rec = {"kind": "roadmap", "key": anchor_key("roadmap", n),
               "body": {"title": "Дорожная карта %d: %s" % (n + 1, g.text(40, 90)),
                        "issuer": g.text(20, 50),
                        "period_from": "2023-01-01", "period_to": "2025-12-31",
                        "sections": [{"number": r, "title": g.text(30, 60)}
                                     for r in ("I", "II", "III", "IV", "V")],
                        "source": g.text(20, 50)}}
        out.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
    if out is not sys.stdout:
        out.close()


def records(a):
    g = Gen(a.seed, a.prefix, a.origin)
    out = open(a.out, "w", encoding="utf-8") if a.out != "-" else sys.stdout
    for i in range(a.start, a.start + a.count):
        k = g.kind()
        rec = {"kind": k, "key": "%s%d" % (a.prefix, i), "body": g.body(k, i)}
        out.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")))
        out.write("\n")
    if out is not sys.stdout:
        out.close()


def roman(n):
    vals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    s = ""
    for v, c in vals:
        while n >= v:
            s += c
            n -= v
    return s


def roadmap(a):
    """Scale 003_*.txt: keep its header and footer, repeat its 19 items with
    fresh numbers and recombined titles, in sections of --per-section."""
    src = [f for f in sorted(os.listdir(DATA)) if f.startswith("003_")][0]
    with open(os.path.join(DATA, src), encoding="utf-8") as f:
        lines = f.read().split("\n")
    head_end = next(i for i, l in enumerate(lines) if re.match(r"^[IVX]+\. \|$", l))
    head = lines[:head_end]
    footer = lines[-1]
    # Items: "N. |" followed by 5 cells.
    items = []
    for i, l in enumerate(lines):
        if re.match(r"^\d+\. \|$", l):
            items.append(lines[i + 1:i + 6])
    sections = []
    for i, l in enumerate(lines):
        if re.match(r"^[IVX]+\. \|$", l):
            sections.append(lines[i + 1])
    g = Gen(a.seed, "roadmap", "RU-CHE")
    out = open(a.out, "w", encoding="utf-8")
    out.write("\n".join(head) + "\n")
    n = 0
    nsect = (a.items + a.per_section - 1) // a.per_section
    if nsect > 30:
        sys.exit("gen_workload: %d sections; the format reader takes at most 30" % nsect)
    for s in range(nsect):
        out.write("%s. |\n%s\n||||\n" % (roman(s + 1), sections[s % len(sections)]))
        for _ in range(min(a.per_section, a.items - n)):
            it = items[n % len(items)]
            n += 1
            title = it[0] if n <= len(items) else "%s (%s) |" % (it[0][:-2], g.text(20, 60))
            out.write("%d. |\n%s\n%s\n%s\n%s\n%s\n" % (n, title, it[1], it[2], it[3], it[4]))
    out.write(footer.split("Если вы")[0])
    out.write("Если вы являетесь пользователем интернет-версии системы ГАРАНТ, вы можете "
              "открыть этот документ прямо сейчас или запросить по Горячей линии в системе.")
    out.close()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="what", required=True)
    r = sub.add_parser("records", help="JSON lines for mentorfed put")
    r.add_argument("--seed", default="mentorfed-bench-1")
    r.add_argument("--origin", required=True, help="region code, e.g. RU-TOM")
    r.add_argument("--prefix", default="b", help="key prefix (one per record set)")
    r.add_argument("--start", type=int, default=0)
    r.add_argument("--count", type=int, required=True)
    r.add_argument("--out", default="-")
    an = sub.add_parser("anchors", help="the schools and roadmaps the records refer to")
    an.add_argument("--seed", default="mentorfed-bench-1")
    an.add_argument("--origin", required=True)
    an.add_argument("--out", default="-")
    m = sub.add_parser("roadmap", help="Chelyabinsk-format roadmap")
    m.add_argument("--seed", default="mentorfed-bench-1")
    m.add_argument("--items", type=int, default=10000)
    m.add_argument("--per-section", type=int, default=500)
    m.add_argument("--out", required=True)
    a = p.parse_args()
    if a.what == "records":
        records(a)
    elif a.what == "anchors":
        anchors(a)
    else:
        roadmap(a)


if __name__ == "__main__":
    main()
