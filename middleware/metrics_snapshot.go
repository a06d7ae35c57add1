package middleware

import (
	"expvar"
	"strconv"

	"github.com/volthttp/volt"
)

// MetricsSnapshot is a copy of the counts of a Metrics. Its JSON form is
// what Var publishes.
type MetricsSnapshot struct {
	// Requests counts the requests by status class ("2xx", ..., "5xx",
	// "other").
	Requests map[string]int64 `json:"requests"`
	// Latency is the histogram of every request's duration.
	Latency Histogram `json:"latency"`
	// BytesIn and BytesOut add up the body lengths (see Observation).
	BytesIn  int64 `json:"bytes_in"`
	BytesOut int64 `json:"bytes_out"`
	// InFlight is the number of requests being handled now.
	InFlight int64 `json:"in_flight"`
	// OpenConns is the number of open connections of the server whose
	// requests were measured (volt.ServerStats.OpenConns).
	OpenConns int64 `json:"open_conns"`
	// Routes holds the same counts by route label.
	Routes map[string]RouteSnapshot `json:"routes"`
}

// RouteSnapshot holds the counts of one route label.
type RouteSnapshot struct {
	Requests map[string]int64 `json:"requests"`
	Latency  Histogram        `json:"latency"`
	BytesIn  int64            `json:"bytes_in"`
	BytesOut int64            `json:"bytes_out"`
}

// Histogram is a latency histogram.
type Histogram struct {
	// Bounds are the upper bounds of the buckets, in seconds.
	Bounds []float64 `json:"bounds"`
	// Counts has one more element than Bounds: Counts[i] counts the
	// durations d with Bounds[i-1] < d <= Bounds[i], the last one those
	// above every bound (not cumulative).
	Counts []int64 `json:"counts"`
	// Count is the number of durations, Sum their total in seconds.
	Count int64   `json:"count"`
	Sum   float64 `json:"sum"`
}

var classNames = [6]string{"other", "1xx", "2xx", "3xx", "4xx", "5xx"}

// Snapshot returns the current counts.
func (m *Metrics) Snapshot() MetricsSnapshot {
	m.init()
	bounds := make([]float64, len(m.bounds))
	for i, b := range m.bounds {
		bounds[i] = b.Seconds()
	}
	newHist := func() Histogram {
		return Histogram{Bounds: bounds, Counts: make([]int64, len(m.bounds)+1)}
	}
	s := MetricsSnapshot{
		Requests: map[string]int64{},
		Latency:  newHist(),
		InFlight: m.inFlight.Load(),
		Routes:   map[string]RouteSnapshot{},
	}
	if srv := m.server.Load(); srv != nil {
		s.OpenConns = srv.Stats().OpenConns
	}
	for route, c := range *m.routes.Load() {
		r := RouteSnapshot{Requests: map[string]int64{}, Latency: newHist()}
		for i := range c.classes {
			if n := c.classes[i].Load(); n > 0 {
				r.Requests[classNames[i]] = n
				s.Requests[classNames[i]] += n
			}
		}
		for i := range c.hist {
			n := c.hist[i].Load()
			r.Latency.Counts[i] = n
			r.Latency.Count += n
			s.Latency.Counts[i] += n
			s.Latency.Count += n
		}
		sum := float64(c.sum.Load()) / 1e9
		r.Latency.Sum = sum
		s.Latency.Sum += sum
		r.BytesIn, r.BytesOut = c.bytesIn.Load(), c.bytesOut.Load()
		s.BytesIn += r.BytesIn
		s.BytesOut += r.BytesOut
		s.Routes[route] = r
	}
	return s
}

// Var returns an expvar.Var whose value is the JSON form of Snapshot, to
// publish with expvar.Publish (once per name):
//
//	expvar.Publish("http", m.Var())
func (m *Metrics) Var() expvar.Var {
	return expvar.Func(func() any { return m.Snapshot() })
}

// ExpvarHandler serves every published expvar variable but "cmdline" as
// a JSON object, as expvar.Handler does for net/http, for instance on GET
// /debug/vars. The command line is left out because programs are often
// given secrets by flag (tokens, passwords, connection strings); name it
// to ExpvarVars to serve it anyway. Such an endpoint tells a lot about the
// server: keep it off the public internet (IPFilter, BasicAuth), or serve
// only what is needed with ExpvarVars.
func ExpvarHandler(ctx *volt.RequestCtx) {
	writeExpvars(ctx, func(kv func(expvar.KeyValue)) {
		expvar.Do(func(v expvar.KeyValue) {
			if v.Key != "cmdline" {
				kv(v)
			}
		})
	})
}

// ExpvarVars returns a handler that serves the published expvar variables
// of the given names (those published, in the order given) as a JSON
// object, like ExpvarHandler.
func ExpvarVars(names ...string) volt.RequestHandler {
	names = append([]string(nil), names...)
	return func(ctx *volt.RequestCtx) {
		writeExpvars(ctx, func(kv func(expvar.KeyValue)) {
			for _, n := range names {
				if v := expvar.Get(n); v != nil {
					kv(expvar.KeyValue{Key: n, Value: v})
				}
			}
		})
	}
}

// writeExpvars writes the variables each calls its argument with as a
// JSON object.
func writeExpvars(ctx *volt.RequestCtx, each func(func(expvar.KeyValue))) {
	ctx.SetContentType("application/json; charset=utf-8")
	ctx.WriteString("{\n")
	first := true
	each(func(kv expvar.KeyValue) {
		if !first {
			ctx.WriteString(",\n")
		}
		first = false
		ctx.WriteString(strconv.Quote(kv.Key))
		ctx.WriteString(": ")
		ctx.WriteString(kv.Value.String())
	})
	ctx.WriteString("\n}\n")
}
