//! The main job on embedded defaults (`sednas demo`; no downloads, no data needed): the
//! local entropy of an embedded image, the proposition verdicts, SED over all of NB201 with
//! the tie at the top, other spaces, and (feature `nn`) the local entropy of an NB201
//! network briefly trained on the embedded digits. Written as text to any writer.

use std::io::Write;

use ndarray::{Array4, Ix2};

use crate::arch::nb201::{Nb201Arch, enumerate};
use crate::arch::{AnyArch, Census, SpaceKind};
use crate::entropy::{H1Estimator, H2Options, h1::local_h1_2d, local_h2, summarize};
use crate::error::{Error, Result};
use crate::io::npy::{NpyArray, parse_npy};
use crate::propositions::{VerifyOptions, verify_all};
use crate::sed::{Sed, SedConfig};
use crate::window::{Border, Kernel, Stride, WindowSpec};

/// A 31×40 u8 test image (the oracle-test image, embedded).
static IMAGE: &[u8] = include_bytes!("../../tests/golden/u8_full_31x40.npy");

/// One line of the demo's text, a failed write named as standard output.
macro_rules! say {
    ($o:expr, $($t:tt)*) => {
        writeln!($o, $($t)*).map_err(|e| Error::io("<stdout>", e))
    };
}

/// Writes the demo to `o`.
///
/// # Errors
/// [`Error::Io`] (path `<stdout>`) for a failed write; the embedded checks' own errors
/// (none are expected on embedded inputs).
pub fn run(o: &mut dyn Write) -> Result<()> {
    say!(
        o,
        "== 1. Local entropy of an embedded 31×40 u8 image (3×3 windows, crop border)"
    )?;
    let NpyArray::U8(img) = parse_npy(IMAGE, "embedded")? else {
        return Err(Error::Shape("embedded image is not u8".into()));
    };
    let img = img
        .into_dimensionality::<Ix2>()
        .map_err(|e| Error::Shape(e.to_string()))?;
    let spec = WindowSpec::new(Kernel::square(3)?, Stride::unit(), Border::Crop);
    let h = local_h1_2d(img.view(), &spec, &H1Estimator::Exact)?;
    let s = summarize(h.view().insert_axis(ndarray::Axis(2)));
    say!(
        o,
        "   H1 (bits): mean {:.4}, min {:.4}, max {:.4}, zero-entropy windows {:.1}%",
        s.mean.unwrap_or(0.0),
        s.min,
        s.max,
        100.0 * s.zero_fraction
    )?;
    let batch = Array4::from_shape_fn((32, 8, 8, 1), |(n, i, j, _)| {
        img[[i + (n % 4) * 5, j + (n / 4) * 4]] as f64
    });
    let h2 = local_h2(batch.view(), &spec, &H2Options::new())?;
    let s2 = summarize(h2.values.view());
    say!(
        o,
        "   H2 over 32 patches 8×8: mean {:.3} bits over finite windows, singular windows {}",
        s2.mean.unwrap_or(f64::NAN),
        h2.singular.len()
    )?;

    say!(
        o,
        "\n== 2. Propositions 1–5 (quick checks; `sednas verify` for the evidence)"
    )?;
    for r in verify_all(&VerifyOptions::default())? {
        say!(o, "   {}  {}", r.id, r.verdict)?;
    }

    say!(
        o,
        "\n== 3. SED over all 15,625 NAS-Bench-201 cells (printed formula, default reading)"
    )?;
    let sed = Sed::new(SedConfig::default())?;
    let mut census = Census::default();
    let t = std::time::Instant::now();
    let mut scored: Vec<(f64, Nb201Arch)> = enumerate(4)?
        .map(|a| (sed.score(&AnyArch::Nb201(a), &mut census), a))
        .collect();
    let dt = t.elapsed().as_secs_f64();
    scored.sort_by(|x, y| y.0.total_cmp(&x.0));
    let top = scored[0].0;
    let tied: Vec<&(f64, Nb201Arch)> = scored.iter().filter(|x| x.0 == top).collect();
    let mut distinct: Vec<f64> = scored.iter().map(|x| x.0).collect();
    distinct.dedup();
    say!(
        o,
        "   scored in {:.2} ms ({:.0} ns each); {} distinct SED values",
        dt * 1e3,
        dt * 1e9 / 15625.0,
        distinct.len()
    )?;
    say!(
        o,
        "   top SED {top:.4} is shared by {} cells (official indices):",
        tied.len()
    )?;
    for (_, a) in tied {
        say!(o, "     {:>5}  {}", a.official_index().unwrap_or(0), a)?;
    }
    say!(
        o,
        "   a search that picks 'the' best SED picks one of these at random: see `sednas eval` for their accuracies"
    )?;

    say!(o, "\n== 4. Other spaces")?;
    for (space, arch) in [
        (SpaceKind::NatsSss, "64:64:64:64:64"),
        (
            SpaceKind::Nb101,
            "0111101000001100000010000110000001100000000000000|input,maxpool3x3,maxpool3x3,conv3x3-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu,output",
        ),
        (
            SpaceKind::Darts,
            "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=range(2, 6))",
        ),
    ] {
        let a = AnyArch::parse(space, arch)?;
        say!(
            o,
            "   {space:<8} SED {:>10.4}  {}",
            sed.score(&a, &mut census),
            if arch.len() > 60 { &arch[..60] } else { arch }
        )?;
    }
    trained_section(o, &spec)?;
    say!(
        o,
        "\nNext: `sednas eval --space nb201 --truth ../shared/data/nb201_test_acc_200ep.csv --acc-col cifar10_test` (README: Paper vs sednas)"
    )?;
    Ok(())
}

