#!/usr/bin/env python3
"""Where the bytes of a wasm module are: code size per crate and the largest functions.

Reads the module's `name` section (cargo's output keeps it; wasm-opt and wasm-bindgen may
strip it), so run it on `target/wasm32-unknown-unknown/wasm-release/kassa_wasm.wasm`:

    python3 bindings-wasm/scripts/census.py <module.wasm> [top-N]

A function is counted for the first crate named in its demangled symbol; monomorphized serde
code is also totalled separately ("serde-generated"), because it is named after the type it
serves (a `kassa` struct) but exists only for the (de)serializer it was instantiated with.
Functions that name a `kassa` module anywhere in their symbol (`kassa::pricing::...`, also
inside a generic argument of a serde or std function) are totalled per kassa module too
("by kassa module": the first kassa module named), which shows what an operation family costs
including the serde and std code instantiated for its types.
"""

from __future__ import annotations

import re
import sys
from collections import Counter


def leb(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, pos


def name_of(data: bytes, pos: int) -> tuple[str, int]:
    n, pos = leb(data, pos)
    return data[pos : pos + n].decode("utf-8", "replace"), pos + n


ESCAPES = {"$LT$": "<", "$GT$": ">", "$RF$": "&", "$BP$": "*", "$C$": ",", "$SP$": "@",
           "$u20$": " ", "$u27$": "'", "$u5b$": "[", "$u5d$": "]", "$u7b$": "{", "$u7d$": "}",
           "$u7e$": "~", "$u3b$": ";", "$u2b$": "+", "$u22$": '"'}


def demangle(sym: str) -> str:
    if not sym.startswith("_ZN"):
        return sym
    pos, parts = 3, []
    while pos < len(sym) and sym[pos].isdigit():
        m = re.match(r"\d+", sym[pos:])
        if m is None:
            break
        n = int(m.group())
        pos += len(m.group())
        parts.append(sym[pos : pos + n])
        pos += n
    if parts and re.fullmatch(r"h[0-9a-f]{16}", parts[-1]):
        parts.pop()
    text = "::".join(parts)
    for k, v in ESCAPES.items():
        text = text.replace(k, v)
    return text.replace("..", "::").lstrip("_")


def crate_of(name: str) -> str:
    m = re.search(r"[A-Za-z_][A-Za-z0-9_]*(?=::)", name)
    return m.group() if m else "(other)"


def main() -> None:
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    data = open(path, "rb").read()
    pos = 8
    imported = 0
    bodies: list[int] = []
    names: dict[int, str] = {}
    sections: Counter[str] = Counter()
    while pos < len(data):
        sid = data[pos]
        size, body = leb(data, pos + 1)
        end = body + size
        if sid == 2:  # imports: count imported functions (they come first in the index space)
            count, p = leb(data, body)
            for _ in range(count):
                _, p = name_of(data, p)
                _, p = name_of(data, p)
                kind = data[p]
                p += 1
                if kind == 0:
                    _, p = leb(data, p)
                    imported += 1
                elif kind == 1:
                    p += 1
                    flags, p = leb(data, p)
                    _, p = leb(data, p)
                    if flags & 1:
                        _, p = leb(data, p)
                elif kind == 2:
                    flags, p = leb(data, p)
                    _, p = leb(data, p)
                    if flags & 1:
                        _, p = leb(data, p)
                elif kind == 3:
                    p += 2
        elif sid == 10:
            count, p = leb(data, body)
            for _ in range(count):
                n, q = leb(data, p)
                bodies.append(q + n - p)
                p = q + n
        elif sid == 0:
            cname, p = name_of(data, body)
            sections[f"custom:{cname}"] += size
            if cname == "name":
                while p < end:
                    sub = data[p]
                    n, q = leb(data, p + 1)
                    if sub == 1:
                        count, r = leb(data, q)
                        for _ in range(count):
                            idx, r = leb(data, r)
                            nm, r = name_of(data, r)
                            names[idx] = demangle(nm)
                    p = q + n
            pos = end
            continue
        sections[{1: "type", 2: "import", 3: "function", 5: "memory", 6: "global", 7: "export",
                  9: "elem", 10: "code", 11: "data", 12: "datacount"}.get(sid, str(sid))] += size
        pos = end
    total = sum(bodies)
    print(f"{path}: {len(data) / 1024:.1f} KB; code {total / 1024:.1f} KB in {len(bodies)} functions")
    for k, v in sections.most_common():
        print(f"  section {k:<24} {v / 1024:9.1f} KB")
    by_crate: Counter[str] = Counter()
    by_module: Counter[str] = Counter()
    serde_gen = 0
    funcs = []
    for i, size in enumerate(bodies):
        nm = names.get(imported + i, f"func{imported + i}")
        funcs.append((size, nm))
        by_crate[crate_of(nm)] += size
        if re.search(r"serde::(de|ser)|Deserializ|Serializ|Visitor", nm):
            serde_gen += size
        module = re.search(r"\bkassa::([a-z_][a-z0-9_]*)", nm)
        by_module[module.group(1) if module else "(not kassa)"] += size
    print(f"\nserde-generated or serde-driven code: {serde_gen / 1024:.1f} KB ({100 * serde_gen / max(total, 1):.0f} %)")
    print("\nby crate:")
    for crate, size in by_crate.most_common(25):
        print(f"  {crate:<28} {size / 1024:9.1f} KB {100 * size / max(total, 1):5.1f} %")
    print("\nby kassa module (functions naming kassa::<module> anywhere, first one named):")
    for module, size in by_module.most_common(30):
        print(f"  {module:<28} {size / 1024:9.1f} KB {100 * size / max(total, 1):5.1f} %")
    print(f"\nlargest {top} functions:")
    for size, nm in sorted(funcs, reverse=True)[:top]:
        print(f"  {size:8}  {nm[:150]}")


if __name__ == "__main__":
    main()
