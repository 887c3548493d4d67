"""The three measured spaces' ground truth, shared by analyze.py, seeds.py and scales.py:
key columns (joined with '|'), truth file, accuracy columns (the first is the headline),
what a network is called, the seed runs' prefix and the reduced scale's description."""

SPACES = {
    "nb201": dict(keys=["arch_str"], truth="nb201_test_acc_200ep.csv",
                  accs=["cifar10_test", "cifar100_test", "imagenet16_120_test"], noun="cells",
                  seeds="seeds500", acc_name="C10 test acc", scale="reduced scale C = 8, N = 1"),
    "nb101": dict(keys=["adjacency_rowmajor", "ops"], truth="nb101_nasbenchvis_10k.csv",
                  accs=["valid_acc_108ep_1run"], noun="cells", seeds="seeds500",
                  acc_name="C10 valid acc (108 ep)", scale="reduced scale C = 16, M = 1"),
    "darts": dict(keys=["normal_cell", "reduce_cell"], truth="nb301_zc_proxies_naslib_sample.csv",
                  accs=["naslib_val_accuracy"], noun="genotypes", seeds="seeds725",
                  acc_name="NB301 C10 valid acc", scale="reduced scale C = 8, L = 5"),
}


def key_of(space):
    keys = SPACES[space]["keys"]
    return lambda r: "|".join(r[k] for k in keys)
