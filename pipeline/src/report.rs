//! `report.html`: the charts analysts otherwise rebuild every morning, in
//! one self-contained page made from the tables of an output folder.
//!
//! The page has the corpus summary, a trend chart per theme (rate per
//! 10,000 tokens by year, for the corpus and a few countries), two npmi
//! heatmaps of theme pairs (the corpus and one country), and the top
//! collocates and key terms as tables. It is read from the CSV tables only,
//! so `agora report` can rebuild it for any output folder, and `agora run`
//! and `agora merge` write the same page for the same tables.
//!
//! Why hand-written SVG and not a plotting crate: the charts are two kinds
//! (lines with markers, a grid of coloured cells), a few hundred lines of
//! string formatting draw them exactly as wanted, with text the browser
//! renders (selectable, scalable, no font files to embed), `<title>`
//! tooltips on every point and cell, and nothing added to the build.
//!
//! Everything shown from the tables (countries, themes, stems, terms) goes
//! through [`escape`]; the page has no script, and its Content Security
//! Policy forbids any fetch, so it works offline from a `file://` URL.
//! Colours: the Okabe–Ito palette for lines (with a marker shape per series,
//! for readers who cannot tell the colours apart), ColorBrewer RdBu for the
//! diverging npmi scale. Rates are recomputed as Σhits / Σtokens, never as
//! averages of rates; heatmaps use the speech as unit, whose counts add up
//! exactly across countries (`speeches_with_theme` of theme_counts.csv and
//! `n_ab` of theme_cooccurrence.csv).
//!
//! This module writes no table and reads nothing but the output folder.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context, Result};

use crate::config::ReportOptions;
use crate::run::RunError;
use crate::tables;

/// Countries drawn when `--countries` is not given.
const DEFAULT_COUNTRIES: usize = 4;
/// Terms shown per cell of the collocate table and per country of the keyness table.
const TOP_COLLOCATES: usize = 5;
const TOP_KEY_TERMS: usize = 10;
/// Okabe–Ito colours for the countries (black is the corpus's; yellow is
/// left out, too pale on white).
const PALETTE: &[&str] = &[
    "#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7",
];
/// ColorBrewer RdBu (7 classes), from npmi −1 to +1.
const DIVERGING: &[(f64, [u8; 3])] = &[
    (-1.0, [0x21, 0x66, 0xac]),
    (-2.0 / 3.0, [0x67, 0xa9, 0xcf]),
    (-1.0 / 3.0, [0xd1, 0xe5, 0xf0]),
    (0.0, [0xf7, 0xf7, 0xf7]),
    (1.0 / 3.0, [0xfd, 0xdb, 0xc7]),
    (2.0 / 3.0, [0xef, 0x8a, 0x62]),
    (1.0, [0xb2, 0x18, 0x2b]),
];

/// Text made safe to put in HTML or SVG, as element content or a quoted
/// attribute value.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A country as the tables key it: (`country_iso3`, `country_name`).
type Country = (String, String);
/// Speeches with hits of both themes of a pair (theme indexes, i < j).
type Pairs = BTreeMap<(usize, usize), u64>;

/// How a country is named on the page: `Name (ISO)`, or whichever of the
/// two the tables have.
fn label(c: &Country) -> String {
    match (c.0.as_str(), c.1.as_str()) {
        ("", "") => "no country".to_owned(),
        (iso3, "") => iso3.to_owned(),
        ("", name) => name.to_owned(),
        (iso3, name) => format!("{name} ({iso3})"),
    }
}

/// The rows of a CSV table that the report keeps, with its columns by name.
struct Csv {
    name: &'static str,
    header: Vec<String>,
    rows: Vec<csv::StringRecord>,
    /// The line of each row in the file (for messages).
    lines: Vec<u64>,
}

impl Csv {
    /// Reads `dir/name` whole, or `None` when the run did not write it.
    fn read(dir: &Path, name: &'static str) -> Result<Option<Csv>> {
        Csv::read_where(dir, name, |_, _| Ok(true))
    }

    /// Reads `dir/name` a row at a time, keeping the rows for which `keep`
    /// (given the table and the new row's index) says so: tables keyed by
    /// year can be large, and the report needs few of their rows.
    fn read_where(
        dir: &Path,
        name: &'static str,
        mut keep: impl FnMut(&Csv, usize) -> Result<bool>,
    ) -> Result<Option<Csv>> {
        let path = dir.join(name);
        if !path.is_file() {
            return Ok(None);
        }
        let mut reader =
            csv::Reader::from_path(&path).with_context(|| format!("cannot read {name}"))?;
        let header = reader.headers()?.iter().map(str::to_owned).collect();
        let mut table = Csv {
            name,
            header,
            rows: Vec::new(),
            lines: Vec::new(),
        };
        // Line 1 is the header.
        let mut line = 1;
        loop {
            let mut record = csv::StringRecord::new();
            if !reader
                .read_record(&mut record)
                .with_context(|| format!("cannot read {name}"))?
            {
                break;
            }
            line += 1;
            table.rows.push(record);
            table.lines.push(line);
            if !keep(&table, table.rows.len() - 1)? {
                table.rows.pop();
                table.lines.pop();
            }
        }
        Ok(Some(table))
    }

