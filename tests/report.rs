//! `report.html`: hand-checked figures on a tiny corpus, escaping of what
//! the corpus says, `agora report`, and the seeds report rendered in
//! headless Chromium (skipped, with the reason printed, without one).

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{read, run, run_ok, s, write_files};

/// Three General Debate statements (tokens in brackets):
/// FRA 2020 "Peace and war. Peace again." (5: peace 2, war 1),
/// DEU 2020 "War is war. Nothing else matters here." (7: war 2),
/// FRA 2021 "Peace." (1: peace 1).
fn tiny(root: &Path) {
    write_files(
        root,
        &[
            (
                "corpus/FRA_75_2020.txt",
                b"Peace and war. Peace again.\n".as_slice(),
            ),
            (
                "corpus/DEU_75_2020.txt",
                b"War is war. Nothing else matters here.\n",
            ),
            ("corpus/FRA_76_2021.txt", b"Peace.\n"),
            (
                "themes.toml",
                b"[themes.peace]\nterms = [\"peace\"]\n\n[themes.war]\nterms = [\"war\"]\n",
            ),
        ],
    );
}

fn run_tiny(root: &Path, extra: &[&str]) -> String {
    let (corpus, themes, out) = (
        root.join("corpus"),
        root.join("themes.toml"),
        root.join("out"),
    );
    let mut args = vec!["-i", s(&corpus), "-t", s(&themes), "-o", s(&out), "-q"];
    args.extend_from_slice(extra);
    run_ok(&args, 0);
    read(&out, "report.html")
}

#[test]
fn the_report_shows_hand_computed_figures() {
    let dir = tempfile::tempdir().unwrap();
    tiny(dir.path());
    let html = run_tiny(dir.path(), &[]);
    // Summary: 3 speeches, 2 countries, 13 tokens, 2020–2021.
    for expected in [
        "<dt>speeches</dt><dd>3</dd>",
        "<dt>countries</dt><dd>2</dd>",
        "<dt>tokens</dt><dd>13</dd>",
        "<dd>2020–2021</dd>",
    ] {
        assert!(html.contains(expected), "{expected}");
    }
    // Corpus rates: peace 2020 = 2 × 10000 / 12; 2021 = 1 / 1.
    assert!(html.contains("corpus, 2020: 1666.7 per 10k (2 hits in 12 tokens)"));
    assert!(html.contains("corpus, 2021: 10000.0 per 10k (1 hits in 1 tokens)"));
    // Countries by tokens: Germany (7) first, then France (6).
    let (de, fr) = (
        html.find("Germany (DEU)").unwrap(),
        html.find("France (FRA)").unwrap(),
    );
    assert!(de < fr);
    assert!(html.contains("Germany (DEU), 2020: 2857.1 per 10k (2 hits in 7 tokens)"));
    // npmi, speech unit, corpus: N = 3, peace in 2, war in 2, both in 1:
    // log2(1·3 / (2·2)) / −log2(1/3) = −0.26.
    assert!(
        html.contains("peace × war: npmi -0.26; both in 1 of 3 speeches (peace in 2, war in 2)")
    );
    // The second heatmap is Germany's (the first country): war in its only
    // speech, peace in none, so the pair has no value.
    assert!(html.contains("npmi of themes in one speech: Germany (DEU)"));
    assert_eq!(html.matches("<svg class=\"chart trend\"").count(), 2);
    assert_eq!(html.matches("<svg class=\"chart heatmap\"").count(), 2);
    assert_eq!(html.matches("<rect class=\"cell\"").count(), 8);

    // --countries and --heatmap-country choose, by code or name.
    let html = run_tiny(
        dir.path(),
        &["--countries", "fra", "--heatmap-country", "France"],
    );
    assert!(!html.contains("Germany (DEU)"));
    // France: N = 2, peace in 2, war in 1, both in 1: pmi = log2(1) = 0.
    assert!(html.contains("peace × war: npmi 0.00; both in 1 of 2 speeches (peace in 2, war in 1)"));
}

#[test]
fn what_the_corpus_says_is_escaped() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            (
                "corpus/UNSC_2020_SPV.8001_spch001.txt",
                b"Mr. Evil (<script>alert(1)</script> & Co): Peace <b>now</b> and war.\n"
                    .as_slice(),
            ),
            (
                "themes.toml",
                b"[themes.\"<b>peace & war</b>\"]\nterms = [\"peace\", \"war\"]\n\n\
                  [themes.war]\nterms = [\"war\"]\n",
            ),
        ],
    );
    let html = run_tiny(dir.path(), &[]);
    let lower = html.to_lowercase();
    assert!(
        !lower.contains("<script"),
        "no script element, escaped or not"
    );
    assert!(!html.contains("<b>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"));
    assert!(html.contains("&lt;b&gt;peace &amp; war&lt;/b&gt;"));
}

