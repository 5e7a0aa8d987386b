#!/usr/bin/env python3
"""Writes the compressed and damaged fixtures in tests/data/formats/ (deterministic: gzip mtime 0).

The plain samples beside them are copies of ../shared/data/aws-log-samples/ (AWS's documentation
examples with deliberate edge cases); tests/core/io/tst_vpcflowreader.cpp, tst_elblogreader.cpp and
tst_trafficfile.cpp read them.
"""
import gzip
import os

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


if __name__ == "__main__":
    main()
