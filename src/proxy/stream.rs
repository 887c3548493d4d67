//! Streaming scorer: architecture lines in, CSV rows out, in bounded memory, on several
//! threads, in input order.
//!
//! A reader thread cuts the input into chunks of about [`StreamOptions::chunk_bytes`] at line
//! ends; worker threads parse and score whole chunks into output buffers (no allocation per
//! line once the buffers have grown); the calling thread writes the buffers in input order.
//! At most [`StreamOptions::window`] chunks are in flight, so memory does not depend on the
//! input size. The output is byte-identical for any number of threads.
//!
//! Line policy (raw text input): blank lines and lines starting with `#` are skipped (not
//! counted); a UTF-8 byte-order mark at the start and a `\r` before `\n` are dropped; a line
//! that is not UTF-8 or longer than [`MAX_LINE_BYTES`] is a bad line (reported with its
//! number, like a line that does not parse).

use std::io::{Read, Write};
use std::num::NonZeroUsize;
use std::sync::mpsc::{channel, sync_channel};
use std::sync::{Arc, Mutex};

use crate::arch::{AnyArch, Census, ColumnIndex, SpaceKind};
use crate::error::{Error, Result};
use crate::io::text::{push_f64, push_u64};
use crate::proxy::{Built, Settings, find};
use crate::sed::Sed;

/// Longest accepted input line (1 MiB); a longer line is reported as bad and skipped.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// What to do with a line that does not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum OnError {
    /// Report it, skip it, go on.
    Skip,
    /// Report it and stop: nothing after it is written.
    Stop,
}

/// Scores one line into one CSV row.
#[derive(Debug)]
pub struct LineScorer {
    space: SpaceKind,
    /// The proxy of the registry ([`crate::proxy`]).
    proxy: Built,
    /// SED, for `--explain`'s breakdown (`None`: no breakdown).
    explain: Option<Sed>,
    /// NB201 only: the node count of the generalised cell that was asked for (`None`: the
    /// 4-node benchmark cell).
    nodes: Option<usize>,
}

/// Per-thread scratch space reused between lines.
#[derive(Debug, Default)]
pub struct Scratch {
    /// The proxy's own scratch space.
    proxy: crate::proxy::Scratch,
    /// The census `--explain` breaks down.
    census: Census,
    /// The architecture's text before quoting (reused: no allocation per line).
    text: Vec<u8>,
}

impl LineScorer {
    /// A scorer for `space` under `proxy` (built from the registry, [`crate::proxy`]);
    /// with `explain`, each row also has skip_SED, conv_SED, pool_SED of the first block
    /// under that SED.
    ///
    /// ```
    /// use sednas::arch::SpaceKind;
    /// use sednas::proxy::{find, Settings, stream::LineScorer};
    /// let sed = find("sed").unwrap().build(&Settings::default(), SpaceKind::Nb101).unwrap();
    /// let s = LineScorer::new(SpaceKind::Nb101, sed, Some(sednas::sed::Sed::new(Default::default()).unwrap()));
    /// assert_eq!(s.header(), "arch,sed,skip_sed,conv_sed,pool_sed\n");
    /// let p = LineScorer::named(SpaceKind::Nb201, "params", &Settings::default(), false).unwrap();
    /// assert_eq!(p.header(), "index,arch,params\n");
    /// ```
    pub fn new(space: SpaceKind, proxy: Built, explain: Option<Sed>) -> Self {
        LineScorer {
            space,
            proxy,
            explain,
            nodes: None,
        }
    }

    /// A scorer for `space` under the registry's proxy `name`, built with `settings`
    /// (`explain`: SED of `settings` breaks each row down).
    ///
    /// # Errors
    /// An unknown name, a proxy not defined for `space` or a refused setting
    /// ([`crate::proxy::Entry::build`]).
    ///
    /// ```
    /// use sednas::arch::SpaceKind;
    /// use sednas::proxy::{Settings, stream::LineScorer};
    /// let s = LineScorer::named(SpaceKind::Nb201, "led_flow", &Settings::default(), false).unwrap();
    /// assert_eq!(s.header(), "index,arch,led_flow\n");
    /// assert!(LineScorer::named(SpaceKind::NatsSss, "ledp", &Settings::default(), false).is_err());
    /// ```
    pub fn named(space: SpaceKind, name: &str, settings: &Settings, explain: bool) -> Result<Self> {
        let proxy = find(name)?.build(settings, space)?;
        let explain = if explain {
            Some(Sed::new(settings.sed)?)
        } else {
            None
        };
        Ok(Self::new(space, proxy, explain))
    }

