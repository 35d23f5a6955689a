package web

import (
	"fmt"
	"html"
	"html/template"
	"strings"
)

// The charts are drawn on the server as SVG, so no chart needs
// JavaScript. Each is decoration beside a table that carries the same
// figures: the SVG is hidden from assistive technology and the table is
// the accessible form.

// bar is one row of a stacked bar chart.
type bar struct {
	Label  string
	Values []int
}

// segment names one stacked part and the CSS class that colours it.
type segment struct {
	Name  string
	Class string
}

const (
	chartLabelWidth = 220
	chartBarWidth   = 460
	chartRowHeight  = 28
)

// stackedBars draws one horizontal bar per row, each split into its
// segments, with a legend underneath. Every bar is on one scale — the
// largest row's total is the full width — so a row of 23 is a quarter
// the length of a row of 92, and each bar ends with its total. The chart
// scrolls within its own box rather than shrinking its text below 12 px
// (remit.css: .remit-chart-box).
//
// Every text in the drawing is escaped here: the result is trusted HTML.
func stackedBars(title string, segs []segment, rows []bar) template.HTML {
	var b strings.Builder
	height := len(rows)*chartRowHeight + 40
	width := chartLabelWidth + chartBarWidth + 60
	most := 0
	for _, r := range rows {
		total := 0
		for _, v := range r.Values {
			total += v
		}
		most = max(most, total)
	}
	b.WriteString(`<div class="remit-chart-box">`)
	fmt.Fprintf(&b, `<svg class="remit-chart" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" aria-hidden="true" focusable="false">`, width, height, width, height)
	fmt.Fprintf(&b, `<title>%s</title>`, html.EscapeString(title))
	for i, r := range rows {
		y := i * chartRowHeight
		fmt.Fprintf(&b, `<text x="0" y="%d">%s</text>`, y+18, html.EscapeString(truncate(r.Label, 28)))
		total := 0
		for _, v := range r.Values {
			total += v
		}
		x := float64(chartLabelWidth)
		for j, v := range r.Values {
			if v == 0 || most == 0 {
				continue
			}
			w := float64(chartBarWidth) * float64(v) / float64(most)
			fmt.Fprintf(&b, `<rect class="%s" x="%.1f" y="%d" width="%.1f" height="20"><title>%s: %d</title></rect>`, segs[j].Class, x, y+4, w, html.EscapeString(segs[j].Name), v)
			x += w
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%d">%d</text>`, x+6, y+18, total)
	}
	// Legend.
	x, y := 0, len(rows)*chartRowHeight+14
	for _, s := range segs {
		fmt.Fprintf(&b, `<rect class="%s" x="%d" y="%d" width="14" height="14"></rect><text x="%d" y="%d">%s</text>`, s.Class, x, y, x+18, y+12, html.EscapeString(s.Name))
		x += 28 + 8*len(s.Name)
	}
	b.WriteString(`</svg></div>`)
	return template.HTML(b.String())
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// graphNode is a box in the supplier graph.
type graphNode struct {
	ID    string
	Label string
	Class string // remit-graph__system or remit-graph__offering
	Group string // the provider an offering belongs to
}

// graphEdge joins two nodes by id.
type graphEdge struct{ From, To string }

// supplierGraph draws systems in the left column and the offerings they
// use in the right, offerings grouped under their provider; an offering's
// dependency on another offering (a fourth party) is a curve within the
// right column.
//
// Every label is escaped here: the result is trusted HTML.
func supplierGraph(systems, offerings []graphNode, edges []graphEdge) template.HTML {
	const boxW, boxH, gap, colGap = 230, 26, 8, 220
	pos := map[string][2]int{} // centre-left and centre-right y positions, by id
	var b strings.Builder
	rows := max(len(systems), len(offerings)+countGroups(offerings))
	height := rows*(boxH+gap) + 20
	width := 2*boxW + colGap + 120
	fmt.Fprintf(&b, `<svg class="remit-chart remit-graph" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" aria-hidden="true" focusable="false"><title>Supplier graph</title>`, width, height, width, height)
	for i, n := range systems {
		y := 10 + i*(boxH+gap)
		pos[n.ID] = [2]int{y + boxH/2, 0}
		fmt.Fprintf(&b, `<rect class="%s" x="0" y="%d" width="%d" height="%d" rx="3"></rect><text x="8" y="%d">%s</text>`, n.Class, y, boxW, boxH, y+18, html.EscapeString(truncate(n.Label, 30)))
	}
	x := boxW + colGap
	y := 10
	group := ""
	for _, n := range offerings {
		if n.Group != group {
			group = n.Group
			fmt.Fprintf(&b, `<text class="remit-graph__provider" x="%d" y="%d">%s</text>`, x, y+18, html.EscapeString(group))
			y += boxH + gap
		}
		pos[n.ID] = [2]int{y + boxH/2, 1}
		fmt.Fprintf(&b, `<rect class="%s" x="%d" y="%d" width="%d" height="%d" rx="3"></rect><text x="%d" y="%d">%s</text>`, n.Class, x, y, boxW, boxH, x+8, y+18, html.EscapeString(truncate(n.Label, 30)))
		y += boxH + gap
	}
	for _, e := range edges {
		from, ok1 := pos[e.From]
		to, ok2 := pos[e.To]
		if !ok1 || !ok2 {
			continue
		}
		if from[1] == 0 { // system -> offering
			fmt.Fprintf(&b, `<path class="remit-graph__edge" d="M%d %d C%d %d %d %d %d %d"></path>`, boxW, from[0], boxW+colGap/2, from[0], boxW+colGap/2, to[0], x, to[0])
			continue
		}
		// offering -> offering: a loop out to the right.
		right := x + boxW
		fmt.Fprintf(&b, `<path class="remit-graph__edge" d="M%d %d C%d %d %d %d %d %d" marker-end="url(#arrow)"></path>`, right, from[0], right+100, from[0], right+100, to[0], right, to[0])
	}
	b.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#505a5f"></path></marker></defs>`)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func countGroups(nodes []graphNode) int {
	n, group := 0, "\x00"
	for _, x := range nodes {
		if x.Group != group {
			n, group = n+1, x.Group
		}
	}
	return n
}
