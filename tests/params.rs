//! Parameter counts from the topology alone, against every row of the shared benchmark data:
//! NB201 `params_mb_cifar10` (15,625 cells), NB101 `trainable_parameters` (10,000 cells),
//! NB301 `params` (NASLib / NAS-Bench-Suite-Zero convention, 725 genotypes).

mod common;

use sednas::arch::darts::{DartsNetwork, Genotype};
use sednas::arch::nb101::Nb101Arch;
use sednas::arch::nb201::Nb201Arch;

fn col(h: &csv::StringRecord, name: &str) -> usize {
    h.iter().position(|c| c == name).expect(name)
}

#[test]
fn nb201_params_equal_the_cost_table_on_every_cell() {
    let Some(p) = common::data_file("nb201_arch_cost.csv") else {
        return;
    };
    let mut r = csv::Reader::from_path(p).unwrap();
    let h = r.headers().unwrap().clone();
    let (a, p10, p100, p120) = (
        col(&h, "arch_str"),
        col(&h, "params_mb_cifar10"),
        col(&h, "params_mb_cifar100"),
        col(&h, "params_mb_imagenet16_120"),
    );
    let mut n = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        let arch: Nb201Arch = rec[a].parse().unwrap();
        for (i, classes) in [(p10, 10), (p100, 100), (p120, 120)] {
            let want: f64 = rec[i].parse().unwrap();
            let got = arch.params(classes) as f64 / 1e6;
            assert!(
                (got - want).abs() < 5e-7,
                "{}: {classes} classes: {got} vs {want}",
                &rec[a]
            );
        }
        n += 1;
    }
    assert_eq!(n, 15_625);
}

#[test]
fn nb101_params_equal_trainable_parameters_on_every_cell() {
    let Some(p) = common::data_file("nb101_nasbenchvis_10k.csv") else {
        return;
    };
    let mut r = csv::Reader::from_path(p).unwrap();
    let h = r.headers().unwrap().clone();
    let (m, o, t) = (
        col(&h, "adjacency_rowmajor"),
        col(&h, "ops"),
        col(&h, "trainable_parameters"),
    );
    let mut n = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        let ops: Vec<&str> = rec[o].split(',').collect();
        let arch = Nb101Arch::from_parts(&rec[m], &ops).unwrap();
        let want: u64 = rec[t].parse().unwrap();
        assert_eq!(arch.params(), want, "{}|{}", &rec[m], &rec[o]);
        n += 1;
    }
    assert_eq!(n, 10_000);
}

#[test]
fn nb301_params_equal_naslib_params_on_every_genotype() {
    let Some(p) = common::data_file("nb301_zc_proxies_naslib_sample.csv") else {
        return;
    };
    let mut r = csv::Reader::from_path(p).unwrap();
    let h = r.headers().unwrap().clone();
    let (nc, rc, pc) = (
        col(&h, "normal_cell"),
        col(&h, "reduce_cell"),
        col(&h, "params"),
    );
    let mut n = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        let g = Genotype::from_naslib(&rec[nc], &rec[rc]).unwrap();
        let want: f64 = rec[pc].parse().unwrap();
        let got = g.params(&DartsNetwork::NB301_ZC) as f64 / 1e6;
        assert!(
            (got - want).abs() < 5e-7,
            "{}|{}: {got} vs {want}",
            &rec[nc],
            &rec[rc]
        );
        n += 1;
    }
    assert_eq!(n, 725);
}

// The DARTS paper's network: DARTS-V2 is reported with 3.3 M parameters (C = 36, 20 cells,
// auxiliary head not counted by the paper's `count_parameters_in_MB`, which skips it).
#[test]
fn darts_v2_has_the_published_3_3m_parameters() {
    let g: Genotype = "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])".parse().unwrap();
    let p = g.params(&DartsNetwork::DARTS_EVAL) as f64 / 1e6;
    assert!((p - 3.3).abs() < 0.05, "{p}");
}