/// Section 5 of the demo: an NB201 network trained on the embedded digits (feature `nn`).
#[cfg(feature = "nn")]
fn trained_section(o: &mut dyn Write, spec: &WindowSpec) -> Result<()> {
    say!(
        o,
        "\n== 5. Local entropy of real feature maps: an NB201 network (C = 8, N = 1) trained for one"
    )?;
    say!(
        o,
        "   epoch on sklearn's 8×8 digits (embedded), measured on 64 held-out digits (3×3 windows, binned:16 H1)"
    )?;
    let arch: Nb201Arch = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|".parse()?;
    let device = crate::nn::train_device();
    device.seed(0);
    let digits = crate::data::digits();
    let (tr, te) = (digits.range(0, 1500), digits.range(1500, digits.len()));
    let net = crate::nn::nb201::Nb201Net::new(
        &arch,
        &crate::nn::nb201::Nb201NetConfig {
            in_channels: 1,
            width: 8,
            cells: 1,
            classes: 10,
        },
        &device,
    )?;
    let tc = crate::nn::train::TrainParams {
        epochs: 1,
        batch: 32,
        lr: 0.005,
        seed: 0,
        optim: crate::nn::train::Optim::Adam,
        schedule: Default::default(),
    }
    .check()?;
    let t = std::time::Instant::now();
    let (net, hist) =
        crate::nn::train::train(net, &tr, &te, &tc, None, false, &device, |_, _, _| {})?;
    say!(
        o,
        "   trained in {:.1} s: held-out accuracy {:.1}%",
        t.elapsed().as_secs_f64(),
        100.0 * hist[0].test_acc
    )?;
    let layers = crate::nn::fmap::fmap_entropy(
        &net,
        &te.take(64),
        spec,
        &H1Estimator::Binned(crate::entropy::Binning::data_range(16)?),
        Some(&H2Options::new()),
        &crate::nn::cpu(),
    )?;
    for l in &layers {
        say!(
            o,
            "   {:<14} {:>10}  H1 mean {:.3} bits, zero-H1 windows {:>5.1}%, H2 mean {}",
            l.layer,
            format!("{}×{}×{}", l.shape[1], l.shape[2], l.shape[3]),
            l.h1_mean,
            100.0 * l.h1_zero_fraction,
            l.h2_mean
                .map(|v| format!("{v:.2} bits"))
                .unwrap_or_else(|| "n/a".into())
        )?;
    }
    Ok(())
}

#[cfg(not(feature = "nn"))]
fn trained_section(o: &mut dyn Write, _spec: &WindowSpec) -> Result<()> {
    say!(
        o,
        "\n== 5. (skipped: sednas was built without the `nn` feature, so without burn)"
    )?;
    Ok(())
}
