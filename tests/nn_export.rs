//! `sednas nn-export`: one tiny network per space is exported; every file of the manifest
//! exists with the shape it names, parameters match the network's, the maps are measure's
//! layers in measure's order, and bad input is a one-line error with no files left behind.
#![cfg(feature = "nn")]

use std::path::{Path, PathBuf};
use std::process::Command;

use sednas::io::npy::read_npy;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sednas"))
}

struct Dir(PathBuf);
impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
        let _ = std::fs::remove_file(&self.0);
    }
}
fn tmp(name: &str) -> Dir {
    let d = std::env::temp_dir().join(format!("sednas-export-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    Dir(d)
}

fn shape_of(v: &serde_json::Value) -> Vec<usize> {
    v["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect()
}

/// Runs nn-export and checks every file the manifest names; returns the manifest.
fn export(dir: &Path, args: &[&str]) -> serde_json::Value {
    let o = bin()
        .args(["nn-export", "--batch", "10", "--out"])
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let mut all: Vec<&serde_json::Value> = m["params"].as_array().unwrap().iter().collect();
    all.extend(m["maps"].as_array().unwrap());
    all.push(&m["input"]);
    all.push(&m["logits"]);
    for e in all {
        let a = read_npy(&dir.join(e["file"].as_str().unwrap())).unwrap();
        assert_eq!(a.shape(), shape_of(e).as_slice(), "{e}");
    }
    assert_eq!(shape_of(&m["input"]), [10, 3, 32, 32]);
    assert_eq!(shape_of(&m["logits"]), [10, 10]);
    let row: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("measure.json")).unwrap()).unwrap();
    assert_eq!(row["summaries"].as_object().unwrap().len(), 6);
    // the maps are measure's, in its order
    let measured: Vec<String> = row["maps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            format!(
                "{}.{}",
                x["layer"].as_str().unwrap(),
                x["kind"].as_str().unwrap()
            )
        })
        .collect();
    let exported: Vec<String> = m["maps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(measured, exported);
    // the exported maps are the ones measure measures (same weights, drawn in forward
    // order: burn initialises parameters lazily): measuring them again gives the row
    for (e, r) in m["maps"]
        .as_array()
        .unwrap()
        .iter()
        .zip(row["maps"].as_array().unwrap())
    {
        let a = read_npy(&dir.join(e["file"].as_str().unwrap()))
            .unwrap()
            .to_f64();
        let nhwc = a
            .into_dimensionality::<ndarray::Ix4>()
            .unwrap()
            .permuted_axes([0, 2, 3, 1])
            .mapv(|v| v as f32);
        let (layer, kind) = (r["layer"].as_str().unwrap(), e["kind"].as_str().unwrap());
        let kind: &'static str = if kind == "out" { "out" } else { "relu" };
        let got = sednas::nn::measure::measure_map(nhwc.view(), layer, kind, 16).unwrap();
        for k in ["h1x", "h1b", "zero", "distinct", "h2", "singular"] {
            // NaN (no non-singular H2 window) is written as null
            let want = r[k].as_f64().unwrap_or(f64::NAN);
            let g = serde_json::to_value(&got).unwrap()[k]
                .as_f64()
                .unwrap_or(f64::NAN);
            if want.is_nan() && g.is_nan() {
                continue;
            }
            assert!(
                (g - want).abs() < 1e-12,
                "{layer}.{kind} {k}: {g} vs {want}"
            );
        }
    }

    m
}

#[test]
fn nn_export_writes_every_tensor_with_its_shape() {
    let d = tmp("nb201");
    let m = export(
        &d.0,
        &[
            "--arch",
            "|nor_conv_3x3~0|+|none~0|avg_pool_3x3~1|+|nor_conv_1x1~0|skip_connect~1|none~2|",
            "--width",
            "2",
            "--cells",
            "1",
        ],
    );
    let names: Vec<&str> = m["maps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 12);
    assert_eq!(&names[..3], ["stem.out", "stem.relu", "stage1_cell1.out"]);
    assert_eq!(names[11], "stage3_cell1.relu");
    let p = |name: &str| {
        m["params"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == name)
            .map(shape_of)
    };
    assert_eq!(p("stem.weight"), Some(vec![2, 3, 3, 3]));
    assert_eq!(p("classifier.weight"), Some(vec![8, 10]));
    assert_eq!(
        p("cells.0.edges.0.conv.conv.weight"),
        Some(vec![2, 2, 3, 3])
    );
    assert_eq!(p("reductions.0.proj.weight"), Some(vec![4, 2, 1, 1]));
    // NB101 and DARTS, smallest networks
    let d1 = tmp("nb101");
    export(
        &d1.0,
        &[
            "--space",
            "nb101",
            "--arch",
            "0110100010000110000100000|input,conv3x3-bn-relu,maxpool3x3,conv1x1-bn-relu,output",
            "--width",
            "4",
            "--cells",
            "1",
        ],
    );
    let d2 = tmp("darts");
    let cell = "sep_conv_3x3~0;skip_connect~1;none~0;dil_conv_3x3~2;max_pool_3x3~1;avg_pool_3x3~0;skip_connect~0;skip_connect~0";
    export(
        &d2.0,
        &[
            "--space",
            "darts",
            "--arch",
            &format!("{cell}|{cell}"),
            "--width",
            "2",
            "--cells",
            "3",
        ],
    );
}

#[test]
fn nn_export_refuses_bad_input_without_writing() {
    let d = tmp("bad");
    for args in [
        vec!["--arch", "|bogus~0|+|none~0|none~1|+|none~0|none~1|none~2|"],
        vec!["--space", "nats-sss", "--arch", "8:8:8:8:8"],
        vec![
            "--space",
            "darts",
            "--width",
            "3",
            "--arch",
            "none~0;none~1;none~0;none~1;none~0;none~1;none~0;none~1|none~0;none~1;none~0;none~1;none~0;none~1;none~0;none~1",
        ],
    ] {
        let o = bin()
            .args(["nn-export", "--out"])
            .arg(&d.0)
            .args(&args)
            .output()
            .unwrap();
        assert!(!o.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("panicked"), "{err}");
        assert!(!d.0.join("manifest.json").exists());
    }
    // an output location under a file
    let f = tmp("file");
    std::fs::write(&f.0, b"x").unwrap();
    let o = bin()
        .args([
            "nn-export",
            "--arch",
            "|skip_connect~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|",
            "--width",
            "2",
            "--out",
        ])
        .arg(&f.0)
        .output()
        .unwrap();
    assert!(!o.status.success());
}
