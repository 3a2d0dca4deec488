//! A small SVG plot of the efficient frontier (no plotting crate needed).

/// A labelled point.
pub struct Marker {
    pub x: f64,
    pub y: f64,
    pub label: String,
    pub color: &'static str,
}

/// The frontier curve `(volatility, return)` plus markers, as an SVG document.
pub fn frontier_svg(curve: &[(f64, f64)], markers: &[Marker], title: &str) -> String {
    let (w, h, m) = (720.0, 480.0, 60.0);
    let xs = curve.iter().map(|p| p.0).chain(markers.iter().map(|k| k.x));
    let ys = curve.iter().map(|p| p.1).chain(markers.iter().map(|k| k.y));
    let (mut x0, mut x1) = (f64::INFINITY, f64::NEG_INFINITY);
    for x in xs {
        x0 = x0.min(x);
        x1 = x1.max(x);
    }
    let (mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY);
    for y in ys {
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    let (px, py) = ((x1 - x0) * 0.08 + 1e-9, (y1 - y0) * 0.08 + 1e-9);
    let (x0, x1, y0, y1) = (x0 - px, x1 + px, y0 - py, y1 + py);
    let sx = |x: f64| m + (x - x0) / (x1 - x0) * (w - 2.0 * m);
    let sy = |y: f64| h - m - (y - y0) / (y1 - y0) * (h - 2.0 * m);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"{}\" y=\"24\" text-anchor=\"middle\" font-size=\"16\">{title}</text>\n",
        w / 2.0
    );
    s.push_str(&format!(
        "<line x1=\"{m}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"black\"/>\n<line x1=\"{m}\" y1=\"{m}\" x2=\"{m}\" y2=\"{}\" stroke=\"black\"/>\n",
        h - m, w - m, h - m, h - m
    ));
    for k in 0..=5 {
        let fx = x0 + (x1 - x0) * k as f64 / 5.0;
        let fy = y0 + (y1 - y0) * k as f64 / 5.0;
        s.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{:.1}%</text>\n<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{:.1}%</text>\n",
            sx(fx), h - m + 18.0, fx * 100.0, m - 6.0, sy(fy) + 4.0, fy * 100.0
        ));
    }
    s.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">annual volatility</text>\n<text x=\"16\" y=\"{}\" transform=\"rotate(-90 16 {})\" text-anchor=\"middle\">expected annual return</text>\n",
        w / 2.0, h - 14.0, h / 2.0, h / 2.0
    ));
    let pts: Vec<String> = curve
        .iter()
        .map(|(x, y)| format!("{:.1},{:.1}", sx(*x), sy(*y)))
        .collect();
    s.push_str(&format!(
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2.5\"/>\n",
        pts.join(" ")
    ));
    for k in markers {
        s.push_str(&format!(
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"{}\"/>\n<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\">{}</text>\n",
            sx(k.x), sy(k.y), k.color, sx(k.x) + 6.0, sy(k.y) - 4.0, k.label
        ));
    }
    s.push_str("</svg>\n");
    s
}