    /// NB201's generalised cell of `nodes` nodes (`sednas score --nodes N`): lines must be
    /// cells of exactly that many nodes. Other spaces refuse it.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`--nodes`) for a space other than NB201, and (`nodes`)
    /// for a node count outside 2..=7.
    ///
    /// ```
    /// use sednas::arch::SpaceKind;
    /// use sednas::proxy::{Settings, stream::{LineScorer, Scratch}};
    /// let named = |space| LineScorer::named(space, "sed", &Settings::default(), false).unwrap();
    /// let s = named(SpaceKind::Nb201).with_nodes(3).unwrap();
    /// let mut out = Vec::new();
    /// s.score_line("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|", &mut Scratch::default(), &mut out).unwrap();
    /// // a 4-node cell under --nodes 3 is refused, naming both counts
    /// let e = s.score_line("|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|", &mut Scratch::default(), &mut out).unwrap_err();
    /// assert!(e.to_string().contains("a 4-node cell") && e.to_string().contains("--nodes 3"), "{e}");
    /// assert!(named(SpaceKind::Nb101).with_nodes(3).is_err());
    /// ```
    pub fn with_nodes(mut self, nodes: usize) -> Result<Self> {
        if self.space != SpaceKind::Nb201 {
            return Err(Error::param(
                "--nodes",
                format!(
                    "applies only to nb201's generalised cell, not to {}",
                    self.space
                ),
            ));
        }
        crate::arch::nb201::space_size(nodes)?;
        self.nodes = Some(nodes);
        Ok(self)
    }

    fn with_index(&self) -> bool {
        matches!(self.space, SpaceKind::Nb201 | SpaceKind::NatsSss)
    }

    /// The CSV header row (with its line end).
    ///
    /// ```
    /// use sednas::arch::SpaceKind;
    /// use sednas::proxy::{Settings, stream::LineScorer};
    /// let s = LineScorer::named(SpaceKind::Nb201, "sed", &Settings::default(), false).unwrap();
    /// assert_eq!(s.header(), "index,arch,sed\n");
    /// ```
    pub fn header(&self) -> String {
        let mut h = String::new();
        if self.with_index() {
            h.push_str("index,");
        }
        h.push_str("arch,");
        h.push_str(self.proxy.entry().column);
        if self.explain.is_some() {
            h.push_str(",skip_sed,conv_sed,pool_sed");
        }
        h.push('\n');
        h
    }

