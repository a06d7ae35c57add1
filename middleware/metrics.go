package middleware

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/router"
)

// DefaultBuckets are the upper bounds of the latency histogram of a
// Metrics whose Buckets is nil (Prometheus' default buckets).
var DefaultBuckets = []time.Duration{
	5 * time.Millisecond, 10 * time.Millisecond, 25 * time.Millisecond, 50 * time.Millisecond,
	100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 2500 * time.Millisecond, 5 * time.Second, 10 * time.Second,
}

// DefaultMaxRoutes is the number of route labels a Metrics whose
// MaxRoutes is zero counts apart.
const DefaultMaxRoutes = 1000

// otherRoute is the label of the requests past MaxRoutes labels.
const otherRoute = "other"

// Observation is what Metrics measured of one request, handed to
// Metrics.Observe.
type Observation struct {
	// Method is the request method. It is only valid until Observe
	// returns.
	Method []byte
	// Route is the route label (see Metrics.Route).
	Route string
	// Status is the response status code.
	Status int
	// Duration is the time the wrapped handler took.
	Duration time.Duration
	// BytesIn is the request body's Content-Length (0 for a chunked
	// body), BytesOut the response body's length (0 for a stream of
	// unknown length). Heads are not counted.
	BytesIn, BytesOut int64
}

// Metrics is middleware that counts requests by status class and route,
// their latency in a histogram, the bytes in and out, and the requests in
// flight, and reads the server's open connections. Expose the counts
// with Var (expvar) or Snapshot, or feed another system (Prometheus,
// OpenTelemetry) from Observe.
//
//	m := &middleware.Metrics{}
//	expvar.Publish("http", m.Var())
//	srv := &volt.Server{Handler: m.Wrap(r.Handler)}
//
// The zero value is ready to use; its fields must be set before Wrap is
// called. Counting allocates nothing once a route has been seen.
type Metrics struct {
	// Buckets are the upper bounds of the latency histogram, in
	// increasing order; a last bucket counts the rest. If nil,
	// DefaultBuckets.
	Buckets []time.Duration

	// Route returns the label a request is counted under. If nil,
	// router.Pattern (the pattern of the route a router matched, such as
	// "/users/{id}"), with "unmatched" for requests no route matched: a
	// bounded set, unlike paths.
	Route func(ctx *volt.RequestCtx) string

	// MaxRoutes bounds the number of route labels counted apart; the
	// requests of labels seen past it are counted under "other" (and
	// Observe still gets their own label). If zero, DefaultMaxRoutes.
	MaxRoutes int

	// Observe, if set, is called after each request, on the request's
	// goroutine, with what was measured.
	Observe func(ctx *volt.RequestCtx, o Observation)

	once      sync.Once
	maxRoutes int
	bounds    []time.Duration
	mu        sync.Mutex                                // serialises additions to routes
	routes    atomic.Pointer[map[string]*routeCounters] // copied on write
	inFlight  atomic.Int64
	server    atomic.Pointer[volt.Server]
}

// routeCounters are the counters of one route label.
type routeCounters struct {
	classes  [6]atomic.Int64 // by status / 100; 0 for others
	hist     []atomic.Int64  // per bucket, the last for the rest
	sum      atomic.Int64    // nanoseconds
	bytesIn  atomic.Int64
	bytesOut atomic.Int64
}

func (m *Metrics) init() {
	m.once.Do(func() {
		m.maxRoutes = m.MaxRoutes
		if m.maxRoutes <= 0 {
			m.maxRoutes = DefaultMaxRoutes
		}
		m.bounds = m.Buckets
		if m.bounds == nil {
			m.bounds = DefaultBuckets
		}
		routes := map[string]*routeCounters{}
		m.routes.Store(&routes)
	})
}

// Wrap returns next measured. It is the Metrics' middleware.
func (m *Metrics) Wrap(next volt.RequestHandler) volt.RequestHandler {
	m.init()
	return func(ctx *volt.RequestCtx) {
		if m.server.Load() == nil {
			if s := ctx.Server(); s != nil {
				m.server.Store(s)
			}
		}
		m.inFlight.Add(1)
		start := time.Now()
		next(ctx)
		d := time.Since(start)
		m.inFlight.Add(-1)
		o := Observation{
			Method:   ctx.Method(),
			Status:   ctx.Response.StatusCode(),
			Duration: d,
			BytesIn:  max(ctx.Request.Header.ContentLength(), 0),
			BytesOut: max(responseBytes(ctx), 0),
		}
		if m.Route != nil {
			o.Route = m.Route(ctx)
		} else if o.Route = router.Pattern(ctx); o.Route == "" {
			o.Route = "unmatched"
		}
		m.count(&o)
		if m.Observe != nil {
			m.Observe(ctx, o)
		}
	}
}

func (m *Metrics) count(o *Observation) {
	routes := *m.routes.Load()
	c := routes[o.Route]
	if c == nil {
		if len(routes) >= m.maxRoutes {
			c = routes[otherRoute]
		}
		if c == nil {
			c = m.addRoute(o.Route)
		}
	}
	class := o.Status / 100
	if class < 1 || class > 5 {
		class = 0
	}
	c.classes[class].Add(1)
	i := 0
	for i < len(m.bounds) && o.Duration > m.bounds[i] {
		i++
	}
	c.hist[i].Add(1)
	c.sum.Add(int64(o.Duration))
	c.bytesIn.Add(o.BytesIn)
	c.bytesOut.Add(o.BytesOut)
}

// addRoute adds the counters of a new label (copying the map, so that
// readers never lock), or of "other" once there are maxRoutes labels.
func (m *Metrics) addRoute(route string) *routeCounters {
	m.mu.Lock()
	defer m.mu.Unlock()
	old := *m.routes.Load()
	if c := old[route]; c != nil {
		return c
	}
	if len(old) >= m.maxRoutes {
		route = otherRoute
		if c := old[route]; c != nil {
			return c
		}
	}
	routes := make(map[string]*routeCounters, len(old)+1)
	for k, v := range old {
		routes[k] = v
	}
	c := &routeCounters{hist: make([]atomic.Int64, len(m.bounds)+1)}
	routes[route] = c
	m.routes.Store(&routes)
	return c
}
