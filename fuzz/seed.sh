#!/usr/bin/env bash
# Builds the seed corpora of every fuzz target into fuzz/corpus/<target>/ (ignored by
# git) from the project's fixtures and ../shared/fixtures. Nothing from ../shared is
# ever committed: the seeds are cut out of those files each time this runs.
#
# Usage: fuzz/seed.sh            (from anywhere; needs python3)
set -euo pipefail
fuzz_dir="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$fuzz_dir")"
shared="${REPLOG_SHARED_FIXTURES:-$(dirname "$root")/shared/fixtures}"
if [ ! -d "$shared" ]; then
    echo "seed.sh: shared fixtures not found at $shared (set REPLOG_SHARED_FIXTURES)" >&2
    exit 1
fi
exec python3 - "$root" "$shared" "$fuzz_dir/corpus" <<'PY'
import hashlib, os, struct, sys
from pathlib import Path

root, shared, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
MAX_FILE_SEED = 32 * 1024
counts = {}

def seed(target, data):
    d = out / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)
    counts[target] = counts.get(target, 0) + 1

# ---- binary logs -------------------------------------------------------------------
def binlogs():
    files = sorted(p for p in (shared / "binlog").rglob("*") if p.is_file() and p.name != "README.md")
    files += sorted((root / "fixtures").rglob("*-bin.0*"))
    for p in files:
        d = p.read_bytes()
        if d.startswith(b"\xfebin"):
            yield p, d

def version_key(v):
    nums = []
    for part in v.split("-")[0].split(".")[:3]:
        digits = "".join(c for c in part if c.isdigit())
        nums.append(int(digits or 0))
    return tuple(nums + [0] * (3 - len(nums)))

def layout(version):
    """(context selector of replog_fuzz::context, checksum field present in the FDE)."""
    maria = "MariaDB" in version or "-maria-" in version
    v = version_key(version)
    declares = v >= (5, 3, 0) if maria else v >= (5, 6, 1)
    if maria:
        sel = 7
    elif "a_drop" in version:
        sel = 4
    elif v >= (8, 0, 0):
        sel = 6 if v >= (9, 0, 0) else 5
    elif v >= (5, 1, 0):
        sel = 3
    else:
        sel = 0
    return sel, declares

def events(d):
    """(offset, type, header+body bytes without checksum, selector) of a v4 log."""
    pos, crc, sel = 4, 0, 0
    while pos + 19 <= len(d):
        t = d[pos + 4]
        size = struct.unpack_from("<I", d, pos + 9)[0]
        if size < 19 or pos + size > len(d):
            return
        ev = d[pos:pos + size]
        if t == 15:
            version = ev[21:71].split(b"\0")[0].decode("latin-1")
            sel, declares = layout(version)
            crc = 4 if declares and len(ev) >= 5 and ev[-5] == 1 else 0
            yield pos, t, ev[:len(ev) - (5 if declares else 0)], sel
        else:
            yield pos, t, ev[:len(ev) - crc], sel
        pos += size

