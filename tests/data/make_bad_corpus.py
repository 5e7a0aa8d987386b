#!/usr/bin/env python3
"""Writes the corpus of bad input files under tests/data/bad/ (deterministic; no dependencies).

Each file's expected outcome is in bad/EXPECTED.tsv, read by tests/core/tst_badinput.cpp and
tests/app/tst_cli.cpp. The very large cases (a 10 MB field, 10,000 columns) are made by the tests
themselves so the repository stays small.
"""
import os
import random

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bad")
HEADER = ("bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,protocol,response.code,"
          "dst_port,dst_ip,rule_names,observation_name,source.meta,source.name,time,detection_types")


def row(bytes_in="5602", bytes_out="12990", creation="2024-04-25T23:00:00Z", end="2024-04-25T23:10:00Z",
        src="147.161.161.82", country="AE", rule="Suspicious Web Traffic", observation="Adversary Infrastructure Interaction"):
    return ",".join([bytes_in, bytes_out, creation, end, src, country, "HTTPS", "200", "443", "10.138.69.97", rule,
                     observation, "AWS_VPC_Flow", "prod_webserver", creation, "waf_rule"])


def good_rows(n, start=0):
    return [row(bytes_in=str(1000 + 37 * i), bytes_out=str(2000 + 11 * i), src="203.0.113.%d" % (i % 250)) for i in range(start, start + n)]


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))


def main():
    os.makedirs(HERE, exist_ok=True)
    lines = lambda rows: "\n".join([HEADER] + rows) + "\n"
    write("empty.csv", b"")
    write("header_only.csv", HEADER + "\n")
    write("header_only_no_newline.csv", HEADER)
    rng = random.Random(1)
    write("binary_garbage.csv", bytes(rng.randrange(256) for _ in range(4096)))
    write("nul_bytes.csv", (lines(good_rows(3)).replace("203.0.113.1", "203.0\x00.113.1")).encode())
    write("utf16_bom.csv", lines(good_rows(3)).encode("utf-16"))
    write("latin1_text.csv", lines(good_rows(3) + [row(rule="Caf\xe9 r\xe8gle")]).encode("latin-1"))
    write("cr_only.csv", lines(good_rows(5)).replace("\n", "\r"))
    write("unterminated_quote.csv", lines(good_rows(3))[:-1] + "\n" + row(rule='"never closed') + "\n")
    write("too_few_fields.csv", lines(good_rows(3) + ["1,2,3"] + good_rows(2, 3)))
    write("too_many_fields.csv", lines(good_rows(3) + [row() + ",extra,fields"] + good_rows(2, 3)))
    write("missing_required_column.csv", "\n".join([HEADER.replace(",dst_ip", "")] + [",".join(r.split(",")[:9] + r.split(",")[10:]) for r in good_rows(3)]) + "\n")
    write("duplicated_column.csv", HEADER + ",bytes_in\n" + "\n".join(r + ",1" for r in good_rows(3)) + "\n")
    write("bad_numbers.csv", lines(good_rows(3) + [row(bytes_in="-5"), row(bytes_in="99999999999999999999"),
                                                   row(bytes_in="NaN"), row(bytes_out="inf"), row(bytes_out='"1,234"')]))
    write("bad_timestamps.csv", lines(good_rows(3) + [row(end="not a time"), row(creation="1969-07-20T20:17:40Z"),
                                                      row(end="10000-01-01T00:00:00Z"),
                                                      row(creation="2024-04-25T23:10:00Z", end="2024-04-25T23:00:00Z")]))
    write("addresses.csv", lines(good_rows(3) + [row(src="2001:db8::7"), row(src="999.1.1.1"), row(src="not-an-address")]))
    write("title_line.csv", "Cybersecurity: Suspicious Web Threat Interactions\n" + lines(good_rows(4)))
    write("all_duplicates.csv", lines([row()] * 6))
    write("bytes_in_all_missing.csv", lines([row(bytes_in="", bytes_out=str(100 + i)) for i in range(4)]))
    write("one_row.csv", lines(good_rows(1)))
    write("formula_injection.csv", lines(good_rows(3) + [
        row(src='"=HYPERLINK(""http://evil.example/"",""click"")"', rule="@SUM(1+1)*cmd|' /C calc'!A0",
            observation="+cmd|' /C notepad'!A0"),
        row(src="-1+1", rule="\tTabbed", observation="=1+1")]))
    write("crlf_no_final_newline.csv", "\r\n".join([HEADER] + good_rows(4)))


if __name__ == "__main__":
    main()