    /// The index of a column, or `None` when the table lacks it.
    fn find(&self, column: &str) -> Option<usize> {
        self.header.iter().position(|h| h == column)
    }

    /// The index of a column the report needs.
    fn col(&self, column: &str) -> Result<usize> {
        self.find(column)
            .ok_or_else(|| anyhow!("{} has no column {column}", self.name))
    }

    /// An integer field (`None` when empty); the error names line and column.
    fn int(&self, row: usize, col: usize) -> Result<Option<u64>> {
        let field = self.rows[row].get(col).unwrap_or("");
        if field.is_empty() {
            return Ok(None);
        }
        field.parse().map(Some).map_err(|_| {
            anyhow!(
                "{} line {}, column {}: {field:?} is not a count",
                self.name,
                self.lines[row],
                self.header[col]
            )
        })
    }

    /// A count that must be there.
    fn count(&self, row: usize, col: usize) -> Result<u64> {
        self.int(row, col)?.ok_or_else(|| {
            anyhow!(
                "{} line {}: {} is empty",
                self.name,
                self.lines[row],
                self.header[col]
            )
        })
    }

    /// A float field (`None` when empty or not a number).
    fn float(&self, row: usize, col: usize) -> Option<f64> {
        self.rows[row].get(col).and_then(|f| f.parse().ok())
    }

    fn text(&self, row: usize, col: usize) -> &str {
        self.rows[row].get(col).unwrap_or("")
    }

    fn country(&self, row: usize) -> Result<Country> {
        let (iso3, name) = (self.col("country_iso3")?, self.col("country_name")?);
        Ok((
            self.text(row, iso3).to_owned(),
            self.text(row, name).to_owned(),
        ))
    }
}

/// Sums of one (country, year, theme) cell of theme_counts.csv.
#[derive(Debug, Clone, Copy, Default)]
struct Cell {
    hits: u64,
    tokens: u64,
    speeches: u64,
    with_theme: u64,
}

/// What the report draws, read from the tables.
struct Data {
    /// Themes, in the tables' (alphabetical) order.
    themes: Vec<String>,
    /// Years with speeches, ascending (speeches without a year are left out of trends).
    years: Vec<i64>,
    /// Per (country, year): one cell per theme.
    cells: BTreeMap<(Country, Option<i64>), Vec<Cell>>,
    /// Speeches with hits of both themes (i < j), per country: from theme_cooccurrence.csv.
    together: Option<BTreeMap<Country, Pairs>>,
    /// Rows of errors.csv and files skipped, when written.
    errors: Option<(u64, u64)>,
}

impl Data {
    fn load(dir: &Path) -> Result<Option<Data>> {
        let Some(counts) = Csv::read(dir, tables::THEME_COUNTS)? else {
            return Ok(None);
        };
        let (year, theme) = (counts.col("year")?, counts.col("theme")?);
        let (hits, tokens) = (counts.col("hits")?, counts.col("tokens")?);
        let (speeches, with) = (counts.col("speeches")?, counts.col("speeches_with_theme")?);
        let themes: Vec<String> = (0..counts.rows.len())
            .map(|r| counts.text(r, theme).to_owned())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut cells: BTreeMap<(Country, Option<i64>), Vec<Cell>> = BTreeMap::new();
        let mut years = BTreeSet::new();
        for r in 0..counts.rows.len() {
            let y = counts
                .int(r, year)?
                .map(|y| i64::try_from(y).unwrap_or(i64::MAX));
            if let Some(y) = y {
                years.insert(y);
            }
            let t = themes
                .binary_search_by(|x| x.as_str().cmp(counts.text(r, theme)))
                .map_err(|_| anyhow!("theme_counts.csv: a theme went missing"))?;
            let cell = &mut cells
                .entry((counts.country(r)?, y))
                .or_insert_with(|| vec![Cell::default(); themes.len()])[t];
            cell.hits += counts.count(r, hits)?;
            cell.tokens = counts.count(r, tokens)?;
            cell.speeches = counts.count(r, speeches)?;
            cell.with_theme += counts.count(r, with)?;
        }
        // Summed over countries (and years) as it is read, a row at a time.
        let mut together: BTreeMap<Country, Pairs> = BTreeMap::new();
        let written = Csv::read_where(dir, tables::COOCCURRENCE, |c, r| {
            if c.text(r, c.col("unit")?) != "speech" {
                return Ok(false);
            }
            let index = |col| themes.iter().position(|t| t == c.text(r, col));
            let (Some(i), Some(j)) = (index(c.col("theme_a")?), index(c.col("theme_b")?)) else {
                return Ok(false);
            };
            *together
                .entry(c.country(r)?)
                .or_default()
                .entry((i.min(j), i.max(j)))
                .or_default() += c.count(r, c.col("n_ab")?)?;
            Ok(false)
        })?;
        let together = written.map(|_| together);
        let (mut rows, mut skipped) = (0, 0);
        let errors = Csv::read_where(dir, tables::ERRORS, |e, r| {
            rows += 1;
            if e.text(r, e.col("outcome")?) == "skipped" {
                skipped += 1;
            }
            Ok(false)
        })?
        .map(|_| (rows, skipped));
        Ok(Some(Data {
            themes,
            years: years.into_iter().collect(),
            cells,
            together,
            errors,
        }))
    }

