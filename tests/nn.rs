//! burn networks: shapes of the captured feature maps, a short training run that lowers the
//! loss on real images (sklearn's digits, embedded), checkpoint + resume, and bad settings.

use sednas::arch::nb201::Nb201Arch;
use sednas::data::digits;
use sednas::nn::nb201::{Nb201Net, Nb201NetConfig};
use sednas::nn::plain::{PlainCnn, PlainConfig};
use sednas::nn::train::{Optim, TrainParams, train};
use sednas::nn::{Classifier, cpu, from_nchw, to_nhwc, train_device};

const BEST: &str = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|";

fn small_cfg() -> Nb201NetConfig {
    Nb201NetConfig {
        in_channels: 1,
        width: 4,
        cells: 1,
        classes: 10,
    }
}

#[test]
fn nb201_feature_shapes() {
    let device = cpu();
    device.seed(1);
    let arch: Nb201Arch = BEST.parse().unwrap();
    let net = Nb201Net::new(&arch, &small_cfg(), &device).unwrap();
    let d = digits().take(5);
    let (logits, feats) = net.forward_features(from_nchw(d.images.view(), &device));
    assert_eq!(logits.dims(), [5, 10]);
    let names: Vec<&str> = feats.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "stem",
            "stage1_cell1",
            "reduction1",
            "stage2_cell1",
            "reduction2",
            "stage3_cell1"
        ]
    );
    let shapes: Vec<[usize; 4]> = feats.iter().map(|f| f.1.dims()).collect();
    assert_eq!(
        shapes,
        [
            [5, 4, 8, 8],
            [5, 4, 8, 8],
            [5, 8, 4, 4],
            [5, 8, 4, 4],
            [5, 16, 2, 2],
            [5, 16, 2, 2]
        ]
    );
    // conversion to the entropy core's n×h×w×c layout
    let a = to_nhwc(feats[1].1.clone()).unwrap();
    assert_eq!(a.dim(), (5, 8, 8, 4));
}