    /// Parses `text` (trimmed) and appends its CSV row to `out`; on error nothing is appended.
    ///
    /// # Errors
    /// [`Error::Arch`] for text that is not an architecture of the space, or an NB201 cell
    /// of another node count than the scorer's (4, or `--nodes`), naming how to ask for it.
    ///
    /// ```
    /// use sednas::arch::SpaceKind;
    /// use sednas::proxy::{Settings, stream::{LineScorer, Scratch}};
    /// let s = LineScorer::named(SpaceKind::NatsSss, "sed", &Settings::default(), false).unwrap();
    /// let mut out = Vec::new();
    /// s.score_line(" 8:8:8:8:8 ", &mut Scratch::default(), &mut out).unwrap();
    /// assert!(out.starts_with(b"0,8:8:8:8:8,"));
    /// assert!(s.score_line("8:8", &mut Scratch::default(), &mut out).is_err());
    /// ```
    pub fn score_line(&self, text: &str, scratch: &mut Scratch, out: &mut Vec<u8>) -> Result<()> {
        let text = text.trim();
        let arch = match self.nodes {
            // `--space nb201` is the 4-node benchmark cell: a cell of another size (e.g. a
            // truncated copy of an NB201 string) is a bad line that says how to ask for it
            None => match AnyArch::parse(self.space, text)? {
                AnyArch::Nb201(a) if a.nodes() != 4 => {
                    return Err(Error::Arch {
                        space: "nb201",
                        position: 0,
                        expected: format!(
                            "the 4-node benchmark cell (for the generalised {n}-node cell pass --nodes {n})",
                            n = a.nodes()
                        ),
                        message: format!("a {}-node cell", a.nodes()),
                    });
                }
                other => other,
            },
            Some(n) => {
                let a: crate::arch::nb201::Nb201Arch = text.parse()?;
                if a.nodes() != n {
                    return Err(Error::Arch {
                        space: "nb201",
                        position: 0,
                        expected: format!("a {n}-node cell (--nodes {n})"),
                        message: format!("a {}-node cell", a.nodes()),
                    });
                }
                AnyArch::Nb201(a)
            }
        };
        if let Some(sed) = &self.explain {
            arch.census(sed.census_options(), &mut scratch.census);
        }
        let score = self.proxy.score(&arch, &mut scratch.proxy);
        if self.with_index() {
            if let Some(i) = arch.index() {
                push_u64(out, i as u64);
            }
            out.push(b',');
        }
        match &arch {
            // the parser checks every byte; only leading zeros in an input index can make a
            // parsed cell longer than its canonical form, so an input of canonical length is
            // the canonical text itself
            AnyArch::Nb201(a) if a.text_len() == text.len() => {
                out.extend_from_slice(text.as_bytes())
            }
            AnyArch::Nb201(a) => a.write_bytes(out),
            other => {
                scratch.text.clear();
                write!(scratch.text, "{other}").map_err(|e| Error::io("<output buffer>", e))?;
                write_field(out, &scratch.text);
            }
        }
        out.push(b',');
        push_f64(out, score);
        if let Some(sed) = &self.explain {
            let b = sed.breakdown(&scratch.census);
            let f = b.first();
            for v in [
                f.map(|x| x.skip_sed),
                f.map(|x| x.conv_sed),
                f.map(|x| x.pool_sed),
            ] {
                out.push(b',');
                if let Some(v) = v {
                    push_f64(out, v);
                }
            }
        }
        out.push(b'\n');
        Ok(())
    }
}

/// Writes one CSV field, quoted (with doubled quotes) exactly when it holds `,`, `"`, `\r` or
/// `\n` (the rule of the `csv` crate's default writer).
fn write_field(out: &mut Vec<u8>, s: &[u8]) {
    if s.iter().any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n')) {
        out.push(b'"');
        for &b in s {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(s);
    }
}

/// Threads, chunk size and in-flight window of a streaming run.
#[derive(Debug, Clone, Copy)]
pub struct StreamOptions {
    threads: NonZeroUsize,
    chunk_bytes: usize,
    on_error: OnError,
}

impl StreamOptions {
    /// `threads` workers (≥ 1), 256 KiB chunks.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`threads`) for 0 or more than 1024.
    ///
    /// ```
    /// use sednas::proxy::stream::{OnError, StreamOptions};
    /// assert!(StreamOptions::new(0, OnError::Skip).is_err());
    /// assert_eq!(StreamOptions::new(2, OnError::Skip).unwrap().window(), 8);
    /// ```
    pub fn new(threads: usize, on_error: OnError) -> Result<Self> {
        let threads = NonZeroUsize::new(threads)
            .ok_or_else(|| Error::param("threads", "must be at least 1, got 0"))?;
        if threads.get() > 1024 {
            return Err(Error::param(
                "threads",
                format!("must be at most 1024, got {threads}"),
            ));
        }
        Ok(StreamOptions {
            threads,
            chunk_bytes: 256 << 10,
            on_error,
        })
    }

    /// Chunks in flight at most (4 per thread): memory is about window × chunk size × 3.
    ///
    /// ```
    /// use sednas::proxy::stream::{OnError, StreamOptions};
    /// assert_eq!(StreamOptions::new(3, OnError::Stop).unwrap().window(), 12);
    /// ```
    pub fn window(&self) -> usize {
        4 * self.threads.get()
    }

