//! The streaming scorer (`sednas score`): the same rows as scoring line by line and writing
//! with the `csv` crate, for any thread count and chunk size; bad lines (unparsable, not
//! UTF-8, too long) reported by number without losing their neighbours; `--on-error stop`
//! writes exactly the rows before the bad line.

use std::io::Cursor;
use std::sync::Arc;

use sednas::arch::nb201::enumerate;
use sednas::arch::{AnyArch, Census, SpaceKind};
use sednas::proxy::stream::{
    LineScorer, Listed, MAX_LINE_BYTES, OnError, StreamOptions, StreamReport, TextLines,
    score_stream,
};
use sednas::sed::ledflow::LedFlow;
use sednas::sed::{Sed, SedConfig};

const DARTS: &str = "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=range(2, 6))";

fn sed() -> Sed {
    Sed::new(SedConfig::default()).unwrap()
}

/// The rows as the pre-streaming implementation wrote them: parse, score, csv::Writer.
fn reference(space: SpaceKind, lines: &[&str]) -> (String, Vec<usize>) {
    let sed = sed();
    let mut w = csv::Writer::from_writer(Vec::new());
    let with_index = matches!(space, SpaceKind::Nb201 | SpaceKind::NatsSss);
    let mut header = vec![];
    if with_index {
        header.push("index");
    }
    header.extend(["arch", "sed"]);
    w.write_record(&header).unwrap();
    let mut census = Census::default();
    let mut bad = vec![];
    for (k, l) in lines.iter().enumerate() {
        match AnyArch::parse(space, l.trim()) {
            Ok(a) => {
                let s = sed.score(&a, &mut census);
                let mut rec = vec![];
                if with_index {
                    rec.push(a.index().map(|i| i.to_string()).unwrap_or_default());
                }
                rec.push(a.to_string());
                rec.push(format!("{s}"));
                w.write_record(&rec).unwrap();
            }
            Err(_) => bad.push(k + 1),
        }
    }
    (String::from_utf8(w.into_inner().unwrap()).unwrap(), bad)
}

fn stream(
    space: SpaceKind,
    input: Vec<u8>,
    threads: usize,
    chunk: usize,
    on_error: OnError,
) -> (String, Vec<u64>, StreamReport) {
    let s = Arc::new(LineScorer::new(space, Box::new(sed()), None));
    let mut out = Vec::new();
    let mut bad = Vec::new();
    let opts = StreamOptions::new(threads, on_error)
        .unwrap()
        .with_chunk_bytes(chunk);
    let r = score_stream(
        s,
        TextLines::new(Cursor::new(input)),
        &mut out,
        opts,
        |l, _| bad.push(l),
    )
    .unwrap();
    (String::from_utf8(out).unwrap(), bad, r)
}

// Every NB201 cell plus bad lines, on 1–3 threads and chunks from 1 KiB to 256 KiB: the same
// bytes as the reference, the bad lines by number.
#[test]
fn nb201_rows_equal_reference_for_any_split() {
    let mut lines: Vec<String> = enumerate(4).unwrap().map(|a| a.to_string()).collect();
    lines.insert(7, "|nor_conv_3x3~0|+|nor_conv_3x3~0|".into()); // truncated cell
    lines.insert(5000, "garbage".into());
    lines.push("|skip_connect~0|+|none~0|none~1|+|none~0|none~1|bad_op~2|".into());
    let refs: Vec<&str> = lines.iter().map(|s| s.as_str()).collect();
    let (want, want_bad) = reference(SpaceKind::Nb201, &refs);
    assert_eq!(want_bad, vec![8, 5001, lines.len()]);
    let input = (lines.join("\n") + "\n").into_bytes();
    for threads in [1, 2, 3] {
        for chunk in [1024, 4096, 256 << 10] {
            let (got, bad, r) = stream(
                SpaceKind::Nb201,
                input.clone(),
                threads,
                chunk,
                OnError::Skip,
            );
            assert!(got == want, "threads {threads}, chunk {chunk}");
            assert_eq!(bad, vec![8, 5001, lines.len() as u64]);
            assert_eq!((r.lines, r.bad, r.stopped), (lines.len() as u64, 3, false));
        }
    }
}

// DARTS genotypes hold commas and quotes: the field is quoted as the csv crate quotes it.
#[test]
fn darts_quoting_equals_csv_crate() {
    let lines = [DARTS, DARTS];
    let (want, _) = reference(SpaceKind::Darts, &lines);
    let (got, bad, _) = stream(
        SpaceKind::Darts,
        format!("{DARTS}\n{DARTS}").into_bytes(),
        2,
        1024,
        OnError::Skip,
    );
    assert!(bad.is_empty());
    assert_eq!(got, want);
}

// Edge cases of the line policy: BOM, CRLF, blank and comment lines (not counted), a line
// that is not UTF-8 and a line over MAX_LINE_BYTES (bad, neighbours kept), no final newline.
#[test]
fn line_policy() {
    let good = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|";
    let mut input = b"\xEF\xBB\xBF".to_vec();
    input.extend_from_slice(format!("{good}\r\n\n   \n# a comment\n").as_bytes());
    input.extend_from_slice(b"\xff\xfe not utf-8\n");
    input.extend(std::iter::repeat_n(b'x', MAX_LINE_BYTES + 10));
    input.push(b'\n');
    input.extend_from_slice(good.as_bytes());
    let (got, bad, r) = stream(SpaceKind::Nb201, input, 2, 1024, OnError::Skip);
    assert_eq!(bad, vec![5, 6]);
    assert_eq!((r.lines, r.bad), (4, 2));
    let (want, _) = reference(SpaceKind::Nb201, &[good, good]);
    assert_eq!(got, want);
}

// --on-error stop: the rows before the bad line, nothing after, whatever the split.
#[test]
fn stop_writes_exactly_the_rows_before() {
    let lines: Vec<String> = enumerate(4)
        .unwrap()
        .take(3000)
        .map(|a| a.to_string())
        .collect();
    let mut with_bad = lines.clone();
    with_bad.insert(2001, "nope".into());
    let refs: Vec<&str> = lines[..2001].iter().map(|s| s.as_str()).collect();
    let (want, _) = reference(SpaceKind::Nb201, &refs);
    for threads in [1, 2, 4] {
        let (got, bad, r) = stream(
            SpaceKind::Nb201,
            with_bad.join("\n").into_bytes(),
            threads,
            1024,
            OnError::Stop,
        );
        assert_eq!(got, want);
        assert_eq!(bad, vec![2002]);
        assert!(r.stopped);
    }
}

// LED-flow through the stream equals LedFlow::score line by line.
#[test]
fn led_flow_rows() {
    let lines: Vec<String> = enumerate(4)
        .unwrap()
        .take(500)
        .map(|a| a.to_string())
        .collect();
    let led = LedFlow::new(Default::default()).unwrap();
    let s = Arc::new(LineScorer::new(SpaceKind::Nb201, Box::new(led), None));
    let mut out = Vec::new();
    let opts = StreamOptions::new(2, OnError::Skip).unwrap();
    score_stream(s, Listed::new(lines.clone()), &mut out, opts, |_, _| {}).unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut rows = text.lines();
    assert_eq!(rows.next(), Some("index,arch,led_flow"));
    let mut g = Vec::new();
    for (l, row) in lines.iter().zip(rows) {
        let a = AnyArch::parse(SpaceKind::Nb201, l).unwrap();
        let v = led.score(&a, &mut g);
        assert_eq!(row, format!("{},{},{}", a.index().unwrap(), a, v));
    }
}
