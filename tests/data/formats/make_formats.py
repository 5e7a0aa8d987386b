#!/usr/bin/env python3
"""Writes the compressed and damaged fixtures in tests/data/formats/ (deterministic: gzip mtime 0),
and the Zeek conn.log fixtures (zeek_*), written from Zeek's documented format (the Conn::Info
record of base/protocols/conn/main.zeek, the ASCII writer's TSV header and its JSON mode): a few
hand-made records whose values tst_zeekconnreader.cpp checks, then generated traffic of every
connection state, IPv6 and ICMP, a port scan, and unset ('-') and empty ('(empty)') fields.

The plain samples beside them are copies of ../shared/data/aws-log-samples/ (AWS's documentation
examples with deliberate edge cases); tests/core/io/tst_vpcflowreader.cpp, tst_elblogreader.cpp and
tst_trafficfile.cpp read them.
"""
import gzip
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))


def read(name):
    with open(os.path.join(HERE, name), "rb") as f:
        return f.read()


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def gz(data):
    return gzip.compress(data, compresslevel=9, mtime=0)


def main():
    header = read("vpcflow_v2_accept_reject_with_header.log")
    noheader = read("vpcflow_v2_extra_samples_noheader.log")
    # Two members, as `cat a.gz b.gz` gives: the header file, then its records again (a repeated
    # header line is skipped by the reader).
    write("vpcflow_v2_two_members.log.gz", gz(header) + gz(header))
    write("vpcflow_v2_noheader.gz", gz(noheader))
    write("alb_nlb_elb_mixed.log.gz", gz(read("alb_nlb_elb_mixed_test.log")))
    csv = read(os.path.join("..", "bad", "too_few_fields.csv"))
    write("traffic_csv.gz", gz(csv))
    whole = gz(noheader)
    write("truncated.gz", whole[: len(whole) // 2])
    corrupt = bytearray(whole)
    for i in range(20, 40):
        corrupt[i] ^= 0x55
    write("corrupt.gz", bytes(corrupt))
    write("not_a_traffic_file.txt", b"Dear analyst,\nthese are my holiday notes.\nNothing to see here.\n")
    write_zeek()


# Zeek's conn.log fields (Conn::Info, the default policy scripts), in the order Zeek writes them.
ZEEK_FIELDS = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "service", "duration",
               "orig_bytes", "resp_bytes", "conn_state", "local_orig", "local_resp", "missed_bytes", "history",
               "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes", "tunnel_parents"]
ZEEK_TYPES = ["time", "string", "addr", "port", "addr", "port", "enum", "string", "interval", "count", "count",
              "string", "bool", "bool", "count", "string", "count", "count", "count", "count", "set[string]"]
UID_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

# The records the tests check value by value (None: unset). ts is a string: Zeek writes six decimals.
ZEEK_HAND_MADE = [
    # HTTPS download: 1200 bytes up, 48000 down, 12.5 s.
    ["1700000000.123456", "CzQk1l3Yt6aBcD0e1", "192.168.1.10", 52344, "198.51.100.20", 443, "tcp", "ssl",
     "12.500000", 1200, 48000, "SF", "T", "F", 0, "ShADadFf", 40, 3280, 50, 50600, None],
    # One SYN of a scan: no reply, so no duration and no byte counts.
    ["1700000001.000001", "CrS0aaaaaaaaaaaa1", "203.0.113.66", 40000, "192.168.1.10", 22, "tcp", None,
     None, None, None, "S0", "F", "T", 0, "S", 1, 60, 0, 0, None],
    # DNS over IPv6.
    ["1700000002.500000", "CdNs6bbbbbbbbbbb2", "2001:db8:0:1::10", 53000, "2001:db8:0:2::53", 53, "udp", "dns",
     "0.000512", 40, 120, "SF", "T", "T", 0, "Dd", 1, 88, 1, 168, None],
    # A rejected connection: SYN answered by RST.
    ["1700000003.250000", "CrEjccccccccccc3", "203.0.113.66", 40001, "192.168.1.10", 23, "tcp", None,
     "0.000100", 0, 0, "REJ", "F", "T", 0, "Sr", 1, 60, 1, 40, None],
    # A ping: ICMP's "ports" are the message type (8, echo request) and code (0).
    ["1700000004.000000", "CiCmddddddddddd4", "192.168.1.10", 8, "198.51.100.1", 0, "icmp", None,
     "1.001000", 112, 112, "OTH", "T", "F", 0, None, 2, 168, 2, 168, None],
    # Inside a tunnel: tunnel_parents is a set of one uid.
    ["1700000005.000000", "CtUneeeeeeeeeee5", "10.0.0.5", 5353, "10.0.0.251", 5353, "udp", "dns",
     "0.250000", 300, 0, "S0", "T", "T", 0, "D", 3, 384, 0, 0, ["CzQk1l3Yt6aBcD0e1"]],
]

STATES = [  # conn_state, history, replies?, bytes?
    ("SF", "ShADadFf", True, True), ("S0", "S", False, False), ("REJ", "Sr", True, False),
    ("RSTO", "ShADaR", True, True), ("RSTR", "ShADadr", True, True), ("SH", "SF", False, False),
    ("SHR", "Hf", True, False), ("OTH", "Cc", True, True), ("S1", "ShAD", True, True),
    ("S2", "ShADF", True, True), ("S3", "ShADf", True, True), ("RSTOS0", "SR", False, False),
    ("RSTRH", "Hr", True, False),
]


def zeek_records(count, seed):
    """count generated conn.log records after the hand-made ones, in time order."""
    rng = random.Random(seed)
    records = [list(r) for r in ZEEK_HAND_MADE]
    clients = ["192.168.1.%d" % i for i in range(10, 40)] + ["2001:db8:0:1::%x" % i for i in range(16, 24)]
    servers = [("198.51.100.%d" % i, p, s) for i, (p, s) in enumerate(
        [(443, "ssl"), (80, "http"), (22, "ssh"), (25, "smtp"), (443, "ssl"), (8080, "http")], start=20)]
    servers += [("2001:db8:0:2::%x" % i, 443, "ssl") for i in range(1, 5)]
    ts = 1700000100.0
    for n in range(count):
        ts += rng.uniform(0.001, 2.0)
        uid = "C" + "".join(rng.choice(UID_LETTERS) for _ in range(17))
        if n % 10 == 7:  # the scanner: one source, many ports, mostly no answer
            state, history, replies, data = rng.choice([STATES[1], STATES[2], STATES[5], STATES[11]])
            orig, resp, port, service, proto = "203.0.113.66", "192.168.1.%d" % rng.randrange(10, 40), \
                rng.randrange(1, 1024), None, "tcp"
        elif n % 10 == 3:  # DNS and NTP over UDP
            state, history, replies, data = STATES[0] if rng.random() < 0.8 else STATES[1]
            history = "Dd" if replies else "D"
            orig, port, proto = rng.choice(clients), rng.choice([53, 123]), "udp"
            resp = "2001:db8:0:2::53" if ":" in orig else "192.168.1.1"
            service = ("dns" if port == 53 else "ntp") if replies else None
        else:
            state, history, replies, data = rng.choice(STATES)
            orig = rng.choice(clients)
            resp, port, service = rng.choice([s for s in servers if (":" in s[0]) == (":" in orig)])
            proto = "tcp"
            if not data:
                service = None
        up = rng.randrange(0, 2000) if data else 0
        down = int(rng.lognormvariate(8, 2)) if data and replies else 0
        duration = None if history in ("S", "D") else "%.6f" % rng.uniform(0.0001, 30.0)
        packets_up = max(1, up // 1400 + rng.randrange(1, 6))
        packets_down = (down // 1400 + rng.randrange(1, 6)) if replies else 0
        header = 40 if ":" in orig else 20
        unset_bytes = duration is None
        records.append(["%.6f" % ts, uid, orig, rng.randrange(32768, 61000), resp, port, proto, service, duration,
                        None if unset_bytes else up, None if unset_bytes else down, state,
                        "T" if orig.startswith("192.168") or orig.startswith("2001") else "F",
                        "T" if resp.startswith("192.168") else "F", 0, history, packets_up,
                        up + packets_up * (header + 20), packets_down, down + packets_down * (header + 20), None])
    return records


def zeek_tsv(records, close=True):
    lines = ["#separator \\x09", "#set_separator\t,", "#empty_field\t(empty)", "#unset_field\t-", "#path\tconn",
             "#open\t2023-11-14-22-13-19", "#fields\t" + "\t".join(ZEEK_FIELDS), "#types\t" + "\t".join(ZEEK_TYPES)]
    for record in records:
        cells = []
        for value in record:
            if value is None:
                cells.append("-")
            elif isinstance(value, list):
                cells.append(",".join(value) if value else "(empty)")
            else:
                cells.append(str(value))
        # A set Zeek logged as empty, not unset: tunnel_parents of a connection outside any tunnel.
        if record[-1] is None:
            cells[-1] = "(empty)"
        lines.append("\t".join(cells))
    if close:
        lines.append("#close\t2023-11-14-23-13-19")
    return ("\n".join(lines) + "\n").encode()


def iso(ts):
    seconds, _, fraction = ts.partition(".")
    import datetime
    moment = datetime.datetime.fromtimestamp(int(seconds), datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + "." + fraction.ljust(6, "0") + "Z"


def zeek_json(records, iso_times=False, ip_proto=True):
    """JSON lines as LogAscii::use_json writes them: unset fields left out, numbers as numbers, sets
    as arrays, bools as true/false, ts in epoch seconds or (json_timestamps ISO 8601) as a string."""
    numbers = {"id.orig_p", "id.resp_p", "orig_bytes", "resp_bytes", "missed_bytes", "orig_pkts", "orig_ip_bytes",
               "resp_pkts", "resp_ip_bytes"}
    out = []
    for record in records:
        members = []
        for name, value in zip(ZEEK_FIELDS, record):
            if value is None and name != "tunnel_parents":
                continue
            if name == "ts":
                members.append('"ts":' + (json.dumps(iso(value)) if iso_times else value))
            elif name == "duration":
                members.append('"duration":' + value)
            elif name in numbers:
                members.append('"%s":%d' % (name, value))
            elif name in ("local_orig", "local_resp"):
                members.append('"%s":%s' % (name, "true" if value == "T" else "false"))
            elif name == "tunnel_parents":
                if value:
                    members.append('"tunnel_parents":' + json.dumps(value, separators=(",", ":")))
            else:
                members.append('"%s":%s' % (name, json.dumps(value)))
        if ip_proto:
            members.append('"ip_proto":%d' % {"tcp": 6, "udp": 17, "icmp": 1}[record[6]])
        out.append("{" + ",".join(members) + "}")
    return ("\n".join(out) + "\n").encode()


def zeek_damaged():
    """A TSV log cut short (no #close) with a few lines that are not records of its #fields and
    cells that do not parse: what the tests expect of the reader's counting."""
    records = [list(r) for r in ZEEK_HAND_MADE[:3]]
    text = zeek_tsv(records, close=False).decode().splitlines()
    good = text[-1]
    cells = good.split("\t")
    text.append("\t".join(cells[:10]))  # cut short: 10 fields
    bad = list(cells)
    bad[0], bad[5], bad[9] = "yesterday", "70000", "-12"
    text.append("\t".join(bad))  # a bad time, port and byte count: read as missing
    text.append(good + "\textra")  # 22 fields
    text.append("")
    text.append(good)
    return ("\n".join(text) + "\n").encode()


def write_zeek():
    records = zeek_records(300, 20)
    tsv = zeek_tsv(records)
    write("zeek_conn.log", tsv)
    write("zeek_conn.log.gz", gz(tsv))
    write("zeek_conn.json", zeek_json(records))
    write("zeek_conn_iso8601.json", zeek_json(records[:60], iso_times=True, ip_proto=False))
    write("zeek_conn_damaged.log", zeek_damaged())


if __name__ == "__main__":
    main()