    /// Sets the chunk size (at least 1 KiB).
    ///
    /// The chunk size changes how the input is cut, never the output.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use sednas::arch::SpaceKind;
    /// use sednas::proxy::{Settings, stream::*};
    /// let s = Arc::new(LineScorer::named(SpaceKind::NatsSss, "sed", &Settings::default(), false).unwrap());
    /// let text: String = (0..200).map(|i| format!("{}:8:8:8:{}\n", 8 * (1 + i % 8), 8 * (1 + i / 25))).collect();
    /// let run = |opts: StreamOptions| {
    ///     let mut out = Vec::new();
    ///     score_stream(s.clone(), TextLines::new(std::io::Cursor::new(text.clone().into_bytes())), &mut out, opts, |_, _| {}).unwrap();
    ///     out
    /// };
    /// let base = StreamOptions::new(2, OnError::Skip).unwrap();
    /// let small = base.with_chunk_bytes(1); // raised to the 1 KiB minimum
    /// assert_eq!(small.window(), 8);
    /// assert_eq!(run(small), run(base));
    /// ```
    pub fn with_chunk_bytes(mut self, bytes: usize) -> Self {
        self.chunk_bytes = bytes.max(1024);
        self
    }
}

/// One input line of a chunk.
#[derive(Debug, Clone)]
enum Item {
    /// Line number and byte range in the chunk buffer.
    Text(u64, usize, usize),
    /// A line that could not be read (not UTF-8, too long): number and reason.
    Bad(u64, String),
}

/// A piece of input cut at line ends.
#[derive(Debug, Default)]
pub struct Chunk {
    buf: Vec<u8>,
    items: Vec<Item>,
    /// A read error after the items: the run ends with it.
    fatal: Option<Error>,
    /// Whether `buf` still holds raw text lines to split (see [`TextLines`]).
    raw: bool,
    /// Number of the first line of a raw block.
    first_line: u64,
    /// Whether a raw block may start with a UTF-8 byte-order mark.
    strip_bom: bool,
}

/// Where lines come from: called on the reader thread until it returns `false`.
pub trait ChunkSource: Send + 'static {
    /// Fills the (empty, recycled) `chunk` with about `bytes` bytes of lines; `false` at the
    /// end of the input (nothing added).
    fn fill(&mut self, bytes: usize, chunk: &mut Chunk) -> bool;
}

impl Chunk {
    fn clear(&mut self) {
        self.buf.clear();
        self.items.clear();
        self.fatal = None;
        self.raw = false;
        self.strip_bom = false;
    }
}

/// Raw text lines (stdin): blank and `#` lines skipped, BOM and `\r` dropped.
///
/// The reader thread only reads blocks and cuts them after their last line end (counting
/// line ends for the numbering); the workers split the lines, in parallel.
pub struct TextLines<R> {
    inner: R,
    /// Bytes after the last line end of the previous block.
    carry: Vec<u8>,
    /// Lines before the next chunk.
    line: u64,
    done: bool,
    started: bool,
}

impl<R: Read + Send + 'static> TextLines<R> {
    /// Lines of `inner` (read in blocks: wrap it in no `BufReader`).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use sednas::arch::SpaceKind;
    /// use sednas::proxy::{Settings, stream::*};
    /// let s = Arc::new(LineScorer::named(SpaceKind::NatsSss, "sed", &Settings::default(), false).unwrap());
    /// // a BOM, a CRLF line end, a blank and a comment line
    /// let input = std::io::Cursor::new(b"\xEF\xBB\xBF8:8:8:8:8\r\n\n# c\n8:8:8:8:16".to_vec());
    /// let mut out = Vec::new();
    /// let r = score_stream(s, TextLines::new(input), &mut out, StreamOptions::new(1, OnError::Skip).unwrap(), |_, _| {}).unwrap();
    /// assert_eq!((r.lines, r.bad), (2, 0));
    /// let text = String::from_utf8(out).unwrap();
    /// let rows: Vec<&str> = text.lines().map(|l| l.rsplit_once(',').unwrap().0).collect();
    /// assert_eq!(rows, ["index,arch", "0,8:8:8:8:8", "1,8:8:8:8:16"]);
    /// ```
    pub fn new(inner: R) -> Self {
        TextLines {
            inner,
            carry: Vec::new(),
            line: 0,
            done: false,
            started: false,
        }
    }

    /// Drops input up to and including the next line end (the rest of a too-long line).
    fn skip_to_line_end(&mut self) -> std::io::Result<()> {
        let mut b = [0u8; 1 << 16];
        loop {
            let n = match self.inner.read(&mut b) {
                Ok(0) => {
                    self.done = true;
                    return Ok(());
                }
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if let Some(k) = memchr::memchr(b'\n', &b[..n]) {
                self.carry.extend_from_slice(&b[k + 1..n]);
                return Ok(());
            }
        }
    }
}