    /// Per country over all years: one cell per theme (tokens and speeches summed).
    fn by_country(&self) -> BTreeMap<&Country, Vec<Cell>> {
        let mut out: BTreeMap<&Country, Vec<Cell>> = BTreeMap::new();
        for ((country, _), cells) in &self.cells {
            let sum = out
                .entry(country)
                .or_insert_with(|| vec![Cell::default(); self.themes.len()]);
            for (s, c) in sum.iter_mut().zip(cells) {
                s.hits += c.hits;
                s.tokens += c.tokens;
                s.speeches += c.speeches;
                s.with_theme += c.with_theme;
            }
        }
        out
    }

    /// Per year over the countries `only` (all when `None`): one cell per theme.
    fn by_year(&self, only: Option<&Country>) -> BTreeMap<i64, Vec<Cell>> {
        let mut out: BTreeMap<i64, Vec<Cell>> = BTreeMap::new();
        for ((country, year), cells) in &self.cells {
            let Some(year) = year else { continue };
            if only.is_some_and(|o| o != country) {
                continue;
            }
            let sum = out
                .entry(*year)
                .or_insert_with(|| vec![Cell::default(); self.themes.len()]);
            for (s, c) in sum.iter_mut().zip(cells) {
                s.hits += c.hits;
                s.tokens += c.tokens;
                s.speeches += c.speeches;
                s.with_theme += c.with_theme;
            }
        }
        out
    }
}

/// The countries of the trend charts: those asked for (by code or name,
/// ignoring case), else the [`DEFAULT_COUNTRIES`] with the most tokens. A
/// country asked for that is not in the tables is an error naming it.
fn choose_countries(data: &Data, options: &ReportOptions) -> Result<Vec<Country>> {
    let totals = data.by_country();
    if options.countries.is_empty() {
        let mut ranked: Vec<(&Country, u64)> = totals
            .iter()
            .filter(|(c, _)| !(c.0.is_empty() && c.1.is_empty()))
            .map(|(c, cells)| (*c, cells.first().map_or(0, |c| c.tokens)))
            .collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        return Ok(ranked
            .into_iter()
            .take(DEFAULT_COUNTRIES)
            .map(|(c, _)| c.clone())
            .collect());
    }
    options
        .countries
        .iter()
        .map(|wanted| find_country(&totals, wanted))
        .collect()
}

fn find_country(totals: &BTreeMap<&Country, Vec<Cell>>, wanted: &str) -> Result<Country> {
    let wanted = wanted.trim();
    totals
        .keys()
        .find(|c| c.0.eq_ignore_ascii_case(wanted))
        .or_else(|| {
            totals
                .keys()
                .find(|c| c.1.to_lowercase() == wanted.to_lowercase())
        })
        .map(|c| (*c).clone())
        .ok_or_else(|| {
            anyhow!("the report cannot show {wanted:?}: no such country_iso3 or country_name in theme_counts.csv")
        })
}

/// Builds the page from the tables in `dir`. A table the run did not write
/// leaves its section out, with a line saying why.
pub fn build(dir: &Path, options: &ReportOptions) -> Result<String> {
    let data = Data::load(dir)?;
    let mut html = String::new();
    html.push_str(HEAD);
    html.push_str("<h1>Agora theme report</h1>\n");
    let Some(data) = data else {
        html.push_str(
            "<p class=\"note\">theme_counts.csv was not written (it is left out by \
             <code>--tables</code>), so there is nothing to chart.</p>\n</body>\n</html>\n",
        );
        return Ok(html);
    };
    let countries = choose_countries(&data, options)?;
    let heat_country = match &options.heatmap_country {
        Some(c) => Some(find_country(&data.by_country(), c)?),
        None => countries.first().cloned(),
    };
    summary(&mut html, &data);
    trends(&mut html, &data, &countries);
    heatmaps(&mut html, &data, heat_country.as_ref());
    // Only the rows of the countries shown are kept.
    let shown = |table: &Csv, r: usize| Ok(countries.contains(&table.country(r)?));
    let collocates = Csv::read_where(dir, tables::COLLOCATES, shown)?;
    collocate_table(&mut html, &data, collocates.as_ref(), &countries)?;
    let keyness = Csv::read_where(dir, tables::KEYNESS, shown)?;
    keyness_table(&mut html, keyness.as_ref(), &countries)?;
    html.push_str(
        "<footer>Made by agora from the tables beside this file; every column is described in \
         docs/output.md. Rates are Σ hits × 10,000 / Σ tokens over the speeches concerned.\
         </footer>\n</body>\n</html>\n",
    );
    Ok(html)
}

/// `agora report`: writes `dir/report.html` (whole or not at all).
pub fn write_into(dir: &Path, options: &ReportOptions) -> Result<PathBuf, RunError> {
    if !dir.join(tables::SPEECHES).is_file() {
        return Err(RunError::Usage(anyhow!(
            "{} holds no agora tables (no speeches.csv); give the --out folder of agora run",
            dir.display()
        )));
    }
    let html = build(dir, options).map_err(|e| {
        if format!("{e:#}").contains("the report cannot show") {
            RunError::Usage(e)
        } else {
            RunError::Io(e)
        }
    })?;
    let path = dir.join(tables::REPORT);
    crate::output::write_whole(&path, |w| {
        Ok(std::io::Write::write_all(w, html.as_bytes())?)
    })
    .map_err(RunError::Io)?;
    Ok(path)
}

