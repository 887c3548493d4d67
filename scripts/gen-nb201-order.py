"""Writes src/arch/nb201_order.bin: the official NAS-Bench-201 / NATS-Bench-TSS index order.

The file holds 15,625 little-endian u16 codes; entry i is the architecture with official
index i, encoded as sum_e op_e * 5**e over the six edges in string order
(1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2) with op ids none=0, skip_connect=1, nor_conv_1x1=2,
nor_conv_3x3=3, avg_pool_3x3=4. Source: ../shared/data/nb201_test_acc_200ep.csv (the
order of NATS-Bench's meta_archs list). The test `nb201_order_matches_shared_csv` checks it.

usage: python3 scripts/gen-nb201-order.py [PATH/TO/nb201_test_acc_200ep.csv]
"""
import csv
import os
import struct
import sys

OPS = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.environ.get("SEDNAS_DATA", os.path.join(root, "..", "shared", "data")), "nb201_test_acc_200ep.csv")
codes = []
with open(src) as f:
    for i, row in enumerate(csv.DictReader(f)):
        assert int(row["index"]) == i
        edges = [t.split("~")[0] for node in row["arch_str"].strip("|").split("|+|") for t in node.split("|")]
        codes.append(sum(OPS.index(op) * 5**e for e, op in enumerate(edges)))
assert len(codes) == 15625 and len(set(codes)) == 15625
with open(os.path.join(root, "src", "arch", "nb201_order.bin"), "wb") as f:
    f.write(struct.pack("<15625H", *codes))
print("wrote", len(codes), "codes")