impl<R: Read + Send + 'static> ChunkSource for TextLines<R> {
    fn fill(&mut self, bytes: usize, c: &mut Chunk) -> bool {
        if self.done && self.carry.is_empty() {
            return false;
        }
        c.buf.append(&mut self.carry);
        c.first_line = self.line + 1;
        c.raw = true;
        c.strip_bom = !self.started;
        self.started = true;
        // read until the block holds `bytes` bytes and a line end, or the input ends
        let mut scanned = 0;
        let mut have_end = false;
        loop {
            have_end |= memchr::memchr(b'\n', &c.buf[scanned..]).is_some();
            scanned = c.buf.len();
            if self.done || (c.buf.len() >= bytes && have_end) {
                break;
            }
            if !have_end && c.buf.len() > MAX_LINE_BYTES {
                // one line longer than the limit: report it, drop it up to its end
                c.buf.clear();
                c.raw = false;
                self.line += 1;
                c.items.push(Item::Bad(
                    self.line,
                    format!("line longer than {MAX_LINE_BYTES} bytes"),
                ));
                if let Err(e) = self.skip_to_line_end() {
                    c.fatal = Some(Error::io(format!("<input line {}>", self.line), e));
                    self.done = true;
                }
                return true;
            }
            let old = c.buf.len();
            let want = bytes.max(old + 4096);
            c.buf.resize(want, 0);
            match self.inner.read(&mut c.buf[old..]) {
                Ok(0) => {
                    c.buf.truncate(old);
                    self.done = true;
                }
                Ok(n) => c.buf.truncate(old + n),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => c.buf.truncate(old),
                Err(e) => {
                    c.buf.truncate(old);
                    self.done = true;
                    c.fatal = Some(Error::io(format!("<input line {}>", self.line + 1), e));
                }
            }
        }
        // keep whole lines; the tail waits for the next block (or is the last line)
        if !self.done
            && let Some(k) = memchr::memrchr(b'\n', &c.buf)
        {
            self.carry.extend_from_slice(&c.buf[k + 1..]);
            c.buf.truncate(k + 1);
        }
        let ends = memchr::memchr_iter(b'\n', &c.buf).count() as u64;
        let last_open = !c.buf.is_empty() && c.buf.last() != Some(&b'\n');
        self.line += ends + last_open as u64;
        true
    }
}

impl Chunk {
    /// Splits a raw block into line items (on a worker thread).
    fn split_lines(&mut self) {
        if !self.raw {
            return;
        }
        let mut line = self.first_line;
        let mut pos = 0usize;
        if self.strip_bom && self.buf.starts_with(b"\xEF\xBB\xBF") {
            pos = 3;
        }
        let buf = &self.buf;
        while pos < buf.len() {
            let end = memchr::memchr(b'\n', &buf[pos..]).map_or(buf.len(), |k| pos + k);
            let (mut s, mut e) = (pos, end);
            while s < e && buf[s].is_ascii_whitespace() {
                s += 1;
            }
            while e > s && buf[e - 1].is_ascii_whitespace() {
                e -= 1;
            }
            if s < e && buf[s] != b'#' {
                self.items.push(Item::Text(line, s, e));
            }
            line += 1;
            pos = end + 1;
        }
        self.raw = false;
    }
}

/// Architecture texts taken from a CSV column (see [`ColumnIndex::text`]).
pub struct CsvRecords<R> {
    rdr: csv::Reader<R>,
    cols: ColumnIndex,
    name: String,
    done: bool,
}