#[test]
fn agora_report_writes_into_an_existing_folder() {
    let dir = tempfile::tempdir().unwrap();
    tiny(dir.path());
    let out = dir.path().join("out");
    let with_run = run_tiny(dir.path(), &[]);
    fs::remove_file(out.join("report.html")).unwrap();
    let output = run(&["report", s(&out)]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(
        read(&out, "report.html"),
        with_run,
        "the same page as the run's"
    );
    // An unknown country is a usage error naming it; the page stays.
    let output = run(&["report", s(&out), "--countries", "Atlantis"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("\"Atlantis\""), "{stderr}");
    assert_eq!(read(&out, "report.html"), with_run);
    // A folder without tables.
    let output = run(&["report", s(&dir.path().join("corpus"))]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("holds no agora tables"));
}

/// A headless Chromium, or `None` with the reason printed.
fn chromium() -> Option<PathBuf> {
    let candidates = std::env::var_os("AGORA_CHROMIUM")
        .map(PathBuf::from)
        .into_iter()
        .chain(
            ["chromium", "chromium-browser", "google-chrome"]
                .iter()
                .filter_map(|name| {
                    std::env::var_os("PATH").and_then(|path| {
                        std::env::split_paths(&path)
                            .map(|d| d.join(name))
                            .find(|p| p.is_file())
                    })
                }),
        );
    for c in candidates {
        let ok = Command::new(&c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Some(c);
        }
    }
    eprintln!(
        "skipped: no chromium found (install the Debian package chromium, or set \
         AGORA_CHROMIUM); .ci/run installs it"
    );
    None
}

/// What the browser made of a page: the DOM after load, and the console
/// messages (every one is a failure: the report has no script).
struct Rendered {
    dom: String,
    console: Vec<String>,
}

/// Loads `page` in headless Chromium with a check script appended, which
/// lists every `svg.chart` with its rendered size and the number of marks
/// (lines, points, cells) with a non-empty box, as JSON in `#agora-check`.
fn render(browser: &Path, page: &Path, work: &Path) -> Rendered {
    let html = fs::read_to_string(page).unwrap();
    let check = r#"<script>(function () {
  var out = [];
  document.querySelectorAll('svg.chart').forEach(function (svg) {
    var box = svg.getBoundingClientRect(), marks = 0;
    svg.querySelectorAll('path.series, circle, rect.cell, rect, path').forEach(function (m) {
      var b = m.getBBox();
      if (b.width > 0 && b.height > 0) { marks++; }
    });
    out.push({kind: svg.getAttribute('class'), w: Math.round(box.width),
              h: Math.round(box.height), marks: marks});
  });
  var pre = document.createElement('pre');
  pre.id = 'agora-check';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();</script>"#;
    // The page's policy forbids scripts; the checked copy allows this one
    // inline script and nothing else.
    let checked = html
        .replace(
            "style-src 'unsafe-inline'",
            "style-src 'unsafe-inline'; script-src 'unsafe-inline'",
        )
        .replace("</body>", &format!("{check}</body>"));
    let copy = work.join("checked.html");
    fs::write(&copy, checked).unwrap();
    let output = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1400,1000",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
        ])
        .arg(format!(
            "--user-data-dir={}",
            work.join("profile").display()
        ))
        .arg(format!("file://{}", copy.display()))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let console = String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_owned)
        .collect();
    Rendered {
        dom: String::from_utf8_lossy(&output.stdout).into_owned(),
        console,
    }
}

/// The charts `render` found: (class, width, height, marks).
fn charts(dom: &str) -> Vec<(String, u64, u64, u64)> {
    let start = dom.find("<pre id=\"agora-check\">").expect("the check ran") + 22;
    let end = start + dom[start..].find("</pre>").unwrap();
    let text = dom[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap().to_owned(),
                c["w"].as_u64().unwrap(),
                c["h"].as_u64().unwrap(),
                c["marks"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn the_seeds_report_renders_in_a_browser_without_errors() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_ok(&["--out", s(&out), "--quiet"], 0);
    let rendered = render(&browser, &out.join("report.html"), dir.path());
    assert!(rendered.console.is_empty(), "{:#?}", rendered.console);
    let charts = charts(&rendered.dom);
    // The seeds dictionary has 12 themes: 12 trend charts, 2 heatmaps.
    let trends: Vec<_> = charts.iter().filter(|c| c.0 == "chart trend").collect();
    let heatmaps: Vec<_> = charts.iter().filter(|c| c.0 == "chart heatmap").collect();
    assert_eq!((trends.len(), heatmaps.len(), charts.len()), (12, 2, 14));
    for c in &charts {
        assert!(c.1 >= 300 && c.2 >= 180, "{c:?} is too small to read");
    }
    // Two years: every trend chart has at least the corpus's line and its
    // two points (plus grid and axis marks, which have no height).
    for c in &trends {
        assert!(c.3 >= 3, "{c:?} draws no data");
    }
    // 12 × 12 cells, and the colour scale.
    for c in &heatmaps {
        assert!(c.3 > 144, "{c:?} lacks cells");
    }
}

#[test]
fn the_browser_check_catches_console_errors_and_empty_charts() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("broken.html");
    fs::write(
        &page,
        "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" \
         content=\"default-src 'none'; style-src 'unsafe-inline'\"></head><body>\
         <svg class=\"chart trend\" width=\"400\" height=\"200\"></svg>\
         <img src=\"https://example.invalid/x.png\"></body></html>",
    )
    .unwrap();
    let rendered = render(&browser, &page, dir.path());
    assert_eq!(rendered.console.len(), 1, "{:#?}", rendered.console);
    assert!(rendered.console[0].contains("Content Security Policy"));
    assert_eq!(
        charts(&rendered.dom),
        [("chart trend".to_owned(), 400, 200, 0)]
    );
}