/// The page up to `<body>`: the policy that forbids any fetch, and the styles.
const HEAD: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Agora theme report</title>
<style>
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: #1a1a1a; background: #fff; margin: 24px auto; max-width: 1320px; padding: 0 16px; }
h1 { font-size: 26px; margin: 0 0 8px; }
h2 { font-size: 20px; margin: 32px 0 6px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
p.note { color: #444; max-width: 70em; margin: 4px 0 12px; }
dl.stats { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
dl.stats div { border: 1px solid #ddd; border-radius: 6px; padding: 8px 14px; min-width: 120px; }
dl.stats dt { color: #555; font-size: 13px; }
dl.stats dd { margin: 0; font-size: 22px; font-weight: 600; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 8px 0 12px; font-size: 14px; }
.legend span { display: inline-flex; align-items: center; gap: 6px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(400px, 1fr)); gap: 12px 18px; }
.heatmaps { display: flex; flex-wrap: wrap; gap: 18px; }
svg.chart { display: block; width: 100%; height: auto; background: #fff; }
figure { margin: 0; }
.heatmaps figure { flex: 1 1 560px; max-width: 660px; }
svg text { font-family: inherit; fill: #1a1a1a; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 14px; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
footer { margin: 32px 0 8px; color: #555; font-size: 13px; }
</style>
</head>
<body>
"#;

fn summary(html: &mut String, data: &Data) {
    let mut speeches = 0;
    let mut tokens = 0;
    let mut countries = BTreeSet::new();
    let mut no_year = 0;
    for ((country, year), cells) in &data.cells {
        let first = cells.first().copied().unwrap_or_default();
        speeches += first.speeches;
        tokens += first.tokens;
        if !(country.0.is_empty() && country.1.is_empty()) {
            countries.insert(country);
        }
        if year.is_none() {
            no_year += first.speeches;
        }
    }
    let years = match (data.years.first(), data.years.last()) {
        (Some(a), Some(b)) if a != b => format!("{a}–{b}"),
        (Some(a), _) => a.to_string(),
        _ => "none".to_owned(),
    };
    let (rows, skipped) = data.errors.unwrap_or((0, 0));
    let _ = write!(
        html,
        "<section id=\"summary\">\n<h2>Corpus</h2>\n<dl class=\"stats\">\
         <div><dt>speeches</dt><dd>{}</dd></div>\
         <div><dt>countries</dt><dd>{}</dd></div>\
         <div><dt>years ({} with speeches)</dt><dd>{}</dd></div>\
         <div><dt>tokens</dt><dd>{}</dd></div>\
         <div><dt>themes</dt><dd>{}</dd></div>\
         <div><dt>rows in errors.csv</dt><dd>{}</dd></div>\
         <div><dt>files skipped</dt><dd>{}</dd></div></dl>\n",
        thousands(speeches),
        thousands(countries.len() as u64),
        data.years.len(),
        escape(&years),
        thousands(tokens),
        data.themes.len(),
        thousands(rows),
        thousands(skipped),
    );
    if no_year > 0 {
        let _ = writeln!(
            html,
            "<p class=\"note\">{} speeches have no year; they count in the totals and heatmaps \
             but not in the trend charts.</p>",
            thousands(no_year)
        );
    }
    html.push_str("</section>\n");
}

/// 12345 → "12,345".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Round tick values from 0 to at least `max`: 1, 2 or 5 × 10^k apart.
fn ticks(max: f64) -> Vec<f64> {
    let max = if max > 0.0 && max.is_finite() {
        max
    } else {
        1.0
    };
    let rough = max / 4.0;
    let magnitude = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| max / s <= 5.0)
        .unwrap_or(10.0 * magnitude);
    let n = (max / step).ceil() as usize;
    (0..=n).map(|i| i as f64 * step).collect()
}

/// A tick label without needless decimals.
fn tick_label(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else if (v * 10.0 - (v * 10.0).round()).abs() < 1e-9 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// A marker of series `i` at (x, y): circle, square, triangle, diamond, …;
/// `tooltip` (escaped already) shows on hover.
fn marker(i: usize, x: f64, y: f64, colour: &str, tooltip: &str) -> String {
    let shape = match i % 4 {
        0 => format!("<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\""),
        1 => format!(
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"7\" height=\"7\"",
            x - 3.5,
            y - 3.5
        ),
        2 => format!(
            "<path d=\"M{x:.1} {:.1}L{:.1} {:.1}L{:.1} {:.1}Z\"",
            y - 5.0,
            x + 4.5,
            y + 3.5,
            x - 4.5,
            y + 3.5
        ),
        _ => format!(
            "<path d=\"M{x:.1} {:.1}L{:.1} {y:.1}L{x:.1} {:.1}L{:.1} {y:.1}Z\"",
            y - 5.0,
            x + 5.0,
            y + 5.0,
            x - 5.0
        ),
    };
    let title = if tooltip.is_empty() {
        String::new()
    } else {
        format!("<title>{tooltip}</title>")
    };
    format!(
        "{shape} fill=\"{colour}\" stroke=\"#fff\" stroke-width=\"0.8\">{title}</{}>",
        tag_of(&shape)
    )
}

/// The element name of an opening tag (`<circle …` → `circle`).
fn tag_of(shape: &str) -> &str {
    shape
        .trim_start_matches('<')
        .split(' ')
        .next()
        .unwrap_or("path")
}

/// One series of a trend chart: its name, colour, line width, and rate per year.
struct Series {
    name: String,
    colour: &'static str,
    width: f64,
    marker: usize,
    rates: BTreeMap<i64, (f64, u64, u64)>,
}

fn trends(html: &mut String, data: &Data, countries: &[Country]) {
    html.push_str("<section id=\"trends\">\n<h2>Theme trends</h2>\n");
    if data.years.is_empty() {
        html.push_str(
            "<p class=\"note\">No speech has a year: no trend to draw.</p>\n</section>\n",
        );
        return;
    }
    let _ = writeln!(
        html,
        "<p class=\"note\">How often each theme's terms occur: hits per 10,000 tokens of the \
         year's speeches, for the whole corpus (black) and for {}. A missing point means no \
         speech of that country that year. Choose the countries with <code>--countries</code>.</p>",
        if countries.is_empty() {
            "no country".to_owned()
        } else {
            format!("{} countries", countries.len())
        }
    );
    let corpus = data.by_year(None);
    let per_country: Vec<BTreeMap<i64, Vec<Cell>>> =
        countries.iter().map(|c| data.by_year(Some(c))).collect();
    // The legend, once for all charts.
    html.push_str("<div class=\"legend\" role=\"list\">");
    let mut entries = vec![("all speeches (corpus)".to_owned(), "#000000", 3.0, 0)];
    for (i, c) in countries.iter().enumerate() {
        entries.push((label(c), PALETTE[i % PALETTE.len()], 2.0, i + 1));
    }
    for (name, colour, width, m) in &entries {
        let _ = write!(
            html,
            "<span role=\"listitem\"><svg width=\"34\" height=\"14\" aria-hidden=\"true\">\
             <line x1=\"2\" y1=\"7\" x2=\"32\" y2=\"7\" stroke=\"{colour}\" stroke-width=\"{width}\"/>{}</svg>{}</span>",
            marker(*m, 17.0, 7.0, colour, ""),
            escape(name)
        );
    }
    html.push_str("</div>\n<div class=\"grid\">\n");
    for (t, theme) in data.themes.iter().enumerate() {
        let rates = |cells: &BTreeMap<i64, Vec<Cell>>| -> BTreeMap<i64, (f64, u64, u64)> {
            cells
                .iter()
                .filter(|(_, c)| c[t].tokens > 0)
                .map(|(y, c)| {
                    (
                        *y,
                        (
                            c[t].hits as f64 * 10_000.0 / c[t].tokens as f64,
                            c[t].hits,
                            c[t].tokens,
                        ),
                    )
                })
                .collect()
        };
        let mut series = vec![Series {
            name: "corpus".to_owned(),
            colour: "#000000",
            width: 3.0,
            marker: 0,
            rates: rates(&corpus),
        }];
        for (i, (c, cells)) in countries.iter().zip(&per_country).enumerate() {
            series.push(Series {
                name: label(c),
                colour: PALETTE[i % PALETTE.len()],
                width: 2.0,
                marker: i + 1,
                rates: rates(cells),
            });
        }
        trend_chart(html, theme, &data.years, &series);
    }
    html.push_str("</div>\n</section>\n");
}

/// One theme's trend chart.
fn trend_chart(html: &mut String, theme: &str, years: &[i64], series: &[Series]) {
    let (w, h) = (420.0, 270.0);
    let (left, right, top, bottom) = (58.0, 14.0, 34.0, 44.0);
    let (first, last) = (years[0], years[years.len() - 1]);
    let (x0, x1) = if first == last {
        (first as f64 - 1.0, last as f64 + 1.0)
    } else {
        let pad = (last - first) as f64 * 0.04;
        (first as f64 - pad, last as f64 + pad)
    };
    let max = series
        .iter()
        .flat_map(|s| s.rates.values().map(|r| r.0))
        .fold(0.0, f64::max);
    let yt = ticks(max);
    let ymax = *yt.last().unwrap_or(&1.0);
    let x = |year: i64| left + (year as f64 - x0) / (x1 - x0) * (w - left - right);
    let y = |v: f64| top + (1.0 - v / ymax) * (h - top - bottom);
    let _ = write!(
        html,
        "<figure><svg class=\"chart trend\" viewBox=\"0 0 {w} {h}\" role=\"img\" \
         aria-label=\"{} rate per 10,000 tokens by year\">\
         <text x=\"{left}\" y=\"20\" font-size=\"15\" font-weight=\"600\">{}</text>",
        escape(theme),
        escape(theme)
    );
    // Grid lines and the y axis.
    for v in &yt {
        let _ = write!(
            html,
            "<line x1=\"{left}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#e4e4e4\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
            w - right,
            y(*v),
            y(*v),
            left - 6.0,
            y(*v) + 4.0,
            tick_label(*v)
        );
    }
    let _ = write!(
        html,
        "<text transform=\"translate(14 {:.1}) rotate(-90)\" font-size=\"11\" \
         text-anchor=\"middle\" fill=\"#444\">hits per 10,000 tokens</text>",
        top + (h - top - bottom) / 2.0
    );
    // The x axis: a tick for every year, a label where it does not run
    // into the next one (the last year always labelled; years can be
    // uneven, 2016 beside 2020).
    let _ = write!(
        html,
        "<line x1=\"{left}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#888\"/>",
        w - right,
        h - bottom,
        h - bottom
    );
    let mut labelled = f64::INFINITY;
    for year in years.iter().rev() {
        let at = x(*year);
        let _ = write!(
            html,
            "<line x1=\"{at:.1}\" x2=\"{at:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#888\"/>",
            h - bottom,
            h - bottom + 4.0,
        );
        if labelled - at >= 34.0 {
            let _ = write!(
                html,
                "<text x=\"{at:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\">{year}</text>",
                h - bottom + 17.0
            );
            labelled = at;
        }
    }
    let _ = write!(
        html,
        "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#444\">year</text>",
        left + (w - left - right) / 2.0,
        h - 6.0
    );
    // Countries first, the corpus on top.
    for s in series.iter().rev() {
        // A line joins the points of consecutive years with speeches.
        let mut d = String::new();
        let mut previous: Option<usize> = None;
        for (i, year) in years.iter().enumerate() {
            match s.rates.get(year) {
                Some(r) => {
                    let joined = previous == Some(i.wrapping_sub(1));
                    let _ = write!(
                        d,
                        "{}{:.1} {:.1}",
                        if joined { "L" } else { "M" },
                        x(*year),
                        y(r.0)
                    );
                    previous = Some(i);
                }
                None => previous = None,
            }
        }
        let _ = write!(
            html,
            "<path class=\"series\" d=\"{d}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\" \
             stroke-linejoin=\"round\"/>",
            s.colour, s.width
        );
        for (year, (rate, hits, tokens)) in &s.rates {
            let tip = escape(&format!(
                "{}, {year}: {rate:.1} per 10k ({hits} hits in {} tokens)",
                s.name,
                thousands(*tokens)
            ));
            html.push_str(&marker(s.marker, x(*year), y(*rate), s.colour, &tip));
        }
    }
    html.push_str("</svg></figure>\n");
}

/// The colour of an npmi value on the diverging scale.
fn diverging(v: f64) -> String {
    let v = v.clamp(-1.0, 1.0);
    let i = DIVERGING
        .windows(2)
        .position(|w| v <= w[1].0)
        .unwrap_or(DIVERGING.len() - 2);
    let ((a, ca), (b, cb)) = (DIVERGING[i], DIVERGING[i + 1]);
    let f = if b > a { (v - a) / (b - a) } else { 0.0 };
    let mix =
        |k: usize| (f64::from(ca[k]) + f * (f64::from(cb[k]) - f64::from(ca[k]))).round() as u8;
    format!("#{:02x}{:02x}{:02x}", mix(0), mix(1), mix(2))
}

fn heatmaps(html: &mut String, data: &Data, country: Option<&Country>) {
    html.push_str("<section id=\"heatmaps\">\n<h2>Which themes come together</h2>\n");
    let Some(together) = &data.together else {
        html.push_str(
            "<p class=\"note\">theme_cooccurrence.csv was not written (<code>--tables</code>), \
             so there is no heatmap.</p>\n</section>\n",
        );
        return;
    };
    html.push_str(
        "<p class=\"note\">Normalized pointwise mutual information (npmi) of two themes in the \
         same speech: +1 the themes always occur together, 0 as often as chance predicts, \
         −1 never together. Grey: a theme with no speech. Hover a cell for the counts. \
         Choose the second country with <code>--heatmap-country</code>.</p>\n\
         <div class=\"heatmaps\">\n",
    );
    let by_country = data.by_country();
    let n_themes = data.themes.len();
    // Corpus: speeches and speeches with each theme summed over countries,
    // and the speeches with both summed likewise.
    let mut corpus = vec![Cell::default(); n_themes];
    for cells in by_country.values() {
        for (s, c) in corpus.iter_mut().zip(cells) {
            s.speeches += c.speeches;
            s.with_theme += c.with_theme;
        }
    }
    let mut corpus_ab = Pairs::new();
    for pairs in together.values() {
        for (k, n) in pairs {
            *corpus_ab.entry(*k).or_default() += n;
        }
    }
    heatmap(html, data, "all speeches (corpus)", &corpus, &corpus_ab, 0);
    if let Some(c) = country {
        let empty = BTreeMap::new();
        let cells = by_country.get(c).cloned().unwrap_or_default();
        heatmap(
            html,
            data,
            &label(c),
            &cells,
            together.get(c).unwrap_or(&empty),
            1,
        );
    }
    html.push_str("</div>\n</section>\n");
}

/// One heatmap: `cells` give N (speeches) and the speeches with each theme,
/// `ab` the speeches with both of a pair.
fn heatmap(html: &mut String, data: &Data, title: &str, cells: &[Cell], ab: &Pairs, id: usize) {
    let n_themes = data.themes.len();
    let n = cells.first().map_or(0, |c| c.speeches);
    let cell = 36.0;
    let longest = data
        .themes
        .iter()
        .map(|t| t.chars().count())
        .max()
        .unwrap_or(4) as f64;
    let label_w = (longest * 6.6 + 12.0).min(220.0);
    let (left, top) = (label_w, 40.0);
    let grid = cell * n_themes as f64;
    let bottom = label_w * 0.72 + 16.0;
    let (w, h) = (left + grid + 130.0, top + grid + bottom);
    let _ = write!(
        html,
        "<figure><svg class=\"chart heatmap\" viewBox=\"0 0 {w:.0} {h:.0}\" role=\"img\" \
         aria-label=\"npmi of theme pairs in the same speech: {}\">\
         <text x=\"{left:.1}\" y=\"20\" font-size=\"15\" font-weight=\"600\">npmi of themes in one speech: {}</text>\
         <text x=\"{left:.1}\" y=\"34\" font-size=\"11\" fill=\"#444\">N = {} speeches</text>",
        escape(title),
        escape(title),
        thousands(n)
    );
    for (i, theme) in data.themes.iter().enumerate() {
        let cy = top + cell * i as f64 + cell / 2.0 + 4.0;
        let cx = left + cell * i as f64 + cell / 2.0;
        let _ = write!(
            html,
            "<text x=\"{:.1}\" y=\"{cy:.1}\" font-size=\"11\" text-anchor=\"end\">{}</text>\
             <text transform=\"translate({cx:.1} {:.1}) rotate(-45)\" font-size=\"11\" \
             text-anchor=\"end\">{}</text>",
            left - 6.0,
            escape(theme),
            top + grid + 10.0,
            escape(theme)
        );
    }
    for i in 0..n_themes {
        for j in 0..n_themes {
            let (x, y) = (left + cell * j as f64, top + cell * i as f64);
            let (na, nb) = (cells[i].with_theme, cells[j].with_theme);
            let value = if i == j || na == 0 || nb == 0 || n == 0 {
                None
            } else {
                let both = ab.get(&(i.min(j), i.max(j))).copied().unwrap_or(0);
                let v = if both == 0 {
                    -1.0
                } else {
                    agora_stages::stats::npmi(n, na, nb, both)
                };
                Some((v, both))
            };
            match value {
                Some((v, both)) => {
                    let tip = escape(&format!(
                        "{} × {}: npmi {v:.2}; both in {both} of {n} speeches ({} in {na}, {} in {nb})",
                        data.themes[i], data.themes[j], data.themes[i], data.themes[j]
                    ));
                    let ink = if v.abs() > 0.55 { "#fff" } else { "#1a1a1a" };
                    let _ = write!(
                        html,
                        "<rect class=\"cell\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{cell}\" height=\"{cell}\" \
                         fill=\"{}\" stroke=\"#fff\"><title>{tip}</title></rect>\
                         <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"middle\" \
                         style=\"fill:{ink}\" pointer-events=\"none\">{}</text>",
                        diverging(v),
                        x + cell / 2.0,
                        y + cell / 2.0 + 3.5,
                        format!("{v:.2}").replace("-", "−")
                    );
                }
                None => {
                    let _ = write!(
                        html,
                        "<rect class=\"cell\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{cell}\" height=\"{cell}\" \
                         fill=\"#d9d9d9\" stroke=\"#fff\"><title>{}</title></rect>",
                        escape(&if i == j {
                            format!("{}: itself", data.themes[i])
                        } else {
                            "a theme with no speech".to_owned()
                        })
                    );
                }
            }
        }
    }
    // The colour scale.
    let (sx, sy, sh) = (left + grid + 28.0, top, grid.min(240.0));
    let _ = write!(
        html,
        "<defs><linearGradient id=\"npmi-scale-{id}\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">"
    );
    for (v, _) in DIVERGING {
        let _ = write!(
            html,
            "<stop offset=\"{:.3}\" stop-color=\"{}\"/>",
            (v + 1.0) / 2.0,
            diverging(*v)
        );
    }
    let _ = write!(
        html,
        "</linearGradient></defs><rect x=\"{sx:.1}\" y=\"{sy:.1}\" width=\"14\" height=\"{sh:.1}\" \
         fill=\"url(#npmi-scale-{id})\" stroke=\"#999\"/>"
    );
    for (v, text) in [(1.0, "+1 together"), (0.0, "0"), (-1.0, "−1 apart")] {
        let ty = sy + (1.0 - (v + 1.0) / 2.0) * sh;
        let _ = write!(
            html,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\">{text}</text>",
            sx + 18.0,
            ty + 3.5
        );
    }
    let _ = write!(
        html,
        "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#444\">npmi</text>",
        sx - 4.0,
        sy - 6.0
    );
    html.push_str("</svg></figure>\n");
}

/// Rows of a per-country table (collocates.csv, keyness.csv) for `country`:
/// those of its latest year when the table is keyed by year too.
fn rows_of(table: &Csv, country: &Country) -> Result<(Vec<usize>, Option<u64>)> {
    let mut rows = Vec::new();
    for r in 0..table.rows.len() {
        if &table.country(r)? == country {
            rows.push(r);
        }
    }
    let Some(year) = table.find("year") else {
        return Ok((rows, None));
    };
    let mut latest = None;
    for &r in &rows {
        latest = latest.max(table.int(r, year)?);
    }
    let mut kept = Vec::new();
    for r in rows {
        if table.int(r, year)? == latest {
            kept.push(r);
        }
    }
    Ok((kept, latest))
}

fn collocate_table(
    html: &mut String,
    data: &Data,
    table: Option<&Csv>,
    countries: &[Country],
) -> Result<()> {
    html.push_str("<section id=\"collocates\">\n<h2>Top collocates per theme</h2>\n");
    let Some(table) = table else {
        html.push_str(
            "<p class=\"note\">collocates.csv was not written (<code>--tables</code>).</p>\n</section>\n",
        );
        return Ok(());
    };
    let _ = writeln!(
        html,
        "<p class=\"note\">The words most attracted to each theme's hits (within the collocation \
         window), by log-likelihood ratio, best first: the first {TOP_COLLOCATES} of collocates.csv. \
         Hover a word for its counts.</p>"
    );
    let (theme, rank, term) = (table.col("theme")?, table.col("rank")?, table.col("term")?);
    let (count, llr) = (table.col("count")?, table.col("llr")?);
    html.push_str("<table><thead><tr><th>theme</th>");
    let mut per_country = Vec::new();
    for c in countries {
        let (rows, year) = rows_of(table, c)?;
        let _ = write!(
            html,
            "<th>{}{}</th>",
            escape(&label(c)),
            year.map_or(String::new(), |y| format!(" ({y})"))
        );
        per_country.push(rows);
    }
    html.push_str("</tr></thead><tbody>\n");
    for t in &data.themes {
        let _ = write!(html, "<tr><th>{}</th>", escape(t));
        for rows in &per_country {
            let mut terms: Vec<(u64, usize)> = Vec::new();
            for &r in rows {
                if table.text(r, theme) == t {
                    terms.push((table.count(r, rank)?, r));
                }
            }
            terms.sort();
            let words: Vec<String> = terms
                .iter()
                .take(TOP_COLLOCATES)
                .map(|&(_, r)| {
                    format!(
                        "<span title=\"{}\">{}</span>",
                        escape(&format!(
                            "{} times in the windows; llr {:.1}",
                            table.text(r, count),
                            table.float(r, llr).unwrap_or(0.0)
                        )),
                        escape(table.text(r, term))
                    )
                })
                .collect();
            let _ = write!(
                html,
                "<td>{}</td>",
                if words.is_empty() {
                    "—".to_owned()
                } else {
                    words.join(", ")
                }
            );
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody></table>\n</section>\n");
    Ok(())
}

fn keyness_table(html: &mut String, table: Option<&Csv>, countries: &[Country]) -> Result<()> {
    html.push_str("<section id=\"keyness\">\n<h2>Key terms per country</h2>\n");
    let Some(table) = table else {
        html.push_str(
            "<p class=\"note\">keyness.csv was not written (<code>--tables</code>).</p>\n</section>\n",
        );
        return Ok(());
    };
    let _ = writeln!(
        html,
        "<p class=\"note\">The words each country uses most more than all other speakers, \
         by G² (keyness.csv), best first.</p>"
    );
    let (rank, term, count, g2) = (
        table.col("rank")?,
        table.col("term")?,
        table.col("count")?,
        table.col("g2")?,
    );
    html.push_str(
        "<table><thead><tr><th>country</th><th>key terms (occurrences, G²)</th></tr></thead><tbody>\n",
    );
    for c in countries {
        let (rows, year) = rows_of(table, c)?;
        let mut ranked: Vec<(u64, usize)> = Vec::new();
        for r in rows {
            ranked.push((table.count(r, rank)?, r));
        }
        ranked.sort();
        let words: Vec<String> = ranked
            .iter()
            .take(TOP_KEY_TERMS)
            .map(|&(_, r)| {
                format!(
                    "{} <span class=\"n\">({}, {:.1})</span>",
                    escape(table.text(r, term)),
                    escape(table.text(r, count)),
                    table.float(r, g2).unwrap_or(0.0)
                )
            })
            .collect();
        let _ = writeln!(
            html,
            "<tr><th>{}{}</th><td>{}</td></tr>",
            escape(&label(c)),
            year.map_or(String::new(), |y| format!(" ({y})")),
            if words.is_empty() {
                "—".to_owned()
            } else {
                words.join(", ")
            }
        );
    }
    html.push_str("</tbody></table>\n</section>\n");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
        );
        assert_eq!(escape("Côte d’Ivoire"), "Côte d’Ivoire");
    }

    #[test]
    fn ticks_are_round_and_cover_the_maximum() {
        assert_eq!(ticks(37.0), [0.0, 10.0, 20.0, 30.0, 40.0]);
        assert_eq!(ticks(4.2), [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        let labels: Vec<String> = ticks(0.0).into_iter().map(tick_label).collect();
        assert_eq!(labels, ["0", "0.2", "0.4", "0.6", "0.8", "1"]);
        assert_eq!(tick_label(2.5), "2.5");
        assert_eq!(tick_label(20.0), "20");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(999), "999");
    }

    #[test]
    fn the_diverging_scale_runs_blue_white_red() {
        assert_eq!(diverging(-1.0), "#2166ac");
        assert_eq!(diverging(0.0), "#f7f7f7");
        assert_eq!(diverging(1.0), "#b2182b");
        assert_eq!(diverging(7.0), "#b2182b");
        // Halfway between the stops at 0 and 1/3.
        assert_eq!(diverging(1.0 / 6.0), "#fae9df");
    }
}