impl<R: Read + Send + 'static> CsvRecords<R> {
    /// Records of `rdr` (headers already located as `cols`); `name` is used in errors.
    ///
    /// Errors carry the CSV line of the record.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use sednas::arch::{ArchColumns, SpaceKind};
    /// use sednas::proxy::{Settings, stream::*};
    /// let mut rdr = csv::Reader::from_reader(std::io::Cursor::new(b"id,channels\n1,8:8:8:8:8\n2,bad\n".to_vec()));
    /// let cols = ArchColumns::default_for(SpaceKind::NatsSss)
    ///     .locate(SpaceKind::NatsSss, rdr.headers().unwrap(), "mem.csv")
    ///     .unwrap();
    /// let s = Arc::new(LineScorer::named(SpaceKind::NatsSss, "sed", &Settings::default(), false).unwrap());
    /// let mut bad = Vec::new();
    /// let mut out = Vec::new();
    /// let r = score_stream(s, CsvRecords::new(rdr, cols, "mem.csv"), &mut out,
    ///     StreamOptions::new(1, OnError::Skip).unwrap(), |line, _| bad.push(line)).unwrap();
    /// assert_eq!((r.lines, r.bad, bad), (2, 1, vec![3]));
    /// assert!(String::from_utf8(out).unwrap().contains("\n0,8:8:8:8:8,"));
    /// ```
    pub fn new(rdr: csv::Reader<R>, cols: ColumnIndex, name: impl Into<String>) -> Self {
        CsvRecords {
            rdr,
            cols,
            name: name.into(),
            done: false,
        }
    }
}

/// A CSV file read through the bounded reader.
pub type CsvFile = crate::io::bounded::Bounded<std::io::BufReader<std::fs::File>>;

impl CsvRecords<CsvFile> {
    /// The architecture column(s) `cols` of the CSV file `path` (header row located first).
    ///
    /// # Errors
    /// [`Error::NotAFile`] / [`Error::Io`] for a path that cannot be read; [`Error::Csv`]
    /// naming line 1 for an unreadable header or a missing column.
    pub fn open(
        path: &std::path::Path,
        space: SpaceKind,
        cols: &crate::arch::ArchColumns,
    ) -> Result<Self> {
        let name = path.display().to_string();
        let mut rdr =
            csv::Reader::from_reader(crate::io::bounded::open(path, crate::io::bounded::CSV)?);
        let headers = rdr
            .headers()
            .map_err(|e| {
                crate::io::bounded::from_csv(&e).unwrap_or_else(|| Error::Csv {
                    path: name.clone(),
                    line: 1,
                    reason: e.to_string(),
                })
            })?
            .clone();
        let idx = cols.locate(space, &headers, &name)?;
        Ok(CsvRecords::new(rdr, idx, name))
    }
}

impl<R: Read + Send + 'static> ChunkSource for CsvRecords<R> {
    fn fill(&mut self, bytes: usize, c: &mut Chunk) -> bool {
        if self.done {
            return false;
        }
        let mut rec = csv::StringRecord::new();
        while c.buf.len() < bytes {
            match self.rdr.read_record(&mut rec) {
                Ok(true) => {
                    let line = rec.position().map(|p| p.line()).unwrap_or(0);
                    let t = self.cols.text(&rec);
                    let s = c.buf.len();
                    c.buf.extend_from_slice(t.as_bytes());
                    c.items.push(Item::Text(line, s, c.buf.len()));
                }
                Ok(false) => {
                    self.done = true;
                    break;
                }
                Err(e) => {
                    let line = e.position().map(|p| p.line()).unwrap_or(0);
                    c.fatal =
                        Some(
                            crate::io::bounded::from_csv(&e).unwrap_or_else(|| Error::Csv {
                                path: self.name.clone(),
                                line,
                                reason: e.to_string(),
                            }),
                        );
                    self.done = true;
                    break;
                }
            }
        }
        true
    }
}

/// A fixed list of lines (command-line arguments), numbered from 1, nothing skipped.
pub struct Listed(Option<Vec<String>>);

