package middleware

import (
	"encoding/json"
	"expvar"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/router"
)

func TestMetrics(t *testing.T) {
	r := &router.Router{}
	r.GET("/users/{id}", func(ctx *volt.RequestCtx) { ctx.WriteString("user") })
	r.POST("/users", func(ctx *volt.RequestCtx) { ctx.SetStatusCode(201); ctx.Write(ctx.PostBody()) })
	r.GET("/slow", func(ctx *volt.RequestCtx) { time.Sleep(30 * time.Millisecond); ctx.Error("oops", 500) })
	var obs []Observation
	m := &Metrics{
		Buckets: []time.Duration{10 * time.Millisecond, time.Second},
		Observe: func(_ *volt.RequestCtx, o Observation) {
			o.Method = append([]byte(nil), o.Method...)
			obs = append(obs, o)
		},
	}
	addr := serveTCP(t, m.Wrap(r.Handler))
	c := dialFrom(t, addr, "127.0.0.1")
	c.do("GET", "/users/1")
	c.do("GET", "/users/2")
	c.raw("POST /users HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nabcd", "POST")
	c.do("GET", "/slow")
	c.do("GET", "/nope")
	c.do("DELETE", "/users/1")

	s := m.Snapshot()
	if s.Requests["2xx"] != 3 || s.Requests["4xx"] != 2 || s.Requests["5xx"] != 1 {
		t.Errorf("requests %v", s.Requests)
	}
	u := s.Routes["/users/{id}"]
	if u.Requests["2xx"] != 2 || u.Latency.Count != 2 || u.BytesOut != 8 {
		t.Errorf("/users/{id}: %+v", u)
	}
	if p := s.Routes["/users"]; p.BytesIn != 4 || p.BytesOut != 4 || p.Requests["2xx"] != 1 {
		t.Errorf("/users: %+v", p)
	}
	// 404 and 405: no route matched the method and path.
	if n := s.Routes["unmatched"]; n.Requests["4xx"] != 2 || n.BytesOut != len64("Not Found")+len64("Method Not Allowed") {
		t.Errorf("unmatched: %+v", n)
	}
	slow := s.Routes["/slow"].Latency
	if slow.Counts[0] != 0 || slow.Counts[1] != 1 || slow.Sum < 0.03 || len(slow.Bounds) != 2 || slow.Bounds[0] != 0.01 {
		t.Errorf("/slow latency %+v", slow)
	}
	if s.Latency.Count != 6 || s.OpenConns != 1 || s.InFlight != 0 {
		t.Errorf("totals: count %d open %d in flight %d", s.Latency.Count, s.OpenConns, s.InFlight)
	}
	if len(obs) != 6 || obs[2].Route != "/users" || string(obs[2].Method) != "POST" || obs[2].Status != 201 || obs[3].Duration < 30*time.Millisecond {
		t.Errorf("observations %+v", obs)
	}

	// expvar: the JSON form, also through ExpvarHandler.
	// expvar names are process-wide: one per run, so that -count=N works.
	name := "volt_test_metrics_" + strconv.Itoa(int(metricsRuns.Add(1)))
	expvar.Publish(name, m.Var())
	var got MetricsSnapshot
	if err := json.Unmarshal([]byte(expvar.Get(name).String()), &got); err != nil || got.Requests["2xx"] != 3 {
		t.Errorf("expvar: %v %+v", err, got.Requests)
	}
	ctx := newCtx("GET", "/debug/vars")
	ExpvarHandler(ctx)
	var all map[string]json.RawMessage
	if err := json.Unmarshal(ctx.Response.Body(), &all); err != nil || all[name] == nil || all["memstats"] == nil {
		t.Errorf("ExpvarHandler: %v %.200s", err, ctx.Response.Body())
	}
}

func len64(s string) int64 { return int64(len(s)) }

func TestMetricsCustomRoute(t *testing.T) {
	m := &Metrics{Route: func(ctx *volt.RequestCtx) string { return "all" }}
	h := m.Wrap(ok)
	h(newCtx("GET", "/a"))
	h(newCtx("GET", "/b"))
	if s := m.Snapshot(); s.Routes["all"].Requests["2xx"] != 2 || len(s.Routes) != 1 || len(s.Latency.Bounds) != len(DefaultBuckets) {
		t.Errorf("%+v", s)
	}
}

// TestExpvarHandlerLeavesOutCommandLine checks that the command line,
// where secrets passed as flags show, is not served.
func TestExpvarHandlerLeavesOutCommandLine(t *testing.T) {
	args := os.Args
	os.Args = append(append([]string(nil), args...), "-password", "flag-secret-4711")
	defer func() { os.Args = args }()
	ctx := newCtx("GET", "/debug/vars")
	ExpvarHandler(ctx)
	var all map[string]json.RawMessage
	if err := json.Unmarshal(ctx.Response.Body(), &all); err != nil || all["memstats"] == nil {
		t.Fatalf("ExpvarHandler: %v %.200s", err, ctx.Response.Body())
	}
	if all["cmdline"] != nil || strings.Contains(string(ctx.Response.Body()), "flag-secret-4711") {
		t.Errorf("ExpvarHandler serves the command line")
	}
}

func TestExpvarVarsServesOnlyTheNamedVariables(t *testing.T) {
	if expvar.Get("volt_test_only") == nil {
		expvar.NewInt("volt_test_only").Set(7)
	}
	ctx := newCtx("GET", "/debug/vars")
	ExpvarVars("volt_test_only", "memstats", "cmdline", "no_such_var")(ctx)
	var all map[string]json.RawMessage
	if err := json.Unmarshal(ctx.Response.Body(), &all); err != nil {
		t.Fatalf("%v %.200s", err, ctx.Response.Body())
	}
	if len(all) != 3 || string(all["volt_test_only"]) != "7" || all["memstats"] == nil || all["cmdline"] == nil {
		t.Errorf("got %d variables: %.300s", len(all), ctx.Response.Body())
	}
}

// TestMetricsRouteLabelsBounded checks that a Route function returning
// unbounded labels (paths) cannot grow the counters without bound: past
// MaxRoutes labels, requests are counted under "other".
func TestMetricsRouteLabelsBounded(t *testing.T) {
	m := &Metrics{Route: func(ctx *volt.RequestCtx) string { return string(ctx.Path()) }}
	h := m.Wrap(ok)
	for i := range DefaultMaxRoutes + 100 {
		h(newCtx("GET", "/p/"+strconv.Itoa(i)))
	}
	s := m.Snapshot()
	if len(s.Routes) != DefaultMaxRoutes+1 || s.Routes["other"].Requests["2xx"] != 100 {
		t.Errorf("%d labels, other: %+v", len(s.Routes), s.Routes["other"])
	}
	m = &Metrics{MaxRoutes: 2, Route: func(ctx *volt.RequestCtx) string { return string(ctx.Path()) }}
	h = m.Wrap(ok)
	for _, p := range []string{"/a", "/b", "/c", "/a", "/d"} {
		h(newCtx("GET", p))
	}
	s = m.Snapshot()
	if len(s.Routes) != 3 || s.Routes["/a"].Requests["2xx"] != 2 || s.Routes["other"].Requests["2xx"] != 2 {
		t.Errorf("MaxRoutes 2: %+v", s.Routes)
	}
}

// metricsRuns numbers the runs of TestMetrics.
var metricsRuns atomic.Int32