// A few epochs on 320 real digit images lower the training loss (fixed seed; the bound is
// generous: the last epoch's mean loss must be below 85% of the first's).
#[test]
fn training_reduces_loss_and_resumes() {
    let device = train_device();
    device.seed(7);
    let arch: Nb201Arch = BEST.parse().unwrap();
    let net = Nb201Net::new(&arch, &small_cfg(), &device).unwrap();
    let all = digits();
    let (tr, te) = (all.range(0, 320), all.range(1500, 1600));
    let cfg = TrainParams {
        epochs: 3,
        batch: 32,
        lr: 0.01,
        seed: 7,
        optim: Optim::Adam,
        schedule: Default::default(),
    }
    .check()
    .unwrap();
    let dir = std::env::temp_dir().join(format!("sednas-train-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (_, h) = train(
        net.clone(),
        &tr,
        &te,
        &TrainParams {
            epochs: 2,
            ..cfg.params()
        }
        .check()
        .unwrap(),
        Some(&dir),
        false,
        &device,
        |_, _, _| {},
    )
    .unwrap();
    assert_eq!(h.len(), 2);
    // resume to 3 epochs: the first two come from the checkpointed metrics
    let (_, h3) = train(net, &tr, &te, &cfg, Some(&dir), true, &device, |_, _, _| {}).unwrap();
    assert_eq!(h3.len(), 3);
    assert_eq!(h3[0], h[0]);
    assert!(h3[2].train_loss < 0.85 * h3[0].train_loss, "{h3:?}");
    assert!(dir.join("metrics.csv").is_file() && dir.join("model.bpk").is_file());
}

/// Every float tensor of a module, in visiting order, as raw bits.
struct Collect(Vec<Vec<u32>>);
impl burn::module::ModuleVisitor for Collect {
    fn visit_float<const D: usize>(&mut self, p: &burn::module::Param<burn::tensor::Tensor<D>>) {
        let v = p.val().into_data().try_to_vec::<f32>().unwrap();
        self.0.push(v.into_iter().map(f32::to_bits).collect());
    }
}

// A run killed mid-epoch resumes to the same bytes as a run that was never interrupted: the
// model, the optimizer state (Adam's moments and step counts) and every metric but the
// timings. The kill is a panic from the progress callback in epoch 2, after epoch 1 was
// committed; the schedule is cosine, so the learning rates depend on the total epoch count.
// Then the two windows of a kill while an epoch is being saved: staged files of an epoch the
// metrics do not list are discarded; staged files of the last listed epoch are moved into
// place. Without the optimizer state a resume is refused.
#[test]
fn killed_run_resumes_bit_for_bit() {
    let device = train_device();
    let arch: Nb201Arch = BEST.parse().unwrap();
    // a fresh network per run, every one with the same initial parameters read from a file
    // (clones of a burn module share BatchNorm's running statistics, and re-seeding the
    // device is not enough while other tests draw from it in parallel)
    let base = std::env::temp_dir().join(format!("sednas-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).unwrap();
    let init = base.join("init.bpk");
    burn::module::Module::save_file(Nb201Net::new(&arch, &small_cfg(), &device).unwrap(), &init)
        .unwrap();
    let fresh = || {
        burn::module::Module::try_load_file(
            Nb201Net::new(&arch, &small_cfg(), &device).unwrap(),
            &init,
        )
        .unwrap()
    };
    let all = digits();
    let (tr, te) = (all.range(0, 192), all.range(1500, 1564));
    let cfg = TrainParams {
        epochs: 3,
        batch: 32,
        lr: 0.01,
        seed: 3,
        optim: Optim::Adam,
        schedule: sednas::nn::train::Schedule::Cosine,
    }
    .check()
    .unwrap();
    let (whole, killed) = (base.join("whole"), base.join("killed"));
    let (_, h) = train(
        fresh(),
        &tr,
        &te,
        &cfg,
        Some(&whole),
        false,
        &device,
        |_, _, _| {},
    )
    .unwrap();
    let kill = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        train(
            fresh(),
            &tr,
            &te,
            &cfg,
            Some(&killed),
            false,
            &device,
            |e, b, _| {
                if e == 2 && b == 3 {
                    panic!("simulated kill");
                }
            },
        )
    }));
    assert!(kill.is_err());
    let rows = |d: &std::path::Path| -> Vec<String> {
        String::from_utf8(std::fs::read(d.join("metrics.csv")).unwrap())
            .unwrap()
            .lines()
            .map(|l| l.split(',').take(4).collect::<Vec<_>>().join(","))
            .collect()
    };
    assert_eq!(rows(&killed).len(), 2, "epoch 1 committed before the kill");
    // a kill after epoch 2 was staged but before it was committed: discarded
    std::fs::write(killed.join("model.bpk.e2.next"), b"half-written").unwrap();
    std::fs::write(killed.join("optim.bpk.e2.next"), b"half-written").unwrap();
    // a kill after epoch 1 was committed but before its files were moved into place
    std::fs::rename(killed.join("model.bpk"), killed.join("model.bpk.e1.next")).unwrap();
    let (_, hk) = train(
        fresh(),
        &tr,
        &te,
        &cfg,
        Some(&killed),
        true,
        &device,
        |_, _, _| {},
    )
    .unwrap();
    assert_eq!(hk.len(), 3);
    assert_eq!(rows(&killed), rows(&whole));
    for (a, b) in h.iter().zip(&hk) {
        assert_eq!((a.train_loss, a.test_acc), (b.train_loss, b.test_acc));
    }
    // every parameter and BatchNorm statistic equal bit for bit (the files themselves differ
    // in burn's random parameter ids); the optimizer state shows in epochs 2-3's losses, which
    // a fresh Adam would change
    let values = |d: &std::path::Path| {
        let m = burn::module::Module::try_load_file(fresh(), d.join("model.bpk")).unwrap();
        let mut c = Collect(Vec::new());
        burn::module::Module::visit(&m, &mut c);
        c.0
    };
    let (vw, vk) = (values(&whole), values(&killed));
    assert!(!vw.is_empty() && vw == vk, "model differs");
    let left: Vec<_> = std::fs::read_dir(&killed)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".next"))
        .collect();
    assert!(left.is_empty(), "staged files left: {left:?}");
    // without the optimizer state a resume is refused, naming the file
    let cut = base.join("cut");
    let short = TrainParams {
        epochs: 1,
        ..cfg.params()
    }
    .check()
    .unwrap();
    train(
        fresh(),
        &tr,
        &te,
        &short,
        Some(&cut),
        false,
        &device,
        |_, _, _| {},
    )
    .unwrap();
    std::fs::remove_file(cut.join("optim.bpk")).unwrap();
    let e = train(
        fresh(),
        &tr,
        &te,
        &TrainParams {
            epochs: 2,
            ..cfg.params()
        }
        .check()
        .unwrap(),
        Some(&cut),
        true,
        &device,
        |_, _, _| {},
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("optim.bpk") && e.contains("missing"), "{e}");
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn plain_cnn_and_bad_settings() {
    let device = cpu();
    let cfg = PlainConfig {
        in_channels: 1,
        width: 4,
        pool: 3,
        kernel: 3,
        skip: true,
        classes: 10,
    };
    let net = PlainCnn::new(&cfg, &device).unwrap();
    let d = digits().take(2);
    let (logits, feats) = net.forward_features(from_nchw(d.images.view(), &device));
    assert_eq!(logits.dims(), [2, 10]);
    // 8×8 digits: stem at 8×8, the varied block at 4×4, stage 2 at 2×2, stage 3 at 1×1
    assert_eq!(
        feats.iter().map(|f| f.1.dims()).collect::<Vec<_>>(),
        [
            [2, 4, 8, 8],
            [2, 4, 4, 4],
            [2, 4, 4, 4],
            [2, 8, 2, 2],
            [2, 16, 1, 1]
        ]
    );
    for pool in [2, 5] {
        let n = PlainCnn::new(&PlainConfig { pool, ..cfg }, &device).unwrap();
        assert_eq!(
            n.forward_features(from_nchw(d.images.view(), &device)).1[1]
                .1
                .dims(),
            [2, 4, 4, 4]
        );
    }
    assert!(PlainCnn::new(&PlainConfig { kernel: 4, ..cfg }, &device).is_err());
    let arch: Nb201Arch = BEST.parse().unwrap();
    assert!(
        Nb201Net::new(
            &arch,
            &Nb201NetConfig {
                width: 0,
                ..small_cfg()
            },
            &device
        )
        .is_err()
    );
    // a batch of 0 cannot even be made into the checked TrainConfig that train() takes
    let bad = TrainParams {
        epochs: 1,
        batch: 0,
        lr: 0.01,
        seed: 1,
        optim: Optim::Sgd,
        schedule: Default::default(),
    };
    assert!(bad.check().is_err());
    let net = Nb201Net::new(&arch, &small_cfg(), &device).unwrap();
    // a device without autodiff is a typed error, not a panic
    let ok = TrainParams { batch: 2, ..bad }.check().unwrap();
    assert!(train(net, &d, &d, &ok, None, false, &device, |_, _, _| {}).is_err());
}