impl Listed {
    /// The given lines.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use sednas::arch::SpaceKind;
    /// use sednas::proxy::{Settings, stream::*};
    /// let s = Arc::new(LineScorer::named(SpaceKind::NatsSss, "sed", &Settings::default(), false).unwrap());
    /// let lines = vec!["8:8:8:8:16".to_string(), "x".to_string(), "8:8:8:8:8".to_string()];
    /// let mut bad = Vec::new();
    /// let mut out = Vec::new();
    /// // stop at the first bad line: nothing after it is written
    /// let r = score_stream(s, Listed::new(lines), &mut out, StreamOptions::new(1, OnError::Stop).unwrap(),
    ///     |line, _| bad.push(line)).unwrap();
    /// assert_eq!((r.bad, r.stopped, bad), (1, true, vec![2]));
    /// assert_eq!(String::from_utf8(out).unwrap().lines().count(), 2); // header + the first row
    /// ```
    pub fn new(lines: Vec<String>) -> Self {
        Listed(Some(lines))
    }
}

impl ChunkSource for Listed {
    fn fill(&mut self, _bytes: usize, c: &mut Chunk) -> bool {
        let Some(lines) = self.0.take() else {
            return false;
        };
        for (k, l) in lines.iter().enumerate() {
            let s = c.buf.len();
            c.buf.extend_from_slice(l.as_bytes());
            c.items.push(Item::Text(k as u64 + 1, s, c.buf.len()));
        }
        true
    }
}

/// What a streaming run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StreamReport {
    /// Input lines seen (blank and comment lines not counted).
    pub lines: u64,
    /// Lines reported as bad.
    pub bad: u64,
    /// Whether `OnError::Stop` ended the run at a bad line.
    pub stopped: bool,
}

struct Done {
    seq: u64,
    out: Vec<u8>,
    errors: Vec<(u64, String)>,
    lines: u64,
    stopped: bool,
    fatal: Option<Error>,
}

fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

fn process(
    scorer: &LineScorer,
    c: &mut Chunk,
    seq: u64,
    on_error: OnError,
    scratch: &mut Scratch,
    mut out: Vec<u8>,
) -> Done {
    c.split_lines();
    out.clear();
    out.reserve(c.buf.len() + c.buf.len() / 4 + 64);
    let mut d = Done {
        seq,
        out,
        errors: Vec::new(),
        lines: 0,
        stopped: false,
        fatal: c.fatal.take(),
    };
    for item in &c.items {
        d.lines += 1;
        let err = match item {
            Item::Text(no, s, e) => match std::str::from_utf8(&c.buf[*s..*e]) {
                Ok(text) => {
                    // a panic inside the library on one line is that line's error, never a
                    // lost chunk (the row written so far, if any, is taken back)
                    let mark = d.out.len();
                    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        scorer.score_line(text, scratch, &mut d.out)
                    })) {
                        Ok(r) => r.err().map(|e| (*no, e.to_string())),
                        Err(p) => {
                            d.out.truncate(mark);
                            *scratch = Scratch::default();
                            Some((
                                *no,
                                format!("internal error (please report): {}", panic_text(&p)),
                            ))
                        }
                    }
                }
                Err(e) => Some((*no, format!("not UTF-8 ({e})"))),
            },
            Item::Bad(no, why) => Some((*no, why.clone())),
        };
        if let Some(e) = err {
            d.errors.push(e);
            if on_error == OnError::Stop {
                d.stopped = true;
                break;
            }
        }
    }
    d
}

