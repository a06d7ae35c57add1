// Command chart renders load.sh's results as an SVG bar chart: for each
// scenario, the median req/s of each implementation over the rounds.
//
//	go run ./cmd/chart -in /tmp/volt-load.XXXX/results.tsv -out ../docs/load.svg \
//	    -title "volt vs peers, 2 cores, $(date +%F)"
package main

import (
	"bufio"
	"flag"
	"fmt"
	"image/color"
	"os"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

func main() {
	in := flag.String("in", "results.tsv", "load.sh results (TSV)")
	out := flag.String("out", "load.svg", "SVG file to write")
	title := flag.String("title", "Requests per second (median over rounds)", "chart title")
	flag.Parse()
	if err := run(*in, *out, *title); err != nil {
		fmt.Fprintln(os.Stderr, "chart:", err)
		os.Exit(1)
	}
}

// results maps scenario → implementation → req/s of each round.
type results struct {
	scenarios, impls []string
	rps              map[string]map[string][]float64
}

func read(path string) (*results, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := &results{rps: map[string]map[string][]float64{}}
	sc := bufio.NewScanner(f)
	for line := 0; sc.Scan(); line++ {
		cols := strings.Split(sc.Text(), "\t")
		if line == 0 || len(cols) < 4 {
			continue
		}
		scenario, impl := cols[1], cols[2]
		v, err := strconv.ParseFloat(cols[3], 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", line+1, err)
		}
		if r.rps[scenario] == nil {
			r.rps[scenario] = map[string][]float64{}
			r.scenarios = append(r.scenarios, scenario)
		}
		if r.rps[scenario][impl] == nil && !contains(r.impls, impl) {
			r.impls = append(r.impls, impl)
		}
		r.rps[scenario][impl] = append(r.rps[scenario][impl], v)
	}
	return r, sc.Err()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

var palette = []color.RGBA{
	{0x1f, 0x77, 0xb4, 0xff}, {0xff, 0x7f, 0x0e, 0xff}, {0x2c, 0xa0, 0x2c, 0xff},
	{0x94, 0x67, 0xbd, 0xff}, {0x8c, 0x56, 0x4b, 0xff}, {0x7f, 0x7f, 0x7f, 0xff},
}

func run(in, out, title string) error {
	r, err := read(in)
	if err != nil {
		return err
	}
	if len(r.scenarios) == 0 {
		return fmt.Errorf("%s holds no results", in)
	}
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = "thousands per second (requests; sse: streams; ws: messages)"
	w := vg.Points(14)
	for i, impl := range r.impls {
		vals := make(plotter.Values, len(r.scenarios))
		for j, s := range r.scenarios {
			vals[j] = median(r.rps[s][impl]) / 1000
		}
		bars, err := plotter.NewBarChart(vals, w)
		if err != nil {
			return err
		}
		bars.LineStyle.Width = 0
		bars.Color = palette[i%len(palette)]
		bars.Offset = w * vg.Length(float64(i)-float64(len(r.impls)-1)/2)
		p.Add(bars)
		p.Legend.Add(impl, bars)
	}
	p.Legend.Top = true
	p.Legend.Left = true
	p.NominalX(r.scenarios...)
	return p.Save(vg.Length(40+30*len(r.scenarios))*vg.Millimeter, 90*vg.Millimeter, out)
}
