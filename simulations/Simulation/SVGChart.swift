import Foundation

/// A two-panel SVG chart of a run: on the left the infection curve of every rumor
/// (share of its target nodes that delivered it, against seconds since it was
/// broadcast), on the right a histogram of crash-to-dead detection times.
public enum SVGChart {
    private static let panelWidth = 460.0
    private static let panelHeight = 300.0
    private static let margin = (left: 56.0, right: 16.0, top: 40.0, bottom: 44.0)

    public static func render(_ report: SimulationReport) -> String {
        let width = 2 * panelWidth
        let height = panelHeight + 30
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
        viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="11">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(width / 2)" y="18" text-anchor="middle" font-size="13">\(escape(title(report)))</text>

        """
        svg += infectionPanel(report, x: 0, y: 24)
        svg += detectionPanel(report, x: panelWidth, y: 24)
        svg += "</svg>\n"
        return svg
    }

    private static func title(_ r: SimulationReport) -> String {
        "\(r.nodes) nodes, loss \(SimulationReport.fmt(r.loss * 100))%, latency \(SimulationReport.fmt(r.latencyMs)) ms, "
            + "\(r.slowNodes) slow, lifeguard \(r.lifeguard ? "on" : "off"), seed \(r.seed)"
    }

    private static func infectionPanel(_ r: SimulationReport, x: Double, y: Double) -> String {
        let curves = r.rumorCurves.filter { $0.targets > 0 }
        let maxT = niceCeiling(curves.flatMap(\.deliveries).max() ?? 1)
        var out = axes(x: x, y: y, title: "Rumor infection: share of nodes that have it",
                       xLabel: "seconds since broadcast", yLabel: "share of nodes",
                       xMax: maxT, yMax: 1, yTicksAsPercent: true)
        let plot = plotArea(x: x, y: y)
        for (index, curve) in curves.enumerated() {
            let sorted = curve.deliveries.sorted()
            var points = "\(plot.x),\(plot.y + plot.h)"
            for (i, t) in sorted.enumerated() {
                let px = plot.x + t / maxT * plot.w
                let share = min(1, Double(i + 1) / Double(curve.targets))
                let py = plot.y + plot.h - share * plot.h
                points += " \(round2(px)),\(round2(py))"
            }
            let hue = Double(index * 137 % 360)
            out += "<polyline fill=\"none\" stroke=\"hsl(\(Int(hue)),60%,45%)\" stroke-width=\"1.2\" stroke-opacity=\"0.8\" points=\"\(points)\"/>\n"
        }
        if curves.isEmpty {
            out += "<text x=\"\(plot.x + plot.w / 2)\" y=\"\(plot.y + plot.h / 2)\" text-anchor=\"middle\" fill=\"#888\">no rumors in this run</text>\n"
        }
        return out
    }

    private static func detectionPanel(_ r: SimulationReport, x: Double, y: Double) -> String {
        let samples = r.detectionSamples
        let maxT = niceCeiling(samples.max() ?? 1)
        let bins = 30
        var counts = Array(repeating: 0, count: bins)
        for s in samples {
            counts[min(bins - 1, Int(s / maxT * Double(bins)))] += 1
        }
        let maxCount = Double(max(1, counts.max() ?? 1))
        var out = axes(x: x, y: y, title: "Detection: crash to dead, per survivor",
                       xLabel: "seconds after the crash", yLabel: "survivors",
                       xMax: maxT, yMax: maxCount, yTicksAsPercent: false)
        let plot = plotArea(x: x, y: y)
        let barWidth = plot.w / Double(bins)
        for (i, count) in counts.enumerated() where count > 0 {
            let h = Double(count) / maxCount * plot.h
            out += "<rect x=\"\(round2(plot.x + Double(i) * barWidth + 0.5))\" y=\"\(round2(plot.y + plot.h - h))\" "
                + "width=\"\(round2(barWidth - 1))\" height=\"\(round2(h))\" fill=\"#4a78b5\"/>\n"
        }
        for (label, value) in [("p50", r.detectionP50), ("p99", r.detectionP99)] {
            guard let value else { continue }
            let px = round2(plot.x + value / maxT * plot.w)
            out += "<line x1=\"\(px)\" x2=\"\(px)\" y1=\"\(plot.y)\" y2=\"\(plot.y + plot.h)\" stroke=\"#c0392b\" stroke-dasharray=\"4 3\"/>\n"
            out += "<text x=\"\(px + 3)\" y=\"\(plot.y + 12)\" fill=\"#c0392b\">\(label) \(SimulationReport.fmt(value)) s</text>\n"
        }
        if samples.isEmpty {
            out += "<text x=\"\(plot.x + plot.w / 2)\" y=\"\(plot.y + plot.h / 2)\" text-anchor=\"middle\" fill=\"#888\">no crashes detected in this run</text>\n"
        }
        return out
    }

    private static func plotArea(x: Double, y: Double) -> (x: Double, y: Double, w: Double, h: Double) {
        (x + margin.left, y + margin.top, panelWidth - margin.left - margin.right,
         panelHeight - margin.top - margin.bottom)
    }

    private static func axes(x: Double, y: Double, title: String, xLabel: String, yLabel: String,
                             xMax: Double, yMax: Double, yTicksAsPercent: Bool) -> String {
        let p = plotArea(x: x, y: y)
        var out = "<text x=\"\(p.x + p.w / 2)\" y=\"\(y + 22)\" text-anchor=\"middle\" font-weight=\"bold\">\(escape(title))</text>\n"
        out += "<rect x=\"\(p.x)\" y=\"\(p.y)\" width=\"\(p.w)\" height=\"\(p.h)\" fill=\"none\" stroke=\"#333\"/>\n"
        for i in 0...5 {
            let f = Double(i) / 5
            let tx = round2(p.x + f * p.w)
            let ty = round2(p.y + p.h - f * p.h)
            out += "<line x1=\"\(tx)\" x2=\"\(tx)\" y1=\"\(p.y + p.h)\" y2=\"\(p.y + p.h + 4)\" stroke=\"#333\"/>\n"
            out += "<text x=\"\(tx)\" y=\"\(p.y + p.h + 16)\" text-anchor=\"middle\">\(SimulationReport.fmt(f * xMax))</text>\n"
            out += "<line x1=\"\(p.x)\" x2=\"\(p.x + p.w)\" y1=\"\(ty)\" y2=\"\(ty)\" stroke=\"#ddd\"/>\n"
            let yText = yTicksAsPercent ? "\(Int(f * 100))%" : SimulationReport.fmt(f * yMax)
            out += "<text x=\"\(p.x - 6)\" y=\"\(ty + 4)\" text-anchor=\"end\">\(yText)</text>\n"
        }
        out += "<text x=\"\(p.x + p.w / 2)\" y=\"\(p.y + p.h + 34)\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
        out += "<text transform=\"translate(\(x + 14),\(p.y + p.h / 2)) rotate(-90)\" text-anchor=\"middle\">\(escape(yLabel))</text>\n"
        return out
    }

    /// The smallest of 1, 2, 2.5, 5 × 10^k not below `value`.
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        var scale = 1.0
        while scale * 10 < value { scale *= 10 }
        while scale > value { scale /= 10 }
        for step in [1.0, 2.0, 2.5, 5.0, 10.0] where step * scale >= value { return step * scale }
        return 10 * scale
    }

    private static func round2(_ v: Double) -> Double { (v * 100).rounded() / 100 }

    private static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