/// Scores every line of `source` and writes the header and one row per good line to `out`,
/// in input order; `report` is called once per bad line (line number, reason), in order.
/// Returns an error for a failed write or a fatal read error (after writing every row before
/// it).
///
/// Worker and reader threads are detached: when a run stops early they end as soon as their
/// input or output channel closes.
///
/// # Errors
/// [`Error::Io`] (`<output>`) for a failed write; the source's fatal read error (e.g.
/// [`Error::Io`], [`Error::InputTooLarge`]) after every row before it is written;
/// [`Error::Internal`] if a worker dies and a chunk is lost (the output is incomplete).
/// Bad lines are reported through `report`, not errors.
///
/// ```
/// use std::sync::Arc;
/// use sednas::arch::SpaceKind;
/// use sednas::proxy::{Settings, stream::*};
/// let s = Arc::new(LineScorer::named(SpaceKind::NatsSss, "sed", &Settings::default(), false).unwrap());
/// let input = std::io::Cursor::new(b"# comment\n8:8:8:8:8\nbad\n\n8:8:8:8:16\n".to_vec());
/// let mut out = Vec::new();
/// let mut bad = Vec::new();
/// let r = score_stream(s, TextLines::new(input), &mut out, StreamOptions::new(2, OnError::Skip).unwrap(),
///     |line, why| bad.push((line, why.to_string()))).unwrap();
/// assert_eq!((r.lines, r.bad, r.stopped), (3, 1, false));
/// assert_eq!(bad[0].0, 3);
/// assert_eq!(String::from_utf8(out).unwrap().lines().count(), 3); // header + 2 rows
/// ```
pub fn score_stream<S: ChunkSource, W: Write + ?Sized>(
    scorer: Arc<LineScorer>,
    mut source: S,
    out: &mut W,
    opts: StreamOptions,
    mut report: impl FnMut(u64, &str),
) -> Result<StreamReport> {
    let io_err = |e: std::io::Error| Error::Io {
        path: "<output>".into(),
        error: e,
    };
    out.write_all(scorer.header().as_bytes()).map_err(io_err)?;
    let window = opts.window();
    let (in_tx, in_rx) = sync_channel::<(u64, Chunk)>(window);
    let (out_tx, out_rx) = channel::<Done>();
    let (credit_tx, credit_rx) = sync_channel::<()>(window);
    for _ in 0..window {
        credit_tx.send(()).expect("the receiver is alive");
    }
    let bytes = opts.chunk_bytes;
    // buffers are recycled (input chunks back to the reader, output buffers back to the
    // workers): no allocation per chunk once the pipeline is full
    let (chunk_back_tx, chunk_back_rx) = channel::<Chunk>();
    let (out_back_tx, out_back_rx) = channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut seq = 0u64;
        while credit_rx.recv().is_ok() {
            let mut c = chunk_back_rx.try_recv().unwrap_or_default();
            c.clear();
            if !source.fill(bytes, &mut c) {
                break;
            }
            if in_tx.send((seq, c)).is_err() {
                break;
            }
            seq += 1;
        }
    });
    let in_rx = Arc::new(Mutex::new(in_rx));
    let out_back_rx = Arc::new(Mutex::new(out_back_rx));
    for _ in 0..opts.threads.get() {
        let in_rx = Arc::clone(&in_rx);
        let out_tx = out_tx.clone();
        let scorer = Arc::clone(&scorer);
        let on_error = opts.on_error;
        let chunk_back_tx = chunk_back_tx.clone();
        let out_back_rx = Arc::clone(&out_back_rx);
        std::thread::spawn(move || {
            let mut scratch = Scratch::default();
            loop {
                let next = match in_rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => break,
                };
                let Ok((seq, mut chunk)) = next else { break };
                let buf = out_back_rx
                    .lock()
                    .ok()
                    .and_then(|rx| rx.try_recv().ok())
                    .unwrap_or_default();
                let d = process(&scorer, &mut chunk, seq, on_error, &mut scratch, buf);
                let _ = chunk_back_tx.send(chunk);
                if out_tx.send(d).is_err() {
                    break;
                }
            }
        });
    }
    drop(chunk_back_tx);
    drop(out_tx);
    let mut pending = std::collections::BTreeMap::new();
    let mut next = 0u64;
    let mut rep = StreamReport::default();
    for d in out_rx {
        pending.insert(d.seq, d);
        while let Some(d) = pending.remove(&next) {
            out.write_all(&d.out).map_err(io_err)?;
            rep.lines += d.lines;
            for (line, why) in &d.errors {
                rep.bad += 1;
                report(*line, why);
            }
            if d.stopped {
                rep.stopped = true;
                out.flush().map_err(io_err)?;
                return Ok(rep);
            }
            if let Some(f) = d.fatal {
                out.flush().map_err(io_err)?;
                return Err(f);
            }
            next += 1;
            let _ = out_back_tx.send(d.out);
            // the reader may cut one more chunk (it ends when the credits close)
            let _ = credit_tx.send(());
        }
    }
    out.flush().map_err(io_err)?;
    if let Some(&seq) = pending.keys().next() {
        // a chunk never arrived: its worker died; never report a truncated output as success
        return Err(Error::Internal {
            what: "score_stream",
            reason: format!(
                "input chunk {next} was lost (chunk {seq} and later were not written); output is incomplete"
            ),
        });
    }
    Ok(rep)
}
