//! The SVG report of a simulation: recovery over time for both policies,
//! one panel per world (a 7-day moving recovery rate, mean over seeds).

/// One world's series for the picture.
pub struct Panel {
    /// World name.
    pub name: String,
    /// Daily (recovered, declines) summed over seeds, fixed schedule.
    pub fixed: Vec<(u64, u64)>,
    /// The same for the learner.
    pub learner: Vec<(u64, u64)>,
    /// Summary line under the title.
    pub summary: String,
}

fn rolling(daily: &[(u64, u64)]) -> Vec<f64> {
    (0..daily.len())
        .map(|i| {
            let from = i.saturating_sub(6);
            let (r, n) = daily[from..=i]
                .iter()
                .fold((0u64, 0u64), |(a, b), (x, y)| (a + x, b + y));
            r as f64 / n.max(1) as f64
        })
        .collect()
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The SVG document.
pub fn svg(panels: &[Panel]) -> String {
    let (w, h, pad) = (720.0, 260.0, 48.0);
    let total_h = h * panels.len() as f64 + 20.0;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{total_h}\" font-family=\"system-ui,sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n"
    );
    for (pi, p) in panels.iter().enumerate() {
        let top = pi as f64 * h + 10.0;
        let (a, b) = (rolling(&p.fixed), rolling(&p.learner));
        let max = a.iter().chain(&b).cloned().fold(0.05, f64::max) * 1.1;
        let n = a.len().max(2) as f64;
        let x = |i: usize| pad + (w - 2.0 * pad) * i as f64 / (n - 1.0);
        let y = |v: f64| top + 40.0 + (h - 80.0) * (1.0 - v / max);
        out.push_str(&format!(
            "<text x=\"{pad}\" y=\"{}\" font-size=\"14\" font-weight=\"600\">{}</text>\n<text x=\"{pad}\" y=\"{}\" fill=\"#667085\">{}</text>\n",
            top + 14.0,
            esc(&p.name),
            top + 30.0,
            esc(&p.summary)
        ));
        out.push_str(&format!(
            "<line x1=\"{pad}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#e4e7ec\"/>\n",
            y(0.0),
            w - pad,
            y(0.0)
        ));
        for t in 0..=4 {
            let v = max * f64::from(t) / 4.0;
            out.push_str(&format!(
                "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#667085\">{:.0}%</text>\n",
                pad - 6.0,
                y(v) + 4.0,
                v * 100.0
            ));
        }
        for (series, colour, label, dy) in [
            (&a, "#667085", "rule pack's schedule", 0.0),
            (&b, "#2952cc", "learner", 16.0),
        ] {
            let pts: Vec<String> = series
                .iter()
                .enumerate()
                .map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v)))
                .collect();
            out.push_str(&format!(
                "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"/>\n<text x=\"{}\" y=\"{}\" fill=\"{colour}\">{label}</text>\n",
                pts.join(" "),
                w - pad - 150.0,
                top + 44.0 + dy
            ));
        }
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#667085\">days after the warm-up (7-day recovery rate, all seeds)</text>\n",
            w / 2.0,
            top + h - 22.0
        ));
    }
    out.push_str("</svg>\n");
    out
}
