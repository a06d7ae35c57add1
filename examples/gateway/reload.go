package main

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/http2"
	"github.com/volthttp/volt/middleware"
)

// gateway is the running server: its listeners (opened once), one
// volt.Server for all of them, and the generation of the configuration
// now serving, which Reload swaps atomically. A connection is never
// closed by a reload: its next request is served by the new generation.
type gateway struct {
	file    string // the configuration file; "" for a flag configuration
	logger  *slog.Logger
	metrics *middleware.Metrics
	srv     *volt.Server
	started []ListenerConfig // the listeners as started, which a reload must keep
	lns     []net.Listener
	cur     atomic.Pointer[generation]
	http2   bool       // offer "h2" on the TLS listeners
	mu      sync.Mutex // serialises Reload
	wg      sync.WaitGroup
}

// newGateway builds the first generation of cfg and the server; Start
// opens the listeners.
func newGateway(cfg *Config, pos *positions, file string, logger *slog.Logger) (*gateway, error) {
	g := &gateway{file: file, logger: logger, metrics: &middleware.Metrics{Route: routeLabel}, started: cfg.Listeners}
	gen, err := buildGeneration(cfg, pos, g.metrics, logger)
	if err != nil {
		return nil, err
	}
	g.cur.Store(gen)
	t := cfg.Timeouts
	g.srv = &volt.Server{
		Handler:       g.handle,
		Name:          "volt-gateway",
		HeaderTimeout: time.Duration(t.Header),
		ReadTimeout:   time.Duration(t.Read),
		WriteTimeout:  time.Duration(t.Write),
		IdleTimeout:   time.Duration(t.Idle),
		Logger:        logger,
	}
	if cfg.HTTP2 {
		http2.ConfigureServer(g.srv, &http2.Server{DisableCleartext: true})
		g.http2 = true
	}
	return g, nil
}

// Start opens the listeners and serves them in the background.
func (g *gateway) Start() error {
	for i, l := range g.started {
		ln, err := net.Listen("tcp", l.Addr)
		if err != nil {
			for _, o := range g.lns {
				o.Close()
			}
			return err
		}
		g.logger.Info("listening", "addr", ln.Addr().String(), "tls", l.TLS != nil)
		if l.TLS != nil {
			ln = tls.NewListener(ln, g.serverTLSConfig(i))
		}
		g.lns = append(g.lns, ln)
	}
	for _, ln := range g.lns {
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			if err := g.srv.Serve(ln); err != nil && !errors.Is(err, volt.ErrServerClosed) {
				g.logger.Error("serve", "addr", ln.Addr().String(), "err", err)
			}
		}()
	}
	return nil
}

// Addrs returns the addresses listened on, in the order of the
// configuration.
func (g *gateway) Addrs() []string {
	a := make([]string, len(g.lns))
	for i, ln := range g.lns {
		a[i] = ln.Addr().String()
	}
	return a
}

// current returns the generation serving.
func (g *gateway) current() *generation { return g.cur.Load() }

// handle is the server's handler: the current generation's, counted in
// while it runs so that a retired generation is closed only once idle.
func (g *gateway) handle(ctx *volt.RequestCtx) {
	gen := g.enter()
	defer gen.leave()
	gen.handler(ctx)
}

// enter returns the current generation, counted in.
func (g *gateway) enter() *generation {
	for {
		if gen := g.cur.Load(); gen.enter() {
			return gen
		}
	}
}

// Reload reads the configuration file again and, if it is valid, swaps
// the new generation in; otherwise the running one is kept and the error
// returned. Listeners and timeouts are not changed by a reload.
func (g *gateway) Reload() error {
	if g.file == "" {
		return errors.New("no configuration file to reload")
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	cfg, pos, err := loadConfig(g.file)
	if err != nil {
		return err
	}
	if !reflect.DeepEqual(listenerAddrs(cfg.Listeners), listenerAddrs(g.started)) {
		pos.errorf("listeners", "changed: a reload keeps the listeners; restart the gateway to change them")
		return pos.err()
	}
	gen, err := buildGeneration(cfg, pos, g.metrics, g.logger)
	if err != nil {
		return err
	}
	old := g.cur.Swap(gen)
	go old.retire()
	g.logger.Info("configuration reloaded", "file", g.file)
	return nil
}

// listenerAddrs are the addresses of ls, with whether each is TLS.
func listenerAddrs(ls []ListenerConfig) []string {
	a := make([]string, len(ls))
	for i, l := range ls {
		a[i] = l.Addr
		if l.TLS != nil {
			a[i] += " tls"
		}
	}
	return a
}

// Shutdown stops the gateway gracefully (volt.Server.Shutdown), then
// closes the current generation.
func (g *gateway) Shutdown(ctx context.Context) error {
	err := g.srv.Shutdown(ctx)
	g.wg.Wait()
	if cerr := g.cur.Load().close(); err == nil {
		err = cerr
	}
	return err
}
