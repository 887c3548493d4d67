"""The three measured spaces' ground truth, shared by analyze.py, seeds.py and scales.py:
architecture columns (joined with '|' into the one-line text the library reads), truth file,
accuracy columns (the first is the headline) and their names in words, what a network is
called, the seed runs' prefix and the reduced scale's description.

Rows are joined by canonical architecture text and ρ is Spearman's, both from the sednas
package (the Rust library): `keys_of` (`sednas.canonical_text`, the key `sednas eval --join`
uses) and `spearman` (`sednas.evaluate`)."""

import sednas

SPACES = {
    "nb201": dict(keys=["arch_str"], truth="nb201_test_acc_200ep.csv",
                  accs=["cifar10_test", "cifar100_test", "imagenet16_120_test"], noun="cells",
                  seeds="seeds500", acc_name="C10 test acc", scale="reduced scale C = 8, N = 1",
                  acc_words="CIFAR-10 test accuracy (200 epochs)"),
    "nb101": dict(keys=["adjacency_rowmajor", "ops"], truth="nb101_nasbenchvis_10k.csv",
                  accs=["valid_acc_108ep_1run"], noun="cells", seeds="seeds500",
                  acc_name="C10 valid acc (108 ep)", scale="reduced scale C = 16, M = 1",
                  acc_words="CIFAR-10 validation accuracy (108 epochs)"),
    "darts": dict(keys=["normal_cell", "reduce_cell"], truth="nb301_zc_proxies_naslib_sample.csv",
                  accs=["naslib_val_accuracy"], noun="genotypes", seeds="seeds725",
                  acc_name="NB301 C10 valid acc", scale="reduced scale C = 8, L = 5",
                  acc_words="NB301 CIFAR-10 validation accuracy"),
}


def arch_texts(space, rows):
    """Each CSV row's architecture as one line of text (NB201 `arch_str`, NB101
    `adjacency|ops`, DARTS `normal|reduce` NASLib cells), as the library reads it."""
    keys = SPACES[space]["keys"]
    return ["|".join(r[k] for k in keys) for r in rows]


def keys_of(space, rows):
    """The join key of each row: its canonical architecture text (`sednas.canonical_text`)."""
    return sednas.canonical_text(arch_texts(space, rows), space)


def keyed(space, rows):
    """{canonical architecture text: row}."""
    return dict(zip(keys_of(space, rows), rows))


def spearman(x, y):
    """Spearman ρ (average ranks for ties) from `sednas.evaluate`; NaN where it is undefined
    (a constant column). NaN values leave their pair out."""
    r = sednas.evaluate(x, y)["spearman"]
    return float("nan") if r is None else r
