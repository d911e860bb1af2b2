#!/usr/bin/env python3
"""tests/lib/info_json.py - the checks of cases/info_json.sh.

snap PID OUT: what /proc says of PID before the freeze (threads, fds with
  their links and access modes, maps, cwd), as JSON with the links as
  hex bytes.
check SNAP INFO VERIFY: the --info --json and --verify --json documents
  (files) against the snapshot; prints one line per mismatch, exits 1 if any.
doc FILE: FILE holds exactly one JSON document of the schema; prints
  "ok exit_status error" of it.
"""
import json
import os
import sys

SCHEMA = "freeze-image-info/1"


def snap(pid, out):
    p = f"/proc/{pid}"
    fds = {}
    for n in os.listdir(f"{p}/fd"):
        link = os.readlink(f"{p}/fd/{n}".encode())
        with open(f"{p}/fdinfo/{n}") as f:
            flags = next(int(l.split()[1], 8) for l in f if l.startswith("flags:"))
        fds[n] = {"link": link.hex(), "access": flags & 3}
    maps = []
    with open(f"{p}/maps") as f:
        for line in f:
            part = line.split(None, 5)
            start, end = part[0].split("-")
            maps.append([int(start, 16), int(end, 16), part[1],
                         part[5].strip() if len(part) > 5 else ""])
    s = {"threads": len(os.listdir(f"{p}/task")), "fds": fds, "maps": maps,
         "cwd": os.readlink(f"{p}/cwd".encode()).hex(),
         "exe": os.readlink(f"{p}/exe")}
    with open(out, "w") as f:
        json.dump(s, f)


def load(path, errs, mode):
    with open(path, "rb") as f:
        raw = f.read()
    try:
        d = json.loads(raw)
    except ValueError as e:
        errs.append(f"{path}: not one JSON document: {e}: {raw[:200]!r}")
        return None
    if d.get("schema") != SCHEMA or d.get("mode") != mode:
        errs.append(f"{path}: schema {d.get('schema')!r}, mode {d.get('mode')!r}")
    if d.get("ok") is not True or d.get("exit_status") != 0:
        errs.append(f"{path}: ok {d.get('ok')!r}: {d.get('error')!r}")
        return None
    return d


ANON = {"[eventfd]": "eventfd", "[timerfd]": "timerfd", "[signalfd]": "signalfd",
        "inotify": "inotify", "[eventpoll]": "epoll", "[pidfd]": "pidfd"}
PATH_KINDS = {"file", "directory", "device", "chardev", "proc", "opath", "null",
              "tty", "pty_master", "pty_slave"}


def want_kinds(link):
    if link.startswith(b"pipe:["):
        return {"pipe"}
    if link.startswith(b"socket:["):
        return {"socket"}
    if link.startswith(b"/memfd:"):
        return {"memfd"}
    if link.startswith(b"anon_inode:"):
        return {ANON.get(link[11:].decode(), "?")}
    return PATH_KINDS


def check_fds(s, d, errs):
    got = {f["fd"]: f for f in d["fds"]}
    shm = {o["id"]: o for o in d["shared_memory"]["objects"]}
    if sorted(got) != sorted(int(n) for n in s["fds"]):
        errs.append(f"fds {sorted(got)}, /proc had {sorted(int(n) for n in s['fds'])}")
    for n, want in s["fds"].items():
        f = got.get(int(n))
        link = bytes.fromhex(want["link"])
        if not f:
            continue
        kind = f["kind"]
        if kind == "dup":
            of = s["fds"].get(str(f["dup_of"]))
            if not of or of["link"] != want["link"]:
                errs.append(f"fd {n}: a dup of fd {f['dup_of']}, which is not {link!r}")
            continue
        if int(n) > 2 and kind not in want_kinds(link):
            errs.append(f"fd {n}: kind {kind}, /proc says {link!r}")
        if int(n) > 2 and f["access"] != ["read", "write", "read_write"][want["access"]]:
            errs.append(f"fd {n}: access {f['access']}, /proc says mode {want['access']}")
        if kind in ("file", "directory") and not link.endswith(b" (deleted)") and \
                os.fsencode(f["path"]) != link:
            errs.append(f"fd {n}: path {os.fsencode(f['path'])!r}, /proc says {link!r}")
        if kind == "socket" and not f.get("socket"):
            errs.append(f"fd {n}: a socket without its socket object")
        if kind == "memfd":
            o = shm.get(f.get("object_id"))
            name = link[len(b"/memfd:"):].removesuffix(b" (deleted)")
            if not o or o["kind"] != "memfd" or os.fsencode(o["name"]) != name:
                errs.append(f"fd {n}: memfd {name!r}, its object {o!r}")


def check_maps(s, d, errs):
    got = [(int(m["start"], 16), int(m["end"], 16), m["prot"]) for m in d["memory"]["mappings"]]
    code = [m for m in s["maps"] if m[3] == s["exe"] and m[2].startswith("r-x")]
    for start, end, perms, path in code:
        if (start, end, "r-x") not in got:
            errs.append(f"{path}'s code {start:x}-{end:x} is not a mapping of the document")
    if not code:
        errs.append(f"no r-x mapping of {s['exe']} in /proc/PID/maps")
    for start, end, perms, path in s["maps"]:
        if path == "[vsyscall]":
            continue
        if not any(a <= start and end <= b for a, b, _ in got) and \
                not covered(got, start, end):
            errs.append(f"{start:x}-{end:x} {path} is in no mapping of the document")


def covered(got, start, end):
    at = start
    for a, b, _ in sorted(got):
        if a <= at < b:
            at = b
    return at >= end


def check(snapfile, info, verify):
    errs = []
    with open(snapfile) as f:
        s = json.load(f)
    docs = [load(info, errs, "info"), load(verify, errs, "verify")]
    for d in filter(None, docs):
        p = d["process"]
        if p["thread_count"] != s["threads"] or len(p["threads"]) != s["threads"]:
            errs.append(f"{p['thread_count']} threads ({len(p['threads'])} listed), /proc had {s['threads']}")
        if os.fsencode(p["cwd"]) != bytes.fromhex(s["cwd"]):
            errs.append(f"cwd {os.fsencode(p['cwd'])!r}, /proc says {bytes.fromhex(s['cwd'])!r}")
        cpu = d["cpu"]
        if not cpu or cpu["can_resume"] is not True or cpu["missing_features"] or cpu["policy"] != "all":
            errs.append(f"cpu verdict on the freezing host: {cpu!r}")
        if d["vdso"]["can_resume"] is not True:
            errs.append(f"vdso verdict: {d['vdso']!r}")
        check_fds(s, d, errs)
        check_maps(s, d, errs)
    for e in errs:
        print(e)
    return 1 if errs else 0


def doc(path):
    with open(path, "rb") as f:
        d = json.loads(f.read())
    assert d["schema"] == SCHEMA, d
    print(str(d["ok"]).lower(), d["exit_status"], json.dumps(d.get("error")),
          json.dumps(d.get("details", [])))
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "snap":
        snap(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "check":
        sys.exit(check(*sys.argv[2:5]))
    elif sys.argv[1] == "doc":
        sys.exit(doc(sys.argv[2]))
