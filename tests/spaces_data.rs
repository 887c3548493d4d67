//! Search spaces against the public benchmark files in `../shared/data` (skipped with a
//! message when the folder is missing; a failure in CI).

mod common;

use sednas::arch::darts::Genotype;
use sednas::arch::nats_sss::SssArch;
use sednas::arch::nb101::Nb101Arch;
use sednas::arch::nb201::Nb201Arch;
use sednas::arch::{AnyArch, ArchColumns, Census, CensusOptions, SpaceKind};

fn read(name: &str) -> Option<(csv::StringRecord, Vec<csv::StringRecord>)> {
    let p = common::data_file(name)?;
    let mut r = csv::Reader::from_path(p).unwrap();
    let h = r.headers().unwrap().clone();
    Some((h, r.records().map(|x| x.unwrap()).collect()))
}

#[test]
fn nb201_order_matches_shared_csv() {
    let Some((h, rows)) = read("nb201_test_acc_200ep.csv") else {
        return;
    };
    let ia = h.iter().position(|c| c == "arch_str").unwrap();
    assert_eq!(rows.len(), 15_625);
    for (i, r) in rows.iter().enumerate() {
        let a = Nb201Arch::from_index(i).unwrap();
        assert_eq!(a.to_string(), &r[ia], "index {i}");
        assert_eq!(
            r[ia].parse::<Nb201Arch>().unwrap().official_index(),
            Some(i)
        );
    }
}

#[test]
fn nb201_counts_and_connectivity_match_arch_cost() {
    let Some((h, rows)) = read("nb201_arch_cost.csv") else {
        return;
    };
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let (ia, i3, i1, ip, is, ic) = (
        col("arch_str"),
        col("n_conv3x3"),
        col("n_conv1x1"),
        col("n_avgpool"),
        col("n_skip"),
        col("output_connected"),
    );
    let mut census = Census::default();
    let opts = CensusOptions::default();
    for r in &rows {
        let a: Nb201Arch = r[ia].parse().unwrap();
        assert_eq!(a.is_connected(), &r[ic] == "1");
        a.census(&opts, &mut census);
        let b = &census.blocks[0];
        let conv = |k: u32| {
            b.convs()
                .iter()
                .find(|c| c.kw == k)
                .map(|c| c.ops)
                .unwrap_or(0)
        };
        assert_eq!(conv(3).to_string(), r[i3]);
        assert_eq!(conv(1).to_string(), r[i1]);
        assert_eq!(
            b.pools().iter().map(|p| p.ops).sum::<u32>().to_string(),
            r[ip]
        );
        assert_eq!(b.skips.to_string(), r[is]);
    }
}

#[test]
fn nats_sss_index_order_matches_shared_csv() {
    let Some((h, rows)) = read("nats_sss_arch_index.csv") else {
        return;
    };
    let ic = h.iter().position(|c| c == "channels").unwrap();
    assert_eq!(rows.len(), 32_768);
    for (i, r) in rows.iter().enumerate() {
        let a: SssArch = r[ic].parse().unwrap();
        assert_eq!(a.index(), i);
        assert_eq!(SssArch::from_index(i).unwrap().to_string(), &r[ic]);
    }
}

#[test]
fn nb101_sample_parses_and_round_trips() {
    let Some((h, rows)) = read("nb101_zc_proxies_naslib_sample.csv") else {
        return;
    };
    let idx = ArchColumns::default_for(SpaceKind::Nb101)
        .locate(SpaceKind::Nb101, &h, "nb101")
        .unwrap();
    let mut over = 0;
    for r in &rows {
        let text = idx.text(r);
        let a: Nb101Arch = text.parse().unwrap();
        assert_eq!(a.to_string(), text);
        over += !a.within_official_limits() as usize;
    }
    assert_eq!(rows.len(), 500);
    // a property of NASLib's sample: most matrices exceed NAS-Bench-101's 9-edge limit
    eprintln!("{over} of 500 NB101 sample matrices have more than 9 edges");
    assert!(over > 0);
}

#[test]
fn nb301_sample_parses_and_round_trips() {
    let Some((h, rows)) = read("nb301_zc_proxies_naslib_sample.csv") else {
        return;
    };
    let idx = ArchColumns::default_for(SpaceKind::Darts)
        .locate(SpaceKind::Darts, &h, "nb301")
        .unwrap();
    for r in &rows {
        let text = idx.text(r);
        let g: Genotype = text.parse().unwrap();
        assert_eq!(g.to_naslib(), text);
        let back: Genotype = g.to_string().parse().unwrap();
        assert_eq!(back.normal.edges, g.normal.edges);
        assert!(matches!(
            AnyArch::parse(SpaceKind::Darts, &text),
            Ok(AnyArch::Darts(_))
        ));
    }
    assert_eq!(rows.len(), 725);
}
