//! The confusion matrix as an SVG picture (rows: true class, columns:
//! predicted; darker is more), written beside a trained model.

use std::fmt::Write as _;

/// An SVG heat map of `matrix` with `labels` on both axes.
pub fn confusion_matrix(labels: &[String], matrix: &[Vec<usize>], title: &str) -> String {
    let k = labels.len();
    let cell = 22;
    let left = 190;
    let top = 200;
    let size = left + k * cell + 20;
    let height = top + k * cell + 40;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{height}" font-family="sans-serif" font-size="11"><rect width="100%" height="100%" fill="white"/><text x="10" y="18" font-size="14">{}</text>"#,
        escape(title)
    );
    for (i, row) in matrix.iter().enumerate() {
        let total: usize = row.iter().sum::<usize>().max(1);
        let y = top + i * cell;
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#,
            left - 6,
            y + cell / 2 + 4,
            escape(&labels[i])
        );
        for (j, &n) in row.iter().enumerate() {
            let x = left + j * cell;
            let share = n as f64 / total as f64;
            let shade = 255 - (share * 225.0) as u8;
            let color = if i == j {
                format!("rgb({shade},{},{shade})", 255 - (share * 90.0) as u8)
            } else {
                format!("rgb(255,{shade},{shade})")
            };
            let _ = write!(
                s,
                r##"<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{color}" stroke="#ddd"><title>{} → {}: {n}</title></rect>"##,
                escape(&labels[i]),
                escape(&labels[j])
            );
            if n > 0 {
                let _ = write!(
                    s,
                    r#"<text x="{}" y="{}" text-anchor="middle" font-size="9">{n}</text>"#,
                    x + cell / 2,
                    y + cell / 2 + 3
                );
            }
        }
    }
    for (j, label) in labels.iter().enumerate() {
        let x = left + j * cell + cell / 2 + 4;
        let _ = write!(
            s,
            r#"<text x="{x}" y="{}" transform="rotate(-60 {x} {})">{}</text>"#,
            top - 6,
            top - 6,
            escape(label)
        );
    }
    let _ = write!(
        s,
        r##"<text x="{left}" y="{}" fill="#555">rows: true class · columns: predicted class</text></svg>"##,
        top + k * cell + 24
    );
    s
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