for p, d in binlogs():
    # Whole-file seeds: the head of the file, and windows (magic, FDE, then a run of
    # events) so every part of long logs is represented within the length limit.
    seed("binlog_file", d[:MAX_FILE_SEED])
    evs = list(events(d))
    fde = next((d[o:o + struct.unpack_from("<I", d, o + 9)[0]] for o, t, _, _ in evs if t == 15), b"")
    window = b""
    for o, t, _, _ in evs:
        raw = d[o:o + struct.unpack_from("<I", d, o + 9)[0]]
        if t == 15:
            continue
        if len(window) + len(raw) > MAX_FILE_SEED and window:
            seed("binlog_file", b"\xfebin" + fde + window)
            window = b""
        window += raw
    if window:
        seed("binlog_file", b"\xfebin" + fde + window)

    last_map = {}
    for o, t, ev, sel in evs:
        body = ev[19:]
        if sel == 4:  # pre-GA 5.1 numbering of raw types 16-22
            t = {16: 19, 17: 20, 18: 21, 19: 22, 20: 16, 21: 17, 22: 18}.get(t, t)
        if t == 2:
            seed("binlog_query", bytes([sel]) + body)
        elif t == 165:
            seed("binlog_query", bytes([0x80 | sel]) + body)
        elif t == 19:
            seed("binlog_table_map", bytes([sel]) + body)
            wide = not (sel == 4)
            tid = int.from_bytes(body[:6 if wide else 4], "little")
            last_map[tid] = body
        elif t in (33, 34, 42, 35, 36, 37, 38):
            code = {33: 0, 34: 1, 42: 2, 35: 3, 36: 4, 37: 5, 38: 6}[t]
            seed("binlog_gtid", bytes([(code << 4) | sel]) + body)
        elif t == 40:
            seed("binlog_transaction_payload", bytes([sel]) + body)
        if 160 <= t <= 171:
            seed("binlog_mariadb", bytes([t - 160]) + body)
        rows_types = set(range(20, 26)) | {30, 31, 32, 39} | set(range(166, 172))
        if t in rows_types:
            wide = not (sel == 4)
            tid = int.from_bytes(body[:6 if wide else 4], "little")
            m = last_map.get(tid)
            if m is not None and len(m) < 65536:
                seed("binlog_rows", bytes([t, sel]) + struct.pack("<H", len(m)) + m + body)
                if 166 <= t <= 171:
                    seed("binlog_mariadb", bytes([0x80 | (t - 160)]) + struct.pack("<H", len(m)) + m + body)

# ---- binary JSON and diffs: small documents in MySQL's layout ------------------------
def small_object(members):
    n = len(members)
    head = 4 + n * 4 + n * 3
    keys = b"".join(k.encode() for k, _, _ in members)
    key_entries, value_entries, values = b"", b"", b""
    key_off = head
    val_off = head + len(keys)
    for k, t, v in members:
        key_entries += struct.pack("<HH", key_off, len(k))
        key_off += len(k)
        if t in (4, 5, 6):
            value_entries += bytes([t]) + v.ljust(2, b"\0")
        else:
            value_entries += bytes([t]) + struct.pack("<H", val_off + len(values))
            values += v
    body = key_entries + value_entries + keys + values
    return struct.pack("<HH", n, 4 + len(body)) + body

obj = small_object([("a", 5, struct.pack("<h", -7)), ("b", 12, b"\x03xyz"),
                    ("c", 4, b"\x01"), ("d", 11, struct.pack("<d", 2.5))])
for doc in [b"\x00" + obj, b"\x04\x00", b"\x0c\x05hello", b"\x09" + struct.pack("<q", -1),
            b"\x0f\xf6\x04\x05\x02\x80\x01", b"\x0f\x0c\x08" + bytes(8),
            b"\x02" + struct.pack("<HH", 2, 10) + b"\x05\x01\x00\x04\x02\x00"]:
    seed("json_binary", doc)
path = b"$.a"
for op, value in [(0, b"\x0c\x02hi"), (1, b"\x04\x01"), (2, None)]:
    rec = bytes([op, len(path)]) + path
    if value is not None:
        rec += bytes([len(value)]) + value
    seed("json_diff", rec)

# ---- THL ------------------------------------------------------------------------------
thl_files = sorted(p for p in (shared / "thl").rglob("thl.data.*") if p.is_file())
for p in thl_files:
    d = p.read_bytes()
    if len(d) < 16:
        continue
    seed("thl_file", d[:MAX_FILE_SEED])
    seed("thl_index_parts", d[:MAX_FILE_SEED])
    seed("thl_list_render", b"\x00" + d[:MAX_FILE_SEED])
    pos, window = 16, b""
    while pos + 4 <= len(d):
        length = struct.unpack_from(">i", d, pos)[0]
        if length < 13 or pos + length > len(d):
            break
        rec = d[pos:pos + length]
        seed("thl_record", rec[4:-9])
        if len(window) + len(rec) > 8192 and window:
            seed("thl_file", d[:16] + window)
            seed("thl_index_parts", d[:16] + window)
            seed("thl_list_render", b"\x35" + d[:16] + window)
            window = b""
        window += rec
        pos += length
    if window:
        seed("thl_file", d[:16] + window)
        seed("thl_index_parts", d[:16] + window)
        seed("thl_list_render", b"\x2a" + d[:16] + window)

for t in sorted(counts):
    print(f"{t}: {counts[t]} seeds")
PY
