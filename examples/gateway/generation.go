package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/middleware"
	"github.com/volthttp/volt/router"
	"github.com/volthttp/volt/tlsutil"
)

// generation is the gateway built from one reading of the configuration:
// its handler, the certificates of its TLS listeners, and what it opened
// (access log files, proxies, FastCGI clients). A reload builds a new
// generation, swaps it in, and retires the old one: closed once its last
// request is done.
type generation struct {
	cfg     *Config
	handler volt.RequestHandler
	certs   []*tlsutil.CertSet // by listener; nil for plain ones
	closers []io.Closer

	active  atomic.Int64 // requests being served
	retired atomic.Bool
}

// builder holds what building a generation needs.
type builder struct {
	cfg     *Config
	pos     *positions
	metrics *middleware.Metrics
	proxies middleware.Proxies
	logs    *logFiles
	logger  *slog.Logger
	closers []io.Closer
}

func (b *builder) upstreamOptions() upstreamOptions {
	return upstreamOptions{trusted: b.proxies.Trusted, logger: b.logger}
}

// buildGeneration builds cfg. Its errors (a certificate that does not
// load, a log file that does not open) are recorded in pos, and
// everything opened is closed again. A panic of a constructor (which
// checkConfig should have made impossible) is an error too, so that a
// reload never stops the gateway.
func buildGeneration(cfg *Config, pos *positions, metrics *middleware.Metrics, logger *slog.Logger) (_ *generation, err error) {
	b := &builder{cfg: cfg, pos: pos, metrics: metrics, proxies: proxiesOf(cfg), logs: new(logFiles), logger: logger}
	gen := &generation{cfg: cfg, certs: make([]*tlsutil.CertSet, len(cfg.Listeners))}
	defer func() {
		if v := recover(); v != nil {
			gen.closers = append(b.closers, b.logs)
			gen.close()
			err = fmt.Errorf("building the configuration: %v", v)
		}
	}()
	for i, l := range cfg.Listeners {
		if l.TLS != nil {
			gen.certs[i] = loadCertSet(l.TLS, pos, fmt.Sprintf("listeners[%d]", i))
		}
	}
	hosts := &router.Hosts{}
	for i := range cfg.Sites {
		sc := &cfg.Sites[i]
		h := b.buildSite(i, sc)
		for _, host := range sc.Hosts {
			hosts.Handle(host, h) // checked by checkConfig
		}
		if sc.Default || len(sc.Hosts) == 0 {
			hosts.Default = h
		}
	}
	if hosts.Default == nil {
		hosts.Default = b.withAccessLog("", nil, notFound)
	}
	gen.closers = append(b.closers, b.logs)
	if err := pos.err(); err != nil {
		gen.close()
		return nil, err
	}
	recoverer := middleware.Recover(middleware.RecoverConfig{Logger: logger})
	gen.handler = recoverer(metrics.Wrap(hosts.Handler))
	return gen, nil
}

// enter counts a request in; it reports false if the generation was
// retired meanwhile (the caller takes the new one).
func (gen *generation) enter() bool {
	gen.active.Add(1)
	if gen.retired.Load() {
		gen.active.Add(-1)
		return false
	}
	return true
}

func (gen *generation) leave() { gen.active.Add(-1) }

// maxRetireWait bounds the wait of a retired generation for its requests.
const maxRetireWait = 2 * time.Minute

// retire closes the generation once its last request is done (or after
// maxRetireWait).
func (gen *generation) retire() {
	gen.retired.Store(true)
	deadline := time.Now().Add(maxRetireWait)
	for gen.active.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	gen.close()
}

func (gen *generation) close() error {
	var errs []error
	for _, c := range gen.closers {
		if c != nil {
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}
