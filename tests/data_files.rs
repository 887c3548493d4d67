//! The real image files fetched by `scripts/fetch-data.sh` into `data/` (skipped with a
//! message when absent; a failure in CI, where .ci/run fetches them first).

use std::path::{Path, PathBuf};

use sednas::data::{Split, load_cifar_pngs, load_idx, load_named};

fn data(sub: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("data").join(sub);
    if p.is_dir() {
        return Some(p);
    }
    if std::env::var("CI").map(|v| v == "true").unwrap_or(false) {
        panic!(
            "CI=true but {} is missing: .ci/run must run scripts/fetch-data.sh",
            p.display()
        );
    }
    eprintln!(
        "SKIPPED: {} not found (run scripts/fetch-data.sh); this test did not run",
        p.display()
    );
    None
}

#[test]
fn fashion_mnist_and_mnist_idx() {
    for name in ["fashion-mnist", "mnist"] {
        let Some(dir) = data(name) else { return };
        let test = load_idx(&dir, Split::Test, name).unwrap();
        assert_eq!(test.images.shape(), &[10_000, 1, 28, 28]);
        assert_eq!(test.len(), 10_000);
        assert!(test.labels.iter().all(|&l| l < 10));
        let train = load_idx(&dir, Split::Train, name).unwrap();
        assert_eq!(train.len(), 60_000);
        // every class occurs, roughly balanced
        for c in 0..10 {
            let n = train.labels.iter().filter(|&&l| l == c).count();
            assert!((5_000..7_000).contains(&n), "{name}: class {c} has {n}");
        }
    }
}

// Edge case: a truncated IDX file is a typed error naming the file.
#[test]
fn truncated_idx_file() {
    let Some(dir) = data("mnist") else { return };
    let tmp = std::env::temp_dir().join(format!("sednas-idx-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    for f in ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"] {
        let b = std::fs::read(dir.join(f)).unwrap();
        std::fs::write(tmp.join(f), &b[..b.len() / 2]).unwrap();
    }
    let e = load_idx(&tmp, Split::Test, "mnist")
        .unwrap_err()
        .to_string();
    assert!(e.contains("truncated") && e.contains("t10k-images"), "{e}");
}

#[test]
fn cifar_test_images() {
    let Some(dir) = data("cifar") else { return };
    let c10 = load_cifar_pngs(&dir, false).unwrap();
    let c100 = load_cifar_pngs(&dir, true).unwrap();
    assert_eq!((c10.len(), c100.len()), (20, 20));
    assert_eq!(c10.images.shape(), &[20, 3, 32, 32]);
    assert!(c10.labels.iter().all(|&l| l < 10) && c100.labels.iter().all(|&l| l < 100));
    assert!(load_named("cifar10-test20", dir.parent().unwrap(), Split::Test).is_ok());
    assert!(load_named("imagenet", dir.parent().unwrap(), Split::Test).is_err());
}
